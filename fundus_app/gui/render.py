"""Fast overlay rendering for the review panes (numpy and OpenCV only, no Qt).

The threshold and edge sliders must redraw the overlay within one frame on
3504x2336 images. ``fundus_app.postprocess.overlay`` is the reference that the
CLI and the PDF report use; :class:`OverlayRenderer` produces exactly the same
pixels (``tests/gui/test_gui_render.py`` compares them) but precomputes what it can
(the grid and indexes are in :mod:`fundus_app.gui.levels`):

* the probability map is quantised once per result against the slider's
  threshold grid: ``levels[y, x]`` is the number of grid thresholds ``t`` with
  ``probability >= t`` (compared in float32, as ``Segmentation.mask`` does), so
  the mask at slider index ``i`` is ``levels > i``: one uint8 comparison;
* the tinted image is a per-channel lookup table of the image, built once per
  colour/opacity with the same float arithmetic as ``overlay``;
* vessel edges are blended only at the edge pixels, so the edge slider touches a
  few hundred thousand pixels, not the whole image;
* vessel density for every grid threshold comes from one histogram of
  ``levels``, so the density on screen follows the slider instantly and equals
  ``measure_vessels(...).vessel_density``.

Display buffers are 4-byte pixels in the order of ``QImage.Format_RGB32`` on
this machine (B, G, R, 255 on little-endian), so Qt draws them without any
conversion.
"""
from __future__ import annotations

import sys

import cv2
import numpy as np

from fundus_app.gui.levels import (  # noqa: F401 - re-exported: the renderer's inputs
    THRESHOLD_MAX,
    THRESHOLD_MIN,
    THRESHOLD_STEP,
    EdgeIndex,
    LevelIndex,
    ThresholdGrid,
)
from fundus_app.postprocess import DEFAULT_COLOUR
from fundus_app.preprocess import PreprocessConfig, clahe_green

#: Byte order of a display pixel (QImage.Format_RGB32 is 0xffRRGGBB in native endianness).
PIXEL_ORDER = "bgra" if sys.byteorder == "little" else "argb"
#: For each display channel, the RGB channel it shows (-1: the constant 255 channel).
_CHANNEL_OF = {"bgra": (2, 1, 0, -1), "argb": (-1, 0, 1, 2)}[PIXEL_ORDER]

EDGE_COLOUR = (255, 255, 0)  # postprocess.overlay's default boundary colour


def to_display(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB -> (H, W, 4) uint8 display pixels (``PIXEL_ORDER``)."""
    if PIXEL_ORDER == "bgra":
        return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGRA)
    out = np.empty(rgb.shape[:2] + (4,), np.uint8)
    out[..., 0] = 255
    out[..., 1:] = rgb
    return out


def grey_to_display(grey: np.ndarray) -> np.ndarray:
    """(H, W) uint8 grey -> (H, W, 4) display pixels."""
    return cv2.cvtColor(np.ascontiguousarray(grey), cv2.COLOR_GRAY2BGRA)  # grey: channel order is moot


def enhanced_view(rgb: np.ndarray, fov: np.ndarray, cfg: PreprocessConfig) -> np.ndarray:
    """Red-free (green channel) CLAHE view for reading vessels, (H, W) uint8, black outside the FOV.

    The core's ``preprocess.clahe_green`` with the checkpoint's own parameters: the
    enhancement the network reads, at the image's resolution and before standardisation.
    """
    fov = np.asarray(fov, bool)
    out = clahe_green(rgb, fov, cfg)
    out[~fov] = 0
    return out


def pyramid(image: np.ndarray, smallest_side: int = 256) -> list[np.ndarray]:
    """Successive 2x area-averaged reductions of ``image`` (level 1, 2 ...), full resolution excluded.

    Drawing a zoomed-out view from the level nearest the screen scale avoids
    the aliasing of sampling a 3504-pixel image down to a few hundred pixels.
    """
    levels: list[np.ndarray] = []
    cur = image
    while min(cur.shape[:2]) // 2 >= smallest_side:
        h, w = cur.shape[:2]
        cur = cv2.resize(cur, ((w + 1) // 2, (h + 1) // 2), interpolation=cv2.INTER_AREA)
        levels.append(cur)
    return levels


def _blend_lut(colour: tuple[int, int, int], strength: float) -> np.ndarray:
    """(256, 3) uint8: ``postprocess.overlay``'s blend ``v * (1 - s) + colour * s`` for every byte value."""
    v = np.arange(256, dtype=np.uint8)[:, None]
    tint = np.asarray(colour, np.float32)[None, :]
    return (v * (1 - strength) + tint * strength).astype(np.uint8)  # same dtype path as overlay()


def _display_lut(rgb_lut: np.ndarray) -> np.ndarray:
    """(256, 3) per-RGB-channel LUT -> (256, 1, 4) LUT for display pixels (cv2.LUT layout)."""
    out = np.empty((256, 1, 4), np.uint8)
    for d, ch in enumerate(_CHANNEL_OF):
        out[:, 0, d] = np.arange(256, dtype=np.uint8) if ch < 0 else rgb_lut[:, ch]
    return out


#: The two bytes of every uint16 value, in memory order (for endianness-free 16-bit tables).
_PAIRS = np.arange(65536, dtype=np.uint16).view(np.uint8).reshape(-1, 2)


def _pixel_tables(rgb_lut: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two 65536-entry tables applying a per-channel LUT to the two halves of a uint32 display pixel."""
    per_byte = _display_lut(rgb_lut)[:, 0, :]  # (256, 4): new value of display byte d
    tables = []
    for half in (0, 1):
        pairs = np.empty_like(_PAIRS)
        pairs[:, 0] = per_byte[_PAIRS[:, 0], 2 * half]
        pairs[:, 1] = per_byte[_PAIRS[:, 1], 2 * half + 1]
        tables.append(pairs.view(np.uint16).reshape(-1))
    return tables[0], tables[1]


def _apply_tables(tables: tuple[np.ndarray, np.ndarray], pixels: np.ndarray) -> np.ndarray:
    """Per-channel LUT on uint32 display pixels, two 16-bit lookups per pixel."""
    halves = pixels.view(np.uint16).reshape(-1, 2)
    out = np.empty_like(halves)
    np.take(tables[0], halves[:, 0], out=out[:, 0])
    np.take(tables[1], halves[:, 1], out=out[:, 1])
    return out.view(np.uint32).reshape(-1)


class OverlayRenderer:
    """Renders ``postprocess.overlay`` pixels for one image, fast enough for a slider.

    Parameters
    ----------
    rgb : (H, W, 3) uint8 image.
    levels : (H, W) uint8 from :meth:`ThresholdGrid.quantise`.
    base : optional precomputed ``to_display(rgb)``.
    index : optional :class:`LevelIndex`; with it a threshold move only touches
        the pixels whose state changes (a slider step: about 1% of them).
    edges : optional precomputed :class:`EdgeIndex` (built on first use otherwise).
    n_thresholds : length of the threshold grid (default: the highest level present).

    ``render(index, edge_strength)`` returns a (H, W, 4) display buffer that
    is reused (updated in place) by the next call.
    """

    #: Above this fraction of changed pixels a full redraw (two vectorised copies) is faster.
    INCREMENTAL_LIMIT = 0.03

    def __init__(self, rgb: np.ndarray, levels: np.ndarray, base: np.ndarray | None = None,
                 index: LevelIndex | None = None, edges: EdgeIndex | None = None,
                 n_thresholds: int | None = None) -> None:
        self.base = to_display(rgb) if base is None else base
        self.levels = levels
        self.n_thresholds = int(levels.max()) if n_thresholds is None else int(n_thresholds)
        self._level_index = index
        self._edge_index = edges
        h, w = levels.shape
        self.out = np.empty_like(self.base)
        self._mask = np.empty((h, w), np.uint8)
        self._colour: tuple[int, int, int] = DEFAULT_COLOUR
        self._opacity = 0.6
        self._edge_colour: tuple[int, int, int] = EDGE_COLOUR
        self._tint_lut = _blend_lut(self._colour, self._opacity)
        self._tinted: np.ndarray | None = None
        self._index: int | None = None  # threshold index ``out`` was drawn for
        self._edge_tables: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._boundary_cache: tuple[np.ndarray, np.ndarray] | None = None
        self._edge_drawn = 0.0  # boundary strength drawn into ``out`` (0: none)
        self.version = 0  # incremented whenever ``out`` changes
        self._last: tuple[int, float] | None = None

    # -- style -------------------------------------------------------------------------------
    def set_style(self, colour: tuple[int, int, int] | None = None, opacity: float | None = None,
                  edge_colour: tuple[int, int, int] | None = None) -> None:
        """Change the vessel colour / opacity (rebuilds the tinted image) or the edge colour."""
        colour = self._colour if colour is None else tuple(int(c) for c in colour)  # type: ignore[assignment]
        opacity = self._opacity if opacity is None else float(opacity)
        if (colour, opacity) != (self._colour, self._opacity):
            self._colour, self._opacity = colour, opacity  # type: ignore[assignment]
            self._tint_lut = _blend_lut(self._colour, self._opacity)
            self._tinted = None
            self._index = None
        if edge_colour is not None and tuple(edge_colour) != self._edge_colour:
            self._edge_colour = tuple(int(c) for c in edge_colour)  # type: ignore[assignment]
            self._index = None

    @property
    def tinted(self) -> np.ndarray:
        if self._tinted is None:
            self._tinted = cv2.LUT(self.base, _display_lut(self._tint_lut))
        return self._tinted

    @property
    def edge_index(self) -> EdgeIndex:
        if self._edge_index is None:
            self._edge_index = EdgeIndex.build(self.levels, self.n_thresholds)
        return self._edge_index

    # -- rendering -----------------------------------------------------------------------------
    def mask(self, index: int) -> np.ndarray:
        """(H, W) uint8 0/255 vessel mask at grid index ``index`` (a view of an internal buffer)."""
        cv2.compare(self.levels, int(index), cv2.CMP_GT, dst=self._mask)
        return self._mask

    def render(self, index: int, edge_strength: float = 0.0) -> np.ndarray:
        """The overlay at threshold grid ``index`` with boundary opacity ``edge_strength`` (0 = off)."""
        edge_strength = float(edge_strength)
        version = self.version
        if index != self._index:
            self._move_threshold(index)
            self.version += 1
        if edge_strength > 0:
            if edge_strength != self._edge_drawn:
                self._paint(*self._boundary(), self._tables(edge_strength))
                self._edge_drawn = edge_strength
        elif self._edge_drawn > 0:  # edges switched off: the boundary shows plain vessel tint again
            self._paint(*self._boundary(), self._tables(0.0))
            self._edge_drawn = 0.0
        if self.version == version and (index, edge_strength) != self._last:
            self.version += 1
        self._last = (index, edge_strength)
        return self.out

    def _move_threshold(self, index: int) -> None:
        old = self._index
        tinted = self.tinted
        changed = None
        if old is not None and self._level_index is not None:
            changed = self._level_index.between(old, index)
            if len(changed) > self.INCREMENTAL_LIMIT * self.levels.size:
                changed = None
        self._index = index
        self._boundary_cache = None
        if changed is None or old is None:
            np.copyto(self.out, self.base)
            cv2.copyTo(tinted, self.mask(index), self.out)
            self._edge_drawn = 0.0
            return
        out32 = self.out.view(np.uint32).reshape(-1)
        source = self.base if index > old else tinted  # pixels leaving or joining the mask
        out32[changed] = source.view(np.uint32).reshape(-1)[changed]
        if self._edge_drawn > 0:  # keep the drawn boundary right, touching only what changed in it
            edges = self._tables(self._edge_drawn)
            if index > old:
                self._paint(self.edge_index.new_when_raised(old, index), None, edges)
            else:
                self._paint(self.edge_index.interior_when_lowered(index, old), None, self._tables(0.0))
                self._paint(self.edge_index.joining_boundary_when_lowered(index, old), None, edges)

    def _boundary(self) -> tuple[np.ndarray, np.ndarray]:
        """Boundary pixels at the current index (sorted: one pass through memory) and the image there."""
        if self._boundary_cache is None:
            px = np.sort(self.edge_index.at(self._index if self._index is not None else 0))
            self._boundary_cache = (px, self.base.view(np.uint32).reshape(-1)[px])
        return self._boundary_cache

    def _tables(self, strength: float) -> tuple[np.ndarray, np.ndarray]:
        """Pixel tables: vessel tint (strength 0) or boundary colour over the tint."""
        key = (strength, self._edge_colour, self._colour, self._opacity)
        tables = self._edge_tables.get(key)
        if tables is None:
            if strength > 0:
                lut = _blend_lut(self._edge_colour, strength)[self._tint_lut, np.arange(3)]  # edge over tint
            else:
                lut = self._tint_lut
            tables = _pixel_tables(lut)
            if len(self._edge_tables) > 32:
                self._edge_tables.clear()
            self._edge_tables[key] = tables
        return tables

    def _paint(self, px: np.ndarray, src: np.ndarray | None, tables: tuple[np.ndarray, np.ndarray]) -> None:
        if len(px):
            if src is None:
                px = np.sort(px)  # in memory order: far fewer cache misses than bucket order
                src = self.base.view(np.uint32).reshape(-1)[px]
            self.out.view(np.uint32).reshape(-1)[px] = _apply_tables(tables, src)


def display_to_rgb(display: np.ndarray) -> np.ndarray:
    """(H, W, 4) display pixels -> (H, W, 3) RGB (for tests and exports)."""
    idx = [_CHANNEL_OF.index(c) for c in (0, 1, 2)]
    return np.ascontiguousarray(display[..., idx])
