"""The preprocessing pipeline: the same pixels for inference, training and evaluation.

Two steps, each arrays in / arrays out:

1. ``rescale``: resample so the FOV diameter equals ``reference_fov_px`` (the
   DRIVE training images' diameter), so vessels in a 3504x2336 image and a
   565x584 image have the width the model was trained on. ``min_scale`` and
   ``max_working_fov_px`` let a high-resolution photograph keep more of its
   detail: it is shrunk by at most ``1 / min_scale`` unless its FOV would then
   be wider than ``max_working_fov_px`` (a bound on time). With
   ``max_detail_loss`` a photograph whose own detail is coarser (soft, enlarged,
   strongly compressed) is shrunk further, as far as loses that fraction of it
   (``preprocess.detail``): no finer vessel is there to keep, and wider vessels
   than the network trained on would cost accuracy. The bundled checkpoint sets
   ``min_scale`` 1: every photograph larger than the working scale is shrunk
   only as far as its own detail allows.
2. ``enhance``: green channel, CLAHE (``clahe_green``), standardisation inside the FOV, zero outside.

``prepare`` runs both on a FundusImage (inference, evaluation); training calls them
separately so that colour augmentation can act between them; the GUI's enhanced view
shows ``clahe_green`` at the image's own resolution. All of them take the checkpoint's
``PreprocessConfig``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np

from fundus_app.domain import FundusImage
from fundus_app.preprocess.detail import lossless_shrink
from fundus_app.preprocess.fov import fov_diameter


@dataclass(frozen=True)
class PreprocessConfig:
    """Parameters stored inside every checkpoint, so a model and its pipeline travel together."""

    reference_fov_px: float = 540.0  # median FOV diameter of the DRIVE training images
    clahe_clip: float = 2.0
    clahe_tile: int = 8
    min_scale: float = 0.05
    max_scale: float = 4.0
    # None: the working FOV is reference_fov_px whatever min_scale says (down to min_scale)
    max_working_fov_px: float | None = None
    # None: min_scale alone limits the shrink; else a large photograph may be shrunk further, as far as
    # loses this fraction of its own detail (preprocess.detail.lossless_shrink)
    max_detail_loss: float | None = None
    snap_scale: float = 0.04  # |scale-1| below this: keep native pixels (no resampling blur)

    @property
    def widest_working_fov_px(self) -> float:
        """The largest FOV diameter an image is segmented at when shrunk (the cap, never below the reference)."""
        if self.max_working_fov_px is None:
            return self.reference_fov_px
        return max(self.max_working_fov_px, self.reference_fov_px)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PreprocessConfig:
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        return cls(**known)


@dataclass(frozen=True)
class PreparedImage:
    """Network input at the normalised scale.

    x : (h, w) float32 standardised enhanced green channel, 0 outside the FOV.
    rgb : (h, w, 3) uint8, the photograph at the normalised scale (the CRF's colour term).
    fov : (h, w) bool at the normalised scale.
    scale : normalised size / original size.
    original_shape : (H, W) of the input image.
    """

    x: np.ndarray
    rgb: np.ndarray
    fov: np.ndarray
    scale: float
    original_shape: tuple[int, int]


def rescale_factor(fov: np.ndarray, cfg: PreprocessConfig, detail_shrink: float | None = None) -> float:
    """Scale that brings the FOV diameter to ``cfg.reference_fov_px``.

    Clipped to [min_scale, max_scale] (the lower bound down to ``1 / detail_shrink`` when the
    photograph's own detail allows that shrink, ``detail.lossless_shrink``); with
    ``max_working_fov_px`` set, a large FOV that ``min_scale`` keeps wider than the reference is
    shrunk to at most that diameter.
    """
    diameter = max(fov_diameter(fov), 1.0)
    floor = cfg.min_scale if detail_shrink is None else min(cfg.min_scale, 1.0 / detail_shrink)
    scale = float(np.clip(cfg.reference_fov_px / diameter, floor, cfg.max_scale))
    if cfg.max_working_fov_px is not None:
        scale = min(scale, cfg.widest_working_fov_px / diameter)
    return 1.0 if abs(scale - 1.0) < cfg.snap_scale else scale


def resize_image(rgb: np.ndarray, scale: float) -> np.ndarray:
    """Resample an image by ``scale`` (area averaging when shrinking)."""
    if scale == 1.0:
        return rgb
    h, w = rgb.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)


def resize_mask(mask: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resize a bool mask to (H, W) shape."""
    if mask.shape == shape:
        return mask
    out = cv2.resize(mask.astype(np.uint8) * 255, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR)
    return out > 127


def rescale(rgb: np.ndarray, fov: np.ndarray, cfg: PreprocessConfig) -> tuple[np.ndarray, np.ndarray, float]:
    """Step 1: (rgb, fov) at the normalised scale, and the scale used."""
    shrink = None
    if cfg.max_detail_loss is not None and fov_diameter(fov) * cfg.min_scale > cfg.reference_fov_px:
        # only photographs that min_scale alone would keep wider than the reference are measured
        shrink = lossless_shrink(rgb, fov, cfg.reference_fov_px, cfg.max_detail_loss)
    scale = rescale_factor(fov, cfg, shrink)
    small = resize_image(rgb, scale)
    return small, resize_mask(fov, small.shape[:2]), scale


def median_uint8(values: np.ndarray) -> np.uint8:
    """``np.uint8(np.median(values))`` of uint8 values, read off their histogram instead of sorting
    (4 ms -> 1 ms for a DRIVE photograph's FOV)."""
    counts = np.bincount(values.ravel(), minlength=256).cumsum()
    n = int(counts[-1])
    lower = int(np.searchsorted(counts, (n - 1) // 2, side="right"))  # the value at sorted index (n-1)//2
    upper = int(np.searchsorted(counts, n // 2, side="right"))  # and at n//2: median averages the two
    return np.uint8((lower + upper) / 2)


def clahe_channel(rgb: np.ndarray, fov: np.ndarray, cfg: PreprocessConfig, channel: int = 1) -> np.ndarray:
    """One colour channel after CLAHE, (H, W) uint8 (``channel`` 0 red, 1 green, 2 blue).

    Outside the FOV the channel is first filled with the FOV's median, so
    CLAHE does not see the black border as contrast.
    """
    plane = np.ascontiguousarray(rgb[:, :, channel])
    if fov.any():
        plane = plane.copy()
        plane[~fov] = median_uint8(plane[fov])
    clahe = cv2.createCLAHE(clipLimit=cfg.clahe_clip, tileGridSize=(cfg.clahe_tile, cfg.clahe_tile))
    return clahe.apply(plane)


def clahe_green(rgb: np.ndarray, fov: np.ndarray, cfg: PreprocessConfig) -> np.ndarray:
    """The green channel after CLAHE, (H, W) uint8: what the vessel network reads, before standardisation."""
    return clahe_channel(rgb, fov, cfg, 1)


def standardise(plane: np.ndarray, fov: np.ndarray) -> np.ndarray:
    """Zero-mean unit-variance inside the FOV, zero outside; (H, W) float32."""
    x = plane.astype(np.float32)
    inside = x[fov] if fov.any() else x.ravel()
    mean, std = float(inside.mean()), float(inside.std())
    x = (x - mean) / max(std, 1.0)
    x[~fov] = 0.0
    return x


def enhance(rgb: np.ndarray, fov: np.ndarray, cfg: PreprocessConfig) -> np.ndarray:
    """Step 2: ``clahe_green`` -> zero-mean unit-variance inside the FOV, zero outside.

    Returns (H, W) float32.
    """
    return standardise(clahe_green(rgb, fov, cfg), fov)


#: Channel order of the artery/vein network's input: the vessel network's own first, so the A/V
#: network can start from the vessel network's weights (its first layer widened with zeros).
COLOUR_CHANNELS = (1, 0, 2)


def enhance_colour(rgb: np.ndarray, fov: np.ndarray, cfg: PreprocessConfig) -> np.ndarray:
    """The artery/vein network's input: green, red and blue, each through CLAHE and standardised
    inside the FOV (channel 0 equals ``enhance``); (3, H, W) float32. Colour is what tells an
    artery (lighter, redder, a brighter central reflex) from a vein."""
    return np.stack([standardise(clahe_channel(rgb, fov, cfg, c), fov) for c in COLOUR_CHANNELS])


def prepare(image: FundusImage, cfg: PreprocessConfig) -> PreparedImage:
    """Rescale and enhance a FundusImage into network input."""
    rgb, fov, scale = rescale(image.rgb, image.fov, cfg)
    return PreparedImage(x=enhance(rgb, fov, cfg), rgb=rgb, fov=fov, scale=scale, original_shape=image.shape)
