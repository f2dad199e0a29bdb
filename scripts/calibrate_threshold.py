"""Re-select a checkpoint's default threshold on its validation images (finer grid).

    python scripts/calibrate_threshold.py runs/bundled/best.pt models/vessel_unet.pt [--working-fov 648 --max-scale 1]
        [--min-scale 0.5 --max-working-fov 1100 --max-detail-loss 0.1]

Uses the validation split stored in the checkpoint's training config (never the
test sets) and picks the threshold (0.05-0.95, steps of 0.01) that maximises what
the issue-3 targets measure: the mean over validation images of the F1 of the
mask ``segment`` writes, at the image's own resolution inside its scoring FOV
(``fundus_app.evaluation.select_threshold``). Writes a copy of the checkpoint
with that threshold and the selection record in its info; when the destination folder
has a manifest (``models/manifest.json``), the copy is entered in it (SHA-256, size, name,
threshold), so the application accepts it. The training loop's
per-epoch validation uses the same criterion since 1 Dec 2026, so a new run's
``best.pt`` already carries this threshold at its own working scale; the script is
for older checkpoints and for changing the working scale.

``--working-fov`` / ``--max-scale`` first change the scale the checkpoint segments at
(``PreprocessConfig.reference_fov_px`` / ``max_scale``; choose them on the validation
images with ``python -m experiments.inference_scale``), so the threshold is selected at that scale.
``--min-scale`` / ``--max-working-fov`` / ``--max-detail-loss`` set how far a high-resolution
photograph is shrunk (``PreprocessConfig.min_scale`` / ``max_working_fov_px`` /
``max_detail_loss``); with ``--min-scale`` below 1 the validation images are
too small for them to change anything (with 1, STARE's are measured and kept at 550-610 px instead
of 540), and the threshold is re-selected at whatever scale they get.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from fundus_app.evaluation import select_threshold
from fundus_app.model.checkpoint import load_checkpoint, save_checkpoint
from fundus_app.model.inference import Segmenter
from fundus_app.model.manifest import manifest_entry, manifest_path, record_file
from fundus_app.train.recipe import checkpoint_splits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path)
    parser.add_argument("dst", type=Path)
    parser.add_argument("--working-fov", type=float, default=None, help="FOV diameter (px) to segment at")
    parser.add_argument("--max-scale", type=float, default=None, help="largest resampling factor (1: never enlarge)")
    parser.add_argument(
        "--min-scale", type=float, default=None, help="smallest resampling factor (0.5: shrink at most 2x)"
    )
    parser.add_argument("--max-working-fov", type=float, default=None,
                        help="widest working FOV (px) a photograph that --min-scale keeps large may have")
    parser.add_argument("--max-detail-loss", type=float, default=None,
                        help="shrink a large photograph further, as far as loses this fraction of its own detail")
    args = parser.parse_args()
    ckpt = load_checkpoint(args.src)
    options = (("reference_fov_px", args.working_fov), ("max_scale", args.max_scale), ("min_scale", args.min_scale),
               ("max_working_fov_px", args.max_working_fov), ("max_detail_loss", args.max_detail_loss))
    changes = {k: v for k, v in options if v is not None}
    ckpt.preprocess = dataclasses.replace(ckpt.preprocess, **changes)
    _, val = checkpoint_splits(ckpt)
    result = select_threshold(Segmenter.from_checkpoint(ckpt, device="cpu"), val)
    per_image = ", ".join(f"{k} {v:.4f}" for k, v in result["images"].items())
    print(f"validation: mean F1 {result['mean_f1']:.4f} at threshold {result['threshold']:.2f} ({per_image}); "
          f"was threshold {ckpt.threshold:.2f}; segmenting at FOV {ckpt.preprocess.reference_fov_px:g} px, "
          f"scale {ckpt.preprocess.min_scale:g}-{ckpt.preprocess.max_scale:g}, "
          f"working FOV at most {ckpt.preprocess.widest_working_fov_px:g} px")
    ckpt.threshold = result["threshold"]
    ckpt.info = {**ckpt.info, "threshold_selection": json.dumps(result)}
    save_checkpoint(ckpt, args.dst)
    if not manifest_path(args.dst.parent).is_file():
        print(f"wrote {args.dst} (no manifest in {args.dst.parent}: nothing recorded)")
        return
    entry = record_file(args.dst, kind="checkpoint", name=ckpt.name, threshold=ckpt.threshold)
    print(f"wrote {args.dst}: SHA-256 {entry['sha256']}; recorded in {manifest_path(args.dst.parent)}")
    onnx = manifest_entry(args.dst.with_suffix(".onnx"))
    if onnx is not None and onnx.get("source_sha256") != entry["sha256"]:
        print(f"the ONNX file beside it belongs to the former weights (the application refuses it until it is "
              f"re-exported): python scripts/export_onnx.py {args.dst}")


if __name__ == "__main__":
    main()
