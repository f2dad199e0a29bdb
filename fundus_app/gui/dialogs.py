"""Dialogs: About (intended use and dataset citations), the PDF report options, and error messages."""
from __future__ import annotations

from PyQt5.QtCore import QCoreApplication, QObject, Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QMessageBox,
    QPlainTextEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fundus_app import __version__

_translate = QCoreApplication.translate

#: Bibliographic references stay in their original language.
CITATIONS = (
    "J. Staal, M. D. Abràmoff, M. Niemeijer, M. A. Viergever, B. van Ginneken. Ridge-based vessel "
    "segmentation in color images of the retina. <i>IEEE Transactions on Medical Imaging</i> 23(4):501–509, "
    "2004. (DRIVE)",
    "A. Hoover, V. Kouznetsova, M. Goldbaum. Locating blood vessels in retinal images by piecewise threshold "
    "probing of a matched filter response. <i>IEEE Transactions on Medical Imaging</i> 19(3):203–210, "
    "2000. (STARE)",
    "A. Budai, R. Bock, A. Maier, J. Hornegger, G. Michelson. Robust vessel segmentation in fundus images. "
    "<i>International Journal of Biomedical Imaging</i> 2013:154860. (HRF; the sample images are used "
    "unmodified under the Creative Commons Attribution 4.0 licence, CC BY 4.0)",
)


def intended_use() -> str:
    return _translate("MainWindow", "For research and review support; not a diagnosis.")


def about_html(model: dict | None) -> str:
    if model:
        sha = str(model.get("sha256", ""))[:12]
        model_line = f"{model.get('name', '')} · {model.get('device', '')} · SHA-256 {sha}…"
    else:
        model_line = _translate("AboutDialog", "not loaded yet")
    title = _translate("AboutDialog", "Fundus Vessel Workstation")
    purpose = _translate("AboutDialog", "Segments the retinal vessels of fundus photographs and measures them. "
                                        "Every result must be reviewed by a qualified person; the software does "
                                        "not detect or rule out any disease.")
    model_label = _translate("AboutDialog", "Model:")
    thanks = _translate("AboutDialog", "The vessel model was developed with these public datasets, "
                                       "which we gratefully acknowledge:")
    refs = "".join(f"<li>{c}</li>" for c in CITATIONS)
    return (f"<h3>{title} {__version__}</h3><p><b>{intended_use()}</b></p><p>{purpose}</p>"
            f"<p>{model_label} {model_line}</p><p>{thanks}</p><ul>{refs}</ul>")


class AboutDialog(QDialog):
    def __init__(self, model: dict | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_translate("AboutDialog", "About Fundus Vessel Workstation"))
        self.text = QTextBrowser()
        self.text.setObjectName("aboutText")
        self.text.setOpenExternalLinks(True)
        self.text.setHtml(about_html(model))
        self.text.setFrameShape(QTextBrowser.NoFrame)
        self.text.viewport().setAutoFillBackground(False)
        self.text.setMinimumSize(620, 500)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addWidget(buttons)


class ReportOptionsDialog(QDialog):
    """Clinic name, anonymisation and language of a PDF report."""

    def __init__(self, clinic: str, anonymise: bool, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_translate("ReportOptionsDialog", "PDF report"))
        self.clinic = QPlainTextEdit(clinic)
        self.clinic.setObjectName("clinicEdit")
        self.clinic.setPlaceholderText(_translate("ReportOptionsDialog", "Name on the first line, then the address "
                                                                         "(optional; shown in the report header)"))
        self.clinic.setFixedHeight(self.clinic.fontMetrics().lineSpacing() * 4 + 12)
        self.clinic.setTabChangesFocus(True)
        self.anonymise = QCheckBox(_translate("ReportOptionsDialog", "Anonymise: leave out patient name and ID"))
        self.anonymise.setChecked(anonymise)
        self.language = QComboBox()
        self.language.addItem("English", "en")
        self.language.addItem("简体中文", "zh")
        self.language.setCurrentIndex(1 if language.startswith("zh") else 0)
        form = QFormLayout()
        form.addRow(_translate("ReportOptionsDialog", "Clinic"), self.clinic)
        form.addRow(_translate("ReportOptionsDialog", "Report language"), self.language)
        form.addRow(self.anonymise)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)

    def values(self) -> tuple[str, bool, str]:
        return self.clinic.toPlainText().strip(), self.anonymise.isChecked(), str(self.language.currentData())


class ErrorReporter(QObject):
    """Shows errors as a window-modal message that does not block the event loop.

    Messages arriving while one is open are added to it rather than stacked. Headless
    (``interactive=False``: scripted screenshots) nothing is shown; ``reported`` carries
    every message either way.
    """

    reported = pyqtSignal(str)  # headline and reason, as one line

    def __init__(self, window: QWidget, interactive: bool = True) -> None:
        super().__init__(window)
        self.window = window
        self.interactive = interactive
        self._box: QMessageBox | None = None

    @property
    def box(self) -> QMessageBox | None:
        """The message box on screen, if any."""
        return self._box

    def report(self, title: str, text: str, detail: str = "") -> None:
        """``text`` is a translated headline; ``detail`` the core's one-sentence reason (English)."""
        self.reported.emit(f"{text} {detail}".strip())
        if not self.interactive:
            return
        box = self._box
        if box is not None and box.isVisible():
            box.setInformativeText("\n\n".join(t for t in (box.informativeText(), text, detail) if t))
            return
        box = QMessageBox(QMessageBox.Warning, title, text, QMessageBox.Ok, self.window)
        if detail:
            box.setInformativeText(detail)
        box.setObjectName("errorBox")
        box.setWindowModality(Qt.WindowModal)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.destroyed.connect(self._on_box_destroyed)
        self._box = box
        box.open()

    def _on_box_destroyed(self, *_: object) -> None:
        self._box = None
