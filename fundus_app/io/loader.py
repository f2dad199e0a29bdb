"""``load_image``: file -> FundusImage, for raster formats and DICOM alike.

Every failure is an ``ImageLoadError`` whose message is one line naming the file
(``Cannot open 'eye.png': <reason>.``); the reason never quotes patient data.
The cases and the message each one gives are listed in docs/robustness.md.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import numpy as np

from fundus_app.domain import FundusImage
from fundus_app.errors import ImageLoadError
from fundus_app.io import raster
from fundus_app.io.pixels import to_rgb8
from fundus_app.preprocess.fov import estimate_fov

#: Refuse anything larger: a 100 MP RGB image already needs 300 MB decoded.
MAX_PIXELS = 100_000_000
#: Largest file we read into memory (compressed); far above any real fundus photo.
MAX_FILE_BYTES = 512 * 1024 * 1024
#: Smallest side accepted; smaller images cannot be fundus photographs.
MIN_SIDE = 32

RASTER_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".ppm", ".pgm", ".pnm", ".bmp")
DICOM_SUFFIXES = (".dcm", ".dicom")
SUPPORTED_SUFFIXES = RASTER_SUFFIXES + DICOM_SUFFIXES

_RASTER_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\0", b"MM\0*", b"II+\0", b"MM\0+", b"GIF87a", b"GIF89a", b"BM",
                 b"P1", b"P2", b"P3", b"P4", b"P5", b"P6")


def display_name(path: Path) -> str:
    """The file's name for a one-line message: control characters (a newline in a name) escaped."""
    name = path.name or str(path)
    if name.isprintable():
        return name
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)


def _fail(path: Path, reason: str) -> ImageLoadError:
    reason = " ".join(reason.split())  # never more than one line, whatever a decoder said
    return ImageLoadError(f"Cannot open '{display_name(path)}': {reason}.")


def _os_reason(path: Path, exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "it is a broken symbolic link" if path.is_symlink() else "the file does not exist"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if exc.errno == errno.ELOOP:
        return "its path is a symbolic link loop"
    if exc.errno == errno.ENAMETOOLONG:
        return "its name is too long"
    if exc.errno == errno.ENOTDIR:
        return "a part of its path is not a folder"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder, not an image file"
    return f"the file cannot be read ({exc.strerror or type(exc).__name__})"


def read_bytes(path: str | os.PathLike[str]) -> tuple[Path, bytes]:
    """Read a whole regular file, turning every OS-level failure into ImageLoadError.

    The file is opened without blocking (a named pipe would otherwise wait for a
    writer), checked to be a regular file of at most MAX_FILE_BYTES on the open
    descriptor, and read for the size that check saw (a file growing meanwhile is refused).
    """
    p = Path(path)
    try:
        if p.is_dir():  # before open(): Windows cannot open a folder at all
            raise _fail(p, "it is a folder, not an image file")
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if stat.S_ISDIR(st.st_mode):
                raise _fail(p, "it is a folder, not an image file")
            if not stat.S_ISREG(st.st_mode):
                raise _fail(p, "it is not a regular file (a device, pipe or socket)")
            if st.st_size == 0:
                raise _fail(p, "the file is empty")
            if st.st_size > MAX_FILE_BYTES:
                raise _fail(p, f"the file is too large ({st.st_size / 2**20:.0f} MB)")
            # read(n) allocates n bytes up front: ask for the size stat reported (+1 to notice growth)
            data = fh.read(st.st_size + 1)
    except ImageLoadError:
        raise
    except OSError as exc:  # missing, permission, symlink loops, I/O errors, names too long ...
        raise _fail(p, _os_reason(p, exc)) from None
    except ValueError:  # an embedded NUL character in the path
        raise _fail(p, "its name is not a valid path") from None
    if not data:
        raise _fail(p, "the file is empty")
    if len(data) > st.st_size:
        raise _fail(p, "the file changed while it was being read")
    return p, data


def _looks_like_raw_dicom(data: bytes) -> bool:
    """A DICOM data set without the 128-byte preamble: it starts with a group 0002 or 0008 tag."""
    if len(data) < 8:
        return False
    group = int.from_bytes(data[0:2], "little")
    element = int.from_bytes(data[2:4], "little")
    if group not in (0x0002, 0x0008) or element > 0x0100:
        return False
    vr = data[4:6]
    explicit = vr.isalpha() and vr.isupper()
    implicit_length = int.from_bytes(data[4:8], "little")
    return explicit or implicit_length < 1024


def _is_dicom(data: bytes, path: Path) -> bool:
    """DICOM or raster, by content first: a PNG named .dcm is a PNG, a DICOM named .png a DICOM."""
    if data[128:132] == b"DICM" or _looks_like_raw_dicom(data):
        return True
    if data.startswith(_RASTER_MAGIC):
        return False
    if path.suffix.lower() in DICOM_SUFFIXES:
        raise _fail(path, "it is not a DICOM file (no DICM marker and no DICOM header)")
    return False


def load_image(path: str | os.PathLike[str]) -> FundusImage:
    """Load a fundus image from any supported file.

    Returns a FundusImage with ``rgb`` (H, W, 3) uint8, an estimated ``fov``
    (H, W) bool and ``meta`` (format, bit depth, and DICOM fields when present;
    ``meta["warning"]`` is one line of caveats: multi-frame, non-ophthalmic modality).

    Raises
    ------
    ImageLoadError
        With a one-sentence message naming the file and the reason, for any
        unreadable, corrupt, empty, unsupported or oversized input, and for
        images with nothing to segment: smaller than 32 px, blank (one colour)
        or without a field of view (black).
    """
    p, data = read_bytes(path)
    try:
        if _is_dicom(data, p):
            from fundus_app.io import dicom  # pydicom is imported only when needed

            pixels, meta = dicom.decode(data, max_pixels=MAX_PIXELS, max_bytes=MAX_FILE_BYTES)
        else:
            pixels, meta = raster.decode(data, max_pixels=MAX_PIXELS)
        del data
        rgb = to_rgb8(pixels, meta)
        del pixels
    except ImageLoadError as exc:
        if str(exc).startswith("Cannot open "):
            raise
        raise _fail(p, str(exc)) from None
    except MemoryError:
        raise _fail(p, "there is not enough memory to decode it") from None
    except RecursionError:
        raise _fail(p, "the file is corrupt (its structure is nested too deeply)") from None
    except Exception as exc:  # a decoder's internal error is still just a bad file to the user
        raise _fail(p, f"the file is corrupt or not a supported image ({type(exc).__name__})") from None
    h, w = rgb.shape[:2]
    if h < MIN_SIDE or w < MIN_SIDE:
        raise _fail(p, f"the image is too small ({w}x{h} pixels) to be a fundus photograph")
    flat = rgb.reshape(-1, 3)
    if all(flat[:, c].min() == flat[:, c].max() for c in range(3)):
        r, g, b = (int(v) for v in flat[0])
        raise _fail(p, f"the image is blank (every pixel has the colour {r},{g},{b})")
    fov = estimate_fov(rgb)
    if not fov.any():
        raise _fail(p, "no field of view was found (the image is black or nearly black)")
    meta["width"], meta["height"] = w, h
    return FundusImage(rgb=rgb, fov=fov, meta=meta, path=p)


def load_mask(path: str | os.PathLike[str]) -> np.ndarray:
    """Load a binary annotation or FOV mask (any raster format) as (H, W) bool.

    Values above half the type's range count as foreground (DRIVE's 2nd-manual
    GIFs are 3/253 after conversion, so ``== 255`` would be wrong).
    """
    p, data = read_bytes(path)
    try:
        pixels, meta = raster.decode(data, max_pixels=MAX_PIXELS)
    except ImageLoadError as exc:
        raise _fail(p, str(exc)) from None
    except MemoryError:
        raise _fail(p, "there is not enough memory to decode it") from None
    except Exception as exc:
        raise _fail(p, f"the file is corrupt or not a supported image ({type(exc).__name__})") from None
    if pixels.ndim == 3:
        pixels = pixels.max(axis=2)
    half: float
    if pixels.dtype == np.uint8:
        half = 127
    elif np.issubdtype(pixels.dtype, np.integer):
        half = np.iinfo(pixels.dtype).max // 2
    else:  # float masks: 0..1
        half = 0.5
    return np.asarray(pixels > half)


def load_label_map(path: str | os.PathLike[str]) -> np.ndarray:
    """Load a label map whose pixel values are classes (the RITE A/V coding: 0 background,
    1 artery, 2 vein, 3 uncertain) as (H, W) uint8; a colour file keeps its first channel."""
    p, data = read_bytes(path)
    try:
        pixels, _ = raster.decode(data, max_pixels=MAX_PIXELS)
    except ImageLoadError as exc:
        raise _fail(p, str(exc)) from None
    except Exception as exc:
        raise _fail(p, f"the file is corrupt or not a supported image ({type(exc).__name__})") from None
    if pixels.ndim == 3:
        pixels = pixels[..., 0]
    if not np.issubdtype(pixels.dtype, np.integer) or int(pixels.max(initial=0)) > 255:
        raise _fail(p, "it is not a label map of small whole numbers")
    return np.ascontiguousarray(pixels, dtype=np.uint8)
