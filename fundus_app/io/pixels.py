"""Convert decoded pixel arrays of any depth/layout to 8-bit RGB."""
from __future__ import annotations

from typing import Any

import numpy as np

from fundus_app.errors import ImageLoadError


def to_rgb8(pixels: np.ndarray, meta: dict[str, Any]) -> np.ndarray:
    """(H, W) or (H, W, C) of uint8/uint16/float -> (H, W, 3) uint8 RGB.

    ``meta["bits_stored"]`` (DICOM) sets the full-scale value of integer data;
    otherwise the dtype's range is used. Alpha is dropped (fundus photos are opaque).
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
    elif np.issubdtype(pixels.dtype, np.integer):
        bits = int(meta.get("bits_stored") or np.iinfo(pixels.dtype).bits)
        full = float(2**bits - 1)
        out = np.clip(pixels.astype(np.float32) * (255.0 / full), 0, 255).round().astype(np.uint8)
    elif np.issubdtype(pixels.dtype, np.floating):
        finite = np.nan_to_num(pixels.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
        top = float(finite.max()) if finite.max() > 1.0 else 1.0
        out = np.clip(finite * (255.0 / top), 0, 255).round().astype(np.uint8)
    elif pixels.dtype == bool:
        out = pixels.astype(np.uint8) * 255
    else:
        raise ImageLoadError(f"its pixel type {pixels.dtype} is not supported")
    if out.ndim == 2:
        out = np.repeat(out[:, :, None], 3, axis=2)
    return np.ascontiguousarray(out)
