"""The artery/vein pane: red arteries, blue veins over the dimmed photograph, the disc and zone rings,
and, on demand, the vessel segments the calibre was measured on.

:class:`AvPresenter` follows the threshold (``Segmentation.av_map``), draws the pixels with
:class:`~fundus_app.gui.av_render.AvRenderer`, and puts the disc, the zone B and C rings
(``biomarkers.calibre.zone_radii``) and the measured centre lines in the pane's scene as
vector items with cosmetic pens, so they stay sharp at any zoom. It measures nothing.
"""
from __future__ import annotations

import numpy as np
from PyQt5.QtCore import QCoreApplication, QObject, QPointF, QRectF, Qt, QTimer
from PyQt5.QtGui import QBrush, QColor, QPainterPath, QPen
from PyQt5.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem, QGraphicsSimpleTextItem

from fundus_app.biomarkers.calibre import VesselSegment, zone_radii
from fundus_app.domain import ARTERY, VEIN, Disc
from fundus_app.gui import render
from fundus_app.gui.av_render import AvRenderer, CalibreResult
from fundus_app.gui.i18n import fmt
from fundus_app.gui.job import Prepared, Preview
from fundus_app.gui.panes import ImagePane
from fundus_app.gui.review_queue import ReviewQueue
from fundus_app.gui.session import SessionState
from fundus_app.gui.worker import TaskRunner
from fundus_app.postprocess import AV_COLOURS, DISC_COLOUR

_translate = QCoreApplication.translate

REFINE_DELAY_MS = 150  # after the threshold rests, rebuild the pane's zoomed-out levels
RING_COLOUR = QColor(255, 255, 255, 200)
#: The rings: name -> (radius of the disc or zone ring, pen style). Zone B is 0.5-1 DD from the
#: disc margin, zone C reaches 2 DD; the inner edge (0.5 DD) is shared.
RINGS = ("disc", "inner", "B", "C")
#: Width labels show when neighbouring labels are at least this far apart on screen (pixels).
LABEL_SPACING_PX = 44
#: Which zone's segments the "Show measured vessels" view draws (the standard Knudtson zone).
MEASURED_ZONE = "B"


def ring_radii(disc: Disc) -> dict[str, float]:
    """Radii (pixels) of the disc and the zone rings, from the core's ``zone_radii``."""
    b_inner, b_outer = zone_radii(disc, "B")
    _, c_outer = zone_radii(disc, "C")
    return {"disc": disc.radius, "inner": b_inner, "B": b_outer, "C": c_outer}


def _pen(colour: QColor, width: float, style: Qt.PenStyle = Qt.SolidLine) -> QPen:
    pen = QPen(colour, width, style)
    pen.setCosmetic(True)  # width in screen pixels: sharp at every zoom
    return pen


class AvPresenter(QObject):
    """Drives the artery/vein pane for the result on screen."""

    def __init__(self, pane: ImagePane, session: SessionState, queue: ReviewQueue, display_tasks: TaskRunner,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pane, self.session, self.queue, self.display_tasks = pane, session, queue, display_tasks
        self.current: Prepared | None = None
        self.renderer: AvRenderer | None = None
        self.has_map = False
        self.preview_path: str | None = None
        self.rings: dict[str, QGraphicsEllipseItem] = {}
        self.ring_labels: list[QGraphicsSimpleTextItem] = []
        self.vessel_items: list[QGraphicsPathItem] = []
        self.vessel_labels: list[QGraphicsSimpleTextItem] = []
        self.vessel_halos: list[QGraphicsPathItem] = []  # a dark line under each, to see it on its vessel
        self.show_vessels = False
        self.visible = True
        self.calibre: CalibreResult | None = None
        self._rendered: tuple[int, int] | None = None  # (id of the result, threshold index) drawn
        self._refine_timer = QTimer(self)
        self._refine_timer.setSingleShot(True)
        self._refine_timer.setInterval(REFINE_DELAY_MS)
        self._refine_timer.timeout.connect(self._on_rested)
        queue.preview_arrived.connect(self._on_preview_arrived)
        pane.view_state.changed.connect(self._update_label_visibility)

    # -- the result on screen ---------------------------------------------------------------------
    def show(self, prepared: Prepared) -> None:
        """Put ``prepared``'s A/V map (at the session's threshold) and disc on the pane."""
        if prepared is not self.current:
            self.current, self.preview_path = prepared, None
            self.renderer = None
            self._rendered = None
            self.has_map = prepared.segmentation.av_class is not None
            self.calibre = None
            self._draw_rings(prepared.segmentation.disc)
            self._draw_vessels()
        self.redraw()
        self.update_texts()

    def clear(self) -> None:
        self.current, self.renderer, self.preview_path, self._rendered = None, None, None, None
        self.has_map, self.calibre = False, None
        self._refine_timer.stop()
        self.pane.set_image(None)
        self._draw_rings(None)
        self._draw_vessels()
        self.update_texts()

    def stop(self) -> None:
        self._refine_timer.stop()

    def set_visible(self, on: bool) -> None:
        """Show or hide the pane (View ▸ Artery/vein view)."""
        self.visible = bool(on)
        self.pane.setVisible(self.visible)
        self.redraw()

    def redraw(self) -> None:
        """The A/V map at the session's threshold (in place), or the dimmed photograph without one."""
        prepared = self.current
        if prepared is None or not self.visible:  # a hidden pane is drawn when it is shown again
            return
        index = self.session.threshold_index
        if self._rendered == (id(prepared), index):
            return
        if self.renderer is None:
            self.renderer = AvRenderer(prepared.base)
        seg = prepared.segmentation
        av = seg.av_map(self.session.threshold) if self.has_map else None
        out = self.renderer.render(av) if av is not None else self.renderer.background
        if self.pane.item.array is not out:
            self.pane.set_image(out)
        else:
            self.pane.item.content_changed()
        self._rendered = (id(prepared), index)
        self._refine_timer.start()

    def _on_rested(self) -> None:
        """Once the threshold rests: zoomed-out levels of the pane, built in the background."""
        renderer, array = self.renderer, self.pane.item.array
        if renderer is None or array is None:
            return
        version = renderer.version

        def done(levels: list[np.ndarray]) -> None:
            if self.renderer is renderer and renderer.version == version and self.pane.item.array is array:
                self.pane.item.set_levels(levels)

        self.display_tasks.submit(render.pyramid, array, on_done=done)

    def _on_preview_arrived(self, path: str, preview: Preview) -> None:
        if self.current is None and path == self.queue.current_path:
            self.preview_path = path
            self.pane.set_image(preview.base, preview.base_pyramid)
            self.update_texts()

    # -- the disc and the zones ----------------------------------------------------------------------
    def _draw_rings(self, disc: Disc | None) -> None:
        scene = self.pane.scene()
        for item in [*self.rings.values(), *self.ring_labels]:
            scene.removeItem(item)
        self.rings, self.ring_labels = {}, []
        if disc is None:
            return
        cx, cy = disc.centre
        styles = {"disc": _pen(QColor(*DISC_COLOUR), 2.0), "inner": _pen(RING_COLOUR, 1.2, Qt.DashLine),
                  "B": _pen(RING_COLOUR, 1.2, Qt.DashLine), "C": _pen(RING_COLOUR, 1.2, Qt.DotLine)}
        for name, r in ring_radii(disc).items():
            item = QGraphicsEllipseItem(QRectF(cx - r, cy - r, 2 * r, 2 * r))
            item.setPen(styles[name])
            item.setBrush(QBrush(Qt.NoBrush))
            item.setZValue(1)
            scene.addItem(item)
            self.rings[name] = item
            if name in ("B", "C"):
                label = QGraphicsSimpleTextItem(name)
                label.setBrush(QBrush(RING_COLOUR))
                label.setFlag(QGraphicsItem.ItemIgnoresTransformations, True)  # constant size on screen
                label.setPos(QPointF(cx + r * 0.7071, cy - r * 0.7071))
                label.setZValue(1)
                scene.addItem(label)
                self.ring_labels.append(label)

    # -- the measured vessels ---------------------------------------------------------------------------
    def set_calibre(self, calibre: CalibreResult | None) -> None:
        """The calibre of the image on screen (None while it is recomputed)."""
        self.calibre = calibre
        self._draw_vessels()
        self.update_texts()

    def set_show_vessels(self, on: bool) -> None:
        """Draw (or remove) the centre lines of the segments CRAE and CRVE were computed from."""
        self.show_vessels = bool(on)
        self._draw_vessels()
        self.update_texts()

    def measured_segments(self) -> list[VesselSegment]:
        calibre = self.calibre.zone(MEASURED_ZONE) if self.calibre is not None else None
        return [*calibre.arteries, *calibre.veins] if calibre is not None else []

    def _draw_vessels(self) -> None:
        scene = self.pane.scene()
        for item in [*self.vessel_items, *self.vessel_labels, *self.vessel_halos]:
            scene.removeItem(item)
        self.vessel_items, self.vessel_labels, self.vessel_halos = [], [], []
        if not self.show_vessels or self.current is None:
            return
        for seg in self.measured_segments():
            points = np.asarray(seg.centreline, np.float64).reshape(-1, 2)
            if len(points) < 2:
                continue
            colour = QColor(*AV_COLOURS[ARTERY if seg.kind == "artery" else VEIN])
            path = QPainterPath(QPointF(*points[0]))
            for x, y in points[1:]:
                path.lineTo(QPointF(x, y))
            halo = QGraphicsPathItem(path)
            halo.setPen(_pen(QColor(0, 0, 0, 200), 5.0))
            halo.setZValue(2)
            scene.addItem(halo)
            self.vessel_halos.append(halo)
            item = QGraphicsPathItem(path)
            item.setPen(_pen(colour.lighter(130), 2.5))
            item.setToolTip(self._segment_text(seg))
            item.setData(0, seg.kind)
            item.setZValue(2)
            scene.addItem(item)
            self.vessel_items.append(item)
            label = QGraphicsSimpleTextItem(self._width_text(seg))
            label.setBrush(QBrush(colour.lighter(150)))
            label.setFlag(QGraphicsItem.ItemIgnoresTransformations, True)
            label.setPos(QPointF(*points[-1]))  # the outer end: where neighbours are furthest apart
            label.setZValue(2)
            scene.addItem(label)
            self.vessel_labels.append(label)
        self._update_label_visibility()

    def _update_label_visibility(self) -> None:
        """Width labels that would overlap a label already shown are hidden (the tooltips stay)."""
        shown: list[tuple[float, float]] = []
        spacing = LABEL_SPACING_PX / max(self.pane.view_state.scale, 1e-6)  # in image pixels
        for label in self.vessel_labels:
            x, y = label.pos().x(), label.pos().y()
            free = all(abs(x - sx) >= spacing or abs(y - sy) >= spacing / 2.5 for sx, sy in shown)
            label.setVisible(free)
            if free:
                shown.append((x, y))

    @staticmethod
    def _width_text(seg: VesselSegment) -> str:
        return f"{seg.width_um:.0f} µm" if seg.width_um else f"{seg.width_px:.1f} px"

    @staticmethod
    def _segment_text(seg: VesselSegment) -> str:
        kind = _translate("AvView", "Artery") if seg.kind == "artery" else _translate("AvView", "Vein")
        return fmt(_translate("AvView", "%1: %2 µm (%3 px) wide, %4 px long"), kind, f"{seg.width_um:.1f}",
                   f"{seg.width_px:.2f}", f"{seg.length_px:.0f}")

    # -- texts ----------------------------------------------------------------------------------------
    def update_texts(self) -> None:
        """Caption, hint (no A/V map) and note (no disc, nothing measured) of the pane."""
        prepared = self.current
        if prepared is None:
            self.pane.set_caption(_translate("AvView", "Arteries and veins") if self.preview_path else "")
            self.pane.set_hint("")
            self.pane.set_note("")
            return
        self.pane.set_caption(_translate("AvView", "Arteries (red) and veins (blue)"))
        if prepared.anatomy_pending:  # the vessels are on screen; arteries, veins and disc follow
            self.pane.set_hint(_translate("AvView", "Finding arteries, veins and the optic disc…"))
            self.pane.set_note("")
            return
        self.pane.set_hint("" if self.has_map else
                           _translate("AvView", "No artery/vein map for this image:\nthe A/V model did not run."))
        notes = []
        if prepared.segmentation.disc is None:
            notes.append(_translate("AvView", "Optic disc not found: no zone rings, no calibre."))
        elif self.show_vessels and self.calibre is not None and not self.vessel_items:
            notes.append(_translate("AvView", "No measured vessel segments to show."))
        self.pane.set_note("\n".join(notes))

    def retranslate(self) -> None:
        self.update_texts()
        self._draw_vessels()  # their tooltips in the new language
