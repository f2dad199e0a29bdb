"""Pipeline speed and memory benchmark: prints medians (min-max) per stage.

    python benchmarks/bench_pipeline.py [--repeats 7] [--threads N] [--skip-gui]

Figures are medians over repeated runs on a warm process (the first run is
discarded as warm-up). Peak RSS is measured in a fresh subprocess per image.
Run it on a quiet machine: the numbers are only comparable within one run.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def host_speed() -> str:
    """Two model-free yardsticks, so figures from different days on a shared host can be compared:
    a pure-Python loop (what the GUI, report and biomarker code feel) and a float32 matrix product
    on all threads (what the network feels). Medians of 5."""
    import numpy as np

    def loop() -> None:
        total = 0
        for i in range(2_000_000):
            total += i

    a = np.random.default_rng(0).random((1024, 1024), dtype=np.float32)
    py = statistics.median(timeit(loop, 5))
    mm = statistics.median(timeit(lambda: a @ a, 5))
    return (f"host yardsticks: 2M-step Python loop {1000 * py:.0f} ms, "
            f"1024^2 float32 matmul {2 * 1024**3 / mm / 1e9:.0f} GFLOP/s")


def timeit(fn: Callable[[], object], repeats: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def fmt(times: list[float]) -> str:
    ms = [1000 * t for t in times]
    return f"{statistics.median(ms):8.1f} ms  ({min(ms):.1f}-{max(ms):.1f})"


def peak_rss_mb(image: str, crf: bool = False) -> float:
    code = (
        "import resource,sys; from fundus_app import load_image, Segmenter, measure_vessels;"
        f"s=Segmenter.load(); im=load_image({image!r}); r=s.segment(im, crf={crf}); measure_vessels(r.mask(), im.fov);"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def gui_probe(image: Path | None = None) -> dict | None:
    """benchmarks/gui_probe.py in a fresh offscreen process: window start-up and slider redraws."""
    cmd = [sys.executable, str(REPO / "benchmarks" / "gui_probe.py")] + ([str(image)] if image else [])
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=env)
    if res.returncode != 0:
        return None
    return json.loads(res.stdout.strip().splitlines()[-1])


def batch_images_per_second(seg, paths: list[Path]) -> float:
    """Load, segment and threshold a folder of images one after the other, as ``fundus-app segment`` does."""
    from fundus_app import load_image

    seg.segment(load_image(paths[0])).mask()  # warm-up
    t = time.perf_counter()
    for p in paths:
        seg.segment(load_image(p)).mask()
    return len(paths) / (time.perf_counter() - t)


def interleaved_backends(fast, reference, images: list) -> tuple[float, float]:
    """Median segment time of two segmenters, alternating image by image (fair on a noisy machine)."""
    fast.segment(images[0]), reference.segment(images[0])
    a, b = [], []
    for image in images * 2:
        t = time.perf_counter()
        reference.segment(image)
        a.append(time.perf_counter() - t)
        t = time.perf_counter()
        fast.segment(image)
        b.append(time.perf_counter() - t)
    return statistics.median(b), statistics.median(a)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--skip-gui", action="store_true")
    args = parser.parse_args()

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from fundus_app import Segmenter, load_image, measure_vessels
    from fundus_app.datasets import data_root
    from fundus_app.postprocess import overlay

    print(f"CPU: {cpu_model()}, {os.cpu_count()} logical cores, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads; CUDA: {torch.cuda.is_available()}")
    print(host_speed())
    drive = data_root() / "DRIVE" / "test" / "images" / "01_test.tif"
    hrf = REPO / "resources" / "samples" / "hrf_01_h.jpg"
    seg = Segmenter.load(device="cpu")
    seg_torch = Segmenter.load(device="cpu", backend="torch")
    print(f"model {seg.name} ({seg.checkpoint.sha256[:12]}), backend {seg.backend}, "
          f"median of {args.repeats} runs (min-max)\n")
    for label, path in (("565x584 DRIVE 01_test", drive), ("3504x2336 HRF 01_h", hrf)):
        if not path.is_file():
            print(f"{label}: missing {path}")
            continue
        image = load_image(path)
        stages: dict[str, list[float]] = {
            "load (decode + FOV)": timeit(lambda path=path: load_image(path), args.repeats)
        }
        runs = []
        for _ in range(args.repeats + 1):
            runs.append(seg.segment(image).timings)
        runs = runs[1:]
        for key in ("preprocess", "network", "postprocess"):
            stages[key] = [r[key] for r in runs]
        result = seg.segment(image)
        mask = result.mask()
        stages["threshold + overlay"] = timeit(
            lambda image=image, result=result: overlay(image.rgb, result.mask(0.5), edge_strength=0.5), args.repeats
        )
        stages["biomarkers"] = timeit(lambda mask=mask, image=image: measure_vessels(mask, image.fov),
                                      max(3, args.repeats // 2))
        stages["CRF (extra)"] = [seg.segment(image, crf=True).timings["crf"] for _ in range(3)]
        try:
            from fundus_app.report import write_report

            with tempfile.TemporaryDirectory() as tmp:
                counter = iter(range(1000))
                stages["PDF report"] = timeit(
                    lambda image=image, result=result, counter=counter, tmp=tmp: write_report(
                        image, result, Path(tmp) / f"r{next(counter)}.pdf"), 3)
        except ImportError:
            pass
        end_to_end = timeit(lambda path=path: seg.segment(load_image(path)).mask(), args.repeats)
        print(f"== {label} ==")
        for name, t in stages.items():
            print(f"  {name:24s}{fmt(t)}")
        print(f"  {'END TO END load->mask':24s}{fmt(end_to_end)}   = {1 / statistics.median(end_to_end):.1f} images/s")
        print(f"  {'peak RSS (fresh process)':24s}{peak_rss_mb(str(path)):8.0f} MB\n")
    drive_folder = data_root() / "DRIVE" / "test" / "images"
    drive_all = sorted(drive_folder.glob("*.tif"))
    if drive_all and seg.backend != "torch":
        fast, ref = interleaved_backends(seg, seg_torch, [load_image(p) for p in drive_all])
        print(f"segment (no load), {2 * len(drive_all)} DRIVE test runs alternating: {seg.backend} "
              f"{1000 * fast:.0f} ms, torch {1000 * ref:.0f} ms, x{ref / fast:.2f}")
    if drive_all:
        print(f"batch, {len(drive_all)} DRIVE test images, CPU: {batch_images_per_second(seg, drive_all):.1f} images/s")
        if torch.cuda.is_available():
            gpu = Segmenter.load(device="cuda")
            print(f"batch, {len(drive_all)} DRIVE test images, GPU {torch.cuda.get_device_name()}: "
                  f"{batch_images_per_second(gpu, drive_all * 5):.1f} images/s")
    if not args.skip_gui:
        starts = [gui_probe() for _ in range(3)]
        starts = [p["start_to_window_s"] for p in starts if p]
        if starts:
            print(f"GUI start to first window (fresh process, offscreen): median {statistics.median(starts):.2f} s "
                  f"({min(starts):.2f}-{max(starts):.2f}, n={len(starts)})")
        probe = gui_probe(hrf) if hrf.is_file() else None
        if probe and "threshold_step" in probe:
            for key, label in (("threshold_step", "threshold slider, one step"),
                               ("threshold_jump", "threshold slider, full-range jump"),
                               ("edge_change", "edge-strength slider")):
                m = probe[key]
                print(f"{label} on {probe['image']} (setValue + repaint): median {m['median_ms']:.1f} ms "
                      f"({m['min_ms']:.1f}-{m['max_ms']:.1f}, n={m['n']})")
        else:
            print("GUI measurements: n/a (GUI not available)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
