"""Does segmenting at a larger working scale help? (issue 3, ablation of the scale normalisation)

    python -m experiments.inference_scale --fov 540 756 [--max-scale 1] [--model PATH] [--sets drive-test stare-test]

The checkpoint's preprocessing resamples every image so its field of view is
``reference_fov_px`` wide (540 px for the bundled model). This re-runs the same
network with other working diameters (``--max-scale 1``: never enlarge an image whose
field of view is already smaller, only shrink larger ones less), nothing retrained: first on the validation
images of the shipped recipe, configs/vessel_unet.toml (per image, F1 at the checkpoint's threshold,
in memory), then on the given test sets scored from written files like
``fundus-app evaluate`` (torch backend). Prints a markdown table.
"""
from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np

from experiments.probe_table import print_header, validation_cases
from fundus_app import metrics
from fundus_app.datasets import ScoringCase, load_for_scoring
from fundus_app.evaluation import evaluate_dataset
from fundus_app.model.checkpoint import Checkpoint, bundled_path, load_checkpoint
from fundus_app.model.inference import Segmenter
from fundus_app.preprocess import PreprocessConfig


def at_scale(ckpt: Checkpoint, fov_px: float, max_scale: float | None = None) -> Checkpoint:
    """The same network and threshold, segmenting at another working FOV diameter (and scale cap).

    Every image at ``fov_px``: the checkpoint's own rule for large photographs (``min_scale``,
    ``max_working_fov_px``, ``max_detail_loss``) is switched off, so a row means what its FOV says.
    """
    default = PreprocessConfig()
    pre = dataclasses.replace(ckpt.preprocess, reference_fov_px=fov_px, min_scale=default.min_scale,
                              max_working_fov_px=default.max_working_fov_px,
                              max_detail_loss=default.max_detail_loss)
    if max_scale is not None:
        pre = dataclasses.replace(pre, max_scale=max_scale)
    return dataclasses.replace(ckpt, preprocess=pre)


def validation_f1(seg: Segmenter, threshold: float, validation: list[ScoringCase]) -> dict[str, float]:
    """F1 per validation image at ``threshold`` inside its FOV (DRIVE: its mask; STARE: estimated)."""
    return {sc.name: metrics.score(seg.segment(sc.image).probability >= threshold, sc.truth, sc.fov).f1
            for sc in validation}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fov", type=float, nargs="+", required=True, help="working FOV diameters in pixels")
    parser.add_argument("--max-scale", type=float, default=None,
                        help="largest resampling factor (1: never enlarge; default: the checkpoint's)")
    parser.add_argument("--model", type=Path, default=None, help="checkpoint (default: the bundled one)")
    parser.add_argument("--sets", nargs="*", default=["drive-test", "stare-test"])
    args = parser.parse_args()
    ckpt = load_checkpoint(args.model or bundled_path())
    validation = [load_for_scoring(c) for c in validation_cases()]  # read once for every scale
    val_names = [sc.name for sc in validation]
    head = ["FOV px", *val_names, "val mean"]
    for ds in args.sets:
        head += [f"{ds} F1", f"{ds} AUC", f"{ds} s/img"]
    print_header(head)
    for fov_px in args.fov:
        seg = Segmenter.from_checkpoint(at_scale(ckpt, fov_px, args.max_scale), device="cpu")
        val = validation_f1(seg, ckpt.threshold, validation)
        cells = [f"{fov_px:.0f}", *(f"{val[n]:.4f}" for n in val_names), f"{np.mean(list(val.values())):.4f}"]
        for ds in args.sets:
            result = evaluate_dataset(seg, ds)
            cells += [f"{result['mean']['f1']:.4f}", f"{result['mean']['auc']:.4f}", f"{result['median_seconds']:.2f}"]
        print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
