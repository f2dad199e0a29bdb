"""Convert decoded pixel arrays of any depth/layout to 8-bit RGB."""
from __future__ import annotations

from typing import Any

import numpy as np

from fundus_app.errors import ImageLoadError

#: Rows converted at a time for wide integer and float data (bounds the float32 temporaries).
_CHUNK_ROWS = 256


def _scale_lut(full: float, size: int) -> np.ndarray:
    """uint8 lookup table mapping 0..size-1 onto 0..255 with ``full`` as white (values above clip)."""
    return np.clip(np.arange(size, dtype=np.float64) * (255.0 / full), 0, 255).round().astype(np.uint8)


def to_rgb8(pixels: np.ndarray, meta: dict[str, Any]) -> np.ndarray:
    """(H, W) or (H, W, C) of uint8/uint16/float -> (H, W, 3) uint8 RGB.

    ``meta["bits_stored"]`` (DICOM) sets the full-scale value of integer data;
    otherwise the dtype's range is used. Alpha is dropped (fundus photos are opaque).
    Integers up to 16 bits go through a lookup table; wider integers and floats are
    scaled in row chunks, so no full-size float copy of a large image is made.
    """
    if pixels.size == 0:
        raise ImageLoadError("the image has no pixels")
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[:, :, 0]
    if pixels.ndim == 3:
        if pixels.shape[2] == 4:
            pixels = pixels[:, :, :3]
        elif pixels.shape[2] != 3:
            raise ImageLoadError(f"it has {pixels.shape[2]} colour channels, expected 1, 3 or 4")
    elif pixels.ndim != 2:
        raise ImageLoadError(f"it has an unexpected pixel layout {pixels.shape}")
    if pixels.dtype == np.uint8:
        out = pixels
    elif pixels.dtype == bool:
        out = pixels.astype(np.uint8) * 255
    elif np.issubdtype(pixels.dtype, np.unsignedinteger) and pixels.dtype.itemsize <= 2:
        bits = int(meta.get("bits_stored") or np.iinfo(pixels.dtype).bits)
        out = _scale_lut(float(2**bits - 1), 2 ** (8 * pixels.dtype.itemsize))[pixels]
    elif np.issubdtype(pixels.dtype, np.integer):
        bits = int(meta.get("bits_stored") or np.iinfo(pixels.dtype).bits)
        scale = 255.0 / float(2**bits - 1)
        out = np.empty(pixels.shape, np.uint8)
        for i in range(0, pixels.shape[0], _CHUNK_ROWS):
            rows = pixels[i:i + _CHUNK_ROWS].astype(np.float64)
            out[i:i + _CHUNK_ROWS] = np.clip(rows * scale, 0, 255).round()
    elif np.issubdtype(pixels.dtype, np.floating):
        top = 1.0  # data in [0, 1] stay as they are; larger ranges are scaled by their finite maximum
        for i in range(0, pixels.shape[0], _CHUNK_ROWS):
            rows = pixels[i:i + _CHUNK_ROWS]
            finite = rows[np.isfinite(rows)]
            if finite.size:
                top = max(top, float(finite.max()))
        out = np.empty(pixels.shape, np.uint8)
        for i in range(0, pixels.shape[0], _CHUNK_ROWS):
            rows = np.nan_to_num(pixels[i:i + _CHUNK_ROWS].astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
            out[i:i + _CHUNK_ROWS] = np.clip(rows * (255.0 / top), 0, 255).round()
    else:
        raise ImageLoadError(f"its pixel type {pixels.dtype} is not supported")
    if out.ndim == 2:
        out = np.repeat(out[:, :, None], 3, axis=2)
    return np.ascontiguousarray(out)
