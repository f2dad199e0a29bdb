"""Start-up and latency of the run time, optionally side by side with another checkout or bundle.

    python benchmarks/bench_runtime.py [--baseline CHECKOUT] [--bundle DIR [--baseline-bundle DIR]] [--repeats 5]

1. A fresh process: interpreter start, ``import fundus_app``, ``Segmenter.load()`` and the first
   result on the HRF sample (3504x2336), and whether torch was imported on the way.
2. A DRIVE-size photograph (565x584), the public API in a warm process: ``load_image``,
   ``segment``, ``mask()``; median of 30 calls, each process run ``--repeats`` times.
3. With ``--bundle``: the installed application's cold start to the first overlay
   (``fundus-app gui FILE --screenshot``, offscreen), and the bundle's size on disk.

With ``--vessels-only`` 1. and 2. load the vessel network alone (``Segmenter.load(anatomy=False)``);
by default they include the artery/vein and optic-disc networks, as the application runs.

With ``--baseline`` (another checkout, e.g. a ``git worktree`` of an earlier commit) every
measurement alternates between the two, run for run, so a busy machine slows both alike.
Prints medians; asserts nothing.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HRF = REPO / "resources" / "samples" / "hrf_01_h.jpg"

FIRST_RESULT = """
import json, sys, time
t0 = time.perf_counter()
from fundus_app import Segmenter, load_image
try:  # --vessels-only: the vessel network alone (a checkout older than the A/V model has nothing else)
    s = Segmenter.load(device="cpu", **({"anatomy": False} if sys.argv[2] == "0" else {}))
except TypeError:
    s = Segmenter.load(device="cpu")
r = s.segment(load_image(sys.argv[1]))
r.mask()
print(json.dumps({"in_process_s": time.perf_counter() - t0, "torch": "torch" in sys.modules, "device": s.device_label}))
"""

DRIVE_SIZE = """
import json, statistics, sys, time
from fundus_app import Segmenter, load_image
try:  # --vessels-only: the vessel network alone (a checkout older than the A/V model has nothing else)
    s = Segmenter.load(device="cpu", **({"anatomy": False} if sys.argv[2] == "0" else {}))
except TypeError:
    s = Segmenter.load(device="cpu")
for _ in range(3):
    s.segment(load_image(sys.argv[1])).mask()
times = []
for _ in range(30):
    t0 = time.perf_counter()
    s.segment(load_image(sys.argv[1])).mask()
    times.append(time.perf_counter() - t0)
print(json.dumps(statistics.median(times)))
"""


def first_overlay_at(home: Path) -> float | None:
    """When the window logged its first vessel overlay (epoch seconds), from the log under ``home``."""
    for log in home.rglob("gui.log"):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if "first overlay on screen" in line:
                stamp = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
                return stamp.timestamp()
    return None  # an older build that does not log it


def run_python(code: str, checkout: Path, *args: str) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=checkout,
                         check=True)
    return time.perf_counter() - t0, out.stdout.strip().splitlines()[-1]


def compare(label: str, runs: dict[str, list[float]], unit: str = "s") -> None:
    cells = []
    for name, values in runs.items():
        scale = 1000 if unit == "ms" else 1
        cells.append(f"{name} {scale * statistics.median(values):.2f} {unit} "
                     f"({scale * min(values):.2f}-{scale * max(values):.2f})")
    line = f"{label}: " + ";  ".join(cells)
    if len(runs) == 2:
        (a, va), (b, vb) = runs.items()
        line += f";  {b}/{a} x{statistics.median(vb) / statistics.median(va):.2f}"
    print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to measure side by side")
    parser.add_argument("--bundle", type=Path, help="a PyInstaller bundle folder (build/dist/fundus-workstation)")
    parser.add_argument("--baseline-bundle", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--vessels-only", action="store_true",
                        help="the Python figures without the A/V and disc networks (issue 30's targets predate them)")
    args = parser.parse_args()
    from fundus_app.datasets import data_root

    drive = data_root() / "DRIVE" / "test" / "images" / "01_test.tif"
    checkouts = {"this": REPO, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    fresh: dict[str, list[float]] = {k: [] for k in checkouts}
    drive_ms: dict[str, list[float]] = {k: [] for k in checkouts}
    for _ in range(args.repeats):
        for name, checkout in checkouts.items():
            anatomy = "0" if args.vessels_only else "1"
            wall, line = run_python(FIRST_RESULT, checkout, str(HRF), anatomy)
            fresh[name].append(wall)
            info = json.loads(line)
            if len(fresh[name]) == 1:
                print(f"{name}: torch imported: {info['torch']}; device {info['device']}")
            _, line = run_python(DRIVE_SIZE, checkout, str(drive), anatomy)
            drive_ms[name].append(json.loads(line))
    compare("fresh process, start to first HRF-sample result", fresh)
    compare("DRIVE 565x584, load + segment + mask (warm, median of 30 per process)", drive_ms, unit="ms")

    bundles = {"this": args.bundle, **({"baseline": args.baseline_bundle} if args.baseline_bundle else {})}
    bundles = {k: v.resolve() for k, v in bundles.items() if v is not None}
    if args.bundle:
        cold: dict[str, list[float]] = {k: [] for k in bundles}
        overlay: dict[str, list[float]] = {k: [] for k in bundles}
        for _ in range(args.repeats):
            for name, folder in bundles.items():
                with tempfile.TemporaryDirectory() as tmp:
                    env = {"PATH": os.environ.get("PATH", ""), "HOME": tmp, "QT_QPA_PLATFORM": "offscreen"}
                    t0, wall0 = time.perf_counter(), time.time()
                    subprocess.run([str(folder / "fundus-app"), "gui", str(HRF), "--screenshot",
                                    str(Path(tmp) / "shot.png")], env=env, cwd=tmp, check=True,
                                   capture_output=True)
                    cold[name].append(time.perf_counter() - t0)
                    first = first_overlay_at(Path(tmp))
                    if first is not None:
                        overlay[name].append(first - wall0)
        compare("installed application, cold start to the screenshot (the first complete result: vessels, "
                "A/V, disc, calibre; HRF sample, offscreen)", cold)
        if all(overlay.values()):
            compare("installed application, cold start to the first vessel overlay on screen (from its log)", overlay)
        for name, folder in bundles.items():
            size = subprocess.run(["du", "-sm", str(folder)], capture_output=True, text=True).stdout.split()[0]
            print(f"{name} bundle: {size} MB on disk ({folder})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
