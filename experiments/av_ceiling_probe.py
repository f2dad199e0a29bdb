"""The A/V F1 a perfect classifier would reach on the vessel model's mask (the ceiling it sets).

    python -m experiments.av_ceiling_probe --sets rite-test lesav-test [--thresholds 0.7]

Each pixel of the vessel mask takes the expert's class where the expert has a vessel (the mask's
false positives count as arteries: wrong either way), scored with ``metrics.av_scores``; also the
mask's vessel F1 against the expert's vessels (label > 0).
"""
from __future__ import annotations

import argparse

import numpy as np

from fundus_app import Segmenter, load_image
from fundus_app.datasets import cases
from fundus_app.io import load_label_map
from fundus_app.io.loader import load_mask
from fundus_app.metrics import av_scores, score


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=["rite-test", "lesav-test"])
    ap.add_argument("--thresholds", type=float, nargs="+", default=[0.7])
    args = ap.parse_args()
    segmenter = Segmenter.load(anatomy=False, device="cpu")
    for name in args.sets:
        ceiling: dict[float, list[float]] = {t: [] for t in args.thresholds}
        vessel_f1: dict[float, list[float]] = {t: [] for t in args.thresholds}
        for case in cases(name):
            image = load_image(case.image)
            truth = load_label_map(case.label)
            fov = load_mask(case.fov) if case.fov else image.fov
            seg = segmenter.segment(image)
            for t in args.thresholds:
                mask = seg.mask(t)
                oracle = np.where(mask, np.where(truth > 0, truth, 1), 0).astype(np.uint8)
                ceiling[t].append(av_scores(oracle, truth, fov).f1)
                vessel_f1[t].append(score(mask, truth > 0, fov).f1)
        for t in args.thresholds:
            print(f"{name} threshold {t}: A/V F1 ceiling {np.mean(ceiling[t]):.4f}, "
                  f"vessel F1 against the A/V labels {np.mean(vessel_f1[t]):.4f} ({len(ceiling[t])} images)")


if __name__ == "__main__":
    main()
