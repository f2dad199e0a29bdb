"""The window's commands: QActions, the menus and the toolbar, recent files, and their texts.

:class:`WindowActions` builds them on a ``QMainWindow`` and says what the user chose
(``open_requested``, ``language_chosen``, ``device_chosen``); the window connects the
other actions' ``triggered`` to the parts that do the work. The overlay and enhanced-view
toggles are bound to the :class:`SessionState` both ways.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PyQt5.QtCore import QCoreApplication, QObject, QSize, Qt, pyqtSignal
from PyQt5.QtGui import QIcon, QKeySequence
from PyQt5.QtWidgets import QAction, QActionGroup, QFileDialog, QMainWindow, QStyle, QToolBar, QToolButton

from fundus_app.gui.batch import image_suffixes
from fundus_app.gui.dialogs import ErrorReporter
from fundus_app.gui.i18n import LANGUAGES, fmt
from fundus_app.gui.session import SessionState
from fundus_app.gui.settings import DEVICES, Preferences
from fundus_app.resources import resources_dir

_translate = QCoreApplication.translate


def short_text(text: str) -> str:
    """Menu text for a toolbar button: no mnemonic ('&O', '(&O)') and no trailing ellipsis."""
    text = re.sub(r"\(&\w\)", "", text).replace("&&", "\0").replace("&", "").replace("\0", "&")
    return text.rstrip(".…").strip()


class WindowActions(QObject):
    """Actions, menus, toolbar and the Recent menu of the main window."""

    open_requested = pyqtSignal(list)  # files or folders chosen in a dialog or the Recent menu
    language_chosen = pyqtSignal(str)  # '' = the system's
    device_chosen = pyqtSignal(str)

    def __init__(self, window: QMainWindow, prefs: Preferences, session: SessionState,
                 errors: ErrorReporter) -> None:
        super().__init__(window)
        self.window, self.prefs, self.errors = window, prefs, errors
        S = QStyle
        self.open = self._action(self.open_files_dialog, QKeySequence.Open, S.SP_DialogOpenButton, name="actOpen")
        self.open_folder = self._action(self.open_folder_dialog, "Ctrl+Shift+O", S.SP_DirOpenIcon,
                                        name="actOpenFolder")
        self.export_pdf = self._action(None, "Ctrl+P", self._icon("export-pdf", S.SP_FileDialogDetailedView),
                                       name="actExportPdf")
        self.export_pdf.setEnabled(False)
        self.export_csv = self._action(None, "Ctrl+E", self._icon("export-csv", S.SP_DialogSaveButton),
                                       name="actExportCsv")
        self.quit = self._action(window.close, QKeySequence.Quit, name="actQuit")
        self.zoom_in = self._action(None, QKeySequence.ZoomIn, self._icon("zoom-in"), name="actZoomIn")
        self.zoom_out = self._action(None, QKeySequence.ZoomOut, self._icon("zoom-out"), name="actZoomOut")
        self.fit = self._action(None, "Ctrl+0", self._icon("zoom-fit"), name="actFit")
        self.actual_size = self._action(None, "Ctrl+1", self._icon("zoom-actual"), name="actActualSize")
        self.overlay = self._action(None, "V", self._icon("overlay"), checkable=True, name="actOverlay")
        self.overlay.setChecked(session.overlay_visible)
        self.overlay.toggled.connect(session.set_overlay_visible)
        session.overlay_visible_changed.connect(self.overlay.setChecked)
        self.enhanced = self._action(None, "E", self._icon("enhance"), checkable=True, name="actEnhanced")
        self.enhanced.setChecked(session.enhanced)
        self.enhanced.toggled.connect(session.set_enhanced)
        session.enhanced_changed.connect(self.enhanced.setChecked)
        self.av_view = self._action(None, "A", checkable=True, name="actAvView")
        self.av_view.setChecked(True)
        self.measured_vessels = self._action(None, "M", checkable=True, name="actMeasuredVessels")
        self.cancel = self._action(None, "Esc", S.SP_BrowserStop, name="actCancel")
        self.cancel.setEnabled(False)
        self.colour = self._action(None, name="actColour")
        self.save_threshold = self._action(None, name="actSaveThreshold")
        self.reset_threshold = self._action(None, name="actResetThreshold")
        self.about = self._action(None, name="actAbout")
        self.clear_recent = self._action(prefs.clear_recent, name="actClearRecent")
        self.language_group, self.language_actions = self._choice(("", *LANGUAGES), "actLanguage_",
                                                                  self.language_chosen.emit)
        self.check_language(prefs.language)
        self.device_group, self.device_actions = self._choice(DEVICES, "actDevice_", self.device_chosen.emit)
        self.check_device(prefs.device)
        self._build_menus(window)
        self._build_toolbar(window)

    # -- construction ---------------------------------------------------------------------------
    def _icon(self, name: str, fallback: QStyle.StandardPixmap | None = None) -> QIcon | None:
        path = resources_dir() / "icons" / f"{name}.svg"
        if path.is_file():
            return QIcon(str(path))
        return self.window.style().standardIcon(fallback) if fallback is not None else None

    def _action(self, slot: Callable[..., Any] | None = None, shortcut: Any = None, icon: Any = None,
                checkable: bool = False, name: str = "") -> QAction:
        a = QAction(self.window)
        if name:
            a.setObjectName(name)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            a.setIcon(self.window.style().standardIcon(icon) if isinstance(icon, QStyle.StandardPixmap) else icon)
        a.setCheckable(checkable)
        if slot is not None:
            a.triggered.connect(slot)
        return a

    def _choice(self, codes: tuple[str, ...], prefix: str,
                chosen: Callable[[str], None]) -> tuple[QActionGroup, dict[str, QAction]]:
        """Exclusive checkable actions, one per code; triggering one reports its code."""
        group, actions = QActionGroup(self), {}
        for code in codes:
            a = self._action(checkable=True, name=f"{prefix}{code or 'system'}")
            a.setData(code)
            a.triggered.connect(lambda _=False, c=code: chosen(c))
            group.addAction(a)
            actions[code] = a
        return group, actions

    def _build_menus(self, window: QMainWindow) -> None:
        mb = window.menuBar()
        self.menu_file = mb.addMenu("")
        self.menu_file.addActions([self.open, self.open_folder])
        self.menu_recent = self.menu_file.addMenu("")
        self.menu_recent.aboutToShow.connect(self._on_recent_about_to_show)
        self.menu_file.addSeparator()
        self.menu_file.addActions([self.export_pdf, self.export_csv])
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.quit)
        self.menu_view = mb.addMenu("")
        self.menu_view.addActions([self.zoom_in, self.zoom_out, self.fit, self.actual_size])
        self.menu_view.addSeparator()
        self.menu_view.addActions([self.overlay, self.enhanced])
        self.menu_view.addSeparator()
        self.menu_view.addActions([self.av_view, self.measured_vessels])
        self.menu_settings = mb.addMenu("")
        self.menu_settings.addActions([self.colour, self.save_threshold, self.reset_threshold])
        self.menu_settings.addSeparator()
        self.menu_language = self.menu_settings.addMenu("")
        self.menu_language.addActions(list(self.language_actions.values()))
        self.menu_device = self.menu_settings.addMenu("")
        self.menu_device.addActions(list(self.device_actions.values()))
        self.menu_help = mb.addMenu("")
        self.menu_help.addAction(self.about)

    def _build_toolbar(self, window: QMainWindow) -> None:
        self.toolbar = QToolBar()
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setIconSize(QSize(20, 20))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonIconOnly)
        self.toolbar.setMovable(False)
        groups = [(self.open, self.open_folder), (self.fit, self.actual_size, self.zoom_in, self.zoom_out),
                  (self.overlay, self.enhanced), (self.export_csv, self.export_pdf)]
        with_text = {self.open, self.open_folder, self.overlay, self.enhanced, self.export_csv, self.export_pdf}
        for i, group in enumerate(groups):
            if i:
                self.toolbar.addSeparator()
            for a in group:
                self.toolbar.addAction(a)
                button = self.toolbar.widgetForAction(a)
                if a in with_text and isinstance(button, QToolButton):
                    button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        window.addToolBar(Qt.TopToolBarArea, self.toolbar)

    # -- choosing files ---------------------------------------------------------------------------
    def open_files_dialog(self) -> None:
        """File ▸ Open: choose image files (``open_requested`` follows)."""
        pattern = " ".join(f"*{s}" for s in image_suffixes())
        files, _ = QFileDialog.getOpenFileNames(
            self.window, _translate("MainWindow", "Open fundus images"), self.prefs.last_folder,
            fmt(_translate("MainWindow", "Fundus images (%1);;All files (*)"), pattern))
        if files:
            self.open_requested.emit(list(files))

    def open_folder_dialog(self) -> None:
        """File ▸ Open folder: choose a folder of images (``open_requested`` follows)."""
        folder = QFileDialog.getExistingDirectory(self.window, _translate("MainWindow",
                                                                          "Open a folder of fundus images"),
                                                  self.prefs.last_folder)
        if folder:
            self.open_requested.emit([folder])

    def remember(self, paths: list[str]) -> None:
        """Opened paths go to the Recent menu; the first one's folder is where the next dialog starts."""
        for p in paths:
            self.prefs.add_recent(str(Path(p).resolve()) if Path(p).exists() else p)
        first = Path(paths[0])
        self.prefs.last_folder = str(first if first.is_dir() else first.parent)

    def _on_recent_about_to_show(self) -> None:
        self.menu_recent.clear()
        recent = self.prefs.recent
        for p in recent:
            a = self.menu_recent.addAction(p)
            a.triggered.connect(lambda _=False, path=p: self._on_recent_chosen(path))
        if recent:
            self.menu_recent.addSeparator()
        self.menu_recent.addAction(self.clear_recent)
        self.clear_recent.setEnabled(bool(recent))

    def _on_recent_chosen(self, path: str) -> None:
        if not Path(path).exists():
            self.prefs.remove_recent(path)
            self.errors.report(_translate("MainWindow", "Not found"),
                               fmt(_translate("MainWindow", "%1 no longer exists; it was removed from the list."),
                                   path))
            return
        self.open_requested.emit([path])

    # -- state shown in the menus ------------------------------------------------------------------
    def check_language(self, code: str) -> None:
        """Tick the language in use in the Settings menu ('' = the system's)."""
        self.language_actions.get(code, self.language_actions[""]).setChecked(True)

    def check_device(self, device: str) -> None:
        """Tick the chosen device in the Settings menu."""
        self.device_actions.get(device, self.device_actions["auto"]).setChecked(True)

    def retranslate(self) -> None:
        """Menu titles, action texts and tooltips in the current language."""
        self.menu_file.setTitle(_translate("MainWindow", "&File"))
        self.menu_recent.setTitle(_translate("MainWindow", "&Recent"))
        self.menu_view.setTitle(_translate("MainWindow", "&View"))
        self.menu_settings.setTitle(_translate("MainWindow", "&Settings"))
        self.menu_language.setTitle(_translate("MainWindow", "&Language"))
        self.menu_device.setTitle(_translate("MainWindow", "&Device"))
        self.menu_help.setTitle(_translate("MainWindow", "&Help"))
        texts = {
            self.open: (_translate("MainWindow", "&Open..."), _translate("MainWindow", "Open fundus images")),
            self.open_folder: (_translate("MainWindow", "Open &folder..."),
                               _translate("MainWindow", "Queue all images of a folder for review")),
            self.export_csv: (_translate("MainWindow", "Export &CSV..."),
                              _translate("MainWindow", "Save the biomarkers of all processed images as CSV")),
            self.quit: (_translate("MainWindow", "&Quit"), ""),
            self.zoom_in: (_translate("MainWindow", "Zoom &in"), ""),
            self.zoom_out: (_translate("MainWindow", "Zoom &out"), ""),
            self.fit: (_translate("MainWindow", "&Fit to window"), ""),
            self.actual_size: (_translate("MainWindow", "&Actual pixels (1:1)"), ""),
            self.overlay: (_translate("MainWindow", "Show &overlay"),
                           _translate("MainWindow", "Show the vessel overlay on the right pane (V)")),
            self.enhanced: (_translate("MainWindow", "Show CLAHE-&enhanced original"),
                            _translate("MainWindow", "Show the contrast-enhanced green channel on the left (E)")),
            self.av_view: (_translate("MainWindow", "&Artery/vein view"),
                           _translate("MainWindow", "Show the pane with arteries in red and veins in blue (A)")),
            self.measured_vessels: (_translate("MainWindow", "Show &measured vessels"),
                                    _translate("MainWindow", "Draw the vessel segments CRAE and CRVE were "
                                                             "measured on, with their widths (M)")),
            self.cancel: (_translate("MainWindow", "Cancel"),
                          _translate("MainWindow", "Stop processing (the current and all waiting images)")),
            self.colour: (_translate("MainWindow", "Overlay &colour..."), ""),
            self.save_threshold: (_translate("MainWindow", "Use current threshold as &default"),
                                  _translate("MainWindow", "Start new images at this threshold (for this model)")),
            self.reset_threshold: (_translate("MainWindow", "&Reset to the model's threshold"), ""),
            self.about: (_translate("MainWindow", "&About..."), ""),
            self.clear_recent: (_translate("MainWindow", "Clear list"), ""),
        }
        for action, (text, tip) in texts.items():
            action.setText(text)
            action.setIconText(short_text(text))
            action.setToolTip(tip or short_text(text))
        self.export_pdf.setText(_translate("MainWindow", "Export &PDF report..."))  # its tooltip: ExportController
        self.export_pdf.setIconText(short_text(self.export_pdf.text()))
        self.language_actions[""].setText(_translate("MainWindow", "System default"))
        for code, name in LANGUAGES.items():
            self.language_actions[code].setText(name)
        self.device_actions["auto"].setText(_translate("MainWindow", "Automatic (GPU when available)"))
        self.device_actions["cpu"].setText(_translate("MainWindow", "CPU"))
        self.device_actions["cuda"].setText(_translate("MainWindow", "GPU (CUDA)"))
        self.toolbar.setWindowTitle(_translate("MainWindow", "Toolbar"))
