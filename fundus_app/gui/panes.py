"""Image panes: a QGraphicsView showing one numpy image, zoomed and panned through a shared ViewState.

Large images stay smooth: the item draws straight from the numpy buffer
(wrapped, not copied, as a ``QImage.Format_RGB32``), only the exposed part is
drawn, and when zoomed out it draws from a 2x / 4x ... area-averaged level
so thin vessels do not alias. When the overlay buffer changes in place, the
item repaints at once from full resolution and the reduced levels are rebuilt
after the slider rests.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PyQt5.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, Qt, pyqtSignal
from PyQt5.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage, QPainter, QTransform
from PyQt5.QtWidgets import QFrame, QGraphicsItem, QGraphicsScene, QGraphicsView, QStyleOptionGraphicsItem, QWidget

from fundus_app.gui.session import ViewState

BACKGROUND = QColor(24, 26, 29)
_FORMAT = QImage.Format_RGB32  # 0xffRRGGBB native-endian: the pixel layout of render.to_display


def wrap(array: np.ndarray) -> QImage:
    """A QImage over a (H, W, 4) uint8 display buffer, without copying (keep ``array`` alive)."""
    if array.ndim != 3 or array.shape[2] != 4 or array.dtype != np.uint8 or not array.flags.c_contiguous:
        raise ValueError("display buffers are C-contiguous (H, W, 4) uint8 arrays")
    h, w = array.shape[:2]
    return QImage(array.data, w, h, array.strides[0], _FORMAT)


class ImageItem(QGraphicsItem):
    """Draws a display buffer and its reduced levels; the scene unit is one full-resolution pixel."""

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.ItemUsesExtendedStyleOption, True)
        self._arrays: list[np.ndarray] = []  # level 0 = full resolution; kept alive for the QImages
        self._images: list[QImage] = []
        self._w = 0
        self._h = 0

    @property
    def array(self) -> np.ndarray | None:
        return self._arrays[0] if self._arrays else None

    def set_image(self, array: np.ndarray | None, levels: list[np.ndarray] | None = None) -> None:
        h, w = (array.shape[:2] if array is not None else (0, 0))
        if (w, h) != (self._w, self._h):
            self.prepareGeometryChange()
            self._w, self._h = w, h
        self._arrays = [array, *(levels or [])] if array is not None else []
        self._images = [wrap(a) for a in self._arrays]
        self.update()

    def set_levels(self, levels: list[np.ndarray]) -> None:
        if not self._arrays:
            return
        self._arrays = [self._arrays[0], *levels]
        self._images = [self._images[0], *(wrap(a) for a in levels)]
        self.update()

    def content_changed(self) -> None:
        """The full-resolution buffer was changed in place: draw it, forget the stale levels."""
        del self._arrays[1:]
        del self._images[1:]
        self.update()

    @property
    def has_levels(self) -> bool:
        return len(self._images) > 1

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self._w, self._h)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if not self._images:
            return
        t = painter.worldTransform()
        scale = math.hypot(t.m11(), t.m12()) or 1.0
        # the coarsest level that still has at least one image pixel per screen pixel
        level = 0
        while level + 1 < len(self._images) and scale * 2 ** (level + 1) <= 1.0:
            level += 1
        image = self._images[level]
        fx, fy = image.width() / self._w, image.height() / self._h
        exposed = option.exposedRect.intersected(self.boundingRect())
        if exposed.isEmpty():
            return
        source = QRectF(exposed.x() * fx, exposed.y() * fy, exposed.width() * fx, exposed.height() * fy)
        painter.setRenderHint(QPainter.SmoothPixmapTransform, scale * 2**level < 1.999)
        painter.drawImage(exposed, image, source)


class ImagePane(QGraphicsView):
    """One image view. Wheel: zoom around the cursor; drag: pan; double-click: fit; drop: open files."""

    files_dropped = pyqtSignal(list)
    fit_requested = pyqtSignal()

    def __init__(self, view: ViewState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view_state = view
        self.item = ImageItem()
        self._scene = QGraphicsScene(self)
        self._scene.addItem(self.item)
        self._scene.setBackgroundBrush(BACKGROUND)
        self.setScene(self._scene)
        self.setFrameShape(QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setTransformationAnchor(QGraphicsView.NoAnchor)
        self.setResizeAnchor(QGraphicsView.NoAnchor)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setOptimizationFlags(QGraphicsView.DontSavePainterState | QGraphicsView.DontAdjustForAntialiasing)
        self.setAcceptDrops(True)
        self.viewport().setCursor(Qt.OpenHandCursor)
        self._drag_from: QPoint | None = None
        self.hint = ""  # shown in the middle when there is nothing to show
        self.caption = ""  # shown top-left over the image
        self.note = ""  # shown bottom-left over the image (what is missing from the view)
        view.changed.connect(self._apply_view)

    # -- content ---------------------------------------------------------------------------
    def set_image(self, array: np.ndarray | None, levels: list[np.ndarray] | None = None) -> None:
        self.item.set_image(array, levels)
        if array is not None:
            h, w = array.shape[:2]
            m = 10 * max(w, h)  # room to centre any point, at any zoom
            self._scene.setSceneRect(-m, -m, w + 2 * m, h + 2 * m)
        self._apply_view()
        self.viewport().update()

    def set_hint(self, text: str) -> None:
        self.hint = text
        self.viewport().update()

    def set_caption(self, text: str) -> None:
        self.caption = text
        self.viewport().update()

    def set_note(self, text: str) -> None:
        self.note = text
        self.viewport().update()

    # -- the shared view --------------------------------------------------------------------
    def _apply_view(self) -> None:
        v = self.view_state
        self.setTransform(QTransform.fromScale(v.scale, v.scale))
        self.centerOn(v.centre)

    def _offset(self, pos: QPoint) -> QPointF:
        vp = self.viewport().rect()
        return QPointF(pos.x() - vp.width() / 2, pos.y() - vp.height() / 2)

    def wheelEvent(self, event) -> None:  # noqa: ANN001 - Qt API
        if self.item.array is None:
            return
        delta = event.angleDelta().y() or event.angleDelta().x()
        if not delta:
            return
        pos = event.position().toPoint() if hasattr(event, "position") else event.pos()
        self.view_state.zoom(1.0015 ** delta, self.mapToScene(pos), self._offset(pos))
        event.accept()

    def mousePressEvent(self, event) -> None:  # noqa: ANN001
        if event.button() == Qt.LeftButton and self.item.array is not None:
            self._drag_from = event.pos()
            self.viewport().setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: ANN001
        if self._drag_from is not None:
            d = event.pos() - self._drag_from
            self._drag_from = event.pos()
            if d.x() or d.y():
                self.view_state.pan(d.x(), d.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: ANN001
        if self._drag_from is not None and event.button() == Qt.LeftButton:
            self._drag_from = None
            self.viewport().setCursor(Qt.OpenHandCursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: ANN001
        self.fit_requested.emit()
        event.accept()

    def resizeEvent(self, event) -> None:  # noqa: ANN001
        super().resizeEvent(event)
        if self.view_state.fit_mode:
            self.fit_requested.emit()
        else:
            self._apply_view()

    # -- overlays: hint and caption ----------------------------------------------------------
    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        if not (self.hint or self.caption or self.note):
            return
        painter.save()
        painter.resetTransform()
        vp = self.viewport().rect()
        if self.caption:
            font = painter.font()
            font.setBold(True)
            painter.setFont(font)
            metrics = painter.fontMetrics()
            box = metrics.boundingRect(self.caption).adjusted(-8, -4, 8, 4)
            box.moveTopLeft(QPoint(8, 8))
            painter.fillRect(box, QColor(0, 0, 0, 150))
            painter.setPen(QColor(235, 235, 235))
            painter.drawText(box, Qt.AlignCenter, self.caption)
        if self.note:
            metrics = painter.fontMetrics()
            box = metrics.boundingRect(vp.adjusted(8, 8, -8, -8), Qt.TextWordWrap, self.note).adjusted(-8, -4, 8, 4)
            box.moveBottomLeft(QPoint(8, vp.height() - 8))
            painter.fillRect(box, QColor(0, 0, 0, 170))
            painter.setPen(QColor(255, 214, 120))
            painter.drawText(box.adjusted(8, 4, -8, -4), Qt.TextWordWrap, self.note)
        if self.hint:
            font = painter.font()
            font.setBold(False)
            font.setPointSizeF(font.pointSizeF() * 1.15)
            painter.setFont(font)
            painter.setPen(QColor(200, 200, 200))
            painter.drawText(vp.adjusted(24, 24, -24, -24), Qt.AlignCenter | Qt.TextWordWrap, self.hint)
        painter.restore()

    # -- drag and drop -----------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: ANN001
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = local_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
        else:
            event.ignore()


def local_paths(mime) -> list[str]:  # noqa: ANN001 - QMimeData
    """Local file and folder paths in drag-and-drop data."""
    if mime is None or not mime.hasUrls():
        return []
    out = []
    for url in mime.urls():
        if url.isLocalFile():
            p = url.toLocalFile()
            if p and Path(p).exists():
                out.append(p)
    return out


class FileDropFilter(QObject):
    """Lets local files and folders be dropped on the widget it filters (and on children that pass
    drops up, such as the review list): ``dropped`` carries their paths."""

    dropped = pyqtSignal(list)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.DragEnter, QEvent.DragMove, QEvent.Drop):
            return False
        paths = local_paths(event.mimeData())
        if not paths:
            event.ignore()
            return True
        event.acceptProposedAction()
        if kind == QEvent.Drop:
            self.dropped.emit(paths)
        return True
