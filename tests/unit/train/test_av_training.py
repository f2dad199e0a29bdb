"""The artery/vein network's training: its start from the vessel weights, its patches, a tiny run."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from fundus_app.datasets import cases
from fundus_app.model.checkpoint import bundled_path, load_checkpoint
from fundus_app.model.unet import AttentionUNet, UNetConfig
from fundus_app.train.av import AVPatchSampler, AVTrainConfig, load_av_case, train_av, widen_from_vessel
from fundus_app.train.data import AugmentConfig
from fundus_app.train.recipe import read_recipe

REPO = Path(__file__).resolve().parents[3]


def test_the_recipe_file_is_the_config_defaults() -> None:
    options = read_recipe(REPO / "configs" / "av_unet.toml")
    assert options.pop("task") == "artery-vein"
    assert AVTrainConfig.from_dict(options) == AVTrainConfig()


def test_the_av_network_starts_from_the_vessel_weights() -> None:
    vessel = load_checkpoint(bundled_path())
    model = AttentionUNet(UNetConfig(**{**vessel.model_config.to_dict(), "in_channels": 3, "out_channels": 3}))
    widen_from_vessel(vessel, model)
    first = model.state_dict()["encoder.blocks.0.0.weight"]
    assert torch.equal(first[:, :1], vessel.state_dict["encoder.blocks.0.0.weight"])
    assert not first[:, 1:].any()  # red and blue start at zero: the green path is the vessel network's
    assert torch.equal(model.state_dict()["stages.0.conv.0.weight"], vessel.state_dict["stages.0.conv.0.weight"])
    assert model.head.weight.shape == (3, 16, 1, 1)


def test_patches_carry_colour_and_ignore_non_vessel_pixels(data: Path) -> None:
    vessel = load_checkpoint(bundled_path())
    image = load_av_case(cases("rite-train")[0], vessel.preprocess)
    sampler = AVPatchSampler([image], vessel.preprocess, AugmentConfig(), 96, 2, vessel_centred=1.0, seed=0)
    x, y = sampler.batch(4)
    assert x.shape == (4, 3, 96, 96) and y.shape == (4, 96, 96) and y.dtype == np.int64
    assert set(np.unique(y)) <= {-1, 0, 1, 2} and (y >= 0).any()  # centred on vessels: each patch has some
    assert (y == -1).mean() > 0.5  # background is most of a patch and is ignored by the loss


@pytest.mark.slow
def test_a_tiny_av_run_writes_a_checkpoint_and_its_log(data: Path, tmp_path: Path) -> None:
    cfg = AVTrainConfig(out_dir=str(tmp_path / "av"), datasets=["rite-train"], validation=["rite_40"], steps=3,
                        validate_every=3, batch_size=2, patch_size=64, threads=1)
    best = train_av(cfg)
    ckpt = load_checkpoint(best)
    assert ckpt.model_config.in_channels == 3 and ckpt.model_config.out_channels == 3
    assert ckpt.info["task"] == "artery-vein" and ckpt.info["step"] == 3
    log = [json.loads(line) for line in (tmp_path / "av" / "log.jsonl").read_text().splitlines()]
    assert len(log) == 1 and 0 <= log[0]["val_f1"] <= 1 and set(log[0]["val_images"]) == {"rite_40"}
