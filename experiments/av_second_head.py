"""Artery/vein as a second head on the frozen vessel network, against the shipped A/V model of its own.

The issue asked to measure both: (a) a head on the vessel network's last decoder features (16
channels, green input only): one network pass for vessels and A/V; (b) the shipped model: the
vessel architecture with colour input, started from the vessel weights and fine-tuned
(``fundus_app/train/av.py``). Same data, same patches, same validation as (b).

    python -m experiments.av_second_head --steps 1500 --out runs/av_second_head
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from fundus_app.datasets import cases
from fundus_app.model.checkpoint import load_checkpoint
from fundus_app.model.unet import AttentionUNet
from fundus_app.train.av import AVPatchSampler, AVTrainConfig, load_av_case, prepare_validation, validate_av
from fundus_app.train.data import AugmentConfig


class SecondHead(nn.Module):
    """Frozen vessel network; a small trainable head on its last decoder features (green channel only)."""

    def __init__(self, vessel: AttentionUNet) -> None:
        super().__init__()
        self.vessel = vessel.eval()
        for p in self.vessel.parameters():
            p.requires_grad_(False)
        c = vessel.encoder.channels[0]
        self.head = nn.Sequential(nn.Conv2d(c, 32, 3, padding=1), nn.ReLU(inplace=True),
                                  nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(inplace=True), nn.Conv2d(32, 3, 1))
        self.cfg = vessel.cfg

    def features(self, x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            feats = self.vessel.encoder(x[:, :1])  # channel 0 of enhance_colour is the vessel network's input
            y = feats[-1]
            for stage, skip in zip(self.vessel.stages, reversed(feats[:-1]), strict=True):
                y = stage(y, skip)
        return y

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--out", default="runs/av_second_head")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    cfg = AVTrainConfig()
    vessel = load_checkpoint(cfg.init_from)
    pre = vessel.preprocess
    model = SecondHead(vessel.build_model())
    all_cases = [c for ds in cfg.datasets for c in cases(ds)]
    train_imgs = [load_av_case(c, pre) for c in all_cases if c.name not in cfg.validation]
    val = prepare_validation([c for c in all_cases if c.name in cfg.validation], pre)
    sampler = AVPatchSampler(train_imgs, pre, AugmentConfig(**cfg.augment), cfg.patch_size, cfg.patches_per_draw,
                             cfg.vessel_centred, cfg.seed)
    opt = torch.optim.AdamW(model.head.parameters(), lr=1e-3, weight_decay=1e-4)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for step in range(args.steps):
        model.head.train()
        for g in opt.param_groups:
            g["lr"] = 1e-3 * 0.5 * (1 + np.cos(np.pi * step / args.steps))
        xb, yb = sampler.batch(cfg.batch_size)
        loss = F.cross_entropy(model(torch.from_numpy(xb)), torch.from_numpy(yb), ignore_index=-1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if (step + 1) % 500 == 0 or step + 1 == args.steps:
            record = {"step": step + 1, "seconds": time.perf_counter() - t0, **validate_av(model, val)}
            print(json.dumps(record), flush=True)
            with open(out / "log.jsonl", "a", encoding="utf-8") as fh:
                fh.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
