"""Field-of-view (FOV) mask estimation: the bright disc of a fundus photograph."""
from __future__ import annotations

import cv2
import numpy as np


def estimate_fov(rgb: np.ndarray) -> np.ndarray:
    """Estimate the camera's circular field of view.

    Threshold the smoothed red+green brightness at a fraction of the robust
    in-image maximum, keep the largest connected component, fill its holes and
    smooth the edge. The dark border of fundus cameras is far below the
    threshold; noisy JPEG borders are removed by the median filter.

    Parameters
    ----------
    rgb : (H, W, 3) uint8.

    Returns
    -------
    (H, W) bool, True inside the FOV. An image with no dark border gives an
    all-True mask.
    """
    h, w = rgb.shape[:2]
    scale = 512.0 / max(h, w)  # work at ~512 px: fast and resolution independent
    small = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    bright = cv2.medianBlur(np.ascontiguousarray(small[:, :, 0]), 5)  # red: brightest inside the eye
    top = float(np.percentile(bright, 99))
    if top < 10:  # an all-black image has no FOV to find
        return np.zeros((h, w), bool)
    # Half of Otsu's split between border and retina: robust to dim rims and to
    # borders that are not black (STARE's are dark green, red ~30-40).
    otsu, _ = cv2.threshold(bright, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    thresh = max(8.0, 0.5 * float(otsu))
    binary = (bright > thresh).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if n <= 1:
        return np.zeros((h, w), bool)
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    disc = (labels == largest).astype(np.uint8)
    # Fill holes: flood from the border on the inverse.
    inv = (1 - disc).astype(np.uint8)
    pad = cv2.copyMakeBorder(inv, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=1)
    flood = pad.copy()
    cv2.floodFill(flood, None, (0, 0), 2)
    holes = (flood[1:-1, 1:-1] == 1)
    disc = (disc.astype(bool) | holes).astype(np.uint8)
    disc = cv2.morphologyEx(disc, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))
    full = cv2.resize(disc * 255, (w, h), interpolation=cv2.INTER_LINEAR)
    return full > 127


def fov_box(fov: np.ndarray, margin: int = 0) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1), exclusive ends, of the FOV's bounding box grown by ``margin`` pixels and kept
    inside the image; None when the FOV is empty."""
    cols = np.flatnonzero(fov.any(axis=0))
    if cols.size == 0:
        return None
    rows = np.flatnonzero(fov[:, cols[0]:cols[-1] + 1].any(axis=1))
    h, w = fov.shape[:2]
    return (max(0, int(cols[0]) - margin), max(0, int(rows[0]) - margin),
            min(w, int(cols[-1]) + 1 + margin), min(h, int(rows[-1]) + 1 + margin))


def fov_diameter(fov: np.ndarray) -> float:
    """FOV diameter in pixels: the larger extent of its bounding box.

    Cameras crop the disc top and bottom, rarely left and right, so the larger
    extent is the disc's true diameter. Falls back to the image width.
    """
    box = fov_box(fov)
    if box is None:
        return float(fov.shape[1])
    x0, y0, x1, y1 = box
    return float(max(x1 - x0, y1 - y0))
