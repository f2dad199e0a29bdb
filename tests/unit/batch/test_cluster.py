"""``fundus-app batch`` on a real Dask cluster: a scheduler and two worker processes on 127.0.0.1.

The processes are started and stopped here. One worker is killed while the batch runs; the
batch still finishes every image once, and its masks are byte for byte those of ``segment``.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runner import cli_env, run_cli

distributed = pytest.importorskip("distributed", reason="the cluster extra is not installed")

from fundus_app.batch.cluster import ModelOptions, load_model_on_workers, run_batch  # noqa: E402
from fundus_app.batch.inputs import iter_items  # noqa: E402
from fundus_app.batch.task import TaskOptions  # noqa: E402

pytestmark = pytest.mark.slow
DASK = [sys.executable, "-m", "distributed.cli.dask_worker"]


def _start(args: list[str], log: Path) -> subprocess.Popen:
    env = {**cli_env(), "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(log, "wb"), env=env,
                            start_new_session=True)  # its own group: a kill reaches it, not the test


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture()
def cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """A scheduler and two single-thread workers (no nanny: a killed worker stays dead)."""
    info = tmp_path / "scheduler.json"
    procs = [_start([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                     "--no-dashboard", "--scheduler-file", str(info)], tmp_path / "scheduler.log")]
    try:
        deadline = time.monotonic() + 60
        while not info.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        for name in ("a", "b"):
            procs.append(_start([*DASK, address, "--nthreads", "1", "--no-nanny", "--name", name, "--no-dashboard",
                                 "--host", "127.0.0.1"], tmp_path / f"worker-{name}.log"))
        with distributed.Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address, procs
    finally:
        for proc in reversed(procs):
            _stop(proc)


def _images(data: Path, tmp_path: Path, count: int) -> Path:
    """``count`` DRIVE test photographs in a folder of their own (names unique)."""
    folder = tmp_path / "images"
    folder.mkdir()
    for src in sorted((data / "DRIVE" / "test" / "images").glob("*.tif"))[:count]:
        shutil.copy(src, folder / src.name)
    return folder


def test_a_killed_worker_loses_no_image_and_masks_equal_segments(cluster, data: Path, tmp_path: Path) -> None:
    address, procs = cluster
    folder = _images(data, tmp_path, 12)
    out = tmp_path / "out"
    out.mkdir()
    rows: list[dict] = []
    killed: list[str] = []
    with distributed.Client(address, timeout=30) as client:
        load_model_on_workers(client, ModelOptions(threads=1))

        def on_row(row: dict) -> None:
            rows.append(row)
            if len(rows) == 3 and not killed:  # mid-batch: the worker named "a" dies without warning
                os.killpg(procs[1].pid, signal.SIGKILL)
                killed.append("a")

        summary = run_batch(client, iter_items([folder]), out, TaskOptions(), on_row=on_row)
    assert killed and procs[1].wait(timeout=10) is not None
    assert summary.failed == 0 and not summary.interrupted
    assert sorted(r["index"] for r in rows) == list(range(12)), "an image was lost or reported twice"
    assert all(r["status"] == "ok" for r in rows)
    stems = sorted(p.stem for p in folder.iterdir())
    for kind in ("_mask.png", "_prob.png", "_overlay.png", ".json"):
        assert sorted(p.name[: -len(kind)] for p in out.glob(f"*{kind}") if not p.name.startswith(".")) == stems

    reference = tmp_path / "segment"  # the same images through `fundus-app segment`
    result = run_cli("segment", str(folder), "--out", str(reference))
    assert result.returncode == 0, result.stderr
    for stem in stems:
        for kind in ("_mask.png", "_prob.png"):
            assert (out / f"{stem}{kind}").read_bytes() == (reference / f"{stem}{kind}").read_bytes(), stem


def test_the_cli_on_a_cluster_keeps_going_past_a_bad_file(cluster, data: Path, tmp_path: Path) -> None:
    address, _ = cluster
    folder = _images(data, tmp_path, 2)
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not an image")
    table = tmp_path / "t.csv"
    result = run_cli("batch", str(folder), "--out", str(tmp_path / "out"), "--scheduler", address, "--table",
                     str(table), "--quiet")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "broken.png" in errors[0] and "Traceback" not in result.stderr
    import csv

    rows = list(csv.DictReader(table.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["status"] for r in sorted(rows, key=lambda r: int(r["index"]))] == [
        "ok",
        "ok",
        "failed",
    ]  # 01_, 02_, broken
