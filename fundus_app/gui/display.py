"""What the two panes show: the original (or its enhanced view) and the overlay at the session's settings.

:class:`DisplayPresenter` puts a :class:`Prepared` result on the panes, redraws the overlay
in place when a slider moves (through the result's :class:`OverlayRenderer`), rebuilds the
overlay's zoomed-out levels once the sliders rest, builds the enhanced view in the
background with the core's CLAHE, and writes the panes' captions and hints.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PyQt5.QtCore import QCoreApplication, QObject, QTimer, pyqtSignal

from fundus_app.gui import render
from fundus_app.gui.i18n import fmt
from fundus_app.gui.job import Prepared, Preview
from fundus_app.gui.panels import ImageInfoPanel
from fundus_app.gui.panes import ImagePane
from fundus_app.gui.privacy import REDACT
from fundus_app.gui.review_queue import ReviewQueue
from fundus_app.gui.session import SessionState, ViewState
from fundus_app.gui.worker import TaskRunner

_translate = QCoreApplication.translate

REFINE_DELAY_MS = 120  # after the overlay rests, rebuild its zoomed-out levels


class DisplayPresenter(QObject):
    """Drives the original pane (``left``), the overlay pane (``right``) and the image information."""

    overlay_redrawn = pyqtSignal(float)  # milliseconds spent rendering the overlay pixels

    def __init__(self, left: ImagePane, right: ImagePane, info: ImageInfoPanel, session: SessionState,
                 view: ViewState, queue: ReviewQueue, tasks: TaskRunner, display_tasks: TaskRunner,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.left, self.right, self.info = left, right, info
        self.session, self.view, self.queue = session, view, queue
        self.tasks = tasks  # the enhanced view
        self.display_tasks = display_tasks  # zoomed-out overlay levels
        self.current: Prepared | None = None
        self.fit_panes: list[ImagePane] = [left, right]  # fit() fits the image in the smallest visible one
        self.preview_path: str | None = None  # a photograph on the panes while it is being segmented
        self.renderer: render.OverlayRenderer | None = None
        self.last_render_ms = 0.0
        self._enhanced: tuple[str, np.ndarray, list[np.ndarray]] | None = None  # path, display array, levels
        self._shown_version: tuple[int, int] | None = None
        self._refine_timer = QTimer(self)
        self._refine_timer.setSingleShot(True)
        self._refine_timer.setInterval(REFINE_DELAY_MS)
        self._refine_timer.timeout.connect(self._on_overlay_rested)
        session.edge_changed.connect(self.redraw_overlay)
        session.style_changed.connect(self._on_style_changed)
        session.overlay_visible_changed.connect(self._on_overlay_visible_changed)
        session.enhanced_changed.connect(self._on_enhanced_changed)
        for pane in (left, right):
            pane.fit_requested.connect(self.fit)
        queue.preview_arrived.connect(self._on_preview_arrived)

    # -- showing a result ---------------------------------------------------------------------------
    def showing(self, path: str) -> bool:
        """True if ``path``'s result, or its photograph while it is segmented, is on the panes."""
        return (self.current is not None and str(self.current.path) == path) or self.preview_path == path

    def _on_preview_arrived(self, path: str, preview: Preview) -> None:
        """The photograph under review is read: show it on both panes while the network works."""
        if self.current is not None or path != self.queue.current_path:
            return
        self.preview_path = path
        h, w = preview.shape
        self.view.set_image_size(w, h)
        self.left.set_image(preview.base, preview.base_pyramid)
        self.right.set_image(preview.base, preview.base_pyramid)
        self.fit()
        self.update_captions()
        self.update_hints()

    def show(self, prepared: Prepared, threshold: float, keep_view: bool = False) -> None:
        """Put ``prepared`` on the panes at ``threshold`` (session's grid and threshold follow)."""
        seg, path = prepared.segmentation, str(prepared.path)
        self.current, self.preview_path = prepared, None
        if self._enhanced is not None and self._enhanced[0] != path:
            self._enhanced = None
        self.renderer = prepared.renderer  # the worker drew the first overlay already
        self.renderer.set_style(self.session.colour, self.session.opacity)
        h, w = prepared.image.shape
        self.view.set_image_size(w, h)
        self._show_left()
        self.right.set_image(None)
        self.session.set_grid(prepared.grid, threshold, seg.default_threshold)  # threshold_changed: redraw
        if not keep_view:
            self.fit()
        meta = dict(prepared.image.meta)
        REDACT.add(meta.get("patient_name"), meta.get("patient_id"))
        meta.update(name=prepared.path.name, crf=seg.crf, working_scale=seg.working_scale,
                    working_fov_px=seg.working_fov_px)
        self.info.set_info(meta)
        self.update_captions()
        self.update_hints()

    def clear(self) -> None:
        """Nothing on the panes (the hint says why)."""
        self.current, self.preview_path = None, None
        self.renderer = None
        self._enhanced = None
        self.left.set_image(None)
        self.right.set_image(None)
        self.info.set_info(None)
        self.update_captions()
        self.update_hints()

    def fit(self) -> None:
        """Show the whole image in the smallest of the panes."""
        shown = [p for p in self.fit_panes if not p.isHidden()] or [self.left]
        self.view.fit(min(p.viewport().width() for p in shown), min(p.viewport().height() for p in shown))

    def stop(self) -> None:
        """The window closes: no more deferred refinement."""
        self._refine_timer.stop()

    # -- the left pane ----------------------------------------------------------------------------
    def _show_left(self) -> None:
        if self.current is None:
            return
        path = str(self.current.path)
        if self.session.enhanced:
            if self._enhanced is not None and self._enhanced[0] == path:
                self.left.set_image(self._enhanced[1], self._enhanced[2])
                return
            prepared = self.current

            def build() -> tuple[np.ndarray, list[np.ndarray]]:
                image = prepared.image
                arr = render.grey_to_display(render.enhanced_view(image.rgb, image.fov, prepared.preprocess))
                return arr, render.pyramid(arr)

            def done(result: tuple[np.ndarray, list[np.ndarray]]) -> None:
                if self.current is prepared:
                    self._enhanced = (path, result[0], result[1])
                    if self.session.enhanced:
                        self.left.set_image(result[0], result[1])

            self.tasks.submit(build, on_done=done)
        self.left.set_image(self.current.base, self.current.base_pyramid)

    # -- the overlay --------------------------------------------------------------------------------
    def redraw_overlay(self) -> None:
        """Draw the overlay at the session's threshold, edges and style (in place: only what changed)."""
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

    def _on_overlay_rested(self) -> None:
        """Once the sliders rest: the zoomed-out levels of the overlay, built in the background."""
        renderer, prepared = self.renderer, self.current
        if renderer is None or prepared is None or self.right.item.array is not renderer.out:
            return
        version = renderer.version

        def done(levels: list[np.ndarray]) -> None:
            # a newer render may have changed ``out`` while we read it: then these levels are discarded
            if self.renderer is renderer and renderer.version == version and self.right.item.array is renderer.out:
                prepared.overlay_pyramid, prepared.overlay_version = levels, version
                self.right.item.set_levels(levels)

        self.display_tasks.submit(render.pyramid, renderer.out, on_done=done)

    def _on_style_changed(self) -> None:
        if self.renderer is not None:
            self.renderer.set_style(self.session.colour, self.session.opacity)
        self.redraw_overlay()

    def _on_overlay_visible_changed(self, _visible: bool) -> None:
        self.update_captions()
        self.redraw_overlay()

    def _on_enhanced_changed(self, _enhanced: bool) -> None:
        self.update_captions()
        self._show_left()

    # -- texts --------------------------------------------------------------------------------------
    def update_captions(self) -> None:
        """Say what each pane shows (original or enhanced; overlay or not) in its corner."""
        enhanced = self.session.enhanced and self.current is not None  # a photograph being segmented: as read
        self.left.set_caption(_translate("MainWindow", "CLAHE-enhanced (green channel)") if enhanced
                              else _translate("MainWindow", "Original"))
        if self.current is None and self.preview_path is not None:
            self.right.set_caption(_translate("MainWindow", "Segmenting the vessels..."))
        else:
            self.right.set_caption(_translate("MainWindow", "Vessel overlay") if self.session.overlay_visible
                                   else _translate("MainWindow", "Original (overlay hidden)"))

    def update_hints(self) -> None:
        """The text in the middle of the panes when there is no result to show: what to do, or why."""
        path = self.queue.current_path
        if self.current is not None or (path is not None and self.preview_path == path):
            hint = ""
        elif path is None:
            hint = _translate("MainWindow", "Drop fundus images or folders here,\nor use File ▸ Open...")
        else:
            item, name = self.queue.items.get(path), Path(path).name
            if item is not None and item.status == "failed":
                hint = fmt(_translate("MainWindow", "Could not process %1:\n%2"), name, item.message)
            elif item is not None and item.status == "cancelled":
                hint = fmt(_translate("MainWindow", "Processing of %1 was cancelled. Select it again to retry."), name)
            else:
                hint = fmt(_translate("MainWindow", "Processing %1..."), name)
        self.left.set_hint(hint)
        self.right.set_hint(hint)

    def retranslate(self) -> None:
        self.update_captions()
        self.update_hints()
