"""Segmentation time of candidate checkpoints against the bundled one, side by side in one run.

    python -m experiments.bench_checkpoints runs/ablation/width-16/best.pt [more.pt ...] [--repeats 9]
        [--image resources/samples/hrf_01_h.jpg]

Each checkpoint is timed with the torch backend and with ONNX Runtime (exported to a
temporary folder) on DRIVE 01_test (565x584; or ``--image``), the whole ``Segmenter.segment`` call
(pre-processing, forward, post-processing), round-robin so machine noise hits every
row alike. Prints median seconds (min-max) and the ratio to the bundled model on the
same backend: the figure issue 3's 300 ms budget is about.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("checkpoints", nargs="*", type=Path)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--image", type=Path, default=None, help="image to segment (default: DRIVE 01_test)")
    args = parser.parse_args()
    import torch

    from fundus_app import Segmenter, load_image
    from fundus_app.datasets import data_root
    from fundus_app.model.checkpoint import load_checkpoint
    from fundus_app.model.onnx_backend import export_onnx

    torch.set_num_threads(2)
    image_path = args.image or data_root() / "DRIVE" / "test" / "images" / "01_test.tif"
    image = load_image(image_path)
    rows: dict[tuple[str, str], Segmenter] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in ("torch", "onnx"):
            rows[("bundled", backend)] = Segmenter.load(device="cpu", backend=backend)
        for path in args.checkpoints:
            copy = Path(tmp) / path.parent.name / path.name  # the ONNX file must sit beside its checkpoint
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
            export_onnx(load_checkpoint(copy), copy.with_suffix(".onnx"))
            label = f"{path.parent.name}/{path.name}"
            for backend in ("torch", "onnx"):
                rows[(label, backend)] = Segmenter.load(copy, device="cpu", backend=backend)
        times: dict[tuple[str, str], list[float]] = {key: [] for key in rows}
        for seg in rows.values():
            seg.segment(image)  # warm-up
        for _ in range(args.repeats):
            for key, seg in rows.items():
                t0 = time.perf_counter()
                seg.segment(image)
                times[key].append(time.perf_counter() - t0)
    print(f"{image_path.name} {image.shape[1]}x{image.shape[0]}, {args.repeats} round-robin repeats, "
          f"torch {torch.__version__}, 2 threads")
    print("| checkpoint | params | backend | median s | min-max s | x bundled |")
    print("|---|---|---|---|---|---|")
    for (label, backend), ts in times.items():
        params = sum(p.numel() for p in rows[(label, "torch")].model.parameters()) / 1e6
        ratio = statistics.median(ts) / statistics.median(times[("bundled", backend)])
        print(f"| {label} | {params:.2f} M | {backend} | {statistics.median(ts):.3f} | "
              f"{min(ts):.3f}-{max(ts):.3f} | {ratio:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
