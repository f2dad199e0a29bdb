"""Where does the bundled model lose F1, and could thresholding win it back? (issue 3, diagnostics)

    python scripts/error_analysis.py [--model CHECKPOINT] [--set drive-test]

Segments the validation images of configs/train_bundled.toml and a test set with
the model (torch backend, maps in memory, scored like ``fundus-app evaluate``) and
prints, for the test set at the model's threshold:

* the false negatives on thin vessels (label pixels whose 5x5 neighbourhood is at
  most 1.5 px from the background, i.e. vessels up to about 3 px wide), the false
  positives next to a labelled vessel (within 2 px: vessel width) and the rest;
* the mean F1 if every test image got its own best threshold (an upper bound for
  any threshold rule);
* hysteresis thresholding (a pixel above ``low`` is kept when it is 8-connected to
  one above ``high``; FR-UNet's dual-threshold idea) with the (high, low) pair that
  is best on the validation images.

Nothing here changes the product: it measures what a post-processing change could buy.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fundus_app import metrics  # noqa: E402
from fundus_app.datasets import Case, cases  # noqa: E402
from fundus_app.evaluation import THRESHOLD_GRID, load_for_scoring  # noqa: E402
from fundus_app.model.inference import Segmenter  # noqa: E402
from bundled_recipe import validation_cases  # noqa: E402

Scored = tuple[np.ndarray, np.ndarray, np.ndarray]  # probability, label, scoring FOV


def hysteresis(prob: np.ndarray, high: float, low: float) -> np.ndarray:
    """Pixels >= low that are 8-connected to a pixel >= high."""
    n, labels = cv2.connectedComponents((prob >= low).astype(np.uint8), connectivity=8)
    keep = np.zeros(n, bool)
    keep[np.unique(labels[prob >= high])] = True
    keep[0] = False
    return keep[labels]


def mean_f1(items: list[Scored], predict) -> float:  # noqa: ANN001
    return float(np.mean([metrics.score(predict(p), y, fov).f1 for p, y, fov in items]))


def segment_all(seg: Segmenter, items: list[Case]) -> list[Scored]:
    """Probability map, label and scoring FOV of each case."""
    out = []
    for case in items:
        sc = load_for_scoring(case)
        out.append((seg.segment(sc.image).probability, sc.truth.astype(bool), sc.fov))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="checkpoint (default: the bundled model)")
    parser.add_argument("--set", default="drive-test")
    args = parser.parse_args()
    seg = Segmenter.load(args.model, device="cpu", backend="torch")
    validation = segment_all(seg, validation_cases())
    test = segment_all(seg, cases(args.set))
    thr = seg.threshold

    counts = dict.fromkeys(("vessel", "thin", "fn", "fn_thin", "fp", "fp_beside"), 0)
    for p, y, fov in test:
        pred = p >= thr
        width_px = cv2.dilate(cv2.distanceTransform(y.astype(np.uint8), cv2.DIST_L2, 3), np.ones((5, 5), np.uint8))
        thin = y & (width_px <= 1.5) & fov
        beside = ~y & (cv2.dilate(y.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0)
        fn, fp = ~pred & y & fov, pred & ~y & fov
        for key, value in (("vessel", y & fov), ("thin", thin), ("fn", fn), ("fn_thin", fn & thin),
                           ("fp", fp), ("fp_beside", fp & beside)):
            counts[key] += int(value.sum())
    print(f"{args.set} at threshold {thr:.2f}: F1 {mean_f1(test, lambda p: p >= thr):.4f}")
    print(f"false negatives {counts['fn']}: on thin vessels {counts['fn_thin']} "
          f"({counts['fn_thin'] / counts['thin']:.0%} of the {counts['thin']} thin-vessel pixels missed; "
          f"{counts['fn'] - counts['fn_thin']} elsewhere, of {counts['vessel']} vessel pixels)")
    print(f"false positives {counts['fp']}: within 2 px of a labelled vessel {counts['fp_beside']}, "
          f"elsewhere {counts['fp'] - counts['fp_beside']}")
    oracle = np.mean([max(metrics.score(p >= t, y, fov).f1 for t in THRESHOLD_GRID) for p, y, fov in test])
    print(f"each image at its own best threshold (upper bound): F1 {oracle:.4f}")
    pairs = [(round(h, 2), round(lo, 2)) for h in np.arange(0.50, 0.951, 0.04) for lo in np.arange(0.30, h + 1e-9, 0.04)]
    val = {pair: mean_f1(validation, lambda p, pair=pair: hysteresis(p, *pair)) for pair in pairs}
    high, low = max(val, key=val.get)
    print(f"hysteresis chosen on validation: high {high:.2f}, low {low:.2f} (validation F1 {val[high, low]:.4f}, "
          f"single threshold {mean_f1(validation, lambda p: p >= thr):.4f}): "
          f"{args.set} F1 {mean_f1(test, lambda p: hysteresis(p, high, low)):.4f}")


if __name__ == "__main__":
    main()
