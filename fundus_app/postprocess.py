"""Post-processing of probability maps: speck removal, dense CRF, and display overlays.

Numpy/OpenCV only; the GUI, the CLI and the report draw overlays through
these functions so every view shows the same pixels.
"""
from __future__ import annotations

import cv2
import numpy as np

from fundus_app.domain import ARTERY, UNCERTAIN, VEIN

DEFAULT_COLOUR = (0, 230, 90)  # RGB; green: stands out on the orange-red fundus, where red vessels on red do not
#: RGB colours of the artery/vein classes, the same in the window and the report: red arteries, blue
#: veins, yellow for the uncertain (white is taken by the zone rings and the measured vessels' outlines).
AV_COLOURS: dict[int, tuple[int, int, int]] = {ARTERY: (235, 40, 40), VEIN: (40, 110, 255), UNCERTAIN: (245, 210, 30)}
#: How bright the photograph stays under the A/V colours.
AV_DIM = 0.4
#: RGB of the optic disc's circle on the A/V picture: green, apart from the classes' colours and the white rings.
DISC_COLOUR = (120, 255, 120)


def remove_specks(mask: np.ndarray, min_size: int) -> np.ndarray:
    """Drop 8-connected vessel components smaller than ``min_size`` pixels."""
    if min_size <= 1 or not mask.any():
        return mask.astype(bool)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= min_size
    keep[0] = False
    return keep[labels]


def dense_crf(rgb: np.ndarray, probability: np.ndarray, fov: np.ndarray, *, iterations: int = 5,
              gaussian_sxy: float = 1.0, gaussian_weight: float = 0.0, bilateral_sxy: float = 3.0,
              bilateral_srgb: float = 5.0, bilateral_weight: float = 0.5) -> np.ndarray:
    """Refine a vessel probability map with a fully connected CRF (Kraehenbuehl & Koltun 2011).

    Unaries come from the network probability; the pairwise terms use the
    image colour (bilateral) and position (Gaussian, skipped at weight 0). Kernels are in
    pixels of the given image. Returns the CRF's vessel marginal, float32, 0 outside the FOV.

    The defaults were chosen on the validation images (``experiments/tune_crf.py``, 6 Dec 2026):
    every stronger setting erased thin vessels (the former 3 / 4 / 10 px / 5 px cost 0.04 F1
    there and 0.05-0.11 on the test sets), so the refinement is a light, edge-aware smoothing.
    """
    import pydensecrf.densecrf as dcrf
    from pydensecrf.utils import unary_from_softmax

    h, w = probability.shape
    p = np.clip(probability.astype(np.float32), 1e-5, 1 - 1e-5)
    crf = dcrf.DenseCRF2D(w, h, 2)
    crf.setUnaryEnergy(np.ascontiguousarray(unary_from_softmax(np.stack([1 - p, p]))))
    if gaussian_weight > 0:
        crf.addPairwiseGaussian(sxy=gaussian_sxy, compat=gaussian_weight)
    crf.addPairwiseBilateral(
        sxy=bilateral_sxy,
        srgb=bilateral_srgb,
        rgbim=np.array(rgb, dtype=np.uint8, order="C", copy=True),
        compat=bilateral_weight,
    )
    q = np.array(crf.inference(iterations), dtype=np.float32).reshape(2, h, w)[1]
    q[~fov] = 0.0
    return q


def vessel_edges(mask: np.ndarray) -> np.ndarray:
    """One-pixel boundary of the vessel mask (inner edge), bool."""
    m = mask.astype(np.uint8)
    return (m - cv2.erode(m, np.ones((3, 3), np.uint8))).astype(bool)


def overlay(rgb: np.ndarray, mask: np.ndarray, *, colour: tuple[int, int, int] = DEFAULT_COLOUR,
            opacity: float = 0.6, edge_strength: float = 0.0,
            edge_colour: tuple[int, int, int] = (255, 255, 0)) -> np.ndarray:
    """Blend the vessel mask onto the image; optionally draw vessel boundaries.

    ``edge_strength`` in [0, 1] is the opacity of the boundary line (0 = off).
    Returns a new (H, W, 3) uint8 array.
    """
    out = rgb.copy()
    if mask.any() and opacity > 0:
        sel = mask.astype(bool)
        tint = np.asarray(colour, np.float32)
        out[sel] = (out[sel] * (1 - opacity) + tint * opacity).astype(np.uint8)
    if edge_strength > 0:
        edges = vessel_edges(mask)
        tint = np.asarray(edge_colour, np.float32)
        out[edges] = (out[edges] * (1 - edge_strength) + tint * edge_strength).astype(np.uint8)
    return out
