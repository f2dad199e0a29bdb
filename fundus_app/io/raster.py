"""Raster formats (PNG, JPEG, TIFF, GIF, PNM, BMP) through Pillow.

Pillow reads the header lazily, so an image claiming 50000x50000 pixels is
refused before any pixel memory is allocated. It reads from bytes, so paths with
non-ASCII characters work on every platform.
"""
from __future__ import annotations

import io
import warnings
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from fundus_app.errors import ImageLoadError

# We enforce our own limit (MAX_PIXELS) before decoding; Pillow's own warning is noise.
Image.MAX_IMAGE_PIXELS = None


def decode(data: bytes, *, max_pixels: int) -> tuple[np.ndarray, dict[str, Any]]:
    """Decode raster bytes to an array: (H, W) or (H, W, 3|4), uint8 or uint16."""
    try:
        img = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise ImageLoadError("it is not an image file in a supported format") from None
    w, h = img.size
    if w * h > max_pixels:
        raise ImageLoadError(f"the image is too large ({w}x{h} pixels, limit {max_pixels // 1_000_000} megapixels)")
    meta: dict[str, Any] = {"format": img.format or "unknown", "mode": img.mode}
    if getattr(img, "n_frames", 1) > 1:
        meta["warning"] = "multi-frame file: only the first frame is used"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        img.load()  # raises OSError on truncated data
        img = ImageOps.exif_transpose(img) or img
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
        arr = np.asarray(img.convert("RGB"))
        meta["bit_depth"] = 8
    return arr, meta
