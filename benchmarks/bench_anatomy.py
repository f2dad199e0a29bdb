"""Time of the whole pipeline: vessels, arteries/veins, optic disc and calibre, per stage.

    python benchmarks/bench_anatomy.py [--repeats 15] [--threads 0]

For a DRIVE-size photograph (565x584, DRIVE test 01) and the HRF sample (3504x2336), in one warm
process: ``load_image``, ``Segmenter.segment`` (vessel network, A/V network, disc locator) and
``calibre_of`` (zones B and C), median of ``--repeats`` calls after one warm-up, with each stage's
median from the segmentation's own timings. Targets (issue #28): <= 400 ms and <= 3 s.
Prints medians; asserts nothing.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from fundus_app import Segmenter, load_image
from fundus_app.biomarkers.calibre import calibre_of
from fundus_app.datasets import data_root

REPO = Path(__file__).resolve().parents[1]


def bench(segmenter: Segmenter, path: Path, repeats: int) -> dict[str, float]:
    stages: dict[str, list[float]] = {}
    totals = []
    for i in range(repeats + 1):
        t0 = time.perf_counter()
        image = load_image(path)
        t1 = time.perf_counter()
        seg = segmenter.segment(image)
        t2 = time.perf_counter()
        calibre_of(image, seg)
        t3 = time.perf_counter()
        if i == 0:
            continue  # warm-up
        totals.append(t3 - t0)
        for key, value in {"load": t1 - t0, **seg.timings, "calibre": t3 - t2}.items():
            stages.setdefault(key, []).append(value)
    return {"total": statistics.median(totals), **{k: statistics.median(v) for k, v in stages.items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--threads", type=int, default=0, help="inference threads (0: ONNX Runtime's choice)")
    args = ap.parse_args()
    segmenter = Segmenter.load(device="cpu", threads=args.threads)
    print(f"models: vessel {segmenter.name}, A/V {segmenter.av_model.info.name if segmenter.av_model else '-'}, "
          f"disc {getattr(segmenter.disc_finder, 'name', '-')}; {segmenter.device_label}")
    images = {"DRIVE 565x584": data_root() / "DRIVE" / "test" / "images" / "01_test.tif",
              "HRF 3504x2336": REPO / "resources" / "samples" / "hrf_01_h.jpg"}
    for label, path in images.items():
        result = bench(segmenter, path, args.repeats if "DRIVE" in label else max(3, args.repeats // 3))
        stages = ", ".join(f"{k} {v * 1000:.0f}" for k, v in result.items() if k not in ("total",))
        print(f"{label}: whole pipeline {result['total'] * 1000:.0f} ms (median)  [{stages} ms]")


if __name__ == "__main__":
    main()
