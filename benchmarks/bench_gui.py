"""GUI timings that the test suite no longer asserts: prints medians (min-max), never fails on speed.

    python benchmarks/bench_gui.py [--image resources/samples/hrf_01_h.jpg] [--repeats 3] [--skip-window]

1. Slider redraw of the overlay renderer alone on a synthetic 3504x2336 vessel map (one threshold
   step with edges on, one edge-strength step): the frame budget is 16 ms at 60 Hz.
2. In an offscreen window on IMAGE (the HRF sample, 3504x2336): the gaps between the ticks of a
   15 ms timer on the UI thread while the worker loads, segments and prepares the image (the
   longest gap is the longest the window stayed unresponsive), then the slider redraws as the
   user waits for them (``setValue`` plus a repaint, from ``gui_probe.py``).

Run it on a quiet machine; the figures are comparable only within one run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from fundus_app.resources import resources_dir

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="fundus-bench-")  # leave the user's QSettings alone


def _summary(values_s: list[float]) -> str:
    ms = [1000 * v for v in values_s]
    return f"median {statistics.median(ms):.1f} ms ({min(ms):.1f}-{max(ms):.1f}, n={len(ms)})"


def vessel_like(h: int, w: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """A probability map shaped like a vessel tree (curved lines 2-14 px wide) over a noisy background."""
    import cv2

    rng = np.random.default_rng(seed)
    canvas = np.zeros((h, w), np.float32)
    for _ in range(160):
        pts = np.cumsum(rng.normal(0, 60, (12, 2)), axis=0) + rng.uniform((0, 0), (w, h))
        cv2.polylines(canvas, [pts.astype(np.int32)], False, 1.0, int(rng.integers(2, 15)), cv2.LINE_AA)
    vessels = cv2.GaussianBlur(canvas, (0, 0), 2.0)
    noise = cv2.resize(rng.random((h // 16, w // 16)).astype(np.float32), (w, h))
    prob = np.clip(0.9 * vessels / vessels.max() + 0.3 * noise, 0, 1).astype(np.float32)
    rgb = cv2.resize(rng.integers(0, 256, (h // 8, w // 8, 3), dtype=np.uint8), (w, h))
    return prob, rgb


def renderer_redraws(repeats: int) -> None:
    """Threshold and edge slider drags on 3504x2336, renderer only (no Qt)."""
    from fundus_app.gui.render import EdgeIndex, LevelIndex, OverlayRenderer, ThresholdGrid  # levels re-exported

    h, w = 2336, 3504
    prob, rgb = vessel_like(h, w)
    fov = np.ones((h, w), bool)
    grid = ThresholdGrid.build([0.5])
    levels = grid.quantise(prob, fov)
    r = OverlayRenderer(rgb, levels, index=LevelIndex.build(levels, fov, len(grid)),
                        edges=EdgeIndex.build(levels, len(grid)), n_thresholds=len(grid))
    r.render(40, 0.5)
    times: dict[str, list[float]] = {"threshold": [], "edge": []}
    for _ in range(repeats):
        for i in [*range(41, 56), *range(54, 39, -1)]:  # drag the threshold up and down, edges on
            t0 = time.perf_counter()
            r.render(i, 0.5)
            times["threshold"].append(time.perf_counter() - t0)
        for e in [*np.linspace(0.5, 1.0, 11), *np.linspace(0.95, 0.0, 20)]:  # drag the edge slider
            t0 = time.perf_counter()
            r.render(40, float(e))
            times["edge"].append(time.perf_counter() - t0)
    print(f"renderer, {w}x{h}, threshold slider step (edges on): {_summary(times['threshold'])}")
    print(f"renderer, {w}x{h}, edge-strength slider step: {_summary(times['edge'])}")


def window_timings(image: Path, repeats: int) -> int:
    """Event-loop gaps while the worker processes ``image``, then the in-window slider redraws."""
    import gui_probe  # beside this script: its folder is on the path when it runs
    from PyQt5.QtCore import QTimer

    app, window = gui_probe.open_window()
    deadline = time.monotonic() + 120
    holder = getattr(window, "queue", window)  # model_info: the review queue's (the window's before the split)
    while holder.model_info is None:  # the one-off model load (torch import) is not measured
        app.processEvents()
        time.sleep(0.01)
        if time.monotonic() > deadline:
            print("window: the model did not load within 120 s")
            return 1
    gaps: list[float] = []
    longest: list[float] = []
    copies = Path(tempfile.mkdtemp(prefix="fundus-bench-images-"))
    for run_index in range(repeats):
        copy = copies / f"run{run_index}_{image.name}"  # a new file each run: no cached result
        shutil.copy(image, copy)
        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(15)
        timer.timeout.connect(lambda ticks=ticks: ticks.append(time.perf_counter()))
        timer.start()
        t0 = time.perf_counter()
        window.open_paths([str(copy)])
        if not gui_probe.wait_for_result(app, window):
            print("window: no result within 300 s")
            return 1
        end = time.perf_counter() + 0.3  # the deferred zoomed-out overlay levels
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.002)
        timer.stop()
        run = np.diff([t0, *ticks]).tolist()
        gaps += run
        longest.append(max(run))
        print(f"  run: {time.perf_counter() - t0:.2f} s load to final biomarkers, {len(ticks)} ticks, "
              f"longest gap {1000 * max(run):.0f} ms, 99th percentile {1000 * np.percentile(run, 99):.0f} ms")
    h, w = window.current.image.rgb.shape[:2]
    print(f"window, {image.name} {w}x{h}: event-loop gap during inference (15 ms timer): {_summary(gaps)}")
    print(f"window, {image.name} {w}x{h}: longest gap per run: {_summary(longest)}")
    for key, m in gui_probe.slider_timings(window).items():
        print(f"window, {w}x{h}, {key.replace('_', ' ')} (setValue + repaint): median {m['median_ms']:.1f} ms "
              f"({m['min_ms']:.1f}-{m['max_ms']:.1f}, n={m['n']})")
    window.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--image", type=Path, default=resources_dir() / "samples" / "hrf_01_h.jpg")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-window", action="store_true", help="renderer figures only (no Qt)")
    args = parser.parse_args()
    renderer_redraws(args.repeats)
    return 0 if args.skip_window else window_timings(args.image, args.repeats)


if __name__ == "__main__":
    sys.exit(main())
