"""Where things sit in the main window: the banner above the image panes, the side panels in docks.

Plain construction, no behaviour: the window calls these once and keeps the widgets.
"""
from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QSplitter, QVBoxLayout, QWidget


def central_area(banner: QWidget, *panes: QWidget) -> tuple[QWidget, QSplitter]:
    """The banner above the panes side by side (no pane can be collapsed away)."""
    splitter = QSplitter(Qt.Horizontal)
    for pane in panes:
        splitter.addWidget(pane)
    splitter.setChildrenCollapsible(False)
    splitter.setHandleWidth(3)
    central = QWidget()
    lay = QVBoxLayout(central)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(0)
    lay.addWidget(banner)
    lay.addWidget(splitter, 1)
    return central, splitter


def side_docks(window: QMainWindow, panels: list[QWidget], review: QWidget) -> tuple[QDockWidget, QDockWidget]:
    """``panels`` stacked in a scrolling dock on the right, the review list in a dock below them."""
    side = QWidget()
    side_lay = QVBoxLayout(side)
    side_lay.setContentsMargins(6, 6, 6, 6)
    for w in panels:
        side_lay.addWidget(w)
    side_lay.addStretch(1)
    scroll = QScrollArea()
    scroll.setWidget(side)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    scroll.setMinimumWidth(side.sizeHint().width() + 16)
    dock, list_dock = QDockWidget(), QDockWidget()
    for d, name, widget in ((dock, "reviewDock", scroll), (list_dock, "reviewListDock", review)):
        d.setObjectName(name)  # saveState / restoreState find the docks by name
        d.setWidget(widget)
        d.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable)
        window.addDockWidget(Qt.RightDockWidgetArea, d)
    window.splitDockWidget(dock, list_dock, Qt.Vertical)
    window.resizeDocks([dock, list_dock], [700, 170], Qt.Vertical)
    return dock, list_dock
