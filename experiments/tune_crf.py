"""Choose the dense CRF's pairwise parameters on the validation images (issue 3: CRF on/off).

    python -m experiments.tune_crf [--model PATH]

Runs the product's ``Segmenter.segment(image, crf=True)`` on the bundled recipe's validation
images (never the test sets) with each combination of the CRF's pairwise weights and kernel
widths (``fundus_app.postprocess.dense_crf``'s keyword arguments), and scores the mean per-image
F1 of the map at the checkpoint's threshold, inside the scoring FOV, as the targets do; the
first row is the map without CRF. Prints a markdown table, best first.
"""
from __future__ import annotations

import argparse
import functools
import itertools
from pathlib import Path
from unittest import mock

import numpy as np

from experiments.probe_table import validation_cases
from fundus_app import metrics, postprocess
from fundus_app.datasets import load_for_scoring
from fundus_app.model.checkpoint import bundled_path, load_checkpoint
from fundus_app.model.inference import Segmenter

GRID = {
    "gaussian_weight": (0.0, 1.0, 3.0),
    "bilateral_weight": (0.5, 1.0, 2.0, 4.0),
    "bilateral_srgb": (5.0, 10.0, 20.0),
    "bilateral_sxy": (3.0, 5.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="checkpoint (default: the bundled one)")
    args = parser.parse_args()
    ckpt = load_checkpoint(args.model or bundled_path())
    seg = Segmenter.from_checkpoint(ckpt, device="cpu")
    validation = [load_for_scoring(c) for c in validation_cases()]

    def mean_f1(crf: bool) -> tuple[float, list[float]]:
        f1 = [metrics.score(seg.segment(sc.image, crf=crf).probability >= ckpt.threshold, sc.truth, sc.fov).f1
              for sc in validation]
        return float(np.mean(f1)), f1

    rows = [("no CRF", *mean_f1(False))]
    original = postprocess.dense_crf
    for values in itertools.product(*GRID.values()):
        params = dict(zip(GRID, values, strict=True))
        with mock.patch.object(postprocess, "dense_crf", functools.partial(original, **params)):
            rows.append((", ".join(f"{k} {v:g}" for k, v in params.items()), *mean_f1(True)))
    print(f"threshold {ckpt.threshold:.2f}; validation: {', '.join(sc.name for sc in validation)}")
    print("| CRF | mean F1 | " + " | ".join(sc.name for sc in validation) + " |")
    print("|---|---|" + "---|" * len(validation))
    for label, mean, per_image in sorted(rows, key=lambda r: -r[1]):
        print(f"| {label} | {mean:.4f} | " + " | ".join(f"{f:.4f}" for f in per_image) + " |")


if __name__ == "__main__":
    main()
