"""The review queue: the session's images, their jobs on the inference worker, and recent results.

:class:`ReviewQueue` owns what the window knows about each image (a :class:`ReviewItem`),
which worker job belongs to which image, and a :class:`ResultCache` that never evicts the
image on screen. It submits jobs, lets the image under review go first (re-queueing the
one it interrupted), cancels, and turns the worker's job signals (by id) into events about
paths; results of jobs it no longer wants are dropped here. The review list, the status bar
and the window observe it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PyQt5.QtCore import QCoreApplication, QObject, pyqtSignal

from fundus_app.gui.av_render import CalibreResult
from fundus_app.gui.batch import ResultCache, ReviewItem, expand_paths
from fundus_app.gui.i18n import fmt
from fundus_app.gui.job import Job, Prepared, Preview
from fundus_app.gui.privacy import REDACT
from fundus_app.gui.session import SessionState
from fundus_app.gui.settings import Preferences
from fundus_app.gui.worker import InferenceWorker

_translate = QCoreApplication.translate

#: Results kept in memory for instant switching (each is ~150 MB for a 3504x2336 image).
CACHE_SIZE = 3


def density_detail(values: dict[str, Any]) -> str:
    """The short figure the review list shows beside a finished image."""
    return f"{100 * values.get('vessel_density', 0):.1f}%"


class ReviewQueue(QObject):
    """The images of the session and their processing on ``worker``."""

    item_added = pyqtSignal(str)  # path
    status_changed = pyqtSignal(str, str, str, str)  # path, status, message, detail
    cleared = pyqtSignal()
    message_posted = pyqtSignal(str)  # a line for the status bar
    job_started = pyqtSignal(str)  # path
    job_progressed = pyqtSignal(str, float, str)  # path, fraction 0..1, stage
    preview_arrived = pyqtSignal(str, object)  # path, job.Preview (the photograph while it is segmented)
    all_jobs_ended = pyqtSignal()  # every job the queue asked for has reported back
    result_arrived = pyqtSignal(str, object)  # path, Prepared
    job_failed = pyqtSignal(str, str)  # path, one-sentence message
    job_cancelled = pyqtSignal(str)  # path (not emitted when it only made way and is queued again)
    model_changed = pyqtSignal()  # model_info or model_error changed

    def __init__(self, worker: InferenceWorker, session: SessionState, prefs: Preferences,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker, self.session, self.prefs = worker, session, prefs
        self.items: dict[str, ReviewItem] = {}
        self.cache: ResultCache[Prepared] = ResultCache(CACHE_SIZE)
        self.model_info: dict[str, Any] | None = None
        self.model_error = ""
        self._jobs: dict[int, str] = {}  # job id -> path, for the jobs still wanted
        self._next_job = 1
        self._current: str | None = None
        worker.job_started.connect(self._on_job_started)
        worker.job_progressed.connect(self._on_job_progressed)
        worker.job_previewed.connect(self._on_job_previewed)
        worker.job_vessels.connect(self._on_job_vessels)
        worker.job_finished.connect(self._on_job_finished)
        worker.job_failed.connect(self._on_job_failed)
        worker.job_cancelled.connect(self._on_job_cancelled)
        worker.model_loaded.connect(self._on_model_loaded)
        worker.model_failed.connect(self._on_model_failed)
        session.crf_changed.connect(self._on_crf_changed)

    # -- what the window asks ------------------------------------------------------------------
    @property
    def current_path(self) -> str | None:
        """The image under review (shown, or being processed first)."""
        return self._current

    def current_item(self) -> ReviewItem | None:
        """The item of the image under review, if any."""
        return self.items.get(self._current or "")

    def user_default(self) -> float | None:
        """The reviewer's default threshold, if it was chosen for the loaded model."""
        sha = (self.model_info or {}).get("sha256", "")
        return self.prefs.default_threshold(sha) if sha else None

    def add(self, paths: list[str]) -> list[str]:
        """Queue files and the images inside folders (new, failed or cancelled ones); returns the files."""
        files = expand_paths(paths)
        for f in [*paths, *files]:
            REDACT.add_path(f)
        for f in files:
            item = self.items.get(f)
            if item is None:
                self.items[f] = ReviewItem(f)
                self.item_added.emit(f)
                self._enqueue(f)
            elif item.status in ("failed", "cancelled"):
                self._enqueue(f)
        return files

    def select(self, path: str) -> Prepared | None:
        """Make ``path`` the image under review: its result if ready, else None (it is processed first)."""
        item = self.items.get(path)
        if item is None:
            return None
        self._current = self.cache.pinned = path
        prepared = self.cache.get(path)
        if prepared is not None and item.status == "done":
            return prepared
        if item.status == "failed":
            self.message_posted.emit(item.message)
        elif item.status in ("done", "cancelled") or item.job_id is None:
            self._bring_forward(path, fresh=True)
        else:
            self._bring_forward(path)
        return None

    def start_threshold(self, path: str, model_default: float) -> float:
        """The threshold an image opens at: the reviewer's for it, else their default, else the model's."""
        item = self.items[path]
        if item.threshold is None:
            item.threshold = self.user_default() or model_default
        return item.threshold

    def set_threshold(self, threshold: float) -> None:
        """The image under review keeps the threshold the reviewer set."""
        item = self.current_item()
        if item is not None:
            item.threshold = threshold

    def set_biomarkers(self, path: str, values: dict[str, Any], threshold: float,
                       calibre: CalibreResult | None = None) -> bool:
        """Numbers measured at ``threshold``; kept only if that is still the image's threshold."""
        item = self.items.get(path)
        if item is None or item.threshold != threshold:
            return False
        item.biomarkers, item.biomarker_threshold, item.calibre = dict(values), threshold, calibre
        self.status_changed.emit(path, "done", "", density_detail(values))
        return True

    def cancel_all(self) -> None:
        """Stop the running job and drop the waiting ones."""
        for jid in self.worker.cancel_all():
            item = self._item_for(jid)
            self._jobs.pop(jid, None)
            if item is not None:
                item.job_id, item.status = None, "cancelled"
                self.status_changed.emit(item.path, "cancelled", "", "")
                self.job_cancelled.emit(item.path)
        running = self.worker.running_job()
        item = self._item_for(running) if running is not None else None
        if item is not None:
            item.requeue = False
        self.message_posted.emit(_translate("MainWindow", "Cancelled"))

    def clear(self) -> None:
        """Forget every image (their running and waiting jobs are cancelled)."""
        self.cancel_all()
        self.items.clear()
        self._jobs.clear()
        self.cache.clear()
        self._current = self.cache.pinned = None
        self.cleared.emit()

    # -- jobs -------------------------------------------------------------------------------------
    def _enqueue(self, path: str, *, front: bool = False) -> None:
        item = self.items[path]
        if item.job_id is not None:
            self.worker.cancel(item.job_id)
            self._jobs.pop(item.job_id, None)
        jid = self._next_job
        self._next_job += 1
        item.job_id, item.status, item.message, item.requeue = jid, "queued", "", False
        item.crf = self.session.crf
        self._jobs[jid] = path
        default = self.user_default()
        s = self.session
        self.worker.submit(Job(jid, Path(path), crf=s.crf, device=self.prefs.device,
                               extra_thresholds=(default,) if default is not None else (),
                               threshold=item.threshold, colour=s.colour, opacity=s.opacity,
                               edge_strength=s.edge_strength if s.overlay_visible else 0.0), front=front)
        self.status_changed.emit(path, "queued", "", "")

    def _bring_forward(self, path: str, fresh: bool = False) -> None:
        item = self.items[path]
        running = self.worker.running_job()
        if fresh or item.job_id is None:
            self._enqueue(path, front=True)
        elif item.job_id != running:
            self.worker.prioritise(item.job_id)
        if running is not None and running != item.job_id:
            other = self._jobs.get(running)
            if other is not None and other != path and self.worker.cancel(running):
                self.items[other].requeue = True  # goes back in the queue when the cancel lands

    def _item_for(self, job_id: int) -> ReviewItem | None:
        path = self._jobs.get(job_id)
        item = self.items.get(path) if path is not None else None
        return item if item is not None and item.job_id == job_id else None

    def _job_ended(self) -> None:
        if not self._jobs:
            self.all_jobs_ended.emit()

    def _on_job_started(self, job_id: int) -> None:
        item = self._item_for(job_id)
        if item is not None:
            item.status = "processing"
            self.status_changed.emit(item.path, "processing", "", "")
            self.job_started.emit(item.path)

    def _on_job_progressed(self, job_id: int, fraction: float, stage: str) -> None:
        item = self._item_for(job_id)
        if item is not None:
            self.job_progressed.emit(item.path, fraction, stage)

    def _on_job_previewed(self, job_id: int, preview: Preview) -> None:
        item = self._item_for(job_id)
        if item is not None:
            self.preview_arrived.emit(item.path, preview)

    @staticmethod
    def _keep_numbers(item: ReviewItem, prepared: Prepared) -> None:
        """The biomarkers and calibre a result arrived with (None while its arteries and veins are coming)."""
        item.biomarkers = dict(prepared.biomarkers)
        item.biomarker_threshold = prepared.biomarker_threshold
        item.calibre = prepared.calibre

    def _on_job_vessels(self, job_id: int, prepared: Prepared) -> None:
        """The vessels of a running job: shown at once; its arteries, veins and disc follow (job_finished)."""
        item = self._item_for(job_id)
        if item is not None:
            self._keep_numbers(item, prepared)
            self.cache.put(item.path, prepared)
            self.result_arrived.emit(item.path, prepared)

    def _on_job_finished(self, job_id: int, prepared: Prepared) -> None:
        item = self._item_for(job_id)
        self._jobs.pop(job_id, None)
        if item is not None:  # else stale: the image was removed or re-queued meanwhile
            seg = prepared.segmentation
            item.status, item.job_id = "done", None
            self._keep_numbers(item, prepared)
            item.crf, item.model_name, item.model_sha256 = seg.crf, seg.model_name, seg.model_sha256
            item.device = seg.device
            item.seconds = prepared.seconds.get("inference", seg.timings.get("total", 0.0))
            self.status_changed.emit(item.path, "done", "", density_detail(item.biomarkers))
            self.cache.put(item.path, prepared)
            self.message_posted.emit(fmt(_translate("MainWindow", "%1: done in %2 s"), Path(item.path).name,
                                  f"{item.seconds:.2f}"))
            self.result_arrived.emit(item.path, prepared)
        self._job_ended()

    def _on_job_failed(self, job_id: int, message: str) -> None:
        item = self._item_for(job_id)
        self._jobs.pop(job_id, None)
        if item is not None:
            item.status, item.message, item.job_id = "failed", message, None
            self.cache.pop(item.path)
            self.status_changed.emit(item.path, "failed", message, "")
            self.message_posted.emit(message)
            self.job_failed.emit(item.path, message)
        self._job_ended()

    def _on_job_cancelled(self, job_id: int) -> None:
        item = self._item_for(job_id)
        self._jobs.pop(job_id, None)
        if item is not None:
            item.job_id = None
            if item.requeue:  # it only made way for the image under review: queue it again, right behind
                self._enqueue(item.path, front=True)
                current = self.current_item()
                if current is not None and current.job_id is not None:
                    self.worker.prioritise(current.job_id)
            else:
                item.status = "cancelled"
                self.status_changed.emit(item.path, "cancelled", "", "")
                self.job_cancelled.emit(item.path)
        self._job_ended()

    def _on_model_loaded(self, info: dict) -> None:
        self.model_info, self.model_error = dict(info), ""
        self.model_changed.emit()

    def _on_model_failed(self, message: str) -> None:
        self.model_error = message
        self.model_changed.emit()
        self.message_posted.emit(message)

    def _on_crf_changed(self, crf: bool) -> None:
        """Re-run the image under review with (or without) the dense CRF; later images follow the box."""
        item = self.current_item()
        if item is not None and item.status != "failed" and item.crf != crf:
            self._enqueue(item.path, front=True)
            self._bring_forward(item.path)
