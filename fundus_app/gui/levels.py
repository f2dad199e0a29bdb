"""The slider's threshold grid and the pixel indexes built once per result (numpy and OpenCV, no Qt).

``ThresholdGrid.quantise`` turns the probability map into ``levels`` (how many grid
thresholds each pixel reaches), so the mask at slider index ``i`` is ``levels > i``.
:class:`LevelIndex` sorts the pixels by level (incremental redraws, instant vessel
density); :class:`EdgeIndex` buckets every pixel that is a vessel boundary at some
threshold. :mod:`fundus_app.gui.render` draws with them.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np

THRESHOLD_MIN, THRESHOLD_MAX, THRESHOLD_STEP = 0.05, 0.95, 0.01


@dataclass(frozen=True)
class ThresholdGrid:
    """The thresholds the slider can take: 0.05, 0.06 ... 0.95 plus the model's own default.

    Keeping the checkpoint's default threshold on the grid (even when it is not a
    multiple of 0.01) means the slider's starting point is exactly the model's.
    """

    values: tuple[float, ...]

    @classmethod
    def build(cls, extra: Iterable[float | None] = ()) -> ThresholdGrid:
        n = round((THRESHOLD_MAX - THRESHOLD_MIN) / THRESHOLD_STEP)
        vals = {round(THRESHOLD_MIN + i * THRESHOLD_STEP, 2) for i in range(n + 1)}
        for t in extra:
            if t is not None and THRESHOLD_MIN <= float(t) <= THRESHOLD_MAX:
                vals.add(round(float(t), 4))
        return cls(tuple(sorted(vals)))

    def __len__(self) -> int:
        return len(self.values)

    def index_of(self, threshold: float) -> int:
        """Index of the grid value nearest to ``threshold``."""
        arr = np.asarray(self.values)
        return int(np.abs(arr - float(threshold)).argmin())

    def quantise(self, probability: np.ndarray, fov: np.ndarray | None = None) -> np.ndarray:
        """(H, W) uint8: how many grid thresholds each pixel reaches (0 outside ``fov``).

        ``levels > i`` equals ``probability >= values[i]`` (and ``fov``) exactly.
        """
        if len(self.values) > 255:
            raise ValueError("a threshold grid of more than 255 values does not fit uint8 levels")
        prob = np.asarray(probability)
        grid = np.asarray(self.values, dtype=prob.dtype if prob.dtype.kind == "f" else np.float32)
        levels = np.empty(prob.shape, np.uint8)
        flat_in, flat_out = prob.reshape(-1), levels.reshape(-1)
        step = 1 << 20  # chunks keep the int64 temporary of searchsorted small
        for start in range(0, flat_in.size, step):
            flat_out[start:start + step] = np.searchsorted(grid, flat_in[start:start + step], side="right")
        if fov is not None:
            levels[~np.asarray(fov, bool)] = 0
        return levels


@dataclass(frozen=True)
class LevelIndex:
    """Pixels sorted by quantised level, for incremental redraws and instant vessel density.

    order : flat indices (int32) of the pixels with level >= 1, sorted by level.
    first : first[k] is the position in ``order`` of the first pixel with level >= k
        (k = 1 .. n + 1), so the mask ``levels > i`` is ``order[first[i + 1]:]``.
    fov_pixels : number of FOV pixels (the density denominator).
    """

    order: np.ndarray
    first: np.ndarray
    fov_pixels: int

    @classmethod
    def build(cls, levels: np.ndarray, fov: np.ndarray, n_thresholds: int) -> LevelIndex:
        flat = levels.reshape(-1)
        counts = np.bincount(flat, minlength=n_thresholds + 1).astype(np.int64)
        order = np.argsort(flat, kind="stable")[int(counts[0]):]  # radix sort for uint8
        dtype = np.int32 if flat.size < 2**31 else np.int64
        first = np.concatenate([[0, 0], np.cumsum(counts[1:])])  # first[k]: pixels with 1 <= level < k
        return cls(order.astype(dtype), first, int(np.count_nonzero(fov)))

    def vessel_pixels(self, index: int) -> int:
        """Number of pixels in the mask ``levels > index``."""
        return int(len(self.order) - self.first[index + 1])

    def density(self, index: int) -> float:
        """Vessel density at grid ``index``: the same arithmetic as ``measure_vessels``."""
        return float(self.vessel_pixels(index)) / self.fov_pixels if self.fov_pixels else 0.0

    def between(self, a: int, b: int) -> np.ndarray:
        """Pixels whose mask state differs between grid indices ``a`` and ``b``."""
        lo, hi = min(a, b), max(a, b)
        return self.order[self.first[lo + 1]:self.first[hi + 1]]



@dataclass(frozen=True)
class _Buckets:
    """Pixels sorted by ``(key, other)``: ``start[k]`` is where key ``k`` begins and
    ``upto[k, x]`` how many pixels of key ``k`` have ``other <= x``."""

    pixels: np.ndarray
    start: np.ndarray
    upto: np.ndarray

    @classmethod
    def build(cls, pixels: np.ndarray, key: np.ndarray, other: np.ndarray, n: int) -> _Buckets:
        order = np.lexsort((other, key))
        key, other = key[order], other[order]
        start = np.searchsorted(key, np.arange(n + 2), side="left")
        upto = np.zeros((n + 1, n + 1), np.int64)
        queries = np.arange(n + 1)
        for k in range(n + 1):
            upto[k] = np.searchsorted(other[start[k]:start[k + 1]], queries, side="right")
        return cls(pixels[order], start, upto)

    def select(self, k_lo: int, k_hi: int, x: int, *, above: bool) -> np.ndarray:
        """Pixels with key in ``(k_lo, k_hi]`` and ``other > x`` (``above``) or ``other <= x``."""
        parts = []
        for k in range(k_lo + 1, k_hi + 1):
            cut = self.start[k] + self.upto[k, x]
            parts.append(self.pixels[cut:self.start[k + 1]] if above else self.pixels[self.start[k]:cut])
        return np.concatenate(parts) if parts else self.pixels[:0]


@dataclass(frozen=True)
class EdgeIndex:
    """Every pixel that is a vessel boundary at some grid threshold, bucketed for fast lookup.

    ``postprocess.vessel_edges`` is ``mask & ~erode(mask)``; erosion commutes with
    thresholding, so with ``floor = erode(levels)`` a pixel is a boundary at index
    ``i`` exactly when ``floor <= i < levels``. The candidates (``floor < levels``)
    are kept sorted by level and by floor, so the boundary at ``i``, and what
    changes in it when the threshold moves, are a few slices: the cost follows
    the size of the boundary (or of its change), not of the image.
    """

    by_level: _Buckets  # key: level, other: floor
    by_floor: _Buckets  # key: floor, other: level
    n: int

    @classmethod
    def build(cls, levels: np.ndarray, n_thresholds: int) -> EdgeIndex:
        floor = cv2.erode(levels, np.ones((3, 3), np.uint8))  # border = max, like binary erosion
        cand = np.flatnonzero(floor < levels)
        cand = cand.astype(np.int32 if levels.size < 2**31 else np.int64)
        high, low = levels.reshape(-1)[cand], floor.reshape(-1)[cand]
        n = int(n_thresholds)
        return cls(_Buckets.build(cand, high, low, n), _Buckets.build(cand, low, high, n), n)

    def at(self, index: int) -> np.ndarray:
        """Flat indices of the boundary pixels of the mask ``levels > index``."""
        return self.by_level.select(index, self.n, index, above=False)

    def new_when_raised(self, a: int, b: int) -> np.ndarray:
        """Threshold index ``a`` -> ``b > a``: interior vessel pixels that become boundary."""
        return self.by_floor.select(a, b, b, above=True)

    def interior_when_lowered(self, b: int, a: int) -> np.ndarray:
        """Threshold index ``a`` -> ``b < a``: boundary pixels that become interior."""
        return self.by_floor.select(b, a, a, above=True)

    def joining_boundary_when_lowered(self, b: int, a: int) -> np.ndarray:
        """Threshold index ``a`` -> ``b < a``: pixels joining the mask on its boundary."""
        return self.by_level.select(b, a, b, above=False)

