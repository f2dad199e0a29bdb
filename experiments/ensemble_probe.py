"""Would averaging converged checkpoints help? (issue 3, ablation; nothing is shipped from here)

    python -m experiments.ensemble_probe runs/drive_only/best.pt runs/width16/best.pt

Segments the shipped recipe's validation images (configs/vessel_unet.toml) and the DRIVE and STARE
test sets once with the bundled model and each given checkpoint (torch backend),
then, for the bundled model alone, with each checkpoint and with all of them,
averages the probability maps, picks the threshold (0.05-0.95) that maximises the
mean per-image validation F1, and scores the test sets at it (F1 and AUC inside the
scoring FOV, mean over images, float maps in memory). Prints a markdown table.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from experiments.probe_table import validation_cases
from fundus_app import metrics
from fundus_app.datasets import Case, cases, load_for_scoring
from fundus_app.evaluation import THRESHOLD_GRID
from fundus_app.model.inference import Segmenter

Scored = tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]  # probability per model, label, scoring FOV


def segment_all(models: dict[str, Segmenter], items: list[Case]) -> list[Scored]:
    out = []
    for case in items:
        sc = load_for_scoring(case)
        out.append(({name: seg.segment(sc.image).probability for name, seg in models.items()}, sc.truth, sc.fov))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoints", nargs="+", type=Path)
    args = parser.parse_args()
    models = {"bundled": Segmenter.load(None, device="cpu", backend="torch")}
    models.update({str(p): Segmenter.load(p, device="cpu", backend="torch") for p in args.checkpoints})
    validation = segment_all(models, validation_cases())
    tests = {ds: segment_all(models, cases(ds)) for ds in ("drive-test", "stare-test")}
    combos = [("bundled",), *(("bundled", str(p)) for p in args.checkpoints)]
    if len(args.checkpoints) > 1:
        combos.append(tuple(models))
    print("| models | threshold | val mean F1 | DRIVE F1 | DRIVE AUC | STARE F1 | STARE AUC |\n" + "|---" * 7 + "|")
    for combo in combos:
        def average(probs: dict[str, np.ndarray], names: tuple[str, ...] = combo) -> np.ndarray:
            return np.mean([probs[n] for n in names], axis=0)

        val_f1 = np.array([[metrics.score(average(p) >= t, label, fov).f1 for t in THRESHOLD_GRID]
                           for p, label, fov in validation]).mean(axis=0)
        best = int(np.argmax(val_f1))
        threshold = THRESHOLD_GRID[best]
        cells = [" + ".join(combo), f"{threshold:.2f}", f"{val_f1[best]:.4f}"]
        for items in tests.values():
            scores = [metrics.score(average(p) >= threshold, label, fov, probability=average(p))
                      for p, label, fov in items]
            cells += [f"{np.mean([s.f1 for s in scores]):.4f}", f"{np.mean([s.auc for s in scores]):.4f}"]
        print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
