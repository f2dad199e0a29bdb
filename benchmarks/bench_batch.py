"""Throughput and memory of `fundus-app batch` (Dask) against plain `segment`, side by side.

    python benchmarks/bench_batch.py [--repeat 10] [--hrf 4] [--manifest-lines 10000] [--skip-memory]

1. Images/s on the 20 DRIVE test images repeated ``--repeat`` times (200 by default) and on
   HRF-size photographs (the two 3504x2336 samples, each ``--hrf`` times): plain segment in this
   process (the loop `fundus-app segment` runs) with 1 and 2 inference threads, and `batch` with
   1 and 2 local worker processes of one thread each. Model loading and cluster start are
   excluded (timed apart): the figures are the steady rates a long batch runs at.
2. Memory of the client and of each worker over a manifest of ``--manifest-lines`` small images
   (a DRIVE photograph shrunk to a quarter, copied under distinct names), sampled every 1,000 rows.
Prints the figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import cv2
import psutil

from fundus_app.batch.cluster import ModelOptions, connect, load_model_on_workers, run_batch
from fundus_app.batch.inputs import iter_items
from fundus_app.batch.task import TaskOptions, process_item
from fundus_app.datasets import data_root
from fundus_app.model.inference import Segmenter
from fundus_app.resources import resources_dir


def manifest(paths: list[Path], repeat: int, folder: Path) -> Path:
    """A manifest naming each file ``repeat`` times, through distinct links (distinct names, same pixels)."""
    folder.mkdir(parents=True)
    lines = ["path"]
    for r in range(repeat):
        for p in paths:
            link = folder / f"r{r:02d}_{p.name}"
            link.symlink_to(p.resolve())
            lines.append(str(link))
    target = folder / "manifest.csv"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def plain(manifest_path: Path, threads: int, out: Path) -> float:
    """Seconds for the loop `segment` runs (same per-image function), after the model has loaded."""
    seg = Segmenter.load(threads=threads)
    cv2.setNumThreads(threads)  # the same thread budget as a batch worker's (its plugin does the same)
    out.mkdir()
    items = list(iter_items([manifest_path]))
    t0 = time.perf_counter()
    for item in items:
        row = process_item(item, item.path.stem, out, TaskOptions(), seg)
        assert row["status"] == "ok", row["error"]
    seconds = time.perf_counter() - t0
    cv2.setNumThreads(os.cpu_count() or 1)
    return seconds


def batch(manifest_path: Path, workers: int, out: Path) -> tuple[float, float]:
    """(start-up seconds: cluster and model on every worker, batch seconds)."""
    out.mkdir()
    t0 = time.perf_counter()
    with connect(workers=workers, dashboard=False) as client:
        load_model_on_workers(client, ModelOptions(threads=1))
        t1 = time.perf_counter()
        summary = run_batch(client, iter_items([manifest_path]), out, TaskOptions(), on_row=lambda r: None)
        t2 = time.perf_counter()
    assert summary.failed == 0 and summary.done == summary.rows, summary
    return t1 - t0, t2 - t1


def throughput(name: str, paths: list[Path], repeat: int, work: Path) -> None:
    m = manifest(paths, repeat, work / f"{name}-in")
    n = len(paths) * repeat
    rates: dict[str, float] = {}
    for threads in (1, 2):
        rates[f"segment, {threads} thread(s)"] = n / plain(m, threads, work / f"{name}-plain{threads}")
    for workers in (1, 2):
        start, seconds = batch(m, workers, work / f"{name}-batch{workers}")
        rates[f"batch, {workers} worker(s) x 1 thread"] = n / seconds
        print(f"  [{name}] batch {workers} worker(s): start-up (cluster + model) {start:.1f} s")
    print(f"\n{name}: {n} images")
    for label, rate in rates.items():
        print(f"  {label:<32} {rate:7.2f} images/s")
    one, two = rates["batch, 1 worker(s) x 1 thread"], rates["batch, 2 worker(s) x 1 thread"]
    print(
        "  cluster overhead at one worker (vs segment, 1 thread): "
        f"{100 * (1 - one / rates['segment, 1 thread(s)']):+.1f} %"
    )
    print(
        f"  speed-up, 2 workers vs 1: x{two / one:.2f}; "
        f"vs segment with 2 threads: x{two / rates['segment, 2 thread(s)']:.2f}"
    )


def memory(lines: int, work: Path) -> None:
    source = data_root() / "DRIVE" / "test" / "images" / "01_test.tif"
    small = cv2.resize(cv2.imread(str(source)), None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    folder = work / "small"
    folder.mkdir()
    ok, buf = cv2.imencode(".jpg", small)
    rows = ["path"]
    for i in range(lines):
        p = folder / f"img{i:06d}.jpg"
        p.write_bytes(buf.tobytes())
        rows.append(p.name)
    m = folder / "manifest.csv"
    m.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = work / "small-out"
    out.mkdir()
    me = psutil.Process()
    samples: list[tuple[int, float, list[float]]] = []
    with connect(workers=2, dashboard=False) as client:
        load_model_on_workers(client, ModelOptions(threads=1))
        count = 0

        def on_row(row: dict) -> None:
            nonlocal count
            count += 1
            if count % 1000 == 0:
                worker_rss = client.run(lambda: psutil.Process().memory_info().rss)
                samples.append((count, me.memory_info().rss / 2**20, [v / 2**20 for v in worker_rss.values()]))

        t0 = time.perf_counter()
        summary = run_batch(client, iter_items([m]), out, TaskOptions(), on_row=on_row)
        seconds = time.perf_counter() - t0
    print(f"\nmemory over a {lines}-line manifest ({small.shape[1]}x{small.shape[0]} px images, 2 workers, "
          f"{lines / seconds:.1f} images/s, {summary.failed} failed):")
    print("  rows    client MB   worker MB")
    for n, client_mb, workers_mb in samples:
        print(f"  {n:>6}  {client_mb:9.0f}   {'  '.join(f'{w:.0f}' for w in workers_mb)}")
    first, last = samples[0], samples[-1]
    print(f"  growth from row {first[0]} to {last[0]}: client {last[1] - first[1]:+.0f} MB, workers "
          f"{', '.join(f'{b - a:+.0f}' for a, b in zip(first[2], last[2], strict=True))} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--hrf", type=int, default=4)
    parser.add_argument("--manifest-lines", type=int, default=10_000)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    print(f"CPU: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB")
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        drive = sorted((data_root() / "DRIVE" / "test" / "images").glob("*.tif"))
        throughput("DRIVE test", drive, args.repeat, work)
        samples = resources_dir() / "samples"
        throughput("HRF samples 3504x2336", [samples / "hrf_01_h.jpg", samples / "hrf_01_dr.jpg"], args.hrf, work)
        if not args.skip_memory:
            memory(args.manifest_lines, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
