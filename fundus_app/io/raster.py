"""Raster formats (PNG, JPEG, TIFF, GIF, PNM, BMP) through Pillow.

Pillow reads the header lazily, so an image claiming 50000x50000 pixels is
refused before any pixel memory is allocated. It reads from bytes, so paths with
non-ASCII characters work on every platform.

Only the formats the application supports are tried (``FORMATS``): Pillow's other
plugins (EPS hands the file to Ghostscript, TGA has no magic number and accepts
random bytes, ...) are attack surface without a use here.
"""
from __future__ import annotations

import ctypes
import io
import logging
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from fundus_app.errors import ImageLoadError

# We enforce our own limit (MAX_PIXELS) before decoding; Pillow's own warning is noise.
Image.MAX_IMAGE_PIXELS = None

#: Pillow format names tried by ``decode`` (JPEG includes multi-picture MPO files; PPM covers PGM/PBM/PNM).
FORMATS = ("PNG", "JPEG", "TIFF", "GIF", "PPM", "BMP")

# Privacy: Pillow logs TIFF tag values (ImageDescription, Artist ...) at DEBUG, and a fundus
# camera may put the patient's name there. Those records are not made (level INFO even when
# the application logs at DEBUG), and Pillow's other records stay out of the application's logs.
_pil_logger = logging.getLogger("PIL")
if _pil_logger.level == logging.NOTSET:
    _pil_logger.setLevel(logging.INFO)
_pil_logger.propagate = False
if not _pil_logger.handlers:
    _pil_logger.addHandler(logging.NullHandler())


def _silence_libtiff_errors() -> bool:
    """Stop libtiff printing decoder errors straight to stderr (fd 2).

    Pillow installs a libtiff warning handler but no error handler, so a corrupt
    compressed TIFF adds a line like ``Fax3SetupState: Bits/sample must be 1 ...``
    to the CLI's stderr beside our one-line error. Pillow still raises, so nothing
    is lost. Best effort: finds the libtiff Pillow loaded (Linux: /proc/self/maps,
    macOS: PIL/.dylibs); on Windows libtiff is linked statically and stays as it is.
    """
    candidates: list[str] = []
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as fh:
            candidates = sorted(set(re.findall(r"(/\S*libtiff[^/\s]*\.so[^/\s]*)", fh.read())))
    except OSError:
        if sys.platform == "darwin":
            import PIL

            candidates = [str(p) for p in (Path(PIL.__file__).parent / ".dylibs").glob("libtiff*.dylib")]
    done = False
    for lib in candidates:
        try:
            set_handler = ctypes.CDLL(lib).TIFFSetErrorHandler
            set_handler.argtypes, set_handler.restype = [ctypes.c_void_p], ctypes.c_void_p
            set_handler(None)
            done = True
        except (OSError, AttributeError):
            continue
    return done


_silence_libtiff_errors()


def decode(data: bytes, *, max_pixels: int) -> tuple[np.ndarray, dict[str, Any]]:
    """Decode raster bytes to an array: (H, W) or (H, W, 3|4), uint8 or uint16 (float32 for mode F)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            img = Image.open(io.BytesIO(data), formats=FORMATS)
        except UnidentifiedImageError:
            raise ImageLoadError("it is not an image file in a supported format") from None
        except MemoryError:
            raise
        except Exception:  # a plugin recognised the magic number but choked on the header
            raise ImageLoadError("its image header is corrupt") from None
        fmt = img.format or "image"
        try:
            w, h = img.size
        except Exception:
            raise ImageLoadError(f"its {fmt} header is corrupt") from None
        if w < 1 or h < 1:
            raise ImageLoadError(f"its {fmt} header declares an empty image ({w}x{h} pixels)")
        if w * h > max_pixels:
            raise ImageLoadError(f"the image is too large ({w}x{h} pixels, limit {max_pixels // 1_000_000} megapixels)")
        meta: dict[str, Any] = {"format": fmt, "mode": img.mode}
        try:
            # is_animated looks for a second frame only; n_frames would walk (and for GIF decode) every frame.
            if getattr(img, "is_animated", False):
                meta["warning"] = "multi-frame file: only the first frame is used"
            img.load()  # raises on truncated or corrupt data
        except MemoryError:
            raise
        except Exception:
            raise ImageLoadError(f"its {fmt} data are truncated or corrupt") from None
        try:
            img = ImageOps.exif_transpose(img) or img  # type: ignore[assignment]  # an Image, no longer the file
        except Exception:  # a broken EXIF orientation is not worth refusing the image
            meta["warning"] = "; ".join(filter(None, [meta.get("warning"), "unreadable EXIF orientation ignored"]))
        mode = img.mode
        if mode in ("I;16", "I;16B", "I;16L", "I;16N"):
            arr = np.asarray(img, dtype=np.uint16)
            meta["bit_depth"] = 16
        elif mode == "I":  # 32-bit int, as Pillow returns 16-bit PNG/PGM grey
            arr32 = np.asarray(img)
            arr = np.clip(arr32, 0, 65535).astype(np.uint16)
            meta["bit_depth"] = 16
        elif mode == "F":
            arr = np.asarray(img, dtype=np.float32)
            meta["bit_depth"] = 32
        elif mode in ("L", "RGB"):
            arr = np.asarray(img)
            meta["bit_depth"] = 8
        elif mode == "1":
            arr = np.asarray(img.convert("L"))
            meta["bit_depth"] = 1
        else:  # P, PA, LA, RGBA, CMYK, YCbCr, LAB ...
            try:
                arr = np.asarray(img.convert("RGB"))
            except ValueError:
                raise ImageLoadError(f"its pixel mode {mode} is not supported") from None
            meta["bit_depth"] = 8
    return arr, meta
