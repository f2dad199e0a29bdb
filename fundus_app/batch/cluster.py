"""Run a batch on a Dask cluster: Dask schedules, the per-image work is ``task.process_item``.

* Each worker loads the model once, through a worker plugin, with one inference thread unless
  told otherwise (so N workers on N cores do not oversubscribe).
* The client streams: it reads the inputs lazily, keeps a bounded number of tasks in flight
  (``as_completed``), writes each row to the table as it arrives and forgets it.
* A worker that dies has its tasks re-run by the scheduler on the others; a task finding its
  image's JSON already written returns the row from it, so no image is computed twice. An image
  that kills every worker it meets (Dask's ``KilledWorker``) becomes a failed row.
"""
from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fundus_app.batch.inputs import BatchItem
from fundus_app.batch.task import (
    TaskOptions,
    done_record,
    failed_row,
    free_stem,
    process_item,
    row_from_record,
    source_id,
)
from fundus_app.errors import FundusError

log = logging.getLogger(__name__)

PLUGIN_NAME = "fundus-segmenter"
INSTALL_HINT = 'Batches on a cluster need Dask: pip install "fundus-app[cluster]".'


try:
    import dask
    import distributed
except ImportError:  # the optional extra is missing: `fundus-app batch` says what to install, in one line
    raise FundusError(INSTALL_HINT) from None


@dataclass(frozen=True)
class ModelOptions:
    """How each worker loads its model."""

    model: str | None = None  # a checkpoint path; None: the bundled model
    device: str = "auto"
    backend: str | None = None
    threads: int = 1  # inference threads per worker process


class SegmenterPlugin(distributed.WorkerPlugin):
    """Worker plugin: loads the model once per worker, when the worker starts or joins."""

    name = PLUGIN_NAME
    idempotent = True

    def __init__(self, options: ModelOptions) -> None:
        super().__init__()
        self.options = options
        self.segmenter: Any = None

    def setup(self, worker: Any = None) -> None:
        import cv2

        from fundus_app.model.inference import Segmenter

        cv2.setNumThreads(self.options.threads)
        self.segmenter = Segmenter.load(self.options.model, device=self.options.device,
                                        backend=self.options.backend, threads=self.options.threads)

    def teardown(self, worker: Any = None) -> None:
        self.segmenter = None


def run_task(item: BatchItem, stem: str, out_dir: str, options: TaskOptions) -> dict[str, Any]:
    """The task each worker runs: ``process_item`` with the worker's model."""
    plugin = distributed.get_worker().plugins[PLUGIN_NAME]
    assert isinstance(plugin, SegmenterPlugin)
    return process_item(item, stem, Path(out_dir), options, plugin.segmenter)


@dataclass
class BatchSummary:
    """What a batch did: images finished now, found finished from before, failed; interrupted by Ctrl-C."""

    done: int = 0
    skipped: int = 0
    failed: int = 0
    interrupted: bool = False

    @property
    def rows(self) -> int:
        return self.done + self.skipped + self.failed


@contextlib.contextmanager
def connect(scheduler: str | None = None, *, workers: int | None = None, timeout: float = 10.0,
            dashboard: bool = True) -> Iterator[Any]:
    """A Dask client: to the scheduler at ``scheduler`` (starts nothing), or to a local cluster of
    ``workers`` worker processes with one thread each (the default: one per core)."""
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise FundusError(f"Cannot reach the Dask scheduler at {scheduler}: {reason}") from None
        try:
            yield client
        finally:
            client.close()
        return
    n = workers or os.cpu_count() or 1
    address = ":0" if dashboard else None  # a free port: never a clash with another dashboard
    # Dask sets MALLOC_TRIM_THRESHOLD_ in the workers it spawns; glibc then keeps its mmap threshold
    # fixed and maps every large numpy buffer afresh: 290 vs 242 ms per DRIVE image, measured.
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}), \
            distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=address,
                                  silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        yield client


def _has_dashboard() -> bool:
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return False
    return True


def dashboard_link(client: Any, *, local: bool) -> str | None:
    """The scheduler's dashboard address, when it serves one (a local one needs bokeh installed:
    without it Dask still opens the port, but every page is 'not found')."""
    services = (client.scheduler_info() or {}).get("services", {})
    if "dashboard" not in services or (local and not _has_dashboard()):
        return None
    return str(client.dashboard_link)


def load_model_on_workers(client: Any, model: ModelOptions) -> None:
    """Register the plugin: every worker (and any that joins later) loads the model once."""
    try:
        client.register_plugin(SegmenterPlugin(model), name=PLUGIN_NAME)
    except FundusError:
        raise
    except Exception as exc:  # a worker that cannot load the model (missing package, bad checkpoint)
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise FundusError(f"The workers could not load the model: {reason}") from None


class _InFlightBound:
    """Tasks kept in flight: four per worker thread (none idle), at least ``floor``.

    Workers come and go (a SLURM job starts late, one dies): the count is asked of the scheduler
    again every ``REFRESH_S`` seconds, not per task (each ask is a round trip).
    """

    REFRESH_S = 2.0

    def __init__(self, client: Any, floor: int) -> None:
        self._client, self._floor = client, floor
        self._value, self._asked = floor, -self.REFRESH_S

    def __call__(self) -> int:
        now = time.monotonic()
        if now - self._asked >= self.REFRESH_S:
            self._asked = now
            threads = sum(self._client.nthreads().values())
            self._value = max(self._floor, 4 * threads)
        return self._value


def run_batch(client: Any, items: Iterable[BatchItem], out_dir: Path, options: TaskOptions, *,
              on_row: Callable[[dict[str, Any]], None], min_in_flight: int = 8) -> BatchSummary:
    """Process ``items`` on ``client``'s cluster; ``on_row`` gets each table row as it is ready.

    Images whose JSON this file wrote before are not submitted: their rows are rebuilt from it.
    Ctrl-C cancels what is in flight and returns with ``interrupted`` set (finished files stay).
    """
    summary = BatchSummary()
    pending: dict[Any, tuple[BatchItem, str]] = {}
    stems_in_flight: dict[str, str] = {}  # stem -> source id of the file it is being written for
    completed = distributed.as_completed(loop=client.loop)
    source = iter(items)
    run_id = uuid.uuid4().hex[:8]

    def emit(row: dict[str, Any]) -> None:
        if row["status"] == "failed":
            summary.failed += 1
        elif row.get("seconds_image") is None:
            summary.skipped += 1
        else:
            summary.done += 1
        on_row(row)

    def submit_next() -> bool:
        item = next(source, None)
        if item is None:
            return False
        key = source_id(item.path)
        stem, record = free_stem(out_dir, item.path.stem, key, stems_in_flight)
        if record is not None:
            emit(row_from_record(item, stem, record, None))
            return True
        future = client.submit(run_task, item, stem, str(out_dir), options, key=f"fundus-{run_id}-{item.index}",
                               pure=False)
        pending[future] = (item, stem)
        stems_in_flight[stem] = key
        completed.add(future)
        return True

    bound = _InFlightBound(client, min_in_flight)

    def fill() -> None:
        limit = bound()
        while len(pending) < limit and submit_next():
            pass

    try:
        fill()
        for future in completed:
            item, stem = pending.pop(future)
            stems_in_flight.pop(stem, None)
            emit(_row_of(future, item, stem, out_dir))
            future.release()
            fill()
    except KeyboardInterrupt:
        summary.interrupted = True
        client.cancel(list(pending))
    return summary


def _row_of(future: Any, item: BatchItem, stem: str, out_dir: Path) -> dict[str, Any]:
    """A finished task's row; a task that raised (a bug, a worker killed again and again) becomes a failed row."""
    try:
        return future.result()
    except distributed.KilledWorker:
        # the files of an image are written atomically: a worker killed while writing left none
        record = done_record(out_dir, stem, source_id(item.path))
        if record is not None:
            return row_from_record(item, stem, record, None)
        return failed_row(item, stem, f"'{item.path.name}' could not be processed: the worker processing it died "
                                      "each time it was tried (out of memory?).")
    except Exception as exc:
        log.error("image %d: unexpected %s", item.index, type(exc).__name__)  # no path: it may name a patient
        return failed_row(item, stem, f"'{item.path.name}' could not be processed because of an unexpected "
                                      f"internal error ({type(exc).__name__}); please report it.")
