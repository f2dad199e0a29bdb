"""Side panels: overlay controls, biomarkers, image information, and the intended-use banner.

Every visible string goes through ``QCoreApplication.translate`` (or, for the biomarkers,
the core's catalogue in the interface's language) and is set in a ``retranslate()``
method that runs again on ``QEvent.LanguageChange``.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PyQt5.QtCore import QCoreApplication, Qt, pyqtSignal
from PyQt5.QtGui import QColor, QIcon, QPainter, QPixmap
from PyQt5.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fundus_app.biomarkers import BY_KEY
from fundus_app.gui.calibre_panel import CalibreRows
from fundus_app.gui.dialogs import intended_use
from fundus_app.gui.i18n import RetranslatingWidget, catalogue_language, fmt
from fundus_app.gui.session import SessionState

_translate = QCoreApplication.translate


def colour_icon(rgb: tuple[int, int, int], size: int = 16) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    p.setPen(QColor(90, 90, 90))
    p.setBrush(QColor(*rgb))
    p.drawRoundedRect(1, 1, size - 2, size - 2, 3, 3)
    p.end()
    return QIcon(pm)



class OverlayControls(RetranslatingWidget):
    """Threshold, edge strength, opacity, colour and dense-CRF controls, bound to a SessionState."""

    reset_threshold_requested = pyqtSignal()

    def __init__(self, session: SessionState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.box = QGroupBox(self)
        grid = QGridLayout(self.box)
        grid.setColumnStretch(1, 1)

        self.threshold_label = QLabel()
        self.threshold = QSlider(Qt.Horizontal)
        self.threshold.setObjectName("thresholdSlider")
        self.threshold.setPageStep(5)
        self.threshold_value = QLabel()
        self.threshold_value.setMinimumWidth(44)
        self.threshold_value.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.reset_threshold = QToolButton()
        self.reset_threshold.setAutoRaise(True)
        self.reset_threshold.setText("↺")

        self.edge_label = QLabel()
        self.edge = QSlider(Qt.Horizontal)
        self.edge.setObjectName("edgeSlider")
        self.edge.setRange(0, 100)
        self.edge.setPageStep(10)
        self.edge_value = QLabel()
        self.edge_value.setAlignment(Qt.AlignRight | Qt.AlignVCenter)

        self.opacity_label = QLabel()
        self.opacity = QSlider(Qt.Horizontal)
        self.opacity.setObjectName("opacitySlider")
        self.opacity.setRange(0, 100)
        self.opacity.setPageStep(10)
        self.opacity_value = QLabel()
        self.opacity_value.setAlignment(Qt.AlignRight | Qt.AlignVCenter)

        self.colour_label = QLabel()
        self.colour = QToolButton()
        self.colour.setObjectName("colourButton")
        self.colour.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.crf = QCheckBox()
        self.crf.setObjectName("crfCheck")

        rows = [
            (self.threshold_label, self.threshold, self.threshold_value, self.reset_threshold),
            (self.edge_label, self.edge, self.edge_value, None),
            (self.opacity_label, self.opacity, self.opacity_value, None),
        ]
        for r, (label, slider, value, extra) in enumerate(rows):
            grid.addWidget(label, r, 0)
            grid.addWidget(slider, r, 1)
            grid.addWidget(value, r, 2)
            if extra is not None:
                grid.addWidget(extra, r, 3)
        grid.addWidget(self.colour_label, 3, 0)
        grid.addWidget(self.colour, 3, 1, 1, 3, Qt.AlignLeft)
        grid.addWidget(self.crf, 4, 0, 1, 4)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.box)

        self.threshold.valueChanged.connect(session.set_threshold_index)
        self.edge.valueChanged.connect(lambda v: session.set_edge_strength(v / 100))
        self.opacity.valueChanged.connect(lambda v: session.set_style(opacity=v / 100))
        self.colour.clicked.connect(self.choose_colour)
        self.crf.toggled.connect(session.set_crf)
        self.reset_threshold.clicked.connect(self.reset_threshold_requested)
        session.threshold_changed.connect(self._sync)
        session.grid_changed.connect(self._sync)
        session.edge_changed.connect(self._sync)
        session.style_changed.connect(self._sync)
        session.crf_changed.connect(self._sync)
        self.retranslate()
        self._sync()

    def _sync(self, *_: Any) -> None:
        """Show the session's values without feeding them back."""
        s = self.session
        for w in (self.threshold, self.edge, self.opacity, self.crf):
            w.blockSignals(True)
        self.threshold.setRange(0, len(s.grid) - 1)
        self.threshold.setValue(s.threshold_index)
        self.edge.setValue(round(s.edge_strength * 100))
        self.opacity.setValue(round(s.opacity * 100))
        self.crf.setChecked(s.crf)
        for w in (self.threshold, self.edge, self.opacity, self.crf):
            w.blockSignals(False)
        t = s.threshold
        self.threshold_value.setText(f"{t:.2f}" if round(t, 2) == t else f"{t:.3f}")
        off = _translate("OverlayControls", "off")
        self.edge_value.setText(off if s.edge_strength == 0 else f"{s.edge_strength:.0%}")
        self.opacity_value.setText(f"{s.opacity:.0%}")
        self.colour.setIcon(colour_icon(s.colour))
        self.reset_threshold.setToolTip(fmt(_translate("OverlayControls", "Back to the model's default threshold (%1)"),
                                            f"{s.model_default:.2f}"))

    def choose_colour(self) -> None:
        """Ask for the overlay colour (the colour button and Settings menu)."""
        colour = QColorDialog.getColor(QColor(*self.session.colour), self,
                                       _translate("OverlayControls", "Vessel overlay colour"))
        if colour.isValid():
            self.session.set_style(colour=(colour.red(), colour.green(), colour.blue()))

    def retranslate(self) -> None:
        self.box.setTitle(_translate("OverlayControls", "Vessel overlay"))
        self.threshold_label.setText(_translate("OverlayControls", "Threshold"))
        self.threshold.setToolTip(_translate("OverlayControls", "Probability above which a pixel counts as vessel. "
                                                                "Redraws instantly; the network is not run again."))
        self.edge_label.setText(_translate("OverlayControls", "Edges"))
        self.edge.setToolTip(_translate("OverlayControls",
                                        "Strength of the vessel boundary line drawn over the overlay (0 = off)"))
        self.opacity_label.setText(_translate("OverlayControls", "Opacity"))
        self.opacity.setToolTip(_translate("OverlayControls", "Opacity of the vessel colour over the image"))
        self.colour_label.setText(_translate("OverlayControls", "Colour"))
        self.colour.setText(_translate("OverlayControls", "Choose..."))
        self.colour.setToolTip(_translate("OverlayControls", "Colour of the vessel overlay"))
        self.crf.setText(_translate("OverlayControls", "Dense CRF refinement (slower)"))
        self.crf.setToolTip(_translate("OverlayControls",
                                       "Refine the vessel map with a fully connected CRF; runs the model again"))
        self._sync()


def format_value(key: str, value: Any) -> str:
    """A biomarker as printed: the catalogue's number and unit (e.g. "14.06 %"); others generically."""
    if isinstance(value, bool) or value is None:
        return str(value)
    measure = BY_KEY.get(key)
    if measure is not None and isinstance(value, (int, float)):
        return measure.text(float(value))
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.4g}"
    return str(value)


def generic_label(key: str) -> str:
    return key.replace("_", " ").strip().capitalize() or key


class BiomarkerPanel(RetranslatingWidget):
    """The biomarkers of the image on screen, at the current threshold.

    Names, definitions (tooltips) and formats come from the core's catalogue, in the
    language ``language()`` returns (the interface's code, e.g. "zh_CN"), read again on
    every language change.
    """

    def __init__(self, language: Callable[[], str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.language = language or (lambda: "en")
        self.box = QGroupBox(self)
        self.form = QFormLayout()  # the rows are rebuilt when the keys change; the caption stays below them
        self.form.setLabelAlignment(Qt.AlignLeft)
        self.caption = QLabel()
        self.caption.setObjectName("biomarkerCaption")
        self.caption.setWordWrap(True)
        box_lay = QVBoxLayout(self.box)
        self.calibre = CalibreRows()  # CRAE, CRVE, AVR: what the core measured around the disc
        box_lay.addLayout(self.form)
        box_lay.addWidget(self.calibre)
        box_lay.addWidget(self.caption)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.box)
        self.values: dict[str, Any] = {}
        self.pending = False
        self.threshold: float | None = None
        self._rows: dict[str, tuple[QLabel, QLabel]] = {}
        self.retranslate()

    def set_values(self, values: dict[str, Any] | None, threshold: float | None = None, pending: bool = False) -> None:
        """Show ``values`` (keys as from ``Biomarkers.as_dict()``); ``pending``: newer numbers are coming."""
        self.values = dict(values or {})
        self.threshold = threshold
        self.pending = pending
        if list(self._rows) != list(self.values):
            while self.form.rowCount() > 0:
                self.form.removeRow(0)
            self._rows = {}
            for key in self.values:
                name, value = QLabel(), QLabel()
                value.setObjectName(f"biomarker_{key}")
                value.setTextInteractionFlags(Qt.TextSelectableByMouse)
                value.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.form.addRow(name, value)
                self._rows[key] = (name, value)
        self.retranslate()

    def set_value(self, key: str, value: Any, pending: bool) -> None:
        """Update one number (the instant vessel density) while the others are recomputed."""
        if key in self.values:
            self.values[key] = value
        self.pending = pending
        self.retranslate()

    def text_of(self, key: str) -> str:
        """The value as shown, e.g. "14.06 %"."""
        return self._rows[key][1].text() if key in self._rows else ""

    def label_of(self, key: str) -> str:
        """The name as shown, in the interface's language."""
        return self._rows[key][0].text() if key in self._rows else ""

    def retranslate(self) -> None:
        self.box.setTitle(_translate("BiomarkerPanel", "Biomarkers"))
        lang = catalogue_language(self.language())
        for key, (name, value) in self._rows.items():
            measure = BY_KEY.get(key)
            name.setText(measure.label[lang] if measure else generic_label(key))
            name.setToolTip(measure.definition[lang] if measure else key)
            value.setText(format_value(key, self.values.get(key)))
            stale = self.pending and key != "vessel_density"
            value.setStyleSheet("color: palette(mid);" if stale else "")
        if not self._rows:
            self.caption.setText(_translate("BiomarkerPanel", "Open an image to see its vessel measures."))
        elif self.pending:
            self.caption.setText(fmt(_translate("BiomarkerPanel", "At threshold %1 (updating...)"),
                                     f"{self.threshold:.2f}"))
        else:
            self.caption.setText(fmt(_translate("BiomarkerPanel", "At threshold %1, inside the field of view"),
                                     f"{self.threshold:.2f}"))


class ImageInfoPanel(RetranslatingWidget):
    """File name, size and, for DICOM, the patient fields (shown on screen, never logged)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QGroupBox(self)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        QVBoxLayout(self.box).addWidget(self.label)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.box)
        self.info: dict[str, Any] | None = None
        self.retranslate()

    def set_info(self, info: dict[str, Any] | None) -> None:
        self.info = info
        self.retranslate()

    def retranslate(self) -> None:
        self.box.setTitle(_translate("ImageInfoPanel", "Image"))
        if not self.info:
            self.label.setText(_translate("ImageInfoPanel", "No image"))
            return
        i = self.info
        rows = [i.get("name", "")]
        rows.append(fmt(_translate("ImageInfoPanel", "%1 x %2 pixels, %3"), i.get("width", "?"), i.get("height", "?"),
                        i.get("format", "?")))
        if i.get("patient_name") or i.get("patient_id"):
            rows.append(fmt(_translate("ImageInfoPanel", "Patient: %1 (ID %2)"), i.get("patient_name", "–"),
                            i.get("patient_id", "–")))
        if i.get("laterality"):
            rows.append(fmt(_translate("ImageInfoPanel", "Eye: %1"), i["laterality"]))
        if i.get("study_date"):
            rows.append(fmt(_translate("ImageInfoPanel", "Study date: %1"), i["study_date"]))
        if i.get("working_scale") is not None and i.get("working_fov_px") is not None:  # varies per photograph
            rows.append(fmt(_translate("ImageInfoPanel", "Segmented at %1x (FOV %2 px)"), f"{i['working_scale']:.2f}",
                            f"{i['working_fov_px']:.0f}"))
        if i.get("crf"):
            rows.append(_translate("ImageInfoPanel", "Refined with dense CRF"))
        if i.get("warning"):
            rows.append(str(i["warning"]))
        self.label.setText("\n".join(str(r) for r in rows))


class IntendedUseBanner(RetranslatingWidget):
    """The intended-use note above the panes: always visible, never dismissed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intendedUseBar")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.setStyleSheet("QWidget#intendedUseBar { background: #fff3cd; border-bottom: 1px solid #e0c675; }"
                           "QLabel { color: #5c4400; }")
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.SP_MessageBoxInformation).pixmap(16, 16))
        self.label = QLabel()
        self.label.setObjectName("intendedUse")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 4, 10, 4)
        lay.addWidget(icon)
        lay.addWidget(self.label, 1)
        self.retranslate()

    def text(self) -> str:
        return self.label.text()

    def retranslate(self) -> None:
        self.label.setText(intended_use())
