"""The centre line of a vessel map as a graph: skeleton, junctions, segments and their lengths.

References
----------
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

from dataclasses import dataclass

import cv2
import numpy as np

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


def minimal_skeleton(skel: np.ndarray) -> np.ndarray:
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


def junction_zones(skel: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Junction zones (junction pixels grown by one pixel, within the skeleton), their labels, and count."""
    junction = skel & (_COUNT[_codes(skel)] >= 3)
    if not junction.any():
        return junction, np.zeros(skel.shape, np.int32), 0
    zone = cv2.dilate(junction.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    n, labels = cv2.connectedComponents(zone.astype(np.uint8), connectivity=8)
    return zone & skel, labels, n - 1


def skeleton_segments(skel: np.ndarray, zone: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """The skeleton cut at its junction zones: component count (background included), labels, stats."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats((skel & ~zone).astype(np.uint8), connectivity=8)
    return n, labels, stats


def prune_spurs(skel: np.ndarray, spur_length: float) -> np.ndarray:
    """Remove terminal segments (one end free, the other at a junction) shorter than ``spur_length``,
    and stubs: end points inside a junction zone (branches of 1-2 px)."""
    zone, zone_labels, n_junctions = junction_zones(skel)
    if n_junctions == 0:
        return skel
    pruned = skel
    n, labels, stats = skeleton_segments(skel, zone)
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
    return minimal_skeleton(pruned) if changed else skel


def ordered_path(component: np.ndarray) -> np.ndarray | None:
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
    skel = minimal_skeleton(skeletonize(vessels))
    skel = prune_spurs(skel, spur_length)
    zone, _, n_junctions = junction_zones(skel)
    n, labels, stats = skeleton_segments(skel, zone)
    arcs, chords = [], []
    for k in range(1, n):
        if stats[k, cv2.CC_STAT_AREA] < min_segment:
            continue
        x0, y0, w, h = (int(stats[k, c]) for c in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH,
                                                    cv2.CC_STAT_HEIGHT))
        crop = np.pad(labels[y0 : y0 + h, x0 : x0 + w] == k, 1)
        path = ordered_path(crop)
        if path is None:
            continue
        arc, chord = _arc_chord(path, max(1, arc_step))
        if arc < min_segment or chord < 1.0:
            continue
        arcs.append(arc)
        chords.append(chord)
    return SkeletonGraph(skel, _centreline_length(skel), n_junctions, np.asarray(arcs), np.asarray(chords))
