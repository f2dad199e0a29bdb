"""Human inter-observer agreement: second observer scored against the first, inside the FOV.

    python scripts/inter_observer.py

DRIVE test: 2nd_manual vs 1st_manual with the DRIVE FOV masks. STARE test split: labels-vk
vs labels-ah with the estimated FOV. This is the human level the model card quotes.
"""
from __future__ import annotations

from fundus_app import load_image, metrics
from fundus_app.datasets import cases, data_root
from fundus_app.io.loader import load_mask


def main() -> None:
    root = data_root()
    rows = {"drive-test": [], "stare-test": []}
    for case in cases("drive-test"):
        second = case.label.parent.parent / "2nd_manual" / case.label.name.replace("manual1", "manual2")
        rows["drive-test"].append(metrics.score(load_mask(second), load_mask(case.label), load_mask(case.fov)))
    for case in cases("stare-test"):
        second = root / "STARE" / "labels-vk" / f"{case.image.stem}.vk.ppm"
        rows["stare-test"].append(metrics.score(load_mask(second), load_mask(case.label), load_image(case.image).fov))
    for name, scores in rows.items():
        m = metrics.mean_scores(scores)
        print(f"{name}: second observer vs first, mean of {len(scores)}: F1 {m.f1:.4f}  Se {m.sensitivity:.4f}  "
              f"Sp {m.specificity:.4f}  Acc {m.accuracy:.4f}  MCC {m.mcc:.4f}")


if __name__ == "__main__":
    main()
