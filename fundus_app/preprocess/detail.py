"""How far a photograph can be shrunk before it loses detail of its own.

A 3504x2336 photograph may hold capillaries two pixels wide (HRF) or be a soft picture whose finest
detail is four pixels wide (an enlarged or strongly compressed image, a poorly focused camera); a
999x960 one may be as sharp as its pixels or an enlarged 600-px picture. Shrinking a sharp one to the
network's 540-px working scale erases its capillaries; shrinking a soft one loses nothing, and keeping
it large only gives the network vessels wider than it trained on.
The measure: shrink the green channel (area averaging), enlarge it back (bicubic) and compare. The
detail a shrink loses is counted against what a shrink to half the working scale loses, which
erases everything finer than the large vessels, so the figure is a fraction of the photograph's own
detail, whatever its size, exposure or contrast.
"""
from __future__ import annotations

import cv2
import numpy as np

from fundus_app.preprocess.fov import fov_diameter

#: Shrinks measured, from barely any (a photograph sharp at its own size) to 8, far past any upscaling.
SHRINKS = (1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
WINDOW_PX = 1024  # the central square measured: enough vessels and capillaries, a few ms


def _detail_lost(green: np.ndarray, region: np.ndarray, shrink: float) -> float:
    h, w = green.shape
    small = cv2.resize(green, (max(1, round(w / shrink)), max(1, round(h / shrink))), interpolation=cv2.INTER_AREA)
    back = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    return float(np.mean((green - back)[region] ** 2))


def lossless_shrink(rgb: np.ndarray, fov: np.ndarray, reference_fov_px: float, max_loss: float) -> float:
    """The shrink that loses ``max_loss`` of the photograph's detail: at least 1, at most 8.

    Measured in the central ``WINDOW_PX`` square of the field of view (at most half its diameter)
    on the green channel, where vessels have their contrast; interpolated between ``SHRINKS``.
    """
    diameter = fov_diameter(fov)
    per_row, per_column = fov.sum(axis=1), fov.sum(axis=0)  # the centroid without listing every pixel
    count = int(per_row.sum())
    if count == 0:
        return 1.0
    cy = int(per_row @ np.arange(len(per_row)) / count)
    cx = int(per_column @ np.arange(len(per_column)) / count)
    half = int(min(WINDOW_PX, diameter / 2) / 2)
    window = (slice(max(cy - half, 0), cy + half), slice(max(cx - half, 0), cx + half))
    green = rgb[window][..., 1].astype(np.float32)
    region = fov[window]
    if min(green.shape) < 16 or not region.any():
        return 1.0
    whole = _detail_lost(green, region, diameter / (reference_fov_px / 2))
    if whole <= 0:  # a flat picture: no detail to keep
        return SHRINKS[-1]
    lost_before, shrink_before = 0.0, 1.0  # shrinking by 1 loses nothing
    for shrink in SHRINKS:
        lost = _detail_lost(green, region, shrink) / whole
        if lost > max_loss:
            return shrink_before + (max_loss - lost_before) / (lost - lost_before) * (shrink - shrink_before)
        lost_before, shrink_before = lost, shrink
    return SHRINKS[-1]
