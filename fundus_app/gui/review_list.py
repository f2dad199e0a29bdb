"""The batch review list: one row per image with a status icon; selecting a row shows that image.

The list observes the review queue (``ReviewQueue.item_added`` / ``status_changed`` /
``cleared``) and reports the user's choice as ``selected``; it never calls the window.
"""
from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import QCoreApplication, QSize, Qt, pyqtSignal
from PyQt5.QtGui import QColor, QIcon, QPainter, QPixmap
from PyQt5.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from fundus_app.gui.i18n import RetranslatingWidget, fmt

_translate = QCoreApplication.translate


STATUS_COLOURS = {
    "queued": QColor(150, 150, 150),
    "processing": QColor(40, 120, 220),
    "done": QColor(40, 160, 80),
    "failed": QColor(210, 50, 40),
    "cancelled": QColor(220, 150, 30),
}


def status_icon(status: str, size: int = 12) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    colour = STATUS_COLOURS.get(status, QColor(150, 150, 150))
    if status == "queued":
        p.setPen(colour)
        p.setBrush(Qt.NoBrush)
    else:
        p.setPen(Qt.NoPen)
        p.setBrush(colour)
    p.drawEllipse(1, 1, size - 2, size - 2)
    p.end()
    return QIcon(pm)


def status_text(status: str) -> str:
    return {
        "queued": _translate("ReviewList", "queued"),
        "processing": _translate("ReviewList", "processing"),
        "done": _translate("ReviewList", "done"),
        "failed": _translate("ReviewList", "failed"),
        "cancelled": _translate("ReviewList", "cancelled"),
    }.get(status, status)


class ReviewList(RetranslatingWidget):
    """The batch: one row per image with its status; selecting a row shows that image."""

    selected = pyqtSignal(str)  # path
    clear_requested = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setObjectName("reviewList")
        self.list.setIconSize(QSize(12, 12))
        self.list.setUniformItemSizes(True)
        self.summary = QLabel()
        self.clear = QPushButton()
        row = QHBoxLayout()
        row.addWidget(self.summary, 1)
        row.addWidget(self.clear)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 0, 6, 6)
        lay.addWidget(self.list)
        lay.addLayout(row)
        self._rows: dict[str, QListWidgetItem] = {}
        self._state: dict[str, tuple[str, str, str]] = {}  # path -> status, message, detail
        self.list.currentItemChanged.connect(self._on_current)
        self.clear.clicked.connect(self.clear_requested)
        self.retranslate()

    def paths(self) -> list[str]:
        return list(self._rows)

    def add(self, path: str) -> None:
        if path in self._rows:
            return
        item = QListWidgetItem(Path(path).name)
        item.setData(Qt.UserRole, path)
        self.list.addItem(item)
        self._rows[path] = item
        self.set_status(path, "queued")

    def set_status(self, path: str, status: str, message: str = "", detail: str = "") -> None:
        item = self._rows.get(path)
        if item is None:
            return
        self._state[path] = (status, message, detail)
        self._paint_row(path)
        self._update_summary()

    def status(self, path: str) -> str:
        return self._state.get(path, ("", "", ""))[0]

    def select(self, path: str) -> None:
        item = self._rows.get(path)
        if item is not None and self.list.currentItem() is not item:
            self.list.blockSignals(True)
            self.list.setCurrentItem(item)
            self.list.blockSignals(False)

    def clear_all(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        self.list.blockSignals(False)
        self._rows.clear()
        self._state.clear()
        self._update_summary()

    def _on_current(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self.selected.emit(current.data(Qt.UserRole))

    def _paint_row(self, path: str) -> None:
        item = self._rows[path]
        status, message, detail = self._state[path]
        item.setIcon(status_icon(status))
        text = Path(path).name
        if detail:
            text = f"{text}    {detail}"
        item.setText(text)
        tip = f"{path}\n{status_text(status)}"
        item.setToolTip(f"{tip}\n{message}" if message else tip)

    def _update_summary(self) -> None:
        counts: dict[str, int] = {}
        for status, _, _ in self._state.values():
            counts[status] = counts.get(status, 0) + 1
        self.summary.setText(fmt(_translate("ReviewList", "Done %1 · failed %2 · waiting %3"),
                                 counts.get("done", 0), counts.get("failed", 0),
                                 counts.get("queued", 0) + counts.get("processing", 0)))

    def retranslate(self) -> None:
        self.clear.setText(_translate("ReviewList", "Clear"))
        self.clear.setToolTip(_translate("ReviewList", "Remove all images from the list and stop processing them"))
        self.list.setToolTip(_translate("ReviewList", "Drop files or folders here; select an image to review it"))
        for path in self._rows:
            self._paint_row(path)
        self._update_summary()
