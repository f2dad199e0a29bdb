"""State shared by the views: the review session (sliders, overlay style) and the view transform.

Views observe these objects and write to them; they never call each other.
Two panes observing one :class:`ViewState` is what keeps them locked together.
"""
from __future__ import annotations

from PyQt5.QtCore import QObject, QPointF, pyqtSignal

from fundus_app.gui.levels import ThresholdGrid
from fundus_app.postprocess import DEFAULT_COLOUR

MIN_SCALE, MAX_SCALE = 0.01, 32.0


class ViewState(QObject):
    """Zoom and centre (in image pixels) of the image panes."""

    changed = pyqtSignal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scale = 1.0
        self.centre = QPointF(0.0, 0.0)
        self.width = 0
        self.height = 0
        self.fit_mode = True  # refit on resize until the user zooms or pans

    def set_image_size(self, width: int, height: int) -> None:
        self.width, self.height = int(width), int(height)

    def _clamp(self) -> None:
        self.scale = min(MAX_SCALE, max(MIN_SCALE, self.scale))
        self.centre = QPointF(min(max(self.centre.x(), 0.0), float(self.width)),
                              min(max(self.centre.y(), 0.0), float(self.height)))

    def fit(self, viewport_width: int, viewport_height: int) -> None:
        """Show the whole image in a viewport of this size."""
        if self.width <= 0 or self.height <= 0 or viewport_width <= 0 or viewport_height <= 0:
            return
        self.scale = min(viewport_width / self.width, viewport_height / self.height)
        self.centre = QPointF(self.width / 2, self.height / 2)
        self.fit_mode = True
        self._clamp()
        self.changed.emit()

    def set_scale(self, scale: float) -> None:
        self.scale = float(scale)
        self.fit_mode = False
        self._clamp()
        self.changed.emit()

    def zoom(self, factor: float, anchor: QPointF | None = None, offset: QPointF | None = None) -> None:
        """Multiply the scale by ``factor`` keeping image point ``anchor`` under the cursor.

        ``offset`` is the cursor's position relative to the viewport centre, in screen pixels.
        """
        old = self.scale
        new = min(MAX_SCALE, max(MIN_SCALE, old * float(factor)))
        if anchor is not None and offset is not None:
            # anchor = centre + offset / old  must still hold with the new scale
            self.centre = QPointF(anchor.x() - offset.x() / new, anchor.y() - offset.y() / new)
        self.scale = new
        self.fit_mode = False
        self._clamp()
        self.changed.emit()

    def pan(self, dx: float, dy: float) -> None:
        """Move the view by (dx, dy) screen pixels (drag direction: the image follows the mouse)."""
        self.centre = QPointF(self.centre.x() - dx / self.scale, self.centre.y() - dy / self.scale)
        self.fit_mode = False
        self._clamp()
        self.changed.emit()


class SessionState(QObject):
    """What the reviewer has set: threshold, edges, overlay style and view options.

    The threshold is an index into the current image's :class:`ThresholdGrid`.
    """

    threshold_changed = pyqtSignal(int)
    edge_changed = pyqtSignal(float)
    style_changed = pyqtSignal()
    overlay_visible_changed = pyqtSignal(bool)
    enhanced_changed = pyqtSignal(bool)
    crf_changed = pyqtSignal(bool)
    grid_changed = pyqtSignal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.grid = ThresholdGrid.build([0.5])
        self.threshold_index = self.grid.index_of(0.5)
        self.model_default = 0.5
        self.edge_strength = 0.0
        self.colour: tuple[int, int, int] = DEFAULT_COLOUR
        self.opacity = 0.6
        self.overlay_visible = True
        self.enhanced = False
        self.crf = False

    @property
    def threshold(self) -> float:
        return self.grid.values[self.threshold_index]

    def set_grid(self, grid: ThresholdGrid, threshold: float, model_default: float) -> None:
        """A new image: its grid, the threshold to start from and the model's default."""
        self.grid = grid
        self.model_default = float(model_default)
        self.threshold_index = grid.index_of(threshold)
        self.grid_changed.emit()
        self.threshold_changed.emit(self.threshold_index)

    def set_threshold_index(self, index: int) -> None:
        index = max(0, min(len(self.grid) - 1, int(index)))
        if index != self.threshold_index:
            self.threshold_index = index
            self.threshold_changed.emit(index)

    def set_threshold(self, value: float) -> None:
        self.set_threshold_index(self.grid.index_of(value))

    def set_edge_strength(self, value: float) -> None:
        value = min(1.0, max(0.0, float(value)))
        if value != self.edge_strength:
            self.edge_strength = value
            self.edge_changed.emit(value)

    def set_style(self, colour: tuple[int, int, int] | None = None, opacity: float | None = None) -> None:
        colour = self.colour if colour is None else tuple(int(c) for c in colour)  # type: ignore[assignment]
        opacity = self.opacity if opacity is None else min(1.0, max(0.0, float(opacity)))
        if (colour, opacity) != (self.colour, self.opacity):
            self.colour, self.opacity = colour, opacity  # type: ignore[assignment]
            self.style_changed.emit()

    def set_overlay_visible(self, visible: bool) -> None:
        if bool(visible) != self.overlay_visible:
            self.overlay_visible = bool(visible)
            self.overlay_visible_changed.emit(self.overlay_visible)

    def set_enhanced(self, enhanced: bool) -> None:
        if bool(enhanced) != self.enhanced:
            self.enhanced = bool(enhanced)
            self.enhanced_changed.emit(self.enhanced)

    def set_crf(self, crf: bool) -> None:
        if bool(crf) != self.crf:
            self.crf = bool(crf)
            self.crf_changed.emit(self.crf)
