"""Does removing small vessel fragments (``--min-speck``) help the bundled model? (issue 3)

    python -m experiments.speck_probe [--model PATH] [--sizes 0 5 10 20 30 50 80]

``fundus-app segment --min-speck N`` drops connected vessel fragments under N pixels from the
written mask (``fundus_app.outputs.final_mask``); the default is 0. This scores the mean per-image F1
at the checkpoint's threshold for each N on the images its training run may choose on: the
validation split and the training images (never the test sets), as ``fundus-app evaluate`` scores.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from fundus_app import metrics
from fundus_app.datasets import load_for_scoring
from fundus_app.model.checkpoint import bundled_path, load_checkpoint
from fundus_app.model.inference import Segmenter
from fundus_app.outputs import final_mask
from fundus_app.train.recipe import checkpoint_splits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="checkpoint (default: the bundled one)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 5, 10, 20, 30, 50, 80])
    args = parser.parse_args()
    ckpt = load_checkpoint(args.model or bundled_path())
    training, validation = checkpoint_splits(ckpt)
    splits = {"validation": validation, "training": training}
    segmenter = Segmenter.from_checkpoint(ckpt, device="cpu")
    print(
        "| images | " + " | ".join(f"min speck {n}" for n in args.sizes) + " |\n" + "|---" * (len(args.sizes) + 1) + "|"
    )
    for split, split_cases in splits.items():
        f1 = np.zeros((len(split_cases), len(args.sizes)))
        for i, case in enumerate(split_cases):
            sc = load_for_scoring(case)
            seg = segmenter.segment(sc.image)
            f1[i] = [metrics.score(final_mask(seg, ckpt.threshold, n), sc.truth, sc.fov).f1 for n in args.sizes]
        print(f"| {split} ({len(split_cases)}) | " + " | ".join(f"{v:.4f}" for v in f1.mean(axis=0)) + " |", flush=True)


if __name__ == "__main__":
    main()
