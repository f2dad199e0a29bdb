"""The calibre rows of the biomarker panel: CRAE, CRVE and AVR in zones B and C, the eye and the scale.

Only presents a :class:`~fundus_app.gui.av_render.CalibreResult` (the core measures): numbers,
or "not measurable" with the core's reason as the tooltip.
"""
from __future__ import annotations

from PyQt5.QtCore import QCoreApplication, Qt
from PyQt5.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from fundus_app.biomarkers.calibre import ASSUMED_DISC_DIAMETER_UM, Calibre
from fundus_app.gui.av_render import ZONES, CalibreResult
from fundus_app.gui.i18n import RetranslatingWidget, fmt

_translate = QCoreApplication.translate

#: The rows, in order: the key used in object names and by :meth:`CalibreRows.text_of`.
ROWS = ("crae", "crve", "avr")


class CalibreRows(RetranslatingWidget):
    """CRAE, CRVE and AVR under a heading per zone (B, C), the eye and the scale."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        grid = QGridLayout()  # one value column, like the rows above: the dock stays narrow
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setColumnStretch(0, 1)
        self.headers = {z: QLabel() for z in ZONES}
        self.names: dict[tuple[str, str], QLabel] = {}
        self.cells: dict[tuple[str, str], QLabel] = {}
        row = 0
        for z in ZONES:
            font = self.headers[z].font()
            font.setItalic(True)
            self.headers[z].setFont(font)
            self.headers[z].setWordWrap(True)
            grid.addWidget(self.headers[z], row, 0, 1, 2)
            row += 1
            for key in ROWS:
                name, cell = QLabel(), QLabel()
                cell.setObjectName(f"calibre_{key}_{z}")
                cell.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
                cell.setTextInteractionFlags(Qt.TextSelectableByMouse)
                grid.addWidget(name, row, 0)
                grid.addWidget(cell, row, 1)
                self.names[(key, z)], self.cells[(key, z)] = name, cell
                row += 1
        self.eye = QLabel()
        self.eye.setObjectName("calibreEye")
        self.eye.setWordWrap(True)
        self.scale = QLabel()
        self.scale.setObjectName("calibreScale")
        self.scale.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 6, 0, 0)
        lay.addWidget(self.title)
        lay.addLayout(grid)
        lay.addWidget(self.eye)
        lay.addWidget(self.scale)
        self.result: CalibreResult | None = None
        self.pending = False
        self.eye_side: str | None = None
        self.eye_estimated = False
        self.shown = False  # an image is on screen
        self.retranslate()

    def set_result(self, result: CalibreResult | None, pending: bool = False) -> None:
        """Show ``result`` (None: not measured yet); ``pending``: newer numbers are coming."""
        self.result, self.pending = result, pending
        self.retranslate()

    def set_eye(self, side: str | None, estimated: bool, shown: bool = True) -> None:
        """The eye of the image on screen ("right", "left" or None) and whether it was estimated."""
        self.eye_side, self.eye_estimated, self.shown = side, estimated, shown
        self.retranslate()

    def text_of(self, key: str, zone: str) -> str:
        return self.cells[(key, zone)].text()

    def tooltip_of(self, key: str, zone: str) -> str:
        return self.cells[(key, zone)].toolTip()

    # -- texts ---------------------------------------------------------------------------------------
    def _cell(self, key: str, calibre: Calibre | None) -> tuple[str, str]:
        """(text, tooltip) of one cell."""
        result = self.result
        if result is None or not self.shown:
            return "–", ""
        if result.error:
            return (_translate("CalibrePanel", "not measurable"),
                    fmt(_translate("CalibrePanel", "The calibre could not be measured (%1)."), result.error))
        if calibre is None:
            return "–", ""
        value = {"crae": calibre.crae_um, "crve": calibre.crve_um, "avr": calibre.avr}[key]
        if value is None:
            return (_translate("CalibrePanel", "not measurable"),
                    calibre.reason or _translate("CalibrePanel", "Not enough measurable vessels in the zone."))
        if key == "avr":
            return f"{value:.2f}", _translate("CalibrePanel", "Arteriole-to-venule ratio, CRAE / CRVE")
        dd = calibre.crae_dd if key == "crae" else calibre.crve_dd
        n = calibre.n_arteries if key == "crae" else calibre.n_veins
        tip = fmt(_translate("CalibrePanel", "%1 vessels measured in the zone (the widest six are used)"), n)
        if dd is not None:
            tip = fmt(_translate("CalibrePanel", "%1 disc diameters"), f"{dd:.3f}") + "\n" + tip
        return f"{value:.1f}", tip

    def _scale_text(self) -> str:
        zones = self.result.zones if self.result is not None and self.shown else {}
        calibre = next((c for c in zones.values() if c.scale_source), None)
        if calibre is None:
            return ""
        source = calibre.scale_source
        if source.lower().startswith("pixel"):
            text = _translate("CalibrePanel", "Scale: the file's pixel spacing")
        elif "disc" in source.lower():
            text = fmt(_translate("CalibrePanel", "Scale: assumed disc diameter of %1 µm"),
                       f"{ASSUMED_DISC_DIAMETER_UM:.0f}")
        else:
            text = fmt(_translate("CalibrePanel", "Scale: %1"), source)
        if calibre.um_per_px:
            text += " " + fmt(_translate("CalibrePanel", "(%1 µm per pixel)"), f"{calibre.um_per_px:.2f}")
        return text

    def retranslate(self) -> None:
        self.title.setText(_translate("CalibrePanel", "Vessel calibre around the optic disc"))
        self.title.setToolTip(_translate("CalibrePanel", "Central retinal artery and vein equivalents (revised "
                                                         "Knudtson formulas) of the widest vessels in each zone"))
        self.headers["B"].setText(_translate("CalibrePanel", "Zone B (0.5 to 1 disc diameter from the margin)"))
        self.headers["C"].setText(_translate("CalibrePanel", "Zone C (0.5 to 2 disc diameters from the margin)"))
        names = {"crae": _translate("CalibrePanel", "CRAE (µm)"), "crve": _translate("CalibrePanel", "CRVE (µm)"),
                 "avr": _translate("CalibrePanel", "AVR")}
        for (key, _z), name in self.names.items():
            name.setText(names[key])
        for (key, z), cell in self.cells.items():
            text, tip = self._cell(key, self.result.zone(z) if self.result is not None else None)
            cell.setText(text)
            cell.setToolTip(tip)
            cell.setStyleSheet("color: palette(mid);" if self.pending else "")
        side = {"right": _translate("CalibrePanel", "right"), "left": _translate("CalibrePanel", "left")}
        if not self.shown:
            eye = "–"
        elif self.eye_side is None:
            eye = _translate("CalibrePanel", "unknown")
        elif self.eye_estimated:
            eye = fmt(_translate("CalibrePanel", "%1 (estimated from the disc position)"), side[self.eye_side])
        else:
            eye = side[self.eye_side]
        self.eye.setText(fmt(_translate("CalibrePanel", "Eye: %1"), eye))
        scale = self._scale_text()
        self.scale.setText(scale)
        self.scale.setVisible(bool(scale))
