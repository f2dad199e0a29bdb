"""Start a wider plain U-Net from a trained narrower one, computing the same function.

Training a wider network from scratch costs hours on a CPU; starting it from a converged narrower
one and training on is minutes per epoch. Each layer's old output channels keep their weights and
ignore the new input channels (zero weights), so every old feature, and the output, is unchanged;
the new channels start from the wider network's random initialisation and join in as training
moves those zero weights (the "zero-initialised expansion" variant of Net2WiderNet: Chen,
Goodfellow, Shlens, "Net2Net: Accelerating Learning via Knowledge Transfer", ICLR 2016).
"""
from __future__ import annotations

from dataclasses import replace

import torch
from torch import nn

from fundus_app.errors import FundusError
from fundus_app.model.unet import AttentionUNet, DecoderStage, UNetConfig


def can_widen(start: UNetConfig, run: UNetConfig) -> bool:
    """``run`` is ``start`` with more base channels, a plain encoder and no refiner."""
    return (start.encoder == "plain" and start.refine_passes == 0 and run.refine_passes == 0
            and run.base_channels > start.base_channels
            and replace(start, base_channels=run.base_channels) == run)


def _prefix(n: int) -> torch.Tensor:
    return torch.arange(n)


def _copy_conv(new: nn.Conv2d, old: nn.Conv2d, in_map: torch.Tensor) -> None:
    """Old weights into the old channels; old outputs read nothing from the new inputs."""
    out_map = _prefix(old.out_channels)
    w = new.weight.data
    w[: old.out_channels] = 0.0
    w[out_map[:, None], in_map[None, :]] = old.weight.data
    if old.bias is not None:
        new.bias.data[: old.out_channels] = old.bias.data


def _copy_batchnorm(new: nn.BatchNorm2d, old: nn.BatchNorm2d) -> None:
    n = old.num_features
    for name in ("weight", "bias", "running_mean", "running_var"):
        getattr(new, name).data[:n] = getattr(old, name).data
    new.num_batches_tracked.data.copy_(old.num_batches_tracked.data)


def _concat_map(old: DecoderStage, new: DecoderStage) -> torch.Tensor:
    """Where the old [upsampled, skip] concatenation's channels sit in the new one."""
    old_up, new_up = old.up[0].out_channels, new.up[0].out_channels
    old_skip = old.conv[0].in_channels - old_up
    return torch.cat([_prefix(old_up), new_up + _prefix(old_skip)])


@torch.no_grad()
def widen(old: AttentionUNet, cfg: UNetConfig) -> AttentionUNet:
    """A new network of config ``cfg`` (wider than ``old``'s) whose output equals ``old``'s.

    Its new channels keep ``AttentionUNet``'s random initialisation (seed torch first for a
    reproducible run).
    """
    if not can_widen(old.cfg, cfg):
        raise FundusError(f"cannot widen {old.cfg} into {cfg}: only base_channels may grow (plain encoder, no refiner).")
    new = AttentionUNet(cfg)
    concat_inputs = {id(s.conv[0]): _concat_map(o, s) for o, s in zip(old.stages, new.stages)}
    old_modules = dict(old.named_modules())
    for name, module in new.named_modules():
        before = old_modules[name]
        if isinstance(module, nn.Conv2d):
            in_map = concat_inputs.get(id(module), _prefix(before.in_channels))
            _copy_conv(module, before, in_map)
        elif isinstance(module, nn.BatchNorm2d):
            _copy_batchnorm(module, before)
    return new
