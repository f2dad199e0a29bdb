"""``InferenceWorker`` only adapts the Qt-free job to signals: progress, results, failures, cancellation."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from fundus_app.errors import Cancelled
from fundus_app.gui import worker as worker_module
from fundus_app.gui.job import Job
from fundus_app.gui.worker import InferenceWorker
from fundus_app.progress import Progress


@pytest.fixture()
def worker(qtbot):
    w = InferenceWorker(warm_up=False)  # no model: these jobs never ask for one
    w.start()
    yield w
    w.stop()
    w.wait()
    assert not w.isRunning()


def test_a_bad_file_is_one_failed_signal_with_the_loaders_sentence(qtbot, worker,
                                                                  tmp_path: Path) -> None:
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not an image")
    started = []
    worker.job_started.connect(started.append)
    with qtbot.waitSignal(worker.job_failed, timeout=30_000) as failed:
        worker.submit(Job(3, bad))
    job_id, message = failed.args
    assert job_id == 3 and started == [3]
    assert "broken.png" in message and "\n" not in message


UNEXPECTED = ("'eye.png' could not be processed because of an unexpected internal error (RuntimeError); "
              "please report it.")


@pytest.mark.parametrize(("raised", "expected"), [
    (MemoryError(), "There is not enough memory to process 'eye.png'."),
    (RuntimeError("boom"), UNEXPECTED),
])
def test_unexpected_errors_become_one_sentence(qtbot, worker, monkeypatch, raised, expected) -> None:
    def explode(*_args, **_kwargs):
        raise raised

    monkeypatch.setattr(worker_module, "run_review_job", explode)
    with qtbot.waitSignal(worker.job_failed, timeout=10_000) as failed:
        worker.submit(Job(4, Path("/data/eye.png")))
    assert failed.args == [4, expected]
    with qtbot.waitSignal(worker.job_failed, timeout=10_000):  # the thread survived it
        worker.submit(Job(5, Path("/data/eye.png")))


def test_progress_preview_and_result_are_forwarded(qtbot, worker, monkeypatch) -> None:
    result, preview, vessels = object(), object(), object()

    def job(job, provider, on_progress, should_cancel, on_preview, on_vessels=None):
        assert not should_cancel()
        on_preview(preview)  # the photograph, before the network runs
        on_vessels(vessels)  # the vessels, before the arteries, veins and disc
        on_progress(Progress(0.5, "network"))
        on_progress(Progress(1.0, "done"))
        return result

    monkeypatch.setattr(worker_module, "run_review_job", job)
    progress, previews = [], []
    worker.job_progressed.connect(lambda *args: progress.append(args))
    worker.job_previewed.connect(lambda *args: previews.append(args))
    firsts: list = []
    worker.job_vessels.connect(lambda *args: firsts.append(args))
    with qtbot.waitSignal(worker.job_finished, timeout=10_000) as finished:
        worker.submit(Job(6, Path("eye.png")))
    assert finished.args == [6, result]
    qtbot.waitUntil(lambda: len(firsts) == 1, timeout=5_000)
    assert firsts == [(6, vessels)]
    qtbot.waitUntil(lambda: len(progress) == 2, timeout=5_000)
    assert progress == [(6, 0.5, "network"), (6, 1.0, "done")]
    assert previews == [(6, preview)]


def test_cancelling_the_running_job_gives_a_cancelled_signal(qtbot, worker, monkeypatch) -> None:
    def job(job, provider, on_progress, should_cancel, on_preview, on_vessels=None):
        asked.wait(10)  # runs (in the worker thread) until the window asks it to stop
        if should_cancel():
            raise Cancelled()

    asked = threading.Event()

    monkeypatch.setattr(worker_module, "run_review_job", job)
    with qtbot.waitSignal(worker.job_started, timeout=10_000):
        worker.submit(Job(8, Path("eye.png")))
    qtbot.waitUntil(lambda: worker.running_job() == 8, timeout=10_000)
    with qtbot.waitSignal(worker.job_cancelled, timeout=10_000) as cancelled:
        assert worker.cancel(8)
        asked.set()
    assert cancelled.args == [8]
