"""The workstation window: composes the panes, panels, worker and menus, and wires them.

Work happens elsewhere: loading and inference in :class:`InferenceWorker`, pixels
in :class:`OverlayRenderer`, state in :class:`SessionState` / :class:`ViewState`,
widgets in ``panels`` and ``panes``. This module routes events between them.
"""
from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from PyQt5.QtCore import QCoreApplication, QEvent, QSize, Qt, QTimer, pyqtSignal
from PyQt5.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QIcon, QKeySequence
from PyQt5.QtWidgets import (
    QAction,
    QActionGroup,
    QApplication,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QStyle,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fundus_app.gui import render
from fundus_app.gui.batch import ReviewItem, biomarker_csv, expand_paths, image_suffixes
from fundus_app.gui.dialogs import AboutDialog, ReportOptionsDialog, intended_use
from fundus_app.gui.i18n import LANGUAGES, TranslatorManager
from fundus_app.resources import resources_dir
from fundus_app.gui.panels import BiomarkerPanel, ImageInfoPanel, OverlayControls, ReviewList, fmt
from fundus_app.gui.panes import ImagePane, local_paths
from fundus_app.gui.privacy import REDACT
from fundus_app.gui.session import SessionState, ViewState
from fundus_app.gui.settings import Preferences
from fundus_app.gui.job import Job, Prepared
from fundus_app.gui.worker import InferenceWorker, TaskRunner

log = logging.getLogger(__name__)
_translate = QCoreApplication.translate

#: Results kept in memory for instant switching (each is ~150 MB for a 3504x2336 image).
CACHE_SIZE = 3
BIOMARKER_DELAY_MS = 150  # after the threshold rests, recompute all biomarkers on full resolution
REFINE_DELAY_MS = 120  # after the overlay rests, rebuild its zoomed-out levels


def short_text(text: str) -> str:
    """Menu text for a toolbar button: no mnemonic ('&O', '(&O)') and no trailing ellipsis."""
    text = re.sub(r"\(&\w\)", "", text).replace("&&", "\0").replace("&", "").replace("\0", "&")
    return text.rstrip(".…").strip()


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
        self.session = SessionState(self)
        self.view = ViewState(self)
        self.session.set_style(self.prefs.overlay_colour, self.prefs.overlay_opacity)
        self.session.set_edge_strength(self.prefs.edge_strength)

        self.items: dict[str, ReviewItem] = {}
        self.jobs: dict[int, str] = {}
        self.cache: OrderedDict[str, Prepared] = OrderedDict()
        self.current_path: str | None = None
        self.current: Prepared | None = None
        self.renderer: render.OverlayRenderer | None = None
        self.model_info: dict[str, Any] | None = None
        self.model_error = ""
        self.last_render_ms = 0.0
        self._next_job = 1
        self._enhanced: tuple[str, Any, list] | None = None  # (path, display array, levels)
        self._bio_running = False
        self._bio_again = False
        self._error_box: QMessageBox | None = None
        self.report_available: bool | None = None  # None: still checking
        self.report_problem = ""

        self.worker = InferenceWorker(self, device=self.prefs.device, warm_up=warm_up, model_path=model_path)
        self.tasks = TaskRunner(self)  # biomarkers, CLAHE view, PDF export
        self.display_tasks = TaskRunner(self)  # zoomed-out overlay levels
        self._shown_version: tuple[int, int] | None = None
        self._build_ui()
        self._connect()
        self.retranslate()
        self._closing = False
        # start the worker (and its torch import) once the window has painted, so start-up feels instant
        QTimer.singleShot(0, self._start_worker)
        QTimer.singleShot(300, self._probe_report)

    # ======================================================================================
    # construction
    # ======================================================================================
    def _build_ui(self) -> None:
        icon_path = resources_dir() / "icons" / "app.svg"
        if icon_path.is_file():
            self.setWindowIcon(QIcon(str(icon_path)))
        self.setAcceptDrops(True)
        self.resize(1500, 920)

        # centre: intended-use banner above the two panes
        banner_box = QWidget()
        banner_box.setObjectName("intendedUseBar")
        banner_box.setAttribute(Qt.WA_StyledBackground, True)
        banner_box.setStyleSheet("QWidget#intendedUseBar { background: #fff3cd; border-bottom: 1px solid #e0c675; }"
                                 "QLabel { color: #5c4400; }")
        banner_icon = QLabel()
        banner_icon.setPixmap(self.style().standardIcon(QStyle.SP_MessageBoxInformation).pixmap(16, 16))
        self.banner = QLabel()
        self.banner.setObjectName("intendedUse")
        banner_lay = QHBoxLayout(banner_box)
        banner_lay.setContentsMargins(10, 4, 10, 4)
        banner_lay.addWidget(banner_icon)
        banner_lay.addWidget(self.banner, 1)
        self.left = ImagePane(self.view)
        self.left.setObjectName("originalPane")
        self.right = ImagePane(self.view)
        self.right.setObjectName("overlayPane")
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(self.right)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(3)
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(banner_box)
        lay.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        # right: controls, biomarkers and image info above; the batch review list below
        self.controls = OverlayControls(self.session)
        self.biomarkers = BiomarkerPanel()
        self.info = ImageInfoPanel()
        self.review = ReviewList()
        side = QWidget()
        side_lay = QVBoxLayout(side)
        side_lay.setContentsMargins(6, 6, 6, 6)
        side_lay.addWidget(self.controls)
        side_lay.addWidget(self.biomarkers)
        side_lay.addWidget(self.info)
        side_lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(side.sizeHint().width() + 16)
        features = QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
        self.dock = QDockWidget()
        self.dock.setObjectName("reviewDock")
        self.dock.setWidget(scroll)
        self.dock.setFeatures(features)
        self.list_dock = QDockWidget()
        self.list_dock.setObjectName("reviewListDock")
        self.list_dock.setWidget(self.review)
        self.list_dock.setFeatures(features)
        self.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        self.addDockWidget(Qt.RightDockWidgetArea, self.list_dock)
        self.splitDockWidget(self.dock, self.list_dock, Qt.Vertical)
        self.resizeDocks([self.dock, self.list_dock], [700, 170], Qt.Vertical)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()

        geometry, state = self.prefs.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def _icon(self, name: str, fallback: QStyle.StandardPixmap | None = None) -> QIcon | None:
        path = resources_dir() / "icons" / f"{name}.svg"
        if path.is_file():
            return QIcon(str(path))
        return self.style().standardIcon(fallback) if fallback is not None else None

    def _action(self, slot: Any = None, shortcut: Any = None, icon: Any = None, checkable: bool = False,
                name: str = "") -> QAction:
        a = QAction(self)
        if name:
            a.setObjectName(name)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            a.setIcon(self.style().standardIcon(icon) if isinstance(icon, QStyle.StandardPixmap) else icon)
        a.setCheckable(checkable)
        if slot is not None:
            a.triggered.connect(slot)
        return a

    def _build_actions(self) -> None:
        S = QStyle
        self.act_open = self._action(self.open_files_dialog, QKeySequence.Open, S.SP_DialogOpenButton, name="actOpen")
        self.act_open_folder = self._action(self.open_folder_dialog, "Ctrl+Shift+O", S.SP_DirOpenIcon,
                                            name="actOpenFolder")
        self.act_export_pdf = self._action(self.export_report_dialog, "Ctrl+P",
                                           self._icon("export-pdf", S.SP_FileDialogDetailedView), name="actExportPdf")
        self.act_export_pdf.setEnabled(False)
        self.act_export_csv = self._action(self.export_csv_dialog, "Ctrl+E",
                                           self._icon("export-csv", S.SP_DialogSaveButton), name="actExportCsv")
        self.act_quit = self._action(self.close, QKeySequence.Quit, name="actQuit")
        self.act_zoom_in = self._action(lambda: self.view.zoom(1.25), QKeySequence.ZoomIn, self._icon("zoom-in"),
                                        name="actZoomIn")
        self.act_zoom_out = self._action(lambda: self.view.zoom(0.8), QKeySequence.ZoomOut, self._icon("zoom-out"),
                                         name="actZoomOut")
        self.act_fit = self._action(self.fit, "Ctrl+0", self._icon("zoom-fit"), name="actFit")
        self.act_actual = self._action(lambda: self.view.set_scale(1.0), "Ctrl+1", self._icon("zoom-actual"),
                                       name="actActualSize")
        self.act_overlay = self._action(None, "V", self._icon("overlay"), checkable=True, name="actOverlay")
        self.act_overlay.setChecked(True)
        self.act_overlay.toggled.connect(self.session.set_overlay_visible)
        self.act_enhanced = self._action(None, "E", self._icon("enhance"), checkable=True, name="actEnhanced")
        self.act_enhanced.toggled.connect(self.session.set_enhanced)
        self.act_cancel = self._action(self.cancel_all, "Esc", S.SP_BrowserStop, name="actCancel")
        self.act_cancel.setEnabled(False)
        self.act_colour = self._action(self.controls._choose_colour, name="actColour")
        self.act_save_threshold = self._action(self.save_default_threshold, name="actSaveThreshold")
        self.act_reset_threshold = self._action(self.reset_threshold, name="actResetThreshold")
        self.act_about = self._action(self.show_about, name="actAbout")
        self.act_clear_recent = self._action(self._clear_recent, name="actClearRecent")

        self.language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code in ("", *LANGUAGES):
            a = self._action(checkable=True, name=f"actLanguage_{code or 'system'}")
            a.setData(code)
            a.triggered.connect(lambda _=False, c=code: self.set_language(c))
            self.language_group.addAction(a)
            self.language_actions[code] = a
        self.language_actions.get(self.prefs.language, self.language_actions[""]).setChecked(True)

        self.device_group = QActionGroup(self)
        self.device_actions: dict[str, QAction] = {}
        for code in ("auto", "cpu", "cuda"):
            a = self._action(checkable=True, name=f"actDevice_{code}")
            a.triggered.connect(lambda _=False, c=code: self.set_device(c))
            self.device_group.addAction(a)
            self.device_actions[code] = a
        self.device_actions[self.prefs.device].setChecked(True)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        self.menu_file = mb.addMenu("")
        self.menu_file.addAction(self.act_open)
        self.menu_file.addAction(self.act_open_folder)
        self.menu_recent = self.menu_file.addMenu("")
        self.menu_recent.aboutToShow.connect(self._fill_recent)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_export_pdf)
        self.menu_file.addAction(self.act_export_csv)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_quit)

        self.menu_view = mb.addMenu("")
        for a in (self.act_zoom_in, self.act_zoom_out, self.act_fit, self.act_actual):
            self.menu_view.addAction(a)
        self.menu_view.addSeparator()
        self.menu_view.addAction(self.act_overlay)
        self.menu_view.addAction(self.act_enhanced)

        self.menu_settings = mb.addMenu("")
        self.menu_settings.addAction(self.act_colour)
        self.menu_settings.addAction(self.act_save_threshold)
        self.menu_settings.addAction(self.act_reset_threshold)
        self.menu_settings.addSeparator()
        self.menu_language = self.menu_settings.addMenu("")
        for a in self.language_actions.values():
            self.menu_language.addAction(a)
        self.menu_device = self.menu_settings.addMenu("")
        for a in self.device_actions.values():
            self.menu_device.addAction(a)

        self.menu_help = mb.addMenu("")
        self.menu_help.addAction(self.act_about)

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar()
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setIconSize(QSize(20, 20))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonIconOnly)
        self.toolbar.setMovable(False)
        groups = [(self.act_open, self.act_open_folder), (self.act_fit, self.act_actual, self.act_zoom_in,
                  self.act_zoom_out), (self.act_overlay, self.act_enhanced), (self.act_export_csv, self.act_export_pdf)]
        with_text = {self.act_open, self.act_open_folder, self.act_overlay, self.act_enhanced, self.act_export_csv,
                     self.act_export_pdf}
        for i, group in enumerate(groups):
            if i:
                self.toolbar.addSeparator()
            for a in group:
                self.toolbar.addAction(a)
                if a in with_text:
                    button = self.toolbar.widgetForAction(a)
                    if isinstance(button, QToolButton):
                        button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.addToolBar(Qt.TopToolBarArea, self.toolbar)

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.status_text = QLabel()
        self.status_text.setObjectName("statusText")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QToolButton()
        self.cancel_button.setDefaultAction(self.act_cancel)
        self.cancel_button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.cancel_button.hide()
        self.zoom_label = QLabel()
        self.device_label = QLabel()
        self.device_label.setObjectName("deviceLabel")
        self.model_label = QLabel()
        self.model_label.setObjectName("modelLabel")
        self.time_label = QLabel()
        self.time_label.setObjectName("timeLabel")
        sb.addWidget(self.status_text, 1)
        sb.addWidget(self.progress)
        sb.addWidget(self.cancel_button)
        for w in (self.zoom_label, self.device_label, self.model_label, self.time_label):
            sb.addPermanentWidget(w)

    def _connect(self) -> None:
        w = self.worker
        w.job_started.connect(self._on_job_started)
        w.job_progressed.connect(self._on_job_progressed)
        w.job_finished.connect(self._on_job_finished)
        w.job_failed.connect(self._on_job_failed)
        w.job_cancelled.connect(self._on_job_cancelled)
        w.model_loaded.connect(self._on_model_loaded)
        w.model_failed.connect(self._on_model_failed)
        s = self.session
        s.threshold_changed.connect(self._on_threshold_changed)
        s.edge_changed.connect(lambda _v: self._redraw_overlay())
        s.style_changed.connect(self._on_style_changed)
        s.overlay_visible_changed.connect(self._on_overlay_visible)
        s.enhanced_changed.connect(self._on_enhanced_changed)
        s.crf_changed.connect(self._on_crf_changed)
        self.controls.reset_threshold_requested.connect(self.reset_threshold)
        self.view.changed.connect(self._update_zoom_label)
        for pane in (self.left, self.right):
            pane.files_dropped.connect(self.open_paths)
            pane.fit_requested.connect(self.fit)
        self.review.selected.connect(self.show_path)
        self.review.clear_requested.connect(self.clear_review)
        self._bio_timer = QTimer(self)
        self._bio_timer.setSingleShot(True)
        self._bio_timer.setInterval(BIOMARKER_DELAY_MS)
        self._bio_timer.timeout.connect(self._compute_biomarkers)
        self._refine_timer = QTimer(self)
        self._refine_timer.setSingleShot(True)
        self._refine_timer.setInterval(REFINE_DELAY_MS)
        self._refine_timer.timeout.connect(self._refine_overlay)

    # ======================================================================================
    # translation
    # ======================================================================================
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self._update_title()
        self.banner.setText(intended_use())
        self.menu_file.setTitle(_translate("MainWindow", "&File"))
        self.menu_recent.setTitle(_translate("MainWindow", "&Recent"))
        self.menu_view.setTitle(_translate("MainWindow", "&View"))
        self.menu_settings.setTitle(_translate("MainWindow", "&Settings"))
        self.menu_language.setTitle(_translate("MainWindow", "&Language"))
        self.menu_device.setTitle(_translate("MainWindow", "&Device"))
        self.menu_help.setTitle(_translate("MainWindow", "&Help"))
        texts = {
            self.act_open: (_translate("MainWindow", "&Open..."), _translate("MainWindow", "Open fundus images")),
            self.act_open_folder: (_translate("MainWindow", "Open &folder..."),
                                   _translate("MainWindow", "Queue all images of a folder for review")),
            self.act_export_csv: (_translate("MainWindow", "Export &CSV..."),
                                  _translate("MainWindow", "Save the biomarkers of all processed images as CSV")),
            self.act_quit: (_translate("MainWindow", "&Quit"), ""),
            self.act_zoom_in: (_translate("MainWindow", "Zoom &in"), ""),
            self.act_zoom_out: (_translate("MainWindow", "Zoom &out"), ""),
            self.act_fit: (_translate("MainWindow", "&Fit to window"), ""),
            self.act_actual: (_translate("MainWindow", "&Actual pixels (1:1)"), ""),
            self.act_overlay: (_translate("MainWindow", "Show &overlay"),
                               _translate("MainWindow", "Show the vessel overlay on the right pane (V)")),
            self.act_enhanced: (_translate("MainWindow", "Show CLAHE-&enhanced original"),
                                _translate("MainWindow", "Show the contrast-enhanced green channel on the left (E)")),
            self.act_cancel: (_translate("MainWindow", "Cancel"),
                              _translate("MainWindow", "Stop processing (the current and all waiting images)")),
            self.act_colour: (_translate("MainWindow", "Overlay &colour..."), ""),
            self.act_save_threshold: (_translate("MainWindow", "Use current threshold as &default"),
                                      _translate("MainWindow", "Start new images at this threshold (for this model)")),
            self.act_reset_threshold: (_translate("MainWindow", "&Reset to the model's threshold"), ""),
            self.act_about: (_translate("MainWindow", "&About..."), ""),
            self.act_clear_recent: (_translate("MainWindow", "Clear list"), ""),
        }
        for action, (text, tip) in texts.items():
            action.setText(text)
            action.setIconText(short_text(text))
            action.setToolTip(tip or short_text(text))
        self.act_export_pdf.setText(_translate("MainWindow", "Export &PDF report..."))
        self.act_export_pdf.setIconText(short_text(self.act_export_pdf.text()))
        self._update_report_action()
        self.language_actions[""].setText(_translate("MainWindow", "System default"))
        for code, name in LANGUAGES.items():
            self.language_actions[code].setText(name)
        self.device_actions["auto"].setText(_translate("MainWindow", "Automatic (GPU when available)"))
        self.device_actions["cpu"].setText(_translate("MainWindow", "CPU"))
        self.device_actions["cuda"].setText(_translate("MainWindow", "GPU (CUDA)"))
        self.dock.setWindowTitle(_translate("MainWindow", "Review"))
        self.list_dock.setWindowTitle(_translate("MainWindow", "Review list"))
        self.toolbar.setWindowTitle(_translate("MainWindow", "Toolbar"))
        self._update_captions()
        self._update_hints()
        self._update_status_labels()
        self._update_zoom_label()

    def _update_title(self) -> None:
        title = _translate("MainWindow", "Fundus Vessel Workstation")
        if self.current_path:
            title = f"{Path(self.current_path).name} — {title}"
        self.setWindowTitle(title)

    def _update_captions(self) -> None:
        self.left.set_caption(_translate("MainWindow", "CLAHE-enhanced (green channel)") if self.session.enhanced
                              else _translate("MainWindow", "Original"))
        self.right.set_caption(_translate("MainWindow", "Vessel overlay") if self.session.overlay_visible
                               else _translate("MainWindow", "Original (overlay hidden)"))

    def _update_hints(self) -> None:
        if self.current is not None:
            hint = ""
        elif self.current_path is None:
            hint = _translate("MainWindow", "Drop fundus images or folders here,\nor use File ▸ Open...")
        else:
            item = self.items.get(self.current_path)
            name = Path(self.current_path).name
            if item is not None and item.status == "failed":
                hint = fmt(_translate("MainWindow", "Could not process %1:\n%2"), name, item.message)
            elif item is not None and item.status == "cancelled":
                hint = fmt(_translate("MainWindow", "Processing of %1 was cancelled. Select it again to retry."), name)
            else:
                hint = fmt(_translate("MainWindow", "Processing %1..."), name)
        self.left.set_hint(hint)
        self.right.set_hint(hint)

    def _update_status_labels(self) -> None:
        if self.model_info:
            self.device_label.setText(fmt(_translate("MainWindow", "Device: %1"), self.model_info["device"]))
            self.model_label.setText(fmt(_translate("MainWindow", "Model: %1"), self.model_info["name"]))
            self.model_label.setToolTip(f"SHA-256 {self.model_info.get('sha256', '')}")
        elif self.model_error:
            self.device_label.setText(fmt(_translate("MainWindow", "Device: %1"), self.prefs.device))
            self.model_label.setText(_translate("MainWindow", "Model: unavailable"))
            self.model_label.setToolTip(self.model_error)
        else:
            self.device_label.setText(fmt(_translate("MainWindow", "Device: %1"), self.prefs.device))
            self.model_label.setText(_translate("MainWindow", "Model: loading..."))
        item = self.items.get(self.current_path or "")
        if item is not None and item.status == "done" and item.seconds:
            self.time_label.setText(fmt(_translate("MainWindow", "Inference: %1 s"), f"{item.seconds:.2f}"))
        else:
            self.time_label.setText(_translate("MainWindow", "Inference: –"))

    def _update_zoom_label(self) -> None:
        self.zoom_label.setText(fmt(_translate("MainWindow", "Zoom %1"), f"{self.view.scale:.0%}")
                                if self.current is not None else "")

    def set_language(self, code: str) -> None:
        """Switch the interface language ('' = system) and remember it."""
        self.prefs.language = code
        self.translator.install(code or None)
        self.language_actions.get(code, self.language_actions[""]).setChecked(True)

    # ======================================================================================
    # opening images
    # ======================================================================================
    def open_files_dialog(self) -> None:
        pattern = " ".join(f"*{s}" for s in image_suffixes())
        files, _ = QFileDialog.getOpenFileNames(
            self, _translate("MainWindow", "Open fundus images"), self.prefs.last_folder,
            fmt(_translate("MainWindow", "Fundus images (%1);;All files (*)"), pattern))
        if files:
            self.open_paths(files)

    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _translate("MainWindow", "Open a folder of fundus images"),
                                                  self.prefs.last_folder)
        if folder:
            self.open_paths([folder])

    def open_paths(self, paths: list[str]) -> None:
        """Queue files and the images inside folders; show the first of them."""
        paths = [str(p) for p in paths if str(p)]
        if not paths:
            return
        if self.interactive:  # a scripted screenshot leaves the user's history alone
            for p in paths:
                self.prefs.add_recent(str(Path(p).resolve()) if Path(p).exists() else p)
            first = Path(paths[0])
            self.prefs.last_folder = str(first if first.is_dir() else first.parent)
        files = expand_paths(paths)
        for f in [*paths, *files]:
            REDACT.add_path(f)
        if not files:
            self._error(_translate("MainWindow", "No images found"),
                        _translate("MainWindow", "The folder contains no supported image files "
                                                 "(DICOM, PNG, JPEG, TIFF, BMP, GIF, PNM)."))
            return
        for f in files:
            item = self.items.get(f)
            if item is None:
                self.items[f] = ReviewItem(f)
                self.review.add(f)
                self._enqueue(f)
            elif item.status in ("failed", "cancelled"):
                self._enqueue(f)
        self.show_path(files[0])

    def _enqueue(self, path: str, *, front: bool = False) -> None:
        item = self.items[path]
        if item.job_id is not None:
            self.worker.cancel(item.job_id)
            self.jobs.pop(item.job_id, None)
        jid = self._next_job
        self._next_job += 1
        item.job_id, item.status, item.message, item.requeue = jid, "queued", "", False
        item.crf = self.session.crf
        self.jobs[jid] = path
        extra = (self._user_default(),) if self._user_default() is not None else ()
        s = self.session
        self.worker.submit(Job(jid, Path(path), crf=s.crf, device=self.prefs.device, extra_thresholds=extra,
                               threshold=item.threshold, colour=s.colour, opacity=s.opacity,
                               edge_strength=s.edge_strength if s.overlay_visible else 0.0), front=front)
        self.review.set_status(path, "queued")

    def _user_default(self) -> float | None:
        sha = (self.model_info or {}).get("sha256", "")
        return self.prefs.default_threshold(sha) if sha else None

    def show_path(self, path: str) -> None:
        """Make ``path`` the image under review: show it now if ready, else process it first."""
        if path not in self.items:
            return
        self.current_path = path
        self.review.select(path)
        prepared = self.cache.get(path)
        item = self.items[path]
        if prepared is not None and item.status == "done":
            self.cache.move_to_end(path)
            self._display(prepared)
            return
        self._clear_display()
        if item.status == "failed":
            self.status_text.setText(item.message)
        elif item.status in ("done", "cancelled") or item.job_id is None:
            self._bring_forward(path, fresh=True)
        else:
            self._bring_forward(path)
        self._update_hints()
        self._update_title()

    def _bring_forward(self, path: str, fresh: bool = False) -> None:
        item = self.items[path]
        running = self.worker.running_job()
        if fresh or item.job_id is None:
            self._enqueue(path, front=True)
        elif item.job_id != running:
            self.worker.prioritise(item.job_id)
        if running is not None and running != item.job_id:
            other = self.jobs.get(running)
            if other is not None and other != path and self.worker.cancel(running):
                self.items[other].requeue = True  # goes back in the queue when the cancel lands

    # ======================================================================================
    # worker events
    # ======================================================================================
    def _item_for(self, job_id: int) -> ReviewItem | None:
        path = self.jobs.get(job_id)
        item = self.items.get(path) if path is not None else None
        return item if item is not None and item.job_id == job_id else None

    def _on_job_started(self, job_id: int) -> None:
        item = self._item_for(job_id)
        if item is None:
            return
        item.status = "processing"
        self.review.set_status(item.path, "processing")
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.act_cancel.setEnabled(True)

    def _on_job_progressed(self, job_id: int, fraction: float, stage: str) -> None:
        item = self._item_for(job_id)
        if item is None:
            return
        self.progress.setValue(int(round(100 * fraction)))
        stages = {
            "load": _translate("MainWindow", "loading"),
            "model": _translate("MainWindow", "loading the model"),
            "preprocess": _translate("MainWindow", "preprocessing"),
            "network": _translate("MainWindow", "segmenting vessels"),
            "crf": _translate("MainWindow", "dense CRF"),
            "postprocess": _translate("MainWindow", "finishing"),
            "display": _translate("MainWindow", "preparing the display"),
            "done": _translate("MainWindow", "done"),
        }
        self.status_text.setText(fmt(_translate("MainWindow", "%1: %2..."), Path(item.path).name,
                                     stages.get(stage, stage)))

    def _job_ended(self) -> None:
        if not self.jobs:  # every job the window asked for has reported back
            self.progress.hide()
            self.cancel_button.hide()
            self.act_cancel.setEnabled(False)

    def _on_job_finished(self, job_id: int, prepared: Prepared) -> None:
        item = self._item_for(job_id)
        self.jobs.pop(job_id, None)
        if item is None:  # stale: the image was removed or re-queued meanwhile
            self._job_ended()
            return
        seg = prepared.segmentation
        item.status, item.job_id = "done", None
        item.biomarkers = dict(prepared.biomarkers)
        item.biomarker_threshold = prepared.biomarker_threshold
        item.crf, item.model_name, item.model_sha256 = seg.crf, seg.model_name, seg.model_sha256
        item.device = seg.device
        item.seconds = prepared.seconds.get("inference", seg.timings.get("total", 0.0))
        self.review.set_status(item.path, "done", detail=f"{100 * item.biomarkers.get('vessel_density', 0):.1f}%")
        self.cache[item.path] = prepared
        self.cache.move_to_end(item.path)
        while len(self.cache) > CACHE_SIZE:
            oldest = next(iter(self.cache))
            if oldest == self.current_path:
                self.cache.move_to_end(oldest)
                oldest = next(iter(self.cache))
            self.cache.pop(oldest)
        self.status_text.setText(fmt(_translate("MainWindow", "%1: done in %2 s"), Path(item.path).name,
                                     f"{item.seconds:.2f}"))
        if item.path == self.current_path:
            keep_view = self.current is not None and self.current.path == prepared.path
            self._display(prepared, keep_view=keep_view)
        self._job_ended()

    def _on_job_failed(self, job_id: int, message: str) -> None:
        item = self._item_for(job_id)
        self.jobs.pop(job_id, None)
        if item is None:
            self._job_ended()
            return
        item.status, item.message, item.job_id = "failed", message, None
        self.cache.pop(item.path, None)
        self.review.set_status(item.path, "failed", message)
        self.status_text.setText(message)
        if item.path == self.current_path:
            self._clear_display()
            self._update_hints()
            self._error(_translate("MainWindow", "Cannot process image"),
                        fmt(_translate("MainWindow", "%1 could not be processed."), Path(item.path).name), message)
        self._job_ended()

    def _on_job_cancelled(self, job_id: int) -> None:
        item = self._item_for(job_id)
        self.jobs.pop(job_id, None)
        if item is None:
            self._job_ended()
            return
        item.job_id = None
        if item.requeue:  # it only made way for the image under review: queue it again, right behind
            self._enqueue(item.path, front=True)
            current = self.items.get(self.current_path or "")
            if current is not None and current.job_id is not None:
                self.worker.prioritise(current.job_id)
        else:
            item.status = "cancelled"
            self.review.set_status(item.path, "cancelled")
            if item.path == self.current_path:
                self._update_hints()
        self._job_ended()

    def _on_model_loaded(self, info: dict) -> None:
        self.model_info = dict(info)
        self.model_error = ""
        self._update_status_labels()

    def _on_model_failed(self, message: str) -> None:
        self.model_error = message
        self._update_status_labels()
        self.status_text.setText(message)

    def cancel_all(self) -> None:
        """Stop the running job and drop the waiting ones."""
        for jid in self.worker.cancel_all():
            item = self._item_for(jid)
            self.jobs.pop(jid, None)
            if item is not None:
                item.job_id, item.status = None, "cancelled"
                self.review.set_status(item.path, "cancelled")
        running = self.worker.running_job()
        if running is not None:
            item = self._item_for(running)
            if item is not None:
                item.requeue = False
        self._update_hints()
        self.status_text.setText(_translate("MainWindow", "Cancelled"))

    def clear_review(self) -> None:
        self.cancel_all()
        self.items.clear()
        self.jobs.clear()
        self.cache.clear()
        self.review.clear_all()
        self.current_path = None
        self._clear_display()
        self._update_hints()
        self._update_title()

    # ======================================================================================
    # display
    # ======================================================================================
    def _clear_display(self) -> None:
        self.current = None
        self.renderer = None
        self._enhanced = None
        self.left.set_image(None)
        self.right.set_image(None)
        self.biomarkers.set_values(None)
        self.info.set_info(None)
        self._update_zoom_label()

    def _display(self, prepared: Prepared, keep_view: bool = False) -> None:
        item = self.items[str(prepared.path)]
        seg = prepared.segmentation
        self.current = prepared
        if self._enhanced is not None and self._enhanced[0] != item.path:
            self._enhanced = None
        self.renderer = prepared.renderer  # the worker drew the first overlay already
        self.renderer.set_style(self.session.colour, self.session.opacity)
        h, w = prepared.image.shape
        self.view.set_image_size(w, h)
        self._show_left()
        self.right.set_image(None)
        if item.threshold is None:
            item.threshold = self._user_default() or seg.default_threshold
        self.session.set_grid(prepared.grid, item.threshold, seg.default_threshold)  # -> _on_threshold_changed
        if not keep_view:
            self.fit()
        meta = dict(prepared.image.meta)
        REDACT.add(meta.get("patient_name"), meta.get("patient_id"))
        meta.update(name=prepared.path.name, crf=seg.crf, working_scale=seg.working_scale,
                    working_fov_px=seg.working_fov_px)
        self.info.set_info(meta)
        self._update_hints()
        self._update_title()
        self._update_status_labels()
        self._update_zoom_label()
        self.result_shown.emit(item.path)

    def _show_left(self) -> None:
        if self.current is None:
            return
        if self.session.enhanced:
            if self._enhanced is not None and self._enhanced[0] == self.current_path:
                self.left.set_image(self._enhanced[1], self._enhanced[2])
                return
            path, image, cfg = self.current_path, self.current.image, self.current.preprocess

            def build() -> tuple[Any, list]:
                arr = render.grey_to_display(render.enhanced_view(image.rgb, image.fov, cfg))
                return arr, render.pyramid(arr)

            def done(result: tuple[Any, list]) -> None:
                if path == self.current_path and self.current is not None:
                    self._enhanced = (path, result[0], result[1])
                    if self.session.enhanced:
                        self.left.set_image(result[0], result[1])

            self.tasks.submit(build, on_done=done)
        self.left.set_image(self.current.base, self.current.base_pyramid)

    def fit(self) -> None:
        vw = min(self.left.viewport().width(), self.right.viewport().width())
        vh = min(self.left.viewport().height(), self.right.viewport().height())
        self.view.fit(vw, vh)

    def _redraw_overlay(self) -> None:
        if self.renderer is None or self.current is None:
            return
        t0 = time.perf_counter()
        if self.session.overlay_visible:
            out = self.renderer.render(self.session.threshold_index, self.session.edge_strength)
            levels = self.current.overlay_pyramid if self.renderer.version == self.current.overlay_version else None
        else:
            out, levels = self.current.base, self.current.base_pyramid
        if self.right.item.array is not out:
            self.right.set_image(out, levels)
        elif self._shown_version != (id(out), self.renderer.version) or levels is not None:
            if levels is not None:
                self.right.item.set_levels(levels)
            else:
                self.right.item.content_changed()
        self._shown_version = (id(out), self.renderer.version)
        self.last_render_ms = 1000 * (time.perf_counter() - t0)
        self.overlay_redrawn.emit(self.last_render_ms)
        if levels is None:
            self._refine_timer.start()

    def _refine_overlay(self) -> None:
        """Once the sliders rest: the zoomed-out levels of the overlay, built in the background."""
        renderer, prepared = self.renderer, self.current
        if renderer is None or prepared is None or self.right.item.array is not renderer.out:
            return
        version = renderer.version

        def done(levels: list) -> None:
            # a newer render may have changed ``out`` while we read it: then these levels are discarded
            if self.renderer is renderer and renderer.version == version and self.right.item.array is renderer.out:
                prepared.overlay_pyramid, prepared.overlay_version = levels, version
                self.right.item.set_levels(levels)

        self.display_tasks.submit(render.pyramid, renderer.out, on_done=done)

    def _on_threshold_changed(self, index: int) -> None:
        if self.current is None or self.current_path is None:
            return
        item = self.items[self.current_path]
        item.threshold = self.session.threshold
        self._redraw_overlay()
        t = self.session.threshold
        if item.biomarker_threshold == t and item.biomarkers:
            self.biomarkers.set_values(item.biomarkers, t, pending=False)
            self.biomarkers_updated.emit(dict(item.biomarkers))
            return
        values = dict(item.biomarkers) or {"vessel_density": 0.0}
        values["vessel_density"] = self.current.level_index.density(index)  # exact, instant
        self.biomarkers.set_values(values, t, pending=True)
        self._bio_timer.start()

    def _compute_biomarkers(self) -> None:
        if self.current is None or self.current_path is None:
            return
        if self._bio_running:
            self._bio_again = True
            return
        prepared, path, t = self.current, self.current_path, self.session.threshold
        seg, fov = prepared.segmentation, prepared.image.fov

        def measure() -> dict[str, Any]:
            from fundus_app.biomarkers import measure_vessels

            return measure_vessels(seg.mask(t), fov).as_dict()

        def done(values: dict[str, Any]) -> None:
            self._bio_running = False
            item = self.items.get(path)
            if item is not None and item.threshold == t:
                item.biomarkers, item.biomarker_threshold = values, t
                self.review.set_status(path, "done", detail=f"{100 * values.get('vessel_density', 0):.1f}%")
            if path == self.current_path and self.current is prepared and self.session.threshold == t:
                self.biomarkers.set_values(values, t, pending=False)
                self.biomarkers_updated.emit(dict(values))
            if self._bio_again:
                self._bio_again = False
                self._bio_timer.start()

        def failed(exc: BaseException) -> None:
            self._bio_running = False
            log.error("biomarkers failed: %s", type(exc).__name__)

        self._bio_running = True
        self.tasks.submit(measure, on_done=done, on_error=failed)

    def _on_style_changed(self) -> None:
        self.prefs.overlay_colour = self.session.colour
        self.prefs.overlay_opacity = self.session.opacity
        if self.renderer is not None:
            self.renderer.set_style(self.session.colour, self.session.opacity)
        self._redraw_overlay()

    def _on_overlay_visible(self, visible: bool) -> None:
        self.act_overlay.setChecked(visible)
        self._update_captions()
        self._redraw_overlay()

    def _on_enhanced_changed(self, enhanced: bool) -> None:
        self.act_enhanced.setChecked(enhanced)
        self._update_captions()
        self._show_left()

    def _on_crf_changed(self, crf: bool) -> None:
        """Re-run the image on screen with (or without) the dense CRF; later images follow the box."""
        if self.current_path is not None and self.current_path in self.items:
            item = self.items[self.current_path]
            if item.status != "failed" and item.crf != crf:
                self._enqueue(self.current_path, front=True)
                self._bring_forward(self.current_path)

    # ======================================================================================
    # settings actions
    # ======================================================================================
    def reset_threshold(self) -> None:
        self.session.set_threshold(self.session.model_default)

    def save_default_threshold(self) -> None:
        sha = (self.model_info or {}).get("sha256", "")
        if self.current is not None:
            sha = self.current.segmentation.model_sha256 or sha
        if not sha:
            return
        self.prefs.set_default_threshold(self.session.threshold, sha)
        self.status_text.setText(fmt(_translate("MainWindow", "New images start at threshold %1"),
                                     f"{self.session.threshold:.2f}"))

    def set_device(self, device: str) -> None:
        self.prefs.device = device
        self.device_actions[self.prefs.device].setChecked(True)
        self.status_text.setText(fmt(_translate("MainWindow", "Device %1 applies from the next image"), device))

    def _fill_recent(self) -> None:
        self.menu_recent.clear()
        recent = self.prefs.recent
        for p in recent:
            a = self.menu_recent.addAction(p)
            a.triggered.connect(lambda _=False, path=p: self._open_recent(path))
        if recent:
            self.menu_recent.addSeparator()
        self.menu_recent.addAction(self.act_clear_recent)
        self.act_clear_recent.setEnabled(bool(recent))

    def _open_recent(self, path: str) -> None:
        if not Path(path).exists():
            self.prefs.remove_recent(path)
            self._error(_translate("MainWindow", "Not found"),
                        fmt(_translate("MainWindow", "%1 no longer exists; it was removed from the list."), path))
            return
        self.open_paths([path])

    def _clear_recent(self) -> None:
        self.prefs.clear_recent()

    def show_about(self) -> None:
        AboutDialog(self.model_info, self).exec_()

    # ======================================================================================
    # exports
    # ======================================================================================
    def export_csv_dialog(self) -> None:
        done = [it for it in self.items.values() if it.status == "done"]
        if not done:
            self._error(_translate("MainWindow", "Nothing to export"),
                        _translate("MainWindow", "No image has been processed yet."))
            return
        path, _ = QFileDialog.getSaveFileName(self, _translate("MainWindow", "Export biomarkers as CSV"),
                                              str(Path(self.prefs.last_folder) / "biomarkers.csv"),
                                              _translate("MainWindow", "CSV files (*.csv)"))
        if path:
            self.export_csv(path)

    def export_csv(self, path: str) -> bool:
        """Write the biomarkers of every processed image (atomically). True on success."""
        from fundus_app.atomic import write_bytes
        from fundus_app.errors import FundusError

        self._finish_pending_biomarkers()
        items = [it for it in self.items.values() if it.status == "done" and it.biomarkers]
        try:
            write_bytes(path, biomarker_csv(items).encode("utf-8-sig"))  # BOM: Excel reads UTF-8 correctly
        except FundusError as exc:
            self._error(_translate("MainWindow", "Export failed"),
                        _translate("MainWindow", "The CSV file could not be written."), str(exc))
            return False
        self.status_text.setText(fmt(_translate("MainWindow", "Saved the biomarkers of %1 images to %2"),
                                     len(items), path))
        return True

    def _finish_pending_biomarkers(self) -> None:
        """The image on screen may have numbers for an older threshold: compute them now."""
        if self.current is None or self.current_path is None:
            return
        item = self.items[self.current_path]
        if item.biomarker_threshold != item.threshold and item.threshold is not None:
            from fundus_app.biomarkers import measure_vessels

            QApplication.setOverrideCursor(Qt.WaitCursor)
            try:
                values = measure_vessels(self.current.segmentation.mask(item.threshold), self.current.image.fov)
                item.biomarkers, item.biomarker_threshold = values.as_dict(), item.threshold
            finally:
                QApplication.restoreOverrideCursor()

    def _probe_report(self) -> None:
        """Import the report module in the background; the PDF action is enabled only if it works."""
        if self._closing:
            return

        def probe() -> bool:
            import importlib

            module = importlib.import_module("fundus_app.report")
            if not callable(getattr(module, "write_report", None)):
                raise ImportError("fundus_app.report has no write_report()")
            return True

        def ok(_: bool) -> None:
            self.report_available, self.report_problem = True, ""
            self._update_report_action()

        def failed(exc: BaseException) -> None:
            self.report_available, self.report_problem = False, f"{type(exc).__name__}: {exc}"
            self._update_report_action()

        self.tasks.submit(probe, on_done=ok, on_error=failed)

    def _update_report_action(self) -> None:
        a = self.act_export_pdf
        if self.report_available:
            a.setEnabled(True)
            a.setToolTip(_translate("MainWindow", "Write a PDF report of the image on screen"))
        elif self.report_available is None:
            a.setEnabled(False)
            a.setToolTip(_translate("MainWindow", "Checking the report module..."))
        else:
            a.setEnabled(False)
            a.setToolTip(fmt(_translate("MainWindow", "PDF reports are not available in this installation (%1)"),
                             self.report_problem))

    def export_report_dialog(self) -> None:
        if self.current is None:
            self._error(_translate("MainWindow", "No image"),
                        _translate("MainWindow", "Open an image and wait for its result before exporting a report."))
            return
        lang = "zh" if self.translator.language.startswith("zh") else "en"
        options = ReportOptionsDialog(self.prefs.clinic, self.prefs.anonymise, lang, self)
        if options.exec_() != ReportOptionsDialog.Accepted:
            return
        clinic, anonymise, lang = options.values()
        self.prefs.clinic, self.prefs.anonymise = clinic, anonymise
        default = Path(self.prefs.last_folder) / f"{self.current.path.stem}_report.pdf"
        path, _ = QFileDialog.getSaveFileName(self, _translate("MainWindow", "Export PDF report"), str(default),
                                              _translate("MainWindow", "PDF files (*.pdf)"), "",
                                              QFileDialog.DontConfirmOverwrite)
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        overwrite = False
        if Path(path).exists():
            answer = QMessageBox.question(self, _translate("MainWindow", "Replace file?"),
                                          fmt(_translate("MainWindow", "%1 already exists. Replace it?"), path),
                                          QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
            if answer != QMessageBox.Yes:
                return
            overwrite = True
        self.export_report(path, lang=lang, anonymise=anonymise, clinic=clinic, overwrite=overwrite)

    def export_report(self, path: str, *, lang: str = "en", anonymise: bool = False, clinic: str = "",
                      overwrite: bool = False) -> None:
        """Write the PDF report of the image on screen, in the background."""
        if self.current is None:
            return
        image, seg, t = self.current.image, self.current.segmentation, self.session.threshold

        def write() -> Any:
            from fundus_app.report import write_report

            return write_report(image, seg, path, threshold=t, lang=lang, anonymise=anonymise, clinic=clinic,
                                overwrite=overwrite)

        def done(_: Any) -> None:
            self.status_text.setText(fmt(_translate("MainWindow", "Report saved to %1"), path))

        def failed(exc: BaseException) -> None:
            from fundus_app.errors import FundusError

            detail = str(exc) if isinstance(exc, FundusError) else type(exc).__name__
            self._error(_translate("MainWindow", "Export failed"),
                        _translate("MainWindow", "The PDF report could not be written."), detail)

        self.status_text.setText(_translate("MainWindow", "Writing the report..."))
        self.tasks.submit(write, on_done=done, on_error=failed)

    # ======================================================================================
    # errors, drag and drop, closing
    # ======================================================================================
    def _error(self, title: str, text: str, detail: str = "") -> None:
        """A clear, window-modal message that does not block the event loop.

        ``text`` is a translated headline; ``detail`` the core's one-sentence reason (English).
        """
        self.error_reported.emit(f"{text} {detail}".strip())
        if not self.interactive:
            return
        box = self._error_box
        if box is not None and box.isVisible():
            box.setInformativeText("\n\n".join(t for t in (box.informativeText(), text, detail) if t))
            return
        box = QMessageBox(QMessageBox.Warning, title, text, QMessageBox.Ok, self)
        if detail:
            box.setInformativeText(detail)
        box.setObjectName("errorBox")
        box.setWindowModality(Qt.WindowModal)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.destroyed.connect(lambda *_: setattr(self, "_error_box", None))
        self._error_box = box
        box.open()

    @property
    def error_box(self) -> QMessageBox | None:
        return self._error_box

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        if local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802, ANN001
        self.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = local_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.open_paths(paths)
        else:
            event.ignore()

    def _start_worker(self) -> None:
        if not self._closing and not self.worker.isRunning():
            self.worker.start()

    def shutdown(self) -> None:
        """Cancel the work cleanly: stop the worker, wait for it and for background tasks."""
        self._closing = True
        if not self.worker.isRunning() and self.tasks.closed:
            return
        self._bio_timer.stop()
        self._refine_timer.stop()
        self.worker.stop()
        self.worker.wait()
        self.tasks.shutdown()
        self.display_tasks.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.interactive:
            self.prefs.set_geometry(self.saveGeometry(), self.saveState())
            self.prefs.edge_strength = self.session.edge_strength
            self.prefs.sync()
        self.hide()
        self.shutdown()
        super().closeEvent(event)

