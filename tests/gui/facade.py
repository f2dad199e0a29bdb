"""A test driver for the workstation window: what a user does and sees, nothing of how it is built.

GUI tests talk to the window only through :class:`WindowDriver` (imported as a plain module:
``tests/gui`` is on ``sys.path``), so a change of the window's insides changes this file, not
every test. It uses only public attributes of the window and its parts.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from PyQt5.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt, QUrl
from PyQt5.QtGui import QDragEnterEvent, QDropEvent, QMouseEvent, QWheelEvent
from PyQt5.QtWidgets import QApplication, QMessageBox, QWidget

from fundus_app.biomarkers import measure_vessels
from fundus_app.gui.render import display_to_rgb
from fundus_app.postprocess import overlay


class WindowDriver:
    """Drives a shown ``MainWindow`` with pytest-qt's ``qtbot``."""

    def __init__(self, qtbot: Any, window: Any) -> None:
        self.qtbot, self.window = qtbot, window

    # -- opening images ----------------------------------------------------------------------------
    def open(self, *paths: str | Path) -> None:
        """Open files or folders (as File ▸ Open does)."""
        self.window.open_paths([str(p) for p in paths])

    def drop(self, *paths: str | Path, on: str = "window") -> None:
        """Drag and drop onto the window, a pane ("left", "right") or the review "list", with real events."""
        target: QWidget = {"window": self.window, "left": self.window.left.viewport(),
                           "right": self.window.right.viewport(), "list": self.window.review.list.viewport()}[on]
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
        pos = QPoint(target.width() // 2, target.height() // 2)
        enter = QDragEnterEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
        QApplication.sendEvent(target, enter)
        assert enter.isAccepted(), "the drop target refused the drag"
        drop = QDropEvent(QPointF(pos), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
        QApplication.sendEvent(target, drop)
        assert drop.isAccepted(), "the drop was not accepted"

    def select_row(self, row: int) -> None:
        """Click a row of the review list."""
        self.window.review.list.setCurrentRow(row)

    def click_clear(self) -> None:
        """The review list's Clear button."""
        self.qtbot.mouseClick(self.window.review.clear, Qt.LeftButton)

    # -- waiting ---------------------------------------------------------------------------------------
    def wait_for_result(self, path: str | Path, timeout: int = 60_000) -> None:
        """Until ``path``'s complete result (arteries, veins, disc too) is on screen with its final biomarkers."""
        self.qtbot.waitUntil(lambda: self.shown_path() == str(path) and not self.biomarkers_pending()
                             and bool(self.biomarker_values()) and not self.anatomy_pending(), timeout=timeout)

    def wait_for_vessels(self, path: str | Path, timeout: int = 60_000) -> None:
        """Until ``path``'s vessel overlay is on screen (its arteries and veins may still be coming)."""
        self.qtbot.waitUntil(lambda: self.shown_path() == str(path), timeout=timeout)

    def anatomy_pending(self) -> bool:
        """The result on screen still waits for its arteries, veins and optic disc."""
        current = self.window.current
        return current is not None and current.anatomy_pending

    def wait_for_preview(self, path: str | Path, timeout: int = 60_000) -> None:
        """Until ``path``'s photograph is read and handed to the panes (before its segmentation)."""
        with self.qtbot.waitSignal(self.window.queue.preview_arrived, timeout=timeout,
                                   check_params_cb=lambda p, _preview: p == str(path)):
            pass

    def wait_for_model(self, timeout: int = 60_000) -> None:
        self.qtbot.waitUntil(lambda: self.window.queue.model_info is not None, timeout=timeout)

    def wait_for_statuses(self, expected: list[str], timeout: int = 60_000) -> None:
        """Until the review list's rows have these statuses, in order."""
        self.qtbot.waitUntil(lambda: [self.review_status(p) for p in self.review_paths()] == expected,
                             timeout=timeout)

    def wait_for_status(self, path: str | Path, status: str, timeout: int = 30_000) -> None:
        self.qtbot.waitUntil(lambda: self.review_status(path) == status, timeout=timeout)

    @contextmanager
    def biomarkers_final(self, timeout: int = 20_000) -> Iterator[None]:
        """Wait, after the block, for the final biomarkers of the image on screen."""
        with self.qtbot.waitSignal(self.window.biomarkers_updated, timeout=timeout):
            yield

    # -- what the user sees ------------------------------------------------------------------------------
    def shown(self) -> Any:
        """The result on screen (image, segmentation), or None."""
        return self.window.current

    def shown_path(self) -> str | None:
        shown = self.shown()
        return str(shown.path) if shown is not None else None

    def overlay_rgb(self) -> np.ndarray:
        """The overlay pane's pixels at full resolution, (H, W, 3) uint8."""
        return display_to_rgb(self.window.right.item.array).copy()

    def original_rgb(self) -> np.ndarray:
        """The left pane's pixels at full resolution (original or enhanced view), (H, W, 3) uint8."""
        return display_to_rgb(self.window.left.item.array).copy()

    def core_overlay(self) -> np.ndarray:
        """What the CLI and the report draw for the image and settings on screen."""
        s, cur = self.window.session, self.shown()
        return overlay(cur.image.rgb, cur.segmentation.mask(s.threshold), colour=s.colour, opacity=s.opacity,
                       edge_strength=s.edge_strength)

    def core_biomarkers(self) -> dict[str, float]:
        """The core's numbers for the image on screen at the threshold on screen."""
        cur = self.shown()
        return measure_vessels(cur.segmentation.mask(self.threshold), cur.image.fov).as_dict()

    @property
    def threshold(self) -> float:
        return self.window.session.threshold

    @property
    def edge_strength(self) -> float:
        return self.window.session.edge_strength

    @property
    def style(self) -> tuple[tuple[int, int, int], float]:
        return self.window.session.colour, self.window.session.opacity

    def biomarker_values(self) -> dict[str, Any]:
        return dict(self.window.biomarkers.values)

    def biomarker_text(self, key: str) -> str:
        return self.window.biomarkers.text_of(key)

    def biomarker_label(self, key: str) -> str:
        return self.window.biomarkers.label_of(key)

    def biomarkers_pending(self) -> bool:
        return self.window.biomarkers.pending

    def biomarker_caption(self) -> str:
        return self.window.biomarkers.caption.text()

    def pane_hint(self) -> str:
        """The text in the middle of the panes when no result is shown."""
        return self.window.left.hint

    def status_text(self) -> str:
        return self.window.status.message()

    def model_text(self) -> str:
        return self.window.status.model_label.text()

    def device_text(self) -> str:
        return self.window.status.device_label.text()

    def time_text(self) -> str:
        return self.window.status.time_label.text()

    def banner_text(self) -> str:
        return self.window.banner.text()

    def banner_visible(self) -> bool:
        return self.window.banner.isVisible()

    def info_text(self) -> str:
        return self.window.info.label.text()

    def captions(self) -> tuple[str, str]:
        return self.window.left.caption, self.window.right.caption

    def review_paths(self) -> list[str]:
        return self.window.review.paths()

    def review_status(self, path: str | Path) -> str:
        return self.window.review.status(str(path))

    def menu_title(self, name: str) -> str:
        """Title of a menu: "file", "view", "settings", "help"."""
        return getattr(self.window.commands, f"menu_{name}").title()

    def action(self, name: str) -> Any:
        """A QAction by its role: "open", "export_pdf", "overlay", ..."""
        return getattr(self.window.commands, name)

    def threshold_label(self) -> str:
        return self.window.controls.threshold_label.text()

    def title(self) -> str:
        return self.window.windowTitle()

    # -- the artery/vein pane and the calibre ------------------------------------------------------------
    def av_rgb(self) -> np.ndarray:
        """The artery/vein pane's pixels at full resolution, (H, W, 3) uint8."""
        return display_to_rgb(self.window.av_pane.item.array).copy()

    def av_texts(self) -> tuple[str, str, str]:
        """The A/V pane's caption, hint (middle) and note (bottom)."""
        pane = self.window.av_pane
        return pane.caption, pane.hint, pane.note

    def av_pane_visible(self) -> bool:
        return self.window.av_pane.isVisible()

    def av_rings(self) -> dict[str, tuple[float, float, float]]:
        """The disc and zone rings drawn on the A/V pane: name -> (centre x, centre y, radius), image pixels."""
        out = {}
        for name, item in self.window.av.rings.items():
            r = item.rect()
            assert item.scene() is self.window.av_pane.scene()
            out[name] = (r.center().x(), r.center().y(), r.width() / 2)
        return out

    def measured_vessels(self) -> list[tuple[str, str, np.ndarray]]:
        """The measured segments drawn on the A/V pane: (kind, tooltip, (n, 2) x, y points)."""
        out = []
        for item in self.window.av.vessel_items:
            assert item.scene() is self.window.av_pane.scene()
            path = item.path()
            pts = np.array([[path.elementAt(i).x, path.elementAt(i).y] for i in range(path.elementCount())])
            out.append((item.data(0), item.toolTip(), pts))
        return out

    def measured_vessel_labels(self, visible_only: bool = False) -> list[str]:
        """The width labels of the measured segments (with ``visible_only``: those not hidden as crowded)."""
        return [label.text() for label in self.window.av.vessel_labels if label.isVisible() or not visible_only]

    def set_measured_vessels(self, on: bool) -> None:
        """View ▸ Show measured vessels."""
        action = self.action("measured_vessels")
        if action.isChecked() != on:
            action.trigger()

    def set_av_view(self, on: bool) -> None:
        """View ▸ Artery/vein view."""
        action = self.action("av_view")
        if action.isChecked() != on:
            action.trigger()

    def calibre_text(self, key: str, zone: str) -> str:
        """A calibre cell as shown: key "crae", "crve" or "avr"; zone "B" or "C"."""
        return self.window.biomarkers.calibre.text_of(key, zone)

    def calibre_tooltip(self, key: str, zone: str) -> str:
        return self.window.biomarkers.calibre.tooltip_of(key, zone)

    def calibre_pending(self) -> bool:
        return self.window.biomarkers.calibre.pending

    def eye_text(self) -> str:
        return self.window.biomarkers.calibre.eye.text()

    def scale_text(self) -> str:
        return self.window.biomarkers.calibre.scale.text()

    # -- errors ----------------------------------------------------------------------------------------------
    def error_box(self) -> QMessageBox | None:
        return self.window.errors.box

    def error_visible(self) -> bool:
        box = self.error_box()
        return box is not None and box.isVisible()

    def error_text(self) -> str:
        box = self.error_box()
        return f"{box.text()}\n{box.informativeText()}" if box is not None else ""

    def wait_for_error(self, timeout: int = 30_000) -> str:
        self.qtbot.waitUntil(self.error_visible, timeout=timeout)
        return self.error_text()

    def dismiss_error(self) -> None:
        """Click OK and wait for the message to go."""
        self.qtbot.mouseClick(self.error_box().button(QMessageBox.Ok), Qt.LeftButton)
        self.qtbot.waitUntil(lambda: self.error_box() is None, timeout=5_000)

    # -- sliders and settings ------------------------------------------------------------------------------------
    @property
    def threshold_slider(self) -> Any:
        return self.window.controls.threshold

    def press_threshold_key(self, key: Qt.Key, times: int = 1) -> None:
        """Keyboard on the threshold slider, as a user would (PageUp, PageDown, arrows)."""
        slider = self.threshold_slider
        slider.setFocus()
        for _ in range(times):
            self.qtbot.keyClick(slider, key)

    def move_threshold(self, value: int) -> None:
        self.threshold_slider.setValue(value)

    def move_edges(self, percent: int) -> None:
        self.window.controls.edge.setValue(percent)

    def set_style(self, colour: tuple[int, int, int] | None = None, opacity: float | None = None) -> None:
        self.window.session.set_style(colour=colour, opacity=opacity)

    def set_crf(self, on: bool) -> None:
        self.window.controls.crf.setChecked(on)

    def set_enhanced(self, on: bool) -> None:
        """View ▸ Show CLAHE-enhanced original."""
        action = self.action("enhanced")
        if action.isChecked() != on:
            action.trigger()

    def save_default_threshold(self) -> None:
        self.action("save_threshold").trigger()

    def set_device(self, device: str) -> None:
        self.window.set_device(device)

    def set_language(self, code: str, file_menu: str | None = None) -> None:
        """Switch the language; with ``file_menu``, wait until the File menu reads so."""
        self.window.set_language(code)
        if file_menu is not None:
            self.qtbot.waitUntil(lambda: self.menu_title("file") == file_menu, timeout=5_000)

    def prefs(self) -> Any:
        return self.window.prefs

    # -- zoom and pan ------------------------------------------------------------------------------------
    @property
    def view_scale(self) -> float:
        return self.window.view.scale

    def pane(self, name: str) -> Any:
        return {"left": self.window.left, "right": self.window.right, "av": self.window.av_pane}[name]

    def scene_point(self, pane: str, pos: QPoint) -> QPointF:
        """The image point under a viewport position of a pane."""
        return self.pane(pane).mapToScene(pos)

    def wheel(self, pane: str, pos: QPointF, degrees8: int) -> None:
        vp = self.pane(pane).viewport()
        QApplication.sendEvent(vp, QWheelEvent(pos, vp.mapToGlobal(pos.toPoint()), QPoint(0, 0), QPoint(0, degrees8),
                                               Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False))

    def drag(self, pane: str, start: QPoint, end: QPoint) -> None:
        vp = self.pane(pane).viewport()
        self.qtbot.mousePress(vp, Qt.LeftButton, pos=start)
        move = QMouseEvent(QEvent.MouseMove, QPointF(end), Qt.NoButton, Qt.LeftButton, Qt.NoModifier)
        QApplication.sendEvent(vp, move)  # QTest.mouseMove only moves the cursor in Qt 5
        self.qtbot.mouseRelease(vp, Qt.LeftButton, pos=end)

    def fit(self) -> None:
        self.action("fit").trigger()

    def zoom_to(self, scale: float) -> None:
        """Set the panes' zoom (screen pixels per image pixel)."""
        self.window.view.set_scale(scale)

    # -- exports ------------------------------------------------------------------------------------------------
    def export_csv(self, path: str | Path, timeout: int = 30_000) -> list[dict[str, str]]:
        """Export the CSV (as File ▸ Export CSV does after the dialog) and read its rows back."""
        with self.qtbot.waitSignal(self.window.exports.csv_exported, timeout=timeout):
            self.window.exports.export_csv(str(path))
        return list(csv.DictReader(Path(path).read_text(encoding="utf-8-sig").splitlines()))

    def start_csv_export(self, path: str | Path) -> None:
        """Start the CSV export without waiting for it."""
        self.window.exports.export_csv(str(path))

    def export_pdf(self, path: str | Path, **options: Any) -> None:
        """Start writing the PDF report of the image on screen (as after the dialogs)."""
        self.window.exports.export_report(str(path), **options)

    def wait_for_pdf(self, path: str | Path, timeout: int = 60_000) -> None:
        self.qtbot.waitUntil(lambda: Path(path).is_file() and str(path) in self.status_text(), timeout=timeout)

    def wait_for_report_probe(self, timeout: int = 30_000) -> bool:
        """Whether the PDF report module works, once the window has checked."""
        self.qtbot.waitUntil(lambda: self.window.exports.report_available is not None, timeout=timeout)
        return bool(self.window.exports.report_available)

    # -- the worker ----------------------------------------------------------------------------------------------
    def worker_running(self) -> bool:
        return self.window.worker.isRunning()

    @property
    def worker(self) -> Any:
        return self.window.worker

    def close(self) -> None:
        self.window.close()
