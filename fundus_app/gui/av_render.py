"""The artery/vein view's pixels and the calibre the window shows (numpy and OpenCV only, no Qt).

:class:`AvRenderer` draws an A/V map (RITE coding: 0 background, 1 artery, 2 vein, 3 uncertain)
over the dimmed photograph into a display buffer (``render.PIXEL_ORDER``), with one palette
lookup on the vessel pixels: a few milliseconds on 3504x2336. :func:`calibre_at` asks the core
for the calibre and never raises: a failed measurement comes back as "not measurable" with the
error's name, so the window keeps working. :func:`eye_of` says which eye the photograph shows.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import cv2
import numpy as np

from fundus_app.biomarkers.calibre import Calibre, calibre_of
from fundus_app.domain import UNCERTAIN, FundusImage, Segmentation
from fundus_app.gui.render import PIXEL_ORDER, to_display
from fundus_app.postprocess import AV_COLOURS, AV_DIM

log = logging.getLogger(__name__)

ZONES = ("B", "C")


def _pixel(rgb: tuple[int, int, int]) -> np.uint32:
    """One RGB colour as a uint32 display pixel."""
    return to_display(np.array([[rgb]], np.uint8)).view(np.uint32)[0, 0, 0]


def palette() -> np.ndarray:
    """(4,) uint32 display pixels for the codes 0..3 (code 0 is never drawn)."""
    out = np.zeros(4, np.uint32)
    for code, rgb in AV_COLOURS.items():
        out[code] = _pixel(rgb)
    return out


def dimmed(base: np.ndarray, factor: float = AV_DIM) -> np.ndarray:
    """A display buffer at ``factor`` brightness (alpha kept at 255)."""
    lut = np.repeat((np.arange(256, dtype=np.float32) * factor).astype(np.uint8)[:, None, None], 4, axis=2)
    lut[:, 0, PIXEL_ORDER.index("a")] = np.arange(256, dtype=np.uint8)
    return cv2.LUT(base, lut)


class AvRenderer:
    """Draws A/V maps of one photograph; ``render(av)`` updates and returns the same buffer."""

    def __init__(self, base: np.ndarray) -> None:
        self.background = dimmed(base)
        self.out = self.background.copy()
        self._palette = palette()
        self._drawn: np.ndarray | None = None  # flat indexes of the pixels coloured now
        self.version = 0

    def render(self, av: np.ndarray) -> np.ndarray:
        """Colour the pixels of ``av`` (H, W) uint8 RGB codes; the rest shows the dimmed photograph."""
        if av.shape != self.out.shape[:2]:
            raise ValueError(f"A/V map {av.shape} does not match the image {self.out.shape[:2]}")
        out32 = self.out.view(np.uint32).reshape(-1)
        if self._drawn is not None:  # undo the last map: only its vessel pixels
            out32[self._drawn] = self.background.view(np.uint32).reshape(-1)[self._drawn]
        flat = av.reshape(-1)
        drawn = np.flatnonzero(flat)
        codes = np.minimum(flat[drawn], UNCERTAIN)
        out32[drawn] = self._palette[codes]
        self._drawn = drawn
        self.version += 1
        return self.out


@dataclass(frozen=True)
class CalibreResult:
    """The calibre of a photograph at one threshold, as the window shows it.

    zones : {"B": Calibre, "C": Calibre}, empty when the measurement failed.
    error : the name of the exception when it failed ("" otherwise).
    """

    threshold: float
    zones: dict[str, Calibre] = field(default_factory=dict)
    error: str = ""

    def zone(self, name: str) -> Calibre | None:
        return self.zones.get(name)


def calibre_at(image: FundusImage, segmentation: Segmentation, threshold: float) -> CalibreResult:
    """The core's zone B and C calibre at ``threshold``; an error becomes ``CalibreResult.error``."""
    try:
        zones = calibre_of(image, segmentation, threshold)
    except Exception as exc:  # the measurement is not the window's: its failure must not break it
        log.warning("calibre not measured: %s", type(exc).__name__)
        return CalibreResult(float(threshold), {}, type(exc).__name__)
    return CalibreResult(float(threshold), {z: zones[z] for z in ZONES if z in zones})

