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
.. [3] Hart WE, Goldbaum M, Cote B, Kube P, Nelson MR. Measurement and
   classification of retinal vascular tortuosity. Int J Med Inform.
   1999;53(2-3):239-252. (arc/chord "distance" tortuosity)
.. [4] Nunez-Iglesias J, Blanch AJ, Looker O, Dixon MW, Tilley L. A new Python
   library to analyse skeleton images confirms malaria parasite remodelling of
   the red blood cell membrane skeleton. PeerJ. 2018;6:e4312. (skeleton graph:
   junctions, branches, branch and Euclidean lengths)
.. [5] Zhang TY, Suen CY. A fast parallel algorithm for thinning digital
   patterns. Commun ACM. 1984;27(3):236-239. (skeletonisation, as in
   ``skimage.morphology.skeletonize``)
.. [6] Vossepoel AM, Smeulders AWM. Vector code probability and metrication
   error in the representation of straight lines of finite length. Comput
   Graph Image Process. 1982;20(4):347-364. (length of a digital curve)
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import cv2
import numpy as np

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
class FractalFit:
    """Box-counting fit: log N(s) = -D log s + c over the box sizes used."""

    dimension: float
    r_squared: float
    box_sizes: tuple[int, ...]
    counts: tuple[int, ...]


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


def box_counting(mask: np.ndarray, min_box: int = 2, max_box: int | None = None) -> FractalFit:
    """Box-counting (Minkowski-Bouligand) dimension of a binary image.

    Box sizes are powers of two from ``min_box`` up to ``max_box`` (default:
    a quarter of the shorter side, so each fit uses >= 4 boxes per side). The
    image is zero-padded to a multiple of the largest box; N(s) counts boxes
    containing any foreground. D is minus the least-squares slope of
    log N against log s.
    """
    mask = np.asarray(mask, bool)
    if not mask.any():
        return FractalFit(0.0, 0.0, (), ())
    ys, xs = np.nonzero(mask)
    mask = mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]  # crop: empty margin adds nothing
    if max_box is None:
        max_box = max(min_box, min(mask.shape) // 4)
    sizes = []
    s = min_box
    while s <= max_box:
        sizes.append(s)
        s *= 2
    if len(sizes) < 2:
        sizes = [1, 2]
    big = sizes[-1]
    h = -(-mask.shape[0] // big) * big
    w = -(-mask.shape[1] // big) * big
    padded = np.zeros((h, w), bool)
    padded[: mask.shape[0], : mask.shape[1]] = mask
    counts = []
    for size in sizes:
        blocks = padded.reshape(h // size, size, w // size, size).any(axis=(1, 3))
        counts.append(int(blocks.sum()))
    x = np.log(np.asarray(sizes, float))
    y = np.log(np.asarray(counts, float))
    slope, intercept = np.polyfit(x, y, 1)
    pred = slope * x + intercept
    ss_res = float(((y - pred) ** 2).sum())
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    return FractalFit(float(-slope), r2, tuple(sizes), tuple(counts))


# --- skeleton graph --------------------------------------------------------------------------

# Neighbour k (bit k-1) in Yokoi's counter-clockwise order: E, NE, N, NW, W, SW, S, SE, as (dy, dx).
_NEIGHBOURS = ((0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1), (1, 0), (1, 1))


def _build_luts() -> tuple[np.ndarray, np.ndarray]:
    """Per 8-neighbour code: the neighbour count, and whether the centre is a removable simple pixel.

    A pixel is *simple* when Yokoi's 8-connectivity number is 1 (deleting it
    changes no topology); it is removable when it is simple and not an end
    point (>= 2 neighbours). Removing such pixels one at a time turns the
    8-connected skeleton into a minimal (m-connected) one, on which a pixel
    with >= 3 neighbours really is a junction and staircase corners vanish.
    """
    count = np.zeros(256, np.uint8)
    removable = np.zeros(256, bool)
    for code in range(256):
        x = [(code >> i) & 1 for i in range(8)]
        xb = [1 - v for v in x] + [1 - x[0]]
        yokoi = sum(xb[k] - xb[k] * xb[k + 1] * xb[k + 2] for k in (0, 2, 4, 6))  # xb[8] is x1 again
        count[code] = sum(x)
        removable[code] = yokoi == 1 and sum(x) >= 2
    return count, removable


_COUNT, _REMOVABLE = _build_luts()
_WEIGHTS = np.zeros((3, 3), np.int64)
for _bit, (_dy, _dx) in enumerate(_NEIGHBOURS):
    _WEIGHTS[1 + _dy, 1 + _dx] = 1 << _bit


def _codes(skel: np.ndarray) -> np.ndarray:
    """(H, W) uint8 code of each pixel's 8 neighbours (bit k-1 = neighbour k)."""
    h, w = skel.shape
    p = np.pad(skel.astype(np.uint8), 1)
    code = np.zeros((h, w), np.uint8)
    for bit, (dy, dx) in enumerate(_NEIGHBOURS):
        code |= p[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] << bit
    return code


def _minimal(skel: np.ndarray) -> np.ndarray:
    """Remove simple non-end pixels one at a time (raster order) until none is left."""
    p = np.pad(skel, 1)
    for _ in range(4):
        inner = p[1:-1, 1:-1]
        ys, xs = np.nonzero(inner & _REMOVABLE[_codes(inner)])
        if ys.size == 0:
            break
        for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
            code = int((p[y : y + 3, x : x + 3] * _WEIGHTS).sum())
            if _REMOVABLE[code]:
                p[y + 1, x + 1] = False
    return p[1:-1, 1:-1]


def _corner_lut() -> np.ndarray:
    """Per 8-neighbour code: True for a path pixel (2 neighbours) whose links change direction."""
    lut = np.zeros(256, bool)
    for code in range(256):
        bits = [i for i in range(8) if (code >> i) & 1]
        lut[code] = len(bits) == 2 and bits[1] - bits[0] != 4
    return lut


_CORNER = _corner_lut()


def _centreline_length(skel: np.ndarray) -> float:
    """Length of an m-connected skeleton by the Vossepoel-Smeulders estimator [6]_.

    ``L = 0.980 n_e + 1.406 n_o - 0.091 n_c`` with n_e orthogonal links, n_o
    diagonal links (one whose pixels also share an orthogonal neighbour is not
    a link) and n_c corners (path pixels whose two links differ in direction).
    Unlike the plain chain length (1 and sqrt 2), which overestimates oblique
    lines by up to 8 %, its error on straight lines is about 2 % at any angle.
    """
    s = skel
    n_e = int((s[:, :-1] & s[:, 1:]).sum() + (s[:-1, :] & s[1:, :]).sum())
    down_right = s[:-1, :-1] & s[1:, 1:] & ~s[:-1, 1:] & ~s[1:, :-1]
    down_left = s[:-1, 1:] & s[1:, :-1] & ~s[:-1, :-1] & ~s[1:, 1:]
    n_o = int(down_right.sum() + down_left.sum())
    n_c = int((s & _CORNER[_codes(s)]).sum())
    return max(0.0, 0.980 * n_e + 1.406 * n_o - 0.091 * n_c)


@dataclass(frozen=True)
class SkeletonGraph:
    """The pruned centre line of a vessel map and its parts, in the map's pixels.

    Attributes
    ----------
    skeleton : (H, W) bool, m-connected one-pixel centre line after spur pruning.
    length : centre-line length in pixels (Vossepoel-Smeulders estimator).
    branch_points : number of junction clusters.
    arcs, chords : arc and chord length (pixels) of each segment between
        junctions and end points that is at least ``min_segment`` pixels long.
    """

    skeleton: np.ndarray
    length: float
    branch_points: int
    arcs: np.ndarray
    chords: np.ndarray

    @property
    def tortuosity(self) -> float:
        """Length-weighted mean arc/chord ratio; 0.0 without segments."""
        if self.arcs.size == 0:
            return 0.0
        ratios = self.arcs / self.chords
        return float((self.arcs * ratios).sum() / self.arcs.sum())


def _junctions(skel: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Junction zones (junction pixels grown by one pixel, within the skeleton), their labels, and count."""
    junction = skel & (_COUNT[_codes(skel)] >= 3)
    if not junction.any():
        return junction, np.zeros(skel.shape, np.int32), 0
    zone = cv2.dilate(junction.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    n, labels = cv2.connectedComponents(zone.astype(np.uint8), connectivity=8)
    return zone & skel, labels, n - 1


def _segments(skel: np.ndarray, zone: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    n, labels, stats, _ = cv2.connectedComponentsWithStats((skel & ~zone).astype(np.uint8), connectivity=8)
    return n, labels, stats


def _prune_spurs(skel: np.ndarray, spur_length: float) -> np.ndarray:
    """Remove terminal segments (one end free, the other at a junction) shorter than ``spur_length``,
    and stubs: end points inside a junction zone (branches of 1-2 px)."""
    zone, zone_labels, n_junctions = _junctions(skel)
    if n_junctions == 0:
        return skel
    pruned = skel
    n, labels, stats = _segments(skel, zone)
    if n > 1:
        seg = labels > 0
        # Junction clusters each segment touches (via a 3x3 max filter of the cluster labels).
        near = cv2.dilate(zone_labels.astype(np.float32), np.ones((3, 3), np.uint8)).astype(np.int64)
        sel = seg & (near > 0)
        pairs = np.unique(labels[sel].astype(np.int64) * (n_junctions + 1) + near[sel])
        touched = np.bincount(pairs // (n_junctions + 1), minlength=n)
        free_ends = seg & (_COUNT[_codes(skel)] <= 1)  # end points of the skeleton itself
        has_end = np.bincount(labels[free_ends], minlength=n) > 0
        spur = (touched == 1) & has_end & (stats[:, cv2.CC_STAT_AREA] < spur_length)
        spur[0] = False
        if spur.any():
            pruned = skel & ~spur[labels]
    changed = pruned is not skel
    for _ in range(3):  # stubs, and what a removed spur leaves inside its junction zone
        stub = pruned & zone & (_COUNT[_codes(pruned)] <= 1)
        if not stub.any():
            break
        pruned = pruned & ~stub
        changed = True
    return _minimal(pruned) if changed else skel


def _ordered_path(component: np.ndarray) -> np.ndarray | None:
    """(N, 2) float (x, y) points from one end of a simple open path to the other; None for loops."""
    contours, _ = cv2.findContours(component.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if len(contours) != 1:
        return None
    c = contours[0][:, 0, :]
    m = len(c)
    if m < 2:
        return None
    # The border of a one-pixel path runs from one end to the other and back: the ends are
    # where it turns round (previous point == next point).
    prev, nxt = np.roll(c, 1, axis=0), np.roll(c, -1, axis=0)
    turns = np.flatnonzero((prev == nxt).all(axis=1))
    if m == 2:
        turns = np.array([0, 1])
    if len(turns) != 2:
        return None
    i, j = int(turns[0]), int(turns[1])
    return c[i : j + 1].astype(float)


def _arc_chord(path: np.ndarray, step: int) -> tuple[float, float]:
    idx = np.arange(0, len(path), step)
    if idx[-1] != len(path) - 1:
        idx = np.append(idx, len(path) - 1)
    pts = path[idx]
    arc = float(np.hypot(*np.diff(pts, axis=0).T).sum())
    chord = float(np.hypot(*(pts[-1] - pts[0])))
    return arc, chord


def skeleton_graph(vessels: np.ndarray, *, spur_length: float, min_segment: float, arc_step: int) -> SkeletonGraph:
    """Centre line of a binary vessel map and the measures taken on it, in the map's pixels.

    Steps: Zhang-Suen skeleton (``skimage.morphology.skeletonize`` [5]_);
    reduction to a minimal m-connected skeleton; one pass of spur pruning
    (terminal branches shorter than ``spur_length``, and 1-2 px stubs inside
    junction zones, which are artefacts of the vessel wall); junctions = skeleton
    pixels with >= 3 neighbours, grown by one pixel into clusters (each
    cluster is one branch point); segments = the skeleton minus the junction
    clusters. Each segment of at least ``min_segment`` pixels is traced end to
    end, sampled every ``arc_step`` pixels (which removes the pixel staircase
    from the arc length), and its arc and chord lengths are kept.

    Parameters
    ----------
    vessels : (H, W) bool vessel map.
    spur_length, min_segment : pixels.
    arc_step : pixels (>= 1).
    """
    from skimage.morphology import skeletonize  # imported here: keeps `import fundus_app` light

    vessels = np.asarray(vessels, bool)
    empty = np.zeros(0)
    if not vessels.any():
        return SkeletonGraph(np.zeros_like(vessels), 0.0, 0, empty, empty)
    skel = _minimal(skeletonize(vessels))
    skel = _prune_spurs(skel, spur_length)
    zone, _, n_junctions = _junctions(skel)
    n, labels, stats = _segments(skel, zone)
    arcs, chords = [], []
    for k in range(1, n):
        if stats[k, cv2.CC_STAT_AREA] < min_segment:
            continue
        x0, y0, w, h = (int(stats[k, c]) for c in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH,
                                                    cv2.CC_STAT_HEIGHT))
        crop = np.pad(labels[y0 : y0 + h, x0 : x0 + w] == k, 1)
        path = _ordered_path(crop)
        if path is None:
            continue
        arc, chord = _arc_chord(path, max(1, arc_step))
        if arc < min_segment or chord < 1.0:
            continue
        arcs.append(arc)
        chords.append(chord)
    return SkeletonGraph(skel, _centreline_length(skel), n_junctions, np.asarray(arcs), np.asarray(chords))


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
