"""The workstation window: builds the panes, panels and presenters, and wires them together.

Each part does one job: :class:`ReviewQueue` (images, jobs on the worker, recent results),
:class:`DisplayPresenter` (the panes), :class:`BiomarkerUpdater` (numbers, off the UI thread),
:class:`StatusBarPresenter`, :class:`WindowActions` (menus, toolbar, recent files) and
:class:`ExportController` (CSV, PDF). What the reviewer sets lives in :class:`SessionState`
and :class:`ViewState`; :class:`AvPresenter` draws the artery/vein pane. This module only
composes them and routes events between them.
"""
from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import QCoreApplication, QEvent, QTimer, pyqtSignal
from PyQt5.QtGui import QCloseEvent, QIcon
from PyQt5.QtWidgets import QMainWindow

from fundus_app.domain import eye_of
from fundus_app.gui.actions import WindowActions
from fundus_app.gui.av_view import AvPresenter
from fundus_app.gui.biomarker_updates import BiomarkerUpdater
from fundus_app.gui.dialogs import AboutDialog, ErrorReporter
from fundus_app.gui.display import DisplayPresenter
from fundus_app.gui.exports import ExportController
from fundus_app.gui.i18n import TranslatorManager, fmt
from fundus_app.gui.job import Prepared
from fundus_app.gui.panels import BiomarkerPanel, ImageInfoPanel, IntendedUseBanner, OverlayControls
from fundus_app.gui.panes import FileDropFilter, ImagePane
from fundus_app.gui.review_list import ReviewList
from fundus_app.gui.review_queue import ReviewQueue
from fundus_app.gui.session import SessionState, ViewState
from fundus_app.gui.settings import Preferences
from fundus_app.gui.status import StatusBarPresenter
from fundus_app.gui.window_layout import central_area, side_docks
from fundus_app.gui.worker import InferenceWorker, TaskRunner
from fundus_app.resources import resources_dir

_translate = QCoreApplication.translate


class MainWindow(QMainWindow):
    """The Fundus Vessel Workstation main window."""

    result_shown = pyqtSignal(str)  # path of the image whose result is now on screen
    biomarkers_updated = pyqtSignal(dict)  # final numbers for the image on screen
    error_reported = pyqtSignal(str)  # every error shown to the user (dialog or, headless, only this)
    overlay_redrawn = pyqtSignal(float)  # milliseconds spent rendering the overlay pixels

    def __init__(self, prefs: Preferences | None = None, translator: TranslatorManager | None = None, *,
                 interactive: bool = True, warm_up: bool = True, model_path: str | None = None) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.prefs = prefs or Preferences()
        self.translator = translator or TranslatorManager()
        self.interactive = interactive
        self._closing = False
        self.session = SessionState(self)
        self.view = ViewState(self)
        self.session.set_style(self.prefs.overlay_colour, self.prefs.overlay_opacity)
        self.session.set_edge_strength(self.prefs.edge_strength)
        self.worker = InferenceWorker(self, device=self.prefs.device, warm_up=warm_up, model_path=model_path)
        self.tasks = TaskRunner(self)  # biomarkers, enhanced view, report probe and PDF export
        self.display_tasks = TaskRunner(self)  # zoomed-out overlay levels
        self.errors = ErrorReporter(self, interactive)
        self.queue = ReviewQueue(self.worker, self.session, self.prefs, self)
        self._build_widgets()
        self.commands = WindowActions(self, self.prefs, self.session, self.errors)
        self.status = StatusBarPresenter(self.statusBar(), self.commands.cancel, self.queue, self)
        self.display = DisplayPresenter(self.left, self.right, self.info, self.session, self.view, self.queue,
                                        self.tasks, self.display_tasks, self)
        self.av = AvPresenter(self.av_pane, self.session, self.queue, self.display_tasks, self)
        self.display.fit_panes.append(self.av_pane)
        self.biomarker_updates = BiomarkerUpdater(self.biomarkers, self.queue, self.display, self.session,
                                                  self.tasks, self)
        self.exports = ExportController(self, self.commands, queue=self.queue, display=self.display,
                                        biomarkers=self.biomarker_updates, session=self.session, prefs=self.prefs,
                                        translator=self.translator, tasks=self.tasks, status=self.status,
                                        errors=self.errors)
        self._wire()
        geometry, state = self.prefs.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        self.retranslate()
        # start the worker (and its torch import) once the window has painted, so start-up feels instant
        QTimer.singleShot(0, self._on_first_paint)
        QTimer.singleShot(300, self._on_report_probe_due)

    def _build_widgets(self) -> None:
        icon = resources_dir() / "icons" / "app.svg"
        if icon.is_file():
            self.setWindowIcon(QIcon(str(icon)))
        self.resize(1500, 920)
        self.setAcceptDrops(True)
        self.drops = FileDropFilter(self)
        self.installEventFilter(self.drops)
        self.banner = IntendedUseBanner()
        self.left, self.right, self.av_pane = ImagePane(self.view), ImagePane(self.view), ImagePane(self.view)
        self.left.setObjectName("originalPane")
        self.right.setObjectName("overlayPane")
        self.av_pane.setObjectName("arteryVeinPane")
        central, self.splitter = central_area(self.banner, self.left, self.right, self.av_pane)
        self.setCentralWidget(central)
        self.controls = OverlayControls(self.session)
        self.biomarkers = BiomarkerPanel(lambda: self.translator.language)
        self.info = ImageInfoPanel()
        self.review = ReviewList()
        self.dock, self.list_dock = side_docks(self, [self.controls, self.biomarkers, self.info], self.review)

    def _wire(self) -> None:
        q, c = self.queue, self.commands
        q.item_added.connect(self.review.add)
        q.status_changed.connect(self.review.set_status)
        q.cleared.connect(self.review.clear_all)
        q.result_arrived.connect(self._on_result_arrived)
        q.job_failed.connect(self._on_job_failed)
        q.job_cancelled.connect(self._on_job_cancelled)
        self.session.threshold_changed.connect(self._on_threshold_changed)
        self.session.style_changed.connect(self._on_style_changed)
        self.view.changed.connect(self._on_view_changed)
        self.controls.reset_threshold_requested.connect(self.reset_threshold)
        for pane in (self.left, self.right, self.av_pane):
            pane.files_dropped.connect(self.open_paths)
        self.av_pane.fit_requested.connect(self.display.fit)
        self.biomarker_updates.calibre_changed.connect(self.av.set_calibre)
        c.av_view.toggled.connect(self.av.set_visible)
        c.measured_vessels.toggled.connect(self.av.set_show_vessels)
        self.drops.dropped.connect(self.open_paths)
        self.review.selected.connect(self.show_path)
        self.review.clear_requested.connect(self.clear_review)
        self.display.overlay_redrawn.connect(self.overlay_redrawn)
        self.biomarker_updates.updated.connect(self.biomarkers_updated)
        self.errors.reported.connect(self.error_reported)
        c.open_requested.connect(self.open_paths)
        c.language_chosen.connect(self.set_language)
        c.device_chosen.connect(self.set_device)
        c.zoom_in.triggered.connect(lambda: self.view.zoom(1.25))
        c.zoom_out.triggered.connect(lambda: self.view.zoom(0.8))
        c.fit.triggered.connect(self.display.fit)
        c.actual_size.triggered.connect(lambda: self.view.set_scale(1.0))
        c.cancel.triggered.connect(self.queue.cancel_all)
        c.colour.triggered.connect(self.controls.choose_colour)
        c.save_threshold.triggered.connect(self.save_default_threshold)
        c.reset_threshold.triggered.connect(self.reset_threshold)
        c.about.triggered.connect(self.show_about)

    # -- what tests, the screenshot mode and benchmarks read -------------------------------------------
    @property
    def current(self) -> Prepared | None:
        """The result on screen."""
        return self.display.current

    # -- language ------------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self._update_title()
        for part in (self.commands, self.exports, self.status, self.display, self.av):
            part.retranslate()
        self.dock.setWindowTitle(_translate("MainWindow", "Review"))
        self.list_dock.setWindowTitle(_translate("MainWindow", "Review list"))

    def set_language(self, code: str) -> None:
        """Switch the interface language ('' = system) and remember it."""
        self.prefs.language = code
        self.translator.install(code or None)
        self.commands.check_language(code)

    def _update_title(self) -> None:
        title, path = _translate("MainWindow", "Fundus Vessel Workstation"), self.queue.current_path
        self.setWindowTitle(f"{Path(path).name} — {title}" if path else title)

    # -- reviewing -----------------------------------------------------------------------------------
    def open_paths(self, paths: list[str]) -> None:
        """Queue files and the images inside folders; show the first of them."""
        paths = [str(p) for p in paths if str(p)]
        if not paths:
            return
        if self.interactive:  # a scripted screenshot leaves the user's history alone
            self.commands.remember(paths)
        files = self.queue.add(paths)
        if not files:
            self.errors.report(_translate("MainWindow", "No images found"),
                               _translate("MainWindow", "The folder contains no supported image files "
                                                        "(DICOM, PNG, JPEG, TIFF, BMP, GIF, PNM)."))
            return
        self.show_path(files[0])

    def show_path(self, path: str) -> None:
        """Make ``path`` the image under review: show it now if ready, else process it first."""
        if path not in self.queue.items:
            return
        prepared = self.queue.select(path)
        self.review.select(path)
        if prepared is not None:
            self.status.show_message("")  # a message about another image would read as this one's
            self._show(prepared)
            return
        self._clear_display()
        self._update_title()

    def clear_review(self) -> None:
        """Forget every image of the session (the review list's Clear)."""
        self.queue.clear()
        self._clear_display()
        self._update_title()

    def _show(self, prepared: Prepared, keep_view: bool = False) -> None:
        path = str(prepared.path)
        threshold = self.queue.start_threshold(path, prepared.segmentation.default_threshold)
        eye, source = eye_of(prepared.image.meta, prepared.segmentation.disc)
        self.biomarkers.calibre.set_eye(eye, source == "estimated")
        self.av.show(prepared)
        self.display.show(prepared, threshold, keep_view=keep_view)  # -> _on_threshold_changed
        self.status.set_inference_seconds(self.queue.items[path].seconds)
        self._on_view_changed()
        self._update_title()
        self.result_shown.emit(path)

    def _clear_display(self) -> None:
        self.display.clear()
        self.av.clear()
        self.biomarkers.calibre.set_eye(None, False, shown=False)
        self.biomarker_updates.clear()
        self.status.set_inference_seconds(None)
        self.status.set_zoom(None)

    def _on_result_arrived(self, path: str, prepared: Prepared) -> None:
        if path == self.queue.current_path:
            self._show(prepared, keep_view=self.display.showing(path))

    def _on_job_failed(self, path: str, message: str) -> None:
        if path == self.queue.current_path:
            self._clear_display()
            self.errors.report(_translate("MainWindow", "Cannot process image"),
                               fmt(_translate("MainWindow", "%1 could not be processed."), Path(path).name), message)

    def _on_job_cancelled(self, path: str) -> None:
        if path == self.queue.current_path:
            self.display.update_hints()

    def _on_threshold_changed(self, _index: int) -> None:
        if self.display.current is not None:
            self.queue.set_threshold(self.session.threshold)  # each image keeps its own threshold
            self.display.redraw_overlay()
            self.av.redraw()
            self.biomarker_updates.threshold_moved()

    def _on_style_changed(self) -> None:
        self.prefs.overlay_colour, self.prefs.overlay_opacity = self.session.colour, self.session.opacity

    def _on_view_changed(self) -> None:
        self.status.set_zoom(self.view.scale if self.display.current is not None else None)

    # -- settings ------------------------------------------------------------------------------------
    def reset_threshold(self) -> None:
        self.session.set_threshold(self.session.model_default)

    def save_default_threshold(self) -> None:
        """New images of this model start at the current threshold (remembered with the model's SHA-256)."""
        sha = (self.queue.model_info or {}).get("sha256", "")
        if self.display.current is not None:
            sha = self.display.current.segmentation.model_sha256 or sha
        if sha:
            self.prefs.set_default_threshold(self.session.threshold, sha)
            self.status.show_message(fmt(_translate("MainWindow", "New images start at threshold %1"),
                                         f"{self.session.threshold:.2f}"))

    def set_device(self, device: str) -> None:
        """Remember the device; the worker loads the model there for the next image."""
        self.prefs.device = device
        self.commands.check_device(self.prefs.device)
        self.status.show_message(fmt(_translate("MainWindow", "Device %1 applies from the next image"), device))

    def show_about(self) -> None:
        AboutDialog(self.queue.model_info, self).exec_()

    # -- start and end -------------------------------------------------------------------------------
    def _on_first_paint(self) -> None:
        if not self._closing and not self.worker.isRunning():
            self.worker.start()

    def _on_report_probe_due(self) -> None:
        if not self._closing:
            self.exports.probe_report()

    def shutdown(self) -> None:
        """Cancel the work cleanly: stop the worker, wait for it and for background tasks."""
        self._closing = True
        if not self.worker.isRunning() and self.tasks.closed:
            return
        self.biomarker_updates.stop()
        self.display.stop()
        self.av.stop()
        self.worker.stop()
        self.worker.wait()
        self.tasks.shutdown()
        self.display_tasks.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.interactive:
            self.prefs.set_geometry(self.saveGeometry(), self.saveState())
            self.prefs.edge_strength = self.session.edge_strength
            self.prefs.sync()
        self.hide()
        self.shutdown()
        super().closeEvent(event)
