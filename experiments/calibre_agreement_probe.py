"""Where does the calibre disagreement between the model's A/V map and the expert's come from?

    python -m experiments.calibre_agreement_probe --dataset rite-train [--limit N]

Per image, zone B, the same disc (the model's) for every variant, against ``measure_calibre`` on the
expert's map:
  product   the model's map, widths from the vessel probability (what ``segment`` writes)
  binary    the model's map, widths from the map itself (as the expert's are measured)
  oracle    the expert's classes on the model's vessel pixels (classification perfect, vessels the model's)
ICC(2,1) and mean difference for CRAE, CRVE and AVR. Use training images to choose between variants;
the test sets only report.
"""
from __future__ import annotations

import argparse

import numpy as np

from fundus_app import Segmenter, load_image
from fundus_app.biomarkers.calibre import measure_calibre
from fundus_app.datasets import cases
from fundus_app.evaluation_av import agreement
from fundus_app.io import load_label_map
from fundus_app.io.loader import load_mask

KEYS = ("crae_um", "crve_um", "avr")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", default="rite-train")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    segmenter = Segmenter.load(device="cpu")
    items = cases(args.dataset)[: args.limit or None]
    values: dict[str, dict[str, list]] = {v: {k: [] for k in KEYS} for v in ("expert", "product", "binary", "oracle")}
    for case in items:
        image = load_image(case.image)
        fov = load_mask(case.fov) if case.fov else image.fov
        truth = load_label_map(case.label)
        seg = segmenter.segment(image)
        av = seg.av
        assert av is not None
        oracle = np.where(av > 0, truth, 0).astype(np.uint8)
        variants = {
            "expert": measure_calibre(truth, seg.disc, fov),
            "product": measure_calibre(av, seg.disc, fov, probability=seg.probability),
            "binary": measure_calibre(av, seg.disc, fov),
            "oracle": measure_calibre(oracle, seg.disc, fov),
        }
        for name, cal in variants.items():
            for key in KEYS:
                values[name][key].append(getattr(cal, key))
    print(f"{args.dataset}: {len(items)} images, zone B, disc from the model")
    for name in ("product", "binary", "oracle"):
        cells = []
        for key in KEYS:
            a = agreement(values[name][key], values["expert"][key])
            icc = "-" if a["icc"] is None else f"{a['icc']:.3f}"
            bias = "-" if a["mean_difference"] is None else f"{a['mean_difference']:+.3f}"
            cells.append(f"{key} ICC {icc} bias {bias} (n {a['n']})")
        print(f"{name:8s} " + "; ".join(cells))


if __name__ == "__main__":
    main()
