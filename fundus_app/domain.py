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
class Disc:
    """The optic disc in pixels of the input image: ``Disc(centre=(x, y), diameter=d)``.

    confidence : 0..1, how sure the locator is (1 for a disc given by hand).
    eye : "right", "left" or None, estimated from the disc's position in a macula-centred
        photograph (None when the photograph is disc-centred or the position is ambiguous).
    """

    centre: tuple[float, float]
    diameter: float
    confidence: float = 1.0
    eye: str | None = None

    @property
    def radius(self) -> float:
        return self.diameter / 2.0

    def as_dict(self) -> dict[str, Any]:
        return {"centre_x": round(float(self.centre[0]), 1), "centre_y": round(float(self.centre[1]), 1),
                "diameter_px": round(float(self.diameter), 1), "confidence": round(float(self.confidence), 3),
                "eye": self.eye}


#: Classes of an artery/vein map in the RITE coding (0 is background).
ARTERY, VEIN, UNCERTAIN = 1, 2, 3

#: DICOM laterality codes and the words outputs use.
_DICOM_EYES = {"R": "right", "RIGHT": "right", "OD": "right", "L": "left", "LEFT": "left", "OS": "left"}


def eye_of(meta: dict[str, Any], disc: Disc | None) -> tuple[str | None, str | None]:
    """Which eye, and how it is known: the file's laterality ("dicom"), else the disc's position
    ("estimated"), else (None, None)."""
    raw = str(meta.get("laterality") or "").strip().upper()
    if raw in _DICOM_EYES:
        return _DICOM_EYES[raw], "dicom"
    if disc is not None and disc.eye in ("right", "left"):
        return disc.eye, "estimated"
    return None, None


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
    av_class : (H, W) uint8, the A/V network's likeliest class for every FOV pixel (1 artery,
        2 vein, 3 uncertain, 0 outside the FOV), or None without an A/V model. ``av`` / ``av_map``
        keep it on the vessel mask's pixels.
    disc : the optic disc, or None when it is not in the picture or was not found.
    av_model_name, av_model_sha256, disc_model_name, disc_model_sha256 : provenance of those models.
    working_probability : the vessel probability at the network's working scale (before resampling
        to the input), or None; what the A/V step reads when it runs after the vessels.
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
    av_class: np.ndarray | None = None
    disc: Disc | None = None
    av_model_name: str = ""
    av_model_sha256: str = ""
    disc_model_name: str = ""
    disc_model_sha256: str = ""
    working_probability: np.ndarray | None = field(default=None, repr=False, compare=False)

    def mask(self, threshold: float | None = None) -> np.ndarray:
        """Binary vessel map, (H, W) bool, False outside the FOV."""
        t = self.default_threshold if threshold is None else float(threshold)
        return (self.probability >= t) & self.fov

    def av_map(self, threshold: float | None = None) -> np.ndarray | None:
        """Artery/vein map, (H, W) uint8 in the RITE coding (0 background, 1 artery, 2 vein,
        3 uncertain) on the vessel mask at ``threshold``; None without an A/V model."""
        if self.av_class is None:
            return None
        return np.where(self.mask(threshold), self.av_class, np.uint8(0)).astype(np.uint8)

    @property
    def av(self) -> np.ndarray | None:
        """``av_map`` at the default threshold."""
        return self.av_map()
