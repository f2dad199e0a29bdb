"""Off-UI-thread work: the inference worker (QThread) and a small background task runner.

``InferenceWorker`` is the thin Qt adapter around the Qt-free
:func:`fundus_app.gui.job.run_review_job` (load, segment, prepare the display, with
``on_progress`` / ``should_cancel``): it runs a queue of jobs, turns progress into
``job_progressed`` and exceptions into ``job_failed`` / ``job_cancelled``. Each job
has an id; the window drops results of jobs it no longer wants. The model (and
torch) is loaded lazily in this thread and kept for the next images.

``TaskRunner`` runs short numpy jobs (biomarkers, the CLAHE view, PDF export)
on one background thread and calls back on the UI thread.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PyQt5.QtCore import QCoreApplication, QObject, QThread, pyqtSignal

from fundus_app.errors import Cancelled, FundusError
from fundus_app.gui.job import Job, run_review_job
from fundus_app.progress import Progress

log = logging.getLogger(__name__)
_translate = QCoreApplication.translate


def _lower_this_thread_priority() -> None:
    """Let the UI thread win the CPU: the worker (and the torch threads it starts) runs niced."""
    if sys.platform.startswith("linux"):
        try:
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + 5))
        except (OSError, AttributeError):
            pass


class InferenceWorker(QThread):
    """Loads and segments images from a queue, one at a time, off the UI thread.

    Signals carry the job id first. Call :meth:`stop` then ``wait()`` before
    the application quits (never ``terminate()``).
    """

    job_started = pyqtSignal(int)
    job_progressed = pyqtSignal(int, float, str)  # id, fraction 0..1, stage
    job_previewed = pyqtSignal(int, object)  # id, job.Preview: the photograph, before its segmentation
    job_vessels = pyqtSignal(int, object)  # id, Prepared with the vessels only (anatomy_pending): shown first
    job_finished = pyqtSignal(int, object)  # id, Prepared
    job_failed = pyqtSignal(int, str)  # id, one-sentence message for the user
    job_cancelled = pyqtSignal(int)
    model_loaded = pyqtSignal(object)  # dict: name, device, threshold, sha256
    model_failed = pyqtSignal(str)

    def __init__(self, parent: QObject | None = None, *, device: str = "auto", warm_up: bool = True,
                 model_path: str | None = None) -> None:
        super().__init__(parent)
        self._cond = threading.Condition()
        self._queue: list[Job] = []
        self._stopping = False
        self._current: Job | None = None
        self._cancel_current = False
        self._warm_up = warm_up
        self._warm_device = device
        self._model_path = model_path
        self._segmenter: Any = None
        self._segmenter_device: str | None = None

    # -- called from the UI thread --------------------------------------------------------
    def submit(self, job: Job, *, front: bool = False) -> None:
        with self._cond:
            self._queue.insert(0, job) if front else self._queue.append(job)
            self._cond.notify()

    def cancel(self, job_id: int) -> bool:
        """Drop a queued job or ask the running one to stop. True if it was found."""
        with self._cond:
            for i, job in enumerate(self._queue):
                if job.id == job_id:
                    del self._queue[i]
                    return True
            if self._current is not None and self._current.id == job_id:
                self._cancel_current = True
                return True
        return False

    def cancel_all(self) -> list[int]:
        """Empty the queue and stop the running job; returns the ids of the queued jobs dropped."""
        with self._cond:
            dropped = [j.id for j in self._queue]
            self._queue.clear()
            if self._current is not None:
                self._cancel_current = True
        return dropped

    def running_job(self) -> int | None:
        with self._cond:
            return self._current.id if self._current is not None else None

    def queued(self) -> list[int]:
        with self._cond:
            return [j.id for j in self._queue]

    def prioritise(self, job_id: int) -> bool:
        """Move a queued job to the front; True if it was queued."""
        with self._cond:
            for i, job in enumerate(self._queue):
                if job.id == job_id:
                    self._queue.insert(0, self._queue.pop(i))
                    return True
        return False

    def stop(self) -> None:
        """Cancel everything and end the thread soon (then call ``wait()``)."""
        with self._cond:
            self._queue.clear()
            self._stopping = True
            if self._current is not None:
                self._cancel_current = True
            self._cond.notify_all()

    # -- the thread --------------------------------------------------------------------------
    def _should_cancel(self) -> bool:
        return self._cancel_current or self._stopping

    def run(self) -> None:
        _lower_this_thread_priority()
        if self._warm_up:
            try:
                self._ensure_model(self._warm_device)
            except FundusError as exc:
                self.model_failed.emit(str(exc))
            except Exception as exc:  # torch missing or broken: report, keep the window usable
                log.exception("model warm-up failed")
                self.model_failed.emit(_translate("InferenceWorker", "The model could not be loaded (%1).")
                                       .replace("%1", type(exc).__name__))
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                job = self._queue.pop(0)
                self._current, self._cancel_current = job, False
            try:
                self._run_job(job)
            finally:
                with self._cond:
                    self._current = None

    def _ensure_model(self, device: str) -> Any:
        if self._segmenter is None or self._segmenter_device != device:
            from fundus_app.model.inference import Segmenter  # torch is imported here, off the UI thread

            self._segmenter = None
            seg = Segmenter.load(self._model_path, device=device)
            self._segmenter, self._segmenter_device = seg, device
            self.model_loaded.emit({"name": seg.name, "device": seg.device_label, "threshold": float(seg.threshold),
                                    "sha256": seg.sha256})
        return self._segmenter

    def _run_job(self, job: Job) -> None:
        """Run ``job`` through the Qt-free pipeline; report its end as exactly one signal."""
        jid = job.id
        self.job_started.emit(jid)

        def progressed(p: Progress) -> None:
            self.job_progressed.emit(jid, float(p.fraction), p.stage)

        try:
            result = run_review_job(job, lambda: self._ensure_model(job.device), on_progress=progressed,
                                    should_cancel=self._should_cancel,
                                    on_preview=lambda preview: self.job_previewed.emit(jid, preview),
                                    on_vessels=lambda prepared: self.job_vessels.emit(jid, prepared))
        except Cancelled:
            self.job_cancelled.emit(jid)
        except FundusError as exc:
            log.info("job %d failed: %s", jid, type(exc).__name__)  # the message names the file: not logged
            self.job_failed.emit(jid, str(exc))
        except MemoryError:
            self.job_failed.emit(jid, _translate("InferenceWorker", "There is not enough memory to process '%1'.")
                                 .replace("%1", job.path.name))
        except Exception as exc:  # a bug must not kill the thread or freeze the window
            log.exception("job %d: unexpected %s", jid, type(exc).__name__)
            self.job_failed.emit(jid, _translate("InferenceWorker", "'%1' could not be processed because of an "
                                                 "unexpected internal error (%2); please report it.")
                                 .replace("%1", job.path.name).replace("%2", type(exc).__name__))
        else:
            self.job_finished.emit(jid, result)


class _Relay(QObject):
    done = pyqtSignal(object)


class TaskRunner(QObject):
    """Runs callables on one background thread; ``on_done`` / ``on_error`` run on the UI thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fundus-task")
        self._relay = _Relay(self)
        self._relay.done.connect(self._deliver)
        self._closed = False
        self._pending = 0

    @property
    def busy(self) -> bool:
        return self._pending > 0

    @property
    def closed(self) -> bool:
        return self._closed

    def submit(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None) -> Future | None:
        if self._closed:
            return None
        self._pending += 1
        future = self._pool.submit(fn, *args)
        relay = self._relay
        future.add_done_callback(lambda f: relay.done.emit((f, on_done, on_error)))
        return future

    def _deliver(self, payload: tuple[Future, Callable | None, Callable | None]) -> None:
        future, on_done, on_error = payload
        self._pending -= 1
        if self._closed or future.cancelled():
            return
        exc = future.exception()
        if exc is not None:
            if on_error is not None:
                on_error(exc)
            else:
                log.error("background task failed: %s", type(exc).__name__)
        elif on_done is not None:
            on_done(future.result())

    def shutdown(self) -> None:
        """Drop queued tasks and wait for the running one (short numpy work)."""
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
