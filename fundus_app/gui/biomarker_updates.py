"""The biomarkers of the image on screen, kept at its threshold without blocking the UI thread.

When the threshold moves, the vessel density is exact at once (from the level index); the
other measures (and the calibre around the disc, ``calibre_changed``) are recomputed on the
background :class:`TaskRunner` once the slider rests, greyed meanwhile.
:meth:`BiomarkerUpdater.when_final` lets an export wait, asynchronously, until the numbers on
screen belong to the threshold on screen.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PyQt5.QtCore import QObject, QTimer, pyqtSignal

from fundus_app.biomarkers import measure_vessels
from fundus_app.gui.av_render import CalibreResult, calibre_at
from fundus_app.gui.display import DisplayPresenter
from fundus_app.gui.panels import BiomarkerPanel
from fundus_app.gui.review_queue import ReviewQueue
from fundus_app.gui.session import SessionState
from fundus_app.gui.worker import TaskRunner

log = logging.getLogger(__name__)

BIOMARKER_DELAY_MS = 150  # after the threshold rests, recompute all biomarkers on full resolution


class BiomarkerUpdater(QObject):
    """Keeps ``panel`` and the review items' numbers at the reviewer's threshold."""

    updated = pyqtSignal(dict)  # final numbers for the image on screen
    calibre_changed = pyqtSignal(object)  # CalibreResult of the image on screen, or None

    def __init__(self, panel: BiomarkerPanel, queue: ReviewQueue, display: DisplayPresenter,
                 session: SessionState, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panel, self.queue, self.display, self.session, self.tasks = panel, queue, display, session, tasks
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(BIOMARKER_DELAY_MS)
        self._timer.timeout.connect(self._on_threshold_rested)
        self._running = False
        self._again = False
        self._waiters: list[Callable[[], None]] = []

    @property
    def pending(self) -> bool:
        """True while the image on screen has numbers for another threshold than its own."""
        item = self.queue.current_item()
        return (self.display.current is not None and item is not None and item.threshold is not None
                and item.biomarker_threshold != item.threshold)

    def threshold_moved(self) -> None:
        """The threshold on screen changed: the exact density now, the other measures after a rest."""
        prepared, item = self.display.current, self.queue.current_item()
        if prepared is None or item is None:
            return
        t = self.session.threshold
        if item.biomarker_threshold == t and item.biomarkers:
            self.panel.set_values(item.biomarkers, t, pending=False)
            self._show_calibre(item.calibre, pending=False)
            self.updated.emit(dict(item.biomarkers))
            return
        values = dict(item.biomarkers) or {"vessel_density": 0.0}
        values["vessel_density"] = prepared.level_index.density(self.session.threshold_index)  # exact, instant
        self.panel.set_values(values, t, pending=True)
        self._show_calibre(item.calibre, pending=True)
        self._timer.start()

    def clear(self) -> None:
        """No image on screen: no numbers."""
        self.panel.set_values(None)
        self._show_calibre(None, pending=False)

    def _show_calibre(self, calibre: CalibreResult | None, pending: bool) -> None:
        self.panel.calibre.set_result(calibre, pending)
        self.calibre_changed.emit(None if pending else calibre)

    def when_final(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (on the UI thread) once the numbers on screen are final: at once if they
        are, else as soon as they have been computed, without waiting for the slider's rest."""
        if not self.pending:
            callback()
            return
        self._waiters.append(callback)
        self._timer.stop()
        self._compute()

    def stop(self) -> None:
        """The window closes: no more computations, nobody waits."""
        self._timer.stop()
        self._waiters.clear()

    def _on_threshold_rested(self) -> None:
        self._compute()

    def _compute(self) -> None:
        prepared, path = self.display.current, self.queue.current_path
        if prepared is None or path is None:
            self._resolve(failed=True)
            return
        if self._running:
            self._again = True
            return
        t = self.session.threshold
        seg, fov = prepared.segmentation, prepared.image.fov

        def measure() -> tuple[dict[str, Any], CalibreResult]:
            return measure_vessels(seg.mask(t), fov).as_dict(), calibre_at(prepared.image, seg, t)

        def done(result: tuple[dict[str, Any], CalibreResult]) -> None:
            values, calibre = result
            self._running = False
            self.queue.set_biomarkers(path, values, t, calibre)
            if self.display.current is prepared and self.session.threshold == t:
                self.panel.set_values(values, t, pending=False)
                self._show_calibre(calibre, pending=False)
                self.updated.emit(dict(values))
            self._next()

        def failed(exc: BaseException) -> None:
            self._running = False
            log.error("biomarkers failed: %s", type(exc).__name__)
            self._next(failed=True)

        self._running = True
        self.tasks.submit(measure, on_done=done, on_error=failed)

    def _next(self, failed: bool = False) -> None:
        """After a computation: satisfy (or measure again for) whoever waits, else the slider's rest."""
        again, self._again = self._again, False
        if self._waiters:
            self._resolve(failed)
        elif again:
            self._timer.start()

    def _resolve(self, failed: bool = False) -> None:
        if not self._waiters:
            return
        if self.pending and not failed:  # the threshold moved while we measured: once more
            self._timer.stop()
            self._compute()
            return
        waiters, self._waiters = self._waiters, []
        for callback in waiters:
            callback()
