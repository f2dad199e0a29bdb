"""Vessel biomarkers computed from a binary vessel map inside the FOV.

* **Vessel density** on the map at its own resolution (a ratio of areas, so
  independent of resolution anyway).
* **Fractal dimension** and the **centre-line measures** (vessel length density,
  mean tortuosity, branch points) on the map resampled to a normalised scale
  where the FOV diameter D is :data:`MEASURE_FOV_PX` pixels (the scale the
  segmentation network works at); lengths and areas are expressed in units of
  D. The numbers then do not depend on the camera's resolution: a 3504x2336
  photograph and a 565x584 one of the same eye give the same values (within a
  few per cent), and they are comparable with reference ranges measured on
  DRIVE and STARE.

References
----------
.. [1] Kim AY, Chu Z, Shahidzadeh A, Wang RK, Puliafito CA, Kashani AH.
   Quantifying microvascular density and morphology in diabetic retinopathy
   using spectral-domain OCT angiography. Invest Ophthalmol Vis Sci.
   2016;57(9):OCT362-OCT370. (vessel area density; vessel skeleton density)
.. [2] Liew G, Wang JJ, Cheung N, et al. The retinal vasculature as a fractal:
   methodology, reliability, and relationship to blood pressure.
   Ophthalmology. 2008;115(11):1951-1956. (box-counting fractal dimension)
[3]-[6]: tortuosity, the skeleton graph, thinning and the length of a digital curve; listed in
``fundus_app.biomarkers.skeleton``, whose measures cite them.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import cv2
import numpy as np

from fundus_app.biomarkers.fractal import FractalFit, box_counting
from fundus_app.biomarkers.skeleton import skeleton_graph
from fundus_app.preprocess.fov import fov_diameter

#: FOV diameter (pixels) of the scale at which centre-line measures are taken:
#: the DRIVE images' diameter, which is also the network's working scale
#: (``PreprocessConfig.reference_fov_px``).
MEASURE_FOV_PX = 540.0
#: Keep native pixels when the rescale factor is within this of 1 (as the preprocessing does).
SNAP_SCALE = 0.04
#: Terminal skeleton branches shorter than this (fraction of D; 8 px at 540) are spurs and are pruned.
SPUR_FRACTION = 0.015
#: Segments shorter than this (fraction of D; 22 px at 540) are left out of the tortuosity.
MIN_SEGMENT_FRACTION = 0.04
#: Arc length is measured along the centre line sampled every this fraction of D (4 px at 540).
ARC_STEP_FRACTION = 0.008
#: When shrinking a map to the measurement scale, a pixel is vessel if at least this
#: share of it is covered (below one half, so thin vessels stay connected).
DOWNSCALE_COVERAGE = 0.25


@dataclass(frozen=True)
class Biomarkers:
    """Vessel measures of one image.

    Attributes
    ----------
    vessel_density : vessel pixels / FOV pixels, in [0, 1] (vessel area density [1]_).
    fractal_dimension : box-counting dimension of the vessel map at the normalised
        scale (boxes of 2 px up to a quarter of the map's shorter side), in [0, 2] [2]_.
    fractal_r_squared : R^2 of the log-log fit (how well a power law fits).
    fractal_fit : the fit itself (box sizes in pixels of the normalised scale); not in ``as_dict()``.
    vessel_length_density : centre-line (skeleton) length per FOV area, with
        lengths in FOV diameters D: ``(L / D) / (A / D^2)``, unit 1/D (vessel
        skeleton density [1]_ made resolution independent).
    vessel_length_px : the centre-line length L in pixels of the input map.
    tortuosity : mean arc/chord ratio of the centre-line segments between
        branch and end points that are at least ``MIN_SEGMENT_FRACTION * D``
        long, weighted by segment length; 1 = straight, a semicircle is pi/2 [3]_.
        0.0 when no segment qualifies (see ``tortuosity_segments``).
    tortuosity_segments : number of segments the tortuosity averages.
    branch_points : number of junctions of the centre line (bifurcations and
        crossings; junction pixels closer than 3 px count once) [4]_.
    branch_point_density : branch points per FOV area in D^2, unit 1/D^2.
    """

    vessel_density: float
    fractal_dimension: float
    fractal_r_squared: float
    vessel_length_density: float = 0.0
    vessel_length_px: float = 0.0
    tortuosity: float = 0.0
    tortuosity_segments: int = 0
    branch_points: int = 0
    branch_point_density: float = 0.0
    fractal_fit: FractalFit | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, float]:
        """The scalar measures (the ``biomarkers`` object of the segment JSON)."""
        d = asdict(self)
        d.pop("fractal_fit")
        return d



def _to_measure_scale(vessels: np.ndarray, scale: float) -> np.ndarray:
    """Resample a bool map by ``scale`` (area coverage when shrinking, linear when enlarging)."""
    if scale == 1.0:
        return vessels
    ys, xs = np.nonzero(vessels)
    if ys.size == 0:
        return np.zeros((1, 1), bool)
    pad = int(math.ceil(2 / min(scale, 1.0)))  # crop to the vessels: the empty margin adds nothing
    y0, x0 = max(ys.min() - pad, 0), max(xs.min() - pad, 0)
    crop = vessels[y0 : ys.max() + pad + 1, x0 : xs.max() + pad + 1].astype(np.uint8) * 255
    h, w = crop.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if scale < 1.0:
        return cv2.resize(crop, size, interpolation=cv2.INTER_AREA) >= 255 * DOWNSCALE_COVERAGE
    return cv2.resize(crop, size, interpolation=cv2.INTER_LINEAR) >= 128


def measurement_parameters() -> dict[str, float]:
    """The parameters the centre-line and fractal measures depend on (stored with reference ranges)."""
    return {
        "measure_fov_px": MEASURE_FOV_PX,
        "snap_scale": SNAP_SCALE,
        "spur_fraction": SPUR_FRACTION,
        "min_segment_fraction": MIN_SEGMENT_FRACTION,
        "arc_step_fraction": ARC_STEP_FRACTION,
        "downscale_coverage": DOWNSCALE_COVERAGE,
    }


def measure_scale(fov: np.ndarray) -> float:
    """Factor that brings the FOV diameter to :data:`MEASURE_FOV_PX` (1.0 when within ``SNAP_SCALE``)."""
    scale = MEASURE_FOV_PX / max(fov_diameter(fov), 1.0)
    return 1.0 if abs(scale - 1.0) < SNAP_SCALE else scale


def measure_vessels(mask: np.ndarray, fov: np.ndarray | None = None) -> Biomarkers:
    """Biomarkers of a binary vessel map.

    Vessel density is computed at the map's own resolution; the fractal
    dimension and the centre-line measures at the normalised scale (FOV diameter
    :data:`MEASURE_FOV_PX`), see :func:`skeleton_graph` and :class:`Biomarkers`.
    Takes well under a second for a 3504x2336 map.

    Parameters
    ----------
    mask : (H, W) bool vessel map.
    fov : (H, W) bool field of view; the whole image when None. Its diameter D
        (larger bounding-box side) is the unit of length of the centre-line measures.
    """
    mask = np.asarray(mask, bool)
    fov = np.ones_like(mask) if fov is None else np.asarray(fov, bool)
    if fov.shape != mask.shape:
        raise ValueError(f"mask {mask.shape} and fov {fov.shape} differ in shape")
    vessels = mask & fov
    fov_pixels = int(fov.sum())
    density = float(vessels.sum()) / fov_pixels if fov_pixels else 0.0
    if not fov_pixels or not vessels.any():
        fit = box_counting(vessels)
        return Biomarkers(vessel_density=density, fractal_dimension=fit.dimension,
                          fractal_r_squared=fit.r_squared, fractal_fit=fit)
    diameter = max(fov_diameter(fov), 1.0)
    scale = measure_scale(fov)
    d_meas = diameter * scale  # FOV diameter at the measurement scale, pixels
    normalised = _to_measure_scale(vessels, scale)
    fit = box_counting(normalised)
    graph = skeleton_graph(
        normalised,
        spur_length=SPUR_FRACTION * d_meas,
        min_segment=MIN_SEGMENT_FRACTION * d_meas,
        arc_step=max(1, round(ARC_STEP_FRACTION * d_meas)),
    )
    area_d2 = fov_pixels / diameter**2  # FOV area in units of D^2
    length_d = graph.length / d_meas  # centre-line length in units of D
    return Biomarkers(
        vessel_density=density,
        fractal_dimension=fit.dimension,
        fractal_r_squared=fit.r_squared,
        vessel_length_density=length_d / area_d2,
        vessel_length_px=length_d * diameter,
        tortuosity=graph.tortuosity,
        tortuosity_segments=int(graph.arcs.size),
        branch_points=graph.branch_points,
        branch_point_density=graph.branch_points / area_d2,
        fractal_fit=fit,
    )
