"""Where does the bundled model lose F1, and could thresholding win it back? (issue 3, diagnostics)

    python -m experiments.error_analysis [--model CHECKPOINT] [--set drive-test]

Segments the shipped recipe's validation images (configs/vessel_unet.toml) and a test set with
the model (torch backend, maps in memory, scored like ``fundus-app evaluate``) and
prints, for the test set at the model's threshold:

* the false negatives on thin vessels (label pixels whose 5x5 neighbourhood is at
  most 1.5 px from the background, i.e. vessels up to about 3 px wide), the false
  positives next to a labelled vessel (within 2 px: vessel width) and the rest;
* the mean F1 if every test image got its own best threshold (an upper bound for
  any threshold rule);
* hysteresis thresholding (a pixel above ``low`` is kept when it is 8-connected to
  one above ``high``; FR-UNet's dual-threshold idea) with the (high, low) pair that
  is best on the validation images;
* with ``--thresholds``: mean F1 against the threshold on the training, validation
  and test images, each image's best threshold, and how well a label-free statistic
  of the map (mean probability, fraction at or above 0.5 in the FOV) predicts it on
  the training images (Pearson r), and a per-image threshold maximising the expected F1
  under Platt-calibrated probabilities: could a per-image threshold rule be learnt?

Nothing here changes the product: it measures what a post-processing change could buy.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from experiments.probe_table import shipped_splits, validation_cases
from fundus_app import metrics
from fundus_app.datasets import Case, cases, load_for_scoring
from fundus_app.evaluation import THRESHOLD_GRID
from fundus_app.model.inference import Segmenter

Scored = tuple[np.ndarray, np.ndarray, np.ndarray]  # probability, label, scoring FOV


def hysteresis(prob: np.ndarray, high: float, low: float) -> np.ndarray:
    """Pixels >= low that are 8-connected to a pixel >= high."""
    n, labels = cv2.connectedComponents((prob >= low).astype(np.uint8), connectivity=8)
    keep = np.zeros(n, bool)
    keep[np.unique(labels[prob >= high])] = True
    keep[0] = False
    return keep[labels]


def mean_f1(items: list[Scored], predict) -> float:
    return float(np.mean([metrics.score(predict(p), y, fov).f1 for p, y, fov in items]))


def segment_all(seg: Segmenter, items: list[Case]) -> list[Scored]:
    """Probability map, label and scoring FOV of each case."""
    out = []
    for case in items:
        sc = load_for_scoring(case)
        out.append((seg.segment(sc.image).probability, sc.truth.astype(bool), sc.fov))
    return out


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p.astype(np.float64), 1e-5, 1 - 1e-5)
    return np.log(p / (1 - p))


def platt_fit(items: list[Scored]) -> tuple[float, float]:
    """Logistic regression of the label on the map's logit inside the FOV (Platt scaling), by Newton steps."""
    x = np.concatenate([_logit(p[fov]) for p, _, fov in items])
    y = np.concatenate([t[fov] for _, t, fov in items]).astype(np.float64)
    a, b = 1.0, 0.0
    for _ in range(25):
        q = 1 / (1 + np.exp(-(a * x + b)))
        w = q * (1 - q)
        hessian = np.array([[(w * x * x).sum(), (w * x).sum()], [(w * x).sum(), w.sum()]])
        step = np.linalg.solve(hessian, np.array([((q - y) * x).sum(), (q - y).sum()]))
        a, b = a - step[0], b - step[1]
    return float(a), float(b)


def expected_f1_threshold(calibrated: np.ndarray, prob: np.ndarray) -> float:
    """The threshold on ``prob`` that maximises F1 in expectation if ``calibrated`` were the true vessel
    probabilities (Lipton, Elkan, Narayanaswamy, "Optimal Thresholding of Classifiers to Maximize F1
    Measure", ECML PKDD 2014)."""
    order = np.argsort(-prob)
    kept = np.cumsum(calibrated[order])
    expected = 2 * kept / (np.arange(1, len(order) + 1) + calibrated.sum())
    return float(prob[order][int(np.argmax(expected))])


def threshold_spread(seg: Segmenter, groups: dict[str, list[Scored]]) -> None:
    """The threshold curves and each image's best threshold, per group of images."""
    grid = [round(0.40 + 0.05 * i, 2) for i in range(8)]
    best: dict[str, list[float]] = {}
    for name, items in groups.items():
        curve = [mean_f1(items, lambda p, t=t: p >= t) for t in grid]
        per_image = [[metrics.score(p >= t, y, fov).f1 for t in THRESHOLD_GRID] for p, y, fov in items]
        best[name] = [THRESHOLD_GRID[int(np.argmax(f))] for f in per_image]
        print(
            f"{name} ({len(items)} images), mean F1 at "
            + ", ".join(f"{t:.2f}: {v:.4f}" for t, v in zip(grid, curve, strict=True))
        )
        print(f"  best threshold per image: median {np.median(best[name]):.2f}, {min(best[name]):.2f}-"
              f"{max(best[name]):.2f}; F1 at each image's best {np.mean([max(f) for f in per_image]):.4f}")
    a, b = platt_fit(groups["validation"])
    for name, items in groups.items():
        rule = [expected_f1_threshold(1 / (1 + np.exp(-(a * _logit(p[fov]) + b))), p[fov]) for p, _, fov in items]
        f1 = np.mean([metrics.score(p >= t, y, fov).f1 for (p, y, fov), t in zip(items, rule, strict=True)])
        print(f"{name}: each image at the threshold maximising its expected F1 (probabilities Platt-calibrated on "
              f"the validation pixels, a {a:.2f} b {b:+.2f}): thresholds {min(rule):.2f}-{max(rule):.2f}, F1 {f1:.4f}")
    stats = {"mean probability": lambda p, fov: p[fov].mean(), "fraction >= 0.5": lambda p, fov: (p[fov] >= 0.5).mean()}
    for label, stat in stats.items():
        r = np.corrcoef([stat(p, fov) for p, _, fov in groups["training"]], best["training"])[0, 1]
        print(f"training images: best threshold against {label}: Pearson r {r:+.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="checkpoint (default: the bundled model)")
    parser.add_argument("--set", default="drive-test")
    parser.add_argument("--thresholds", action="store_true",
                        help="also the threshold curves and per-image best thresholds (segments the training images)")
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
    pairs = [
        (round(h, 2), round(lo, 2)) for h in np.arange(0.50, 0.951, 0.04) for lo in np.arange(0.30, h + 1e-9, 0.04)
    ]
    val = {pair: mean_f1(validation, lambda p, pair=pair: hysteresis(p, *pair)) for pair in pairs}
    high, low = max(val, key=val.get)
    print(f"hysteresis chosen on validation: high {high:.2f}, low {low:.2f} (validation F1 {val[high, low]:.4f}, "
          f"single threshold {mean_f1(validation, lambda p: p >= thr):.4f}): "
          f"{args.set} F1 {mean_f1(test, lambda p: hysteresis(p, high, low)):.4f}")
    if args.thresholds:
        training, _ = shipped_splits()
        threshold_spread(seg, {"training": segment_all(seg, training), "validation": validation, args.set: test})


if __name__ == "__main__":
    main()
