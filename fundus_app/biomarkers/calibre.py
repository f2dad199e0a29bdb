"""Vessel calibre around the optic disc: CRAE, CRVE and AVR (revised Knudtson formulas).

Interface fixed here; the measurement (``measure_calibre``) is implemented below.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fundus_app.domain import Disc, FundusImage, Segmentation

#: Zones as (inner, outer) distances from the disc margin in disc diameters.
ZONES: dict[str, tuple[float, float]] = {"B": (0.5, 1.0), "C": (0.5, 2.0)}
#: The disc diameter assumed when the file gives no pixel spacing (micrometres).
ASSUMED_DISC_DIAMETER_UM = 1800.0


@dataclass(frozen=True)
class VesselSegment:
    """One measured vessel segment in the zone.

    kind : "artery" or "vein".
    width_px : its calibre (median of the sub-pixel widths along its centre line), pixels of the input image.
    width_um : the same in micrometres.
    length_px : centre-line length inside the zone.
    centreline : (n, 2) float32 (x, y) points in the input image: what the window draws on demand.
    """

    kind: str
    width_px: float
    width_um: float
    length_px: float
    centreline: np.ndarray = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "width_px": round(self.width_px, 2), "width_um": round(self.width_um, 1),
                "length_px": round(self.length_px, 1)}


@dataclass(frozen=True)
class Calibre:
    """Summary calibres of one photograph in one zone.

    crae_um, crve_um, avr : None when not measurable (``reason`` says why); crae_dd and crve_dd
    in disc diameters. arteries / veins : the widest segments (up to six) the formulas used.
    n_arteries / n_veins : the measurable segments found in the zone.
    um_per_px, scale_source : the scale and where it came from ("pixel spacing" or the assumed
    disc diameter).
    """

    zone: str
    crae_um: float | None
    crve_um: float | None
    avr: float | None
    crae_dd: float | None = None
    crve_dd: float | None = None
    um_per_px: float | None = None
    scale_source: str = ""
    arteries: tuple[VesselSegment, ...] = ()
    veins: tuple[VesselSegment, ...] = ()
    n_arteries: int = 0
    n_veins: int = 0
    reason: str | None = None

    @property
    def measurable(self) -> bool:
        return self.avr is not None


def zone_radii(disc: Disc, zone: str) -> tuple[float, float]:
    """Inner and outer radius of ``zone`` around ``disc``'s centre, pixels."""
    inner, outer = ZONES[zone]
    return disc.radius + inner * disc.diameter, disc.radius + outer * disc.diameter


def measure_calibre(av: np.ndarray, disc: Disc | None, fov: np.ndarray, *, zone: str = "B",
                    pixel_spacing_um: float | None = None, probability: np.ndarray | None = None) -> Calibre:
    """CRAE, CRVE and AVR of an A/V map (RITE coding) in ``zone`` around ``disc``."""
    raise NotImplementedError("being implemented on branch calibre")


def calibre_of(image: FundusImage, segmentation: Segmentation, threshold: float | None = None, *,
               av: np.ndarray | None = None) -> dict[str, Calibre]:
    """Zone B and zone C calibres of a segmented photograph: {"B": Calibre, "C": Calibre}; ``av``
    overrides ``segmentation.av_map(threshold)`` (the written map, specks removed)."""
    return {z: Calibre(z, None, None, None, reason="not implemented yet") for z in ZONES}
