"""Plain data objects that cross module boundaries (numpy only, no Qt, no torch)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class FundusImage:
    """A loaded fundus photograph.

    Attributes
    ----------
    rgb : (H, W, 3) uint8 array, RGB order.
    fov : (H, W) bool array, True inside the camera's field of view.
    meta : dict of metadata (format, bit depth, DICOM patient/study fields ...).
    path : the file it came from, or None for in-memory images.
    """

    rgb: np.ndarray
    fov: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.rgb.shape[0]), int(self.rgb.shape[1]))

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else "<memory>"


@dataclass(frozen=True)
class Segmentation:
    """The network's output at the input image's resolution.

    Attributes
    ----------
    probability : (H, W) float32 in [0, 1]; 0 outside the FOV.
    fov : (H, W) bool.
    timings : seconds per stage (``preprocess``, ``network``, ``postprocess`` ...).
    default_threshold : the checkpoint's recommended threshold.
    model_name, model_sha256, device : provenance for reports.
    working_scale, working_fov_px : the network's input size / the image's, and the FOV diameter it
        saw (``preprocess.rescale``); None when unknown. Recorded because they vary per photograph.
    """

    probability: np.ndarray
    fov: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)
    default_threshold: float = 0.5
    model_name: str = ""
    model_sha256: str = ""
    device: str = "cpu"
    crf: bool = False
    working_scale: float | None = None
    working_fov_px: float | None = None

    def mask(self, threshold: float | None = None) -> np.ndarray:
        """Binary vessel map, (H, W) bool, False outside the FOV."""
        t = self.default_threshold if threshold is None else float(threshold)
        return (self.probability >= t) & self.fov
