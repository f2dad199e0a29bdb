"""Helpers shared by the GUI tests (imported as a plain module: tests/gui is on sys.path)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt5.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PyQt5.QtGui import QDragEnterEvent, QDropEvent
from PyQt5.QtWidgets import QApplication, QWidget


def drop_files(target: QWidget, paths: list[Path]) -> None:
    """Drag paths onto a widget with real QDragEnterEvent / QDropEvent carrying URL mime data."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPoint(target.width() // 2, target.height() // 2)
    enter = QDragEnterEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted(), "the drop target refused the drag"
    drop = QDropEvent(QPointF(pos), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(target, drop)
    assert drop.isAccepted(), "the drop was not accepted"


def wait_for_result(qtbot, window, path: Path, timeout: int = 60_000) -> None:  # noqa: ANN001
    """Wait until ``path`` is on screen with its final biomarkers."""
    qtbot.waitUntil(lambda: window.current is not None and str(window.current.path) == str(path)
                    and not window.biomarkers.pending and bool(window.biomarkers.values), timeout=timeout)


def overlay_pixels(window) -> np.ndarray:  # noqa: ANN001
    from fundus_app.gui.render import display_to_rgb

    return display_to_rgb(window.right.item.array).copy()
