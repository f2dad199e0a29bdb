"""Widening a trained U-Net: the wider network starts as the same function and can learn."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from fundus_app import FundusError
from fundus_app.model.checkpoint import load_checkpoint
from fundus_app.model.unet import AttentionUNet, UNetConfig
from fundus_app.train.loop import TrainConfig, train
from fundus_app.train.widen import widen


def trained_looking(cfg: UNetConfig) -> AttentionUNet:
    """Random weights and BatchNorm statistics far from their defaults, so equal outputs mean something."""
    torch.manual_seed(0)
    net = AttentionUNet(cfg)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.normal_()
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.normal_()
            m.bias.data.normal_()
    return net


@pytest.mark.parametrize("attention", [True, False])
def test_widened_network_computes_the_same_output(attention: bool) -> None:
    old = trained_looking(UNetConfig(base_channels=4, depth=3, attention=attention))
    new = widen(old, UNetConfig(base_channels=6, depth=3, attention=attention))
    assert sum(p.numel() for p in new.parameters()) > 2 * sum(p.numel() for p in old.parameters())
    x = torch.randn(2, 1, 64, 64)
    with torch.no_grad():
        for mode in ("eval", "train"):  # train mode: BatchNorm normalises each channel by its own batch statistics
            old.train(mode == "train")
            new.train(mode == "train")
            reference = old(x)
            assert reference.abs().mean() > 0.05
            assert torch.allclose(new(x), reference, atol=1e-5)
    # the new channels are the fresh network's random ones, not zeros
    first = new.encoder.blocks[0][0].weight
    assert first[4:].abs().sum() > 0 and torch.equal(first[:4], old.encoder.blocks[0][0].weight)


def test_new_channels_join_in_after_a_training_step() -> None:
    old = trained_looking(UNetConfig(base_channels=4, depth=3))
    new = widen(old, UNetConfig(base_channels=6, depth=3)).train()
    head = new.head.weight  # (1, 6, 1, 1): the output reads nothing from the two new channels yet
    assert torch.all(head[:, 4:] == 0)
    opt = torch.optim.SGD(new.parameters(), lr=0.1)
    x, y = torch.randn(2, 1, 64, 64), (torch.rand(2, 1, 64, 64) > 0.8).float()
    torch.nn.functional.binary_cross_entropy_with_logits(new(x), y).backward()
    opt.step()
    assert torch.all(head[:, 4:] != 0)


def test_only_the_width_may_grow() -> None:
    old = trained_looking(UNetConfig(base_channels=6, depth=3))
    for cfg in (UNetConfig(base_channels=4, depth=3), UNetConfig(base_channels=8, depth=4),
                UNetConfig(base_channels=8, depth=3, attention=False)):
        with pytest.raises(FundusError, match="cannot widen"):
            widen(old, cfg)


def test_training_run_widens_a_narrower_start(data: Path, tmp_path: Path) -> None:
    base = dict(limit_images=3, validation=("drive_22",), epochs=1, steps_per_epoch=1, batch_size=2,
                patch_size=64, patches_per_draw=2)
    narrow = train(TrainConfig(out_dir=str(tmp_path / "narrow"), model={"base_channels": 4, "depth": 3}, **base))
    wide = load_checkpoint(train(TrainConfig(out_dir=str(tmp_path / "wide"), init_from=str(narrow), lr=0.0,
                                             model={"base_channels": 6, "depth": 3}, **base)))
    start = load_checkpoint(narrow).state_dict
    assert wide.model_config.base_channels == 6
    # lr 0: every convolution's old block is the start's, the rest of its old outputs' inputs are zero
    w = wide.state_dict["encoder.blocks.1.0.weight"]  # (12, 6, 3, 3) from (8, 4, 3, 3)
    assert torch.equal(w[:8, :4], start["encoder.blocks.1.0.weight"]) and torch.all(w[:8, 4:] == 0)
    assert w[8:].abs().sum() > 0
