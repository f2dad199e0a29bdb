"""Re-select a checkpoint's default threshold on its validation images (finer grid).

    python scripts/calibrate_threshold.py runs/bundled/best.pt models/vessel_unet.pt

Uses the validation split stored in the checkpoint's training config (never the
test sets), picks the threshold that maximises pooled F1 on 0.05-0.95 in steps
of 0.01, and writes a copy of the checkpoint with that threshold.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from fundus_app.datasets import cases  # noqa: E402
from fundus_app.model.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from fundus_app.train.data import load_case  # noqa: E402
from fundus_app.train.loop import validate  # noqa: E402


def main(src: str, dst: str) -> None:
    ckpt = load_checkpoint(src)
    cfg = json.loads(ckpt.info["train_config"])
    names = set(cfg["validation"])
    val = [load_case(c, ckpt.preprocess) for ds in cfg["datasets"] for c in cases(ds) if c.name in names]
    result = validate(ckpt.build_model(), val, ckpt.preprocess, torch.device("cpu"))
    print(f"validation ({', '.join(sorted(names))}): F1 {result['val_f1']:.4f} at threshold "
          f"{result['val_threshold']:.2f}, AUC {result['val_auc']:.4f} (was threshold {ckpt.threshold:.2f})")
    ckpt.threshold = result["val_threshold"]
    ckpt.info = {**ckpt.info, "threshold_selection": json.dumps(result)}
    save_checkpoint(ckpt, dst)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
