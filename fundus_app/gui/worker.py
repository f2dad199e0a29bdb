"""Off-UI-thread work: the inference worker (QThread) and a small background task runner.

``InferenceWorker`` is the thin Qt adapter around the pure core calls
(``load_image`` and ``Segmenter.segment`` with ``on_progress`` / ``should_cancel``):
it runs a queue of jobs, forwards progress as signals, and prepares everything
the window needs to display a result (quantised levels, display buffers), so the
UI thread only wraps arrays. Each job has an id; the window drops results of
jobs it no longer wants. The model (and torch) is loaded lazily in this thread
and kept for the next images.

``TaskRunner`` runs short numpy jobs (biomarkers, the CLAHE view, PDF export)
on one background thread and calls back on the UI thread.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PyQt5.QtCore import QCoreApplication, QObject, QThread, pyqtSignal

from fundus_app.biomarkers import measure_vessels
from fundus_app.domain import FundusImage, Segmentation
from fundus_app.errors import Cancelled, FundusError
from fundus_app.gui import render
from fundus_app.progress import Progress

log = logging.getLogger(__name__)
_translate = QCoreApplication.translate


@dataclass
class Job:
    """One image to load and segment."""

    id: int
    path: Path
    crf: bool = False
    device: str = "auto"
    #: thresholds to put on the slider grid besides the model's default (the user's default)
    extra_thresholds: tuple[float, ...] = ()
    #: threshold for the first biomarkers and overlay (None: the model's default)
    threshold: float | None = None
    #: overlay style to draw the first overlay with (the window may restyle it later)
    colour: tuple[int, int, int] = render.DEFAULT_COLOUR
    opacity: float = 0.6
    edge_strength: float = 0.0


@dataclass
class Prepared:
    """A segmented image with everything the panes need, built off the UI thread."""

    job_id: int
    path: Path
    image: FundusImage
    segmentation: Segmentation
    grid: render.ThresholdGrid
    levels: np.ndarray
    level_index: render.LevelIndex
    edge_index: render.EdgeIndex
    base: np.ndarray  # display pixels of the image
    base_pyramid: list[np.ndarray]
    renderer: render.OverlayRenderer  # with the first overlay already drawn
    overlay_pyramid: list[np.ndarray]  # zoomed-out levels of that overlay
    overlay_version: int  # the renderer's version those levels belong to
    biomarkers: dict[str, float]
    biomarker_threshold: float
    seconds: dict[str, float] = field(default_factory=dict)  # load, inference, prepare


def prepare_result(job_id: int, path: Path, image: FundusImage, seg: Segmentation,
                   extra_thresholds: tuple[float, ...] = (), threshold: float | None = None,
                   colour: tuple[int, int, int] = render.DEFAULT_COLOUR, opacity: float = 0.6,
                   edge_strength: float = 0.0) -> Prepared:
    """Quantise the probability map, draw the first overlay and build the display buffers.

    Everything heavy happens here, off the UI thread: the window only wraps the arrays.
    """
    grid = render.ThresholdGrid.build([seg.default_threshold, *extra_thresholds])
    levels = grid.quantise(seg.probability, seg.fov)
    level_index = render.LevelIndex.build(levels, seg.fov, len(grid))
    edge_index = render.EdgeIndex.build(levels, len(grid))
    base = render.to_display(image.rgb)
    index = grid.index_of(seg.default_threshold if threshold is None else threshold)
    renderer = render.OverlayRenderer(image.rgb, levels, base=base, index=level_index, edges=edge_index,
                                      n_thresholds=len(grid))
    renderer.set_style(colour, opacity)
    out = renderer.render(index, edge_strength)
    t = grid.values[index]
    bio = measure_vessels(seg.mask(t), image.fov).as_dict()
    return Prepared(job_id=job_id, path=path, image=image, segmentation=seg, grid=grid, levels=levels,
                    level_index=level_index, edge_index=edge_index, base=base, base_pyramid=render.pyramid(base),
                    renderer=renderer, overlay_pyramid=render.pyramid(out), overlay_version=renderer.version,
                    biomarkers=bio, biomarker_threshold=t)


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

    def run(self) -> None:  # noqa: D102 - QThread entry point
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
                                    "sha256": seg.checkpoint.sha256})
        return self._segmenter

    def _run_job(self, job: Job) -> None:
        jid = job.id
        self.job_started.emit(jid)
        seconds: dict[str, float] = {}
        try:
            if self._should_cancel():
                raise Cancelled()
            t0 = time.perf_counter()
            self.job_progressed.emit(jid, 0.02, "load")
            from fundus_app.io import load_image

            image = load_image(job.path)
            seconds["load"] = time.perf_counter() - t0
            if self._should_cancel():
                raise Cancelled()
            self.job_progressed.emit(jid, 0.15, "model")
            segmenter = self._ensure_model(job.device)

            def progress(p: Progress) -> None:
                self.job_progressed.emit(jid, 0.15 + 0.75 * float(p.fraction), p.stage)

            t1 = time.perf_counter()
            seg = segmenter.segment(image, crf=job.crf, on_progress=progress, should_cancel=self._should_cancel)
            seconds["inference"] = time.perf_counter() - t1
            if self._should_cancel():
                raise Cancelled()
            self.job_progressed.emit(jid, 0.92, "display")
            t2 = time.perf_counter()
            result = prepare_result(jid, job.path, image, seg, job.extra_thresholds, job.threshold,
                                    job.colour, job.opacity, job.edge_strength)
            seconds["prepare"] = time.perf_counter() - t2
            result.seconds = seconds
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
            self.job_progressed.emit(jid, 1.0, "done")
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
