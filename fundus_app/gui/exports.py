"""Exports: the biomarker CSV of the session and the PDF report of the image on screen.

Neither blocks the UI thread: the CSV waits (asynchronously) for the numbers of the image on
screen to be final, then writes; the report is written on the background
:class:`TaskRunner`. The report module is imported in the background at start-up and the
PDF action is enabled only if that works.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PyQt5.QtCore import QCoreApplication, QObject, pyqtSignal
from PyQt5.QtWidgets import QFileDialog, QMessageBox, QWidget

from fundus_app.gui.actions import WindowActions
from fundus_app.gui.batch import biomarker_csv
from fundus_app.gui.biomarker_updates import BiomarkerUpdater
from fundus_app.gui.dialogs import ErrorReporter, ReportOptionsDialog
from fundus_app.gui.display import DisplayPresenter
from fundus_app.gui.i18n import TranslatorManager, catalogue_language, fmt
from fundus_app.gui.review_queue import ReviewQueue
from fundus_app.gui.session import SessionState
from fundus_app.gui.settings import Preferences
from fundus_app.gui.status import StatusBarPresenter
from fundus_app.gui.worker import TaskRunner

_translate = QCoreApplication.translate


class ExportController(QObject):
    """CSV and PDF exports behind the Export actions, with their dialogs; results as signals,
    problems through ``errors``."""

    csv_exported = pyqtSignal(str, int)  # path, number of images
    report_exported = pyqtSignal(str)  # path

    def __init__(self, window: QWidget, commands: WindowActions, *, queue: ReviewQueue, display: DisplayPresenter,
                 biomarkers: BiomarkerUpdater, session: SessionState, prefs: Preferences,
                 translator: TranslatorManager, tasks: TaskRunner, status: StatusBarPresenter,
                 errors: ErrorReporter) -> None:
        super().__init__(window)
        self.window, self.pdf_action = window, commands.export_pdf
        self.queue, self.display, self.biomarkers, self.session = queue, display, biomarkers, session
        self.prefs, self.translator, self.tasks, self.status, self.errors = prefs, translator, tasks, status, errors
        self.report_available: bool | None = None  # None: still checking
        self.report_problem = ""
        commands.export_csv.triggered.connect(self.export_csv_dialog)
        commands.export_pdf.triggered.connect(self.export_report_dialog)

    # -- CSV ----------------------------------------------------------------------------------------
    def export_csv_dialog(self) -> None:
        """File ▸ Export CSV: ask where, then export (or say there is nothing to export yet)."""
        if not any(it.status == "done" for it in self.queue.items.values()):
            self.errors.report(_translate("MainWindow", "Nothing to export"),
                               _translate("MainWindow", "No image has been processed yet."))
            return
        path, _ = QFileDialog.getSaveFileName(self.window, _translate("MainWindow", "Export biomarkers as CSV"),
                                              str(Path(self.prefs.last_folder) / "biomarkers.csv"),
                                              _translate("MainWindow", "CSV files (*.csv)"))
        if path:
            self.export_csv(path)

    def export_csv(self, path: str) -> None:
        """Write the biomarkers of every processed image (atomically) once those of the image on screen
        belong to its threshold; ``csv_exported`` follows, or an error message."""
        self.status.show_message(_translate("MainWindow", "Exporting the biomarkers..."))
        self.biomarkers.when_final(lambda: self._write_csv(path))

    def _write_csv(self, path: str) -> None:
        from fundus_app.atomic import write_bytes
        from fundus_app.errors import FundusError

        items = [it for it in self.queue.items.values() if it.status == "done" and it.biomarkers]
        try:
            write_bytes(path, biomarker_csv(items).encode("utf-8-sig"))  # BOM: Excel reads UTF-8 correctly
        except FundusError as exc:
            self.errors.report(_translate("MainWindow", "Export failed"),
                               _translate("MainWindow", "The CSV file could not be written."), str(exc))
            return
        self.status.show_message(fmt(_translate("MainWindow", "Saved the biomarkers of %1 images to %2"),
                                     len(items), path))
        self.csv_exported.emit(path, len(items))

    # -- PDF report -----------------------------------------------------------------------------------
    def probe_report(self) -> None:
        """Import the report module in the background; the PDF action is enabled only if it works."""

        def probe() -> bool:
            import importlib

            module = importlib.import_module("fundus_app.report")
            if not callable(getattr(module, "write_report", None)):
                raise ImportError("fundus_app.report has no write_report()")
            return True

        def ok(_: bool) -> None:
            self.report_available, self.report_problem = True, ""
            self.retranslate()

        def failed(exc: BaseException) -> None:
            self.report_available, self.report_problem = False, f"{type(exc).__name__}: {exc}"
            self.retranslate()

        self.tasks.submit(probe, on_done=ok, on_error=failed)

    def retranslate(self) -> None:
        """The PDF action's state and tooltip say whether reports can be written, and why not."""
        a = self.pdf_action
        a.setEnabled(bool(self.report_available))
        if self.report_available:
            a.setToolTip(_translate("MainWindow", "Write a PDF report of the image on screen"))
        elif self.report_available is None:
            a.setToolTip(_translate("MainWindow", "Checking the report module..."))
        else:
            a.setToolTip(fmt(_translate("MainWindow", "PDF reports are not available in this installation (%1)"),
                             self.report_problem))

    def export_report_dialog(self) -> None:
        """File ▸ Export PDF report: options, file name and, for an existing file, confirmation."""
        current = self.display.current
        if current is None:
            text = _translate("MainWindow", "Open an image and wait for its result before exporting a report.")
            self.errors.report(_translate("MainWindow", "No image"), text)
            return
        options = ReportOptionsDialog(self.prefs.clinic, self.prefs.anonymise,
                                      catalogue_language(self.translator.language), self.window)
        if options.exec_() != ReportOptionsDialog.Accepted:
            return
        clinic, anonymise, lang = options.values()
        self.prefs.clinic, self.prefs.anonymise = clinic, anonymise
        default = Path(self.prefs.last_folder) / f"{current.path.stem}_report.pdf"
        path, _ = QFileDialog.getSaveFileName(self.window, _translate("MainWindow", "Export PDF report"),
                                              str(default), _translate("MainWindow", "PDF files (*.pdf)"), "",
                                              QFileDialog.DontConfirmOverwrite)
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        overwrite = False
        if Path(path).exists():
            answer = QMessageBox.question(self.window, _translate("MainWindow", "Replace file?"),
                                          fmt(_translate("MainWindow", "%1 already exists. Replace it?"), path),
                                          QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
            if answer != QMessageBox.Yes:
                return
            overwrite = True
        self.export_report(path, lang=lang, anonymise=anonymise, clinic=clinic, overwrite=overwrite)

    def export_report(self, path: str, *, lang: str = "en", anonymise: bool = False, clinic: str = "",
                      overwrite: bool = False) -> None:
        """Write the PDF report of the image on screen, in the background; ``report_exported`` follows."""
        current = self.display.current
        if current is None:
            return
        image, seg, t = current.image, current.segmentation, self.session.threshold

        def write() -> Any:
            from fundus_app.report import write_report

            return write_report(image, seg, path, threshold=t, lang=lang, anonymise=anonymise, clinic=clinic,
                                overwrite=overwrite)

        def done(_: Any) -> None:
            self.status.show_message(fmt(_translate("MainWindow", "Report saved to %1"), path))
            self.report_exported.emit(path)

        def failed(exc: BaseException) -> None:
            from fundus_app.errors import FundusError

            detail = str(exc) if isinstance(exc, FundusError) else type(exc).__name__
            self.errors.report(_translate("MainWindow", "Export failed"),
                               _translate("MainWindow", "The PDF report could not be written."), detail)

        self.status.show_message(_translate("MainWindow", "Writing the report..."))
        self.tasks.submit(write, on_done=done, on_error=failed)
