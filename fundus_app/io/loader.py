"""``load_image``: file -> FundusImage, for raster formats and DICOM alike."""
from __future__ import annotations

import os
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

RASTER_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".ppm", ".pgm", ".pnm", ".bmp")
DICOM_SUFFIXES = (".dcm", ".dicom")
SUPPORTED_SUFFIXES = RASTER_SUFFIXES + DICOM_SUFFIXES


def _fail(path: Path, reason: str) -> ImageLoadError:
    return ImageLoadError(f"Cannot open '{path.name}': {reason}.")


def read_bytes(path: str | os.PathLike[str]) -> tuple[Path, bytes]:
    """Read a whole file, turning every OS-level failure into ImageLoadError."""
    p = Path(path)
    try:
        if p.is_dir():
            raise _fail(p, "it is a folder, not an image file")
        size = p.stat().st_size
        if size == 0:
            raise _fail(p, "the file is empty")
        if size > MAX_FILE_BYTES:
            raise _fail(p, f"the file is too large ({size / 2**20:.0f} MB)")
        data = p.read_bytes()
    except ImageLoadError:
        raise
    except FileNotFoundError:
        raise _fail(p, "the file does not exist") from None
    except PermissionError:
        raise _fail(p, "permission denied") from None
    except OSError as exc:  # symlink loops, I/O errors, names too long ...
        raise _fail(p, f"the file cannot be read ({exc.strerror or exc})") from None
    return p, data


def _is_dicom(data: bytes, path: Path) -> bool:
    return data[128:132] == b"DICM" or path.suffix.lower() in DICOM_SUFFIXES


def load_image(path: str | os.PathLike[str]) -> FundusImage:
    """Load a fundus image from any supported file.

    Returns a FundusImage with ``rgb`` (H, W, 3) uint8, an estimated ``fov``
    (H, W) bool and ``meta`` (format, bit depth, and DICOM fields when present).

    Raises
    ------
    ImageLoadError
        With a one-sentence message naming the file and the reason, for any
        unreadable, corrupt, empty, unsupported or oversized input.
    """
    p, data = read_bytes(path)
    try:
        if _is_dicom(data, p):
            from fundus_app.io import dicom  # pydicom is imported only when needed

            pixels, meta = dicom.decode(data, max_pixels=MAX_PIXELS)
        else:
            pixels, meta = raster.decode(data, max_pixels=MAX_PIXELS)
        rgb = to_rgb8(pixels, meta)
    except ImageLoadError as exc:
        raise _fail(p, str(exc)) from None
    except MemoryError:
        raise _fail(p, "there is not enough memory to decode it") from None
    except Exception as exc:  # a decoder's internal error is still just a bad file to the user
        raise _fail(p, f"the file is corrupt or not a supported image ({type(exc).__name__})") from None
    h, w = rgb.shape[:2]
    if h < 32 or w < 32:
        raise _fail(p, f"the image is too small ({w}x{h} pixels) to be a fundus photograph")
    meta["width"], meta["height"] = w, h
    return FundusImage(rgb=rgb, fov=estimate_fov(rgb), meta=meta, path=p)


def load_mask(path: str | os.PathLike[str]) -> np.ndarray:
    """Load a binary annotation or FOV mask (any raster format) as (H, W) bool.

    Values above half the type's range count as foreground (DRIVE's 2nd-manual
    GIFs are 3/253 after conversion, so ``== 255`` would be wrong).
    """
    p, data = read_bytes(path)
    try:
        pixels, meta = raster.decode(data, max_pixels=MAX_PIXELS)
    except Exception as exc:
        raise _fail(p, str(exc)) from None
    if pixels.ndim == 3:
        pixels = pixels.max(axis=2)
    half = 127 if pixels.dtype == np.uint8 else np.iinfo(pixels.dtype).max // 2
    return np.asarray(pixels > half)
