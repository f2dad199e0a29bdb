"""Ablation of the training recipe at one short, equal budget (issue 3's results table).

    python -m experiments.ablation run   [--epochs 10] [--only NAME ...]   # trains, then evaluates
    python -m experiments.ablation table                                    # markdown table of runs/ablation

Every variant starts from experiments/configs/train_b8.toml (the width-8 recipe bundled until 1 Dec
2026) and changes one thing. All runs use the same seed, the same training images, the same validation images
(selection and threshold) and one cosine learning-rate cycle over ``--epochs``
epochs, so they differ only in the variant. Each best checkpoint is then scored
on DRIVE test, STARE test and the HRF sample from the files ``segment`` writes
(torch backend), like ``fundus-app evaluate``. Runs are resumable: an interrupted
one continues from its state.pt; a finished one is not trained again, and only
the test sets missing from its eval.json are scored.

At a short budget the table ranks how fast each variant learns, not its
converged quality; a single seed makes differences below ~0.005 F1 noise.
"""
from __future__ import annotations

import argparse
import json
import logging
import statistics
from pathlib import Path
from typing import Any

from fundus_app.atomic import write_bytes
from fundus_app.evaluation import evaluate_dataset
from fundus_app.model.inference import Segmenter
from fundus_app.train.loop import TrainConfig, train
from fundus_app.train.recipe import read_recipe

ROOT = Path(__file__).resolve().parents[1]
BASE_CONFIG = Path(__file__).resolve().parent / "configs" / "train_b8.toml"
OUT = ROOT / "runs" / "ablation"
TEST_SETS = ("drive-test", "stare-test", "hrf-sample")  # HRF: one image of another camera, a sanity case

# name -> (what changes, overrides of the bundled recipe)
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "baseline": ("width-8 recipe: width 8, depth 4, attention gates, Dice+focal", {}),
    "no-attention": ("attention gates off", {"model": {"base_channels": 8, "depth": 4, "attention": False}}),
    "width-16": ("width 16 (4x parameters)", {"model": {"base_channels": 16, "depth": 4, "attention": True}}),
    "depth-3": ("depth 3", {"model": {"base_channels": 8, "depth": 3, "attention": True}}),
    "dice-only": ("loss: Dice only (focal weight 0)", {"focal_weight": 0.0}),
    "focal-x3": ("loss: focal weight 3", {"focal_weight": 3.0}),
    # gamma 0 turns the focal term into plain BCE: the loss FR-UNet, SA-UNet and IterNet train with
    "bce-dice": ("loss: Dice + plain BCE (focal gamma 0)", {"focal_gamma": 0.0}),
    "strong-aug": (
        "stronger colour/scale/geometry augmentation",
        {"augment": {"hsv_jitter": 0.2, "scale_range": [0.6, 1.5], "rotation_deg": 30.0, "elastic_alpha": 10.0}},
    ),
    # what differs between cameras after the scale normalisation: sharpness, exposure curve, noise, JPEG
    "camera-aug": (
        "camera degradations: blur/sharpen sigma <= 1.5, gamma exp(+-0.3), noise <= 4, JPEG q >= 40",
        {"augment": {"blur_sigma": 1.5, "gamma_jitter": 0.3, "noise_std": 4.0, "jpeg_quality_min": 40}},
    ),
    "multi-scale": (
        "multi-scale training: scale 0.5-2.0 (bundled 0.8-1.2), nothing else",
        {"augment": {"scale_range": [0.5, 2.0]}},
    ),
    # thin vessels 1.5x wider in pixels for the network; the map is shrunk back for scoring
    "fov-810": (
        "working scale: FOV diameter 810 px (bundled 540), training and inference",
        {"preprocess": {"reference_fov_px": 810.0}},
    ),
    # more context per patch (bottleneck 12x12, not 6x6), same pixels per step and images per batch
    "patch-192": (
        "patches 192x192, batch 4 (bundled 96x96, batch 16): same pixels per step",
        {"patch_size": 192, "batch_size": 4, "patches_per_draw": 2},
    ),
    "patch-272": (
        "patches 272x272, batch 2: same pixels per step",
        {"patch_size": 272, "batch_size": 2, "patches_per_draw": 1},
    ),
    # the published DRIVE figures come from DRIVE-only training; its validation drops stare_im0139
    "drive-only": (
        "training data: DRIVE only (18 images, no STARE)",
        {"datasets": ["drive-train"], "validation": ["drive_39", "drive_40"]},
    ),
}


def variant_config(name: str, epochs: int) -> TrainConfig:
    options = read_recipe(BASE_CONFIG)
    options.update(VARIANTS[name][1])  # a variant's table replaces the recipe's whole
    options.update({"out_dir": str(OUT / name), "epochs": epochs, "restart_epochs": epochs, "resume": True,
                    "name": f"ablation-{name}"})
    if "augment" in options and "scale_range" in options["augment"]:
        options["augment"]["scale_range"] = tuple(options["augment"]["scale_range"])
    return TrainConfig.from_dict(options)


def run(names: list[str], epochs: int) -> None:
    for name in names:
        best = train(variant_config(name, epochs))
        eval_path = OUT / name / "eval.json"
        results = json.loads(eval_path.read_text()) if eval_path.is_file() else {}
        missing = [ds for ds in TEST_SETS if ds not in results]
        if not missing:
            continue
        seg = Segmenter.load(best, device="cpu", backend="torch")
        results.update({ds: evaluate_dataset(seg, ds) for ds in missing})
        results["params"] = sum(p.numel() for p in seg.model.parameters())
        write_bytes(eval_path, json.dumps(results, indent=1).encode("utf-8"))
        logging.info("%s: %s", name, {ds: round(results[ds]["mean"]["f1"], 4) for ds in TEST_SETS})


def table() -> str:
    lines = ["| variant | change | params | s/epoch | best epoch | val F1 | thr | DRIVE F1 | DRIVE AUC | "
             "STARE F1 | STARE AUC | HRF F1 | s/img |", "|---" * 13 + "|"]
    for name, (what, _) in VARIANTS.items():
        log_path, eval_path = OUT / name / "log.jsonl", OUT / name / "eval.json"
        if not eval_path.is_file():
            continue
        log = [json.loads(line) for line in log_path.read_text().splitlines()]
        best = max(log, key=lambda r: r["val_f1"])
        # logs written before validation scored per image (no "val_images") pooled the pixels: mark them
        val = f"{best['val_f1']:.4f}" + ("" if "val_images" in best else " (pooled)")
        ev = json.loads(eval_path.read_text())
        d, s = ev["drive-test"], ev["stare-test"]
        hrf = f"{ev['hrf-sample']['mean']['f1']:.4f}" if "hrf-sample" in ev else "-"
        lines.append(
            f"| {name} | {what} | {ev['params'] / 1e6:.2f} M | {statistics.median(r['seconds'] for r in log):.0f} | "
            f"{best['epoch']}/{len(log)} | {val} | {d['threshold']:.2f} | {d['mean']['f1']:.4f} | "
            f"{d['mean']['auc']:.4f} | {s['mean']['f1']:.4f} | {s['mean']['auc']:.4f} | {hrf} | "
            f"{d['median_seconds']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_run = sub.add_parser("run")
    p_run.add_argument("--epochs", type=int, default=10)
    p_run.add_argument("--only", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    sub.add_parser("table")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.cmd == "run":
        run(args.only, args.epochs)
    else:
        print(table())


if __name__ == "__main__":
    main()
