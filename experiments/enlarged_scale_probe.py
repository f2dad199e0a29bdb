"""How does the working scale fare on photographs larger or smaller than the benchmarks'? (issue 3)

    python -m experiments.enlarged_scale_probe --factor 0.6 1.4 1.75 3 --fov 648 756 [--model PATH]
        [--sets validation drive-test stare-test]

No stored dataset has a camera between DRIVE/STARE (FOV 540-690 px) and HRF (about 3300 px),
the range of CHASE_DB1 and most clinic cameras. This resamples every DRIVE and STARE test image
(``--sets``: or the bundled recipe's validation images, to choose on) and its label by ``--factor``
(``probe_table.resampled``: bicubic or area-averaged image and label, the label cut at half cover),
runs the network at the checkpoint's own scale and at each ``--fov`` with ``max_scale`` 1 (never enlarge, like
``python -m experiments.inference_scale --max-scale 1``) and scores F1 at the checkpoint's threshold and AUC
inside the FOV, in memory. A resampled label holds no finer vessel than the
original, so the figures measure only what a mismatched vessel calibre costs, not what a finer
working grid gains on truly high-resolution images (HRF measures that). ``--sets hrf-sample`` with
factors below 1 puts the one labelled high-resolution photograph at the sizes of other cameras
(0.285: 999 px wide, CHASE_DB1's width). Prints a markdown table.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from experiments.inference_scale import at_scale
from experiments.probe_table import as_loaded, own_rule, print_header, print_mean_row, resampled, validation_cases
from fundus_app import metrics
from fundus_app.datasets import cases, load_for_scoring
from fundus_app.model.checkpoint import bundled_path, load_checkpoint
from fundus_app.model.inference import Segmenter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=float, nargs="+", required=True, help="resampling factors of the test images")
    parser.add_argument("--fov", type=float, nargs="+", required=True, help="working FOV diameters, never enlarging")
    parser.add_argument("--model", type=Path, default=None, help="checkpoint (default: the bundled one)")
    parser.add_argument("--sets", nargs="+", default=["drive-test", "stare-test"],
                        choices=["validation", "drive-test", "stare-test", "hrf-sample"])
    args = parser.parse_args()
    ckpt = load_checkpoint(args.model or bundled_path())
    rules = {f"{own_rule(ckpt.preprocess)} (own)": Segmenter.from_checkpoint(ckpt, device="cpu")}
    for fov_px in args.fov:
        rules[f"{fov_px:.0f}, never enlarge"] = Segmenter.from_checkpoint(at_scale(ckpt, fov_px, 1.0), device="cpu")
    sets = tuple(args.sets)
    print_header(["factor", "working FOV px", *(f"{ds} F1 / AUC" for ds in sets)])
    scoring = {ds: [load_for_scoring(c) for c in (validation_cases() if ds == "validation" else cases(ds))]
               for ds in sets}  # read once for every factor
    with tempfile.TemporaryDirectory() as tmp:
        for factor in args.factor:
            scores: dict[str, dict[str, list[metrics.Scores]]] = {rule: {ds: [] for ds in sets} for rule in rules}
            for ds in sets:
                for sc in scoring[ds]:
                    rgb, truth, fov = resampled(sc.image.rgb, sc.truth, sc.fov, factor)
                    image = as_loaded(rgb, Path(tmp) / f"{sc.name}.png")
                    for rule, seg in rules.items():
                        prob = seg.segment(image).probability
                        scores[rule][ds].append(metrics.score(prob >= ckpt.threshold, truth, fov, prob))
            for rule in rules:
                print_mean_row([f"{factor:g}", rule], (scores[rule][ds] for ds in sets))


if __name__ == "__main__":
    main()
