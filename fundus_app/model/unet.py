"""U-Net with additive attention gates (Oktay et al., "Attention U-Net: Learning
Where to Look for the Pancreas", MIDL 2018): the network the application ships.

Variants that were tried and rejected (a ResNet34 encoder, DropBlock, a W-Net refining pass) are
no longer built; ``experiments/LOG.md`` has their measurements. A checkpoint that asks for one is
refused by name (``RetiredVariantError``) instead of failing on its weights.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

#: Options of retired variants and the one value the shipped network has: checkpoints saved before
#: their removal record them (the bundled one at these values), so they are accepted at these values;
#: their settings (``drop_block_size``, ``refine_channels``) are ignored like any unknown key.
RETIRED_OPTIONS: dict[str, Any] = {"encoder": "plain", "drop_block": 0.0, "refine_passes": 0}


class RetiredVariantError(ValueError):
    """A model configuration asks for a variant this version no longer builds."""

    def __init__(self, option: str, value: Any) -> None:
        super().__init__(f"it asks for {option} = {value!r}, a rejected model variant this version no longer "
                         f"builds (only {option} = {RETIRED_OPTIONS[option]!r})")
        self.option, self.value = option, value


@dataclass(frozen=True)
class UNetConfig:
    """Constructor arguments; saved in every checkpoint so it rebuilds its model."""

    in_channels: int = 1
    base_channels: int = 16
    depth: int = 4  # number of down-sampling steps
    attention: bool = True
    out_channels: int = 1  # 1: vessel logit; 3: artery, vein, uncertain logits (the A/V model)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> UNetConfig:
        """The config a checkpoint or recipe saved; raises ``RetiredVariantError`` for a retired variant."""
        for option, shipped in RETIRED_OPTIONS.items():
            if option in d and d[option] != shipped:
                raise RetiredVariantError(option, d[option])
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})

    @property
    def size_multiple(self) -> int:
        """Input height and width must be multiples of this."""
        return 2**self.depth


class ConvBlock(nn.Sequential):
    """(3x3 conv, BN, ReLU) x 2; the layer indices every shipped checkpoint was saved with."""

    def __init__(self, cin: int, cout: int) -> None:
        layers: list[nn.Module] = []
        for c_in in (cin, cout):
            layers += [nn.Conv2d(c_in, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
        super().__init__(*layers)


def upsample_to(t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """Bilinear resampling of ``t`` to the grid of ``like`` (half-pixel centres).

    A factor of exactly two, which every level of an input whose sides are multiples of
    ``size_multiple`` has, is asked for as a scale rather than a size: the exported graph then holds
    a constant scale, which ONNX Runtime runs in its blocked (NCHWc) layout instead of converting the
    features back and forth (the network 13 % faster on CPU, logits equal within 1e-5;
    experiments/LOG.md, "The decoder's resampling"). Both forms compute the same values in torch.
    """
    h, w = like.shape[-2:]
    if h == 2 * t.shape[-2] and w == 2 * t.shape[-1]:
        return F.interpolate(t, scale_factor=2.0, mode="bilinear", align_corners=False)
    return F.interpolate(t, size=(h, w), mode="bilinear", align_corners=False)


class AttentionGate(nn.Module):
    """Additive attention gate (Oktay et al. 2018, Fig. 2).

    The skip features x (fine) are projected by theta (2x2 conv, stride 2) to
    the gating signal's grid; the gating signal g (coarse) by phi (1x1 conv).
    alpha = sigmoid(psi(ReLU(theta(x) + phi(g)))) is resampled (bilinear) to x's
    grid, and the gate returns W(alpha * x), W being a 1x1 conv + BN.
    """

    def __init__(self, x_channels: int, g_channels: int, inter_channels: int | None = None) -> None:
        super().__init__()
        inter = inter_channels or max(1, x_channels // 2)
        self.theta = nn.Conv2d(x_channels, inter, kernel_size=2, stride=2, bias=False)
        self.phi = nn.Conv2d(g_channels, inter, kernel_size=1, bias=True)
        self.psi = nn.Conv2d(inter, 1, kernel_size=1, bias=True)
        self.out = nn.Sequential(nn.Conv2d(x_channels, x_channels, 1, bias=False), nn.BatchNorm2d(x_channels))

    def attention(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        """The attention coefficients alpha, (N, 1, H, W) in [0, 1] on x's grid."""
        theta_x = self.theta(x)
        phi_g = self.phi(g)
        if phi_g.shape[-2:] != theta_x.shape[-2:]:
            phi_g = F.interpolate(phi_g, size=theta_x.shape[-2:], mode="bilinear", align_corners=False)
        alpha = torch.sigmoid(self.psi(F.relu(theta_x + phi_g)))
        return upsample_to(alpha, x)

    def forward(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        return self.out(self.attention(x, g) * x)


class DecoderStage(nn.Module):
    """Upsample the coarse features, gate the skip with them, concatenate, convolve."""

    def __init__(self, coarse: int, skip: int, out: int, attention: bool) -> None:
        super().__init__()
        self.gate = AttentionGate(skip, coarse) if attention else None
        self.up = nn.Sequential(nn.Conv2d(coarse, out, 1, bias=False), nn.BatchNorm2d(out), nn.ReLU(inplace=True))
        self.conv = ConvBlock(out + skip, out)

    def forward(self, coarse: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        if self.training:  # batch statistics of the upsampled features, as every recipe was trained
            up = self.up(upsample_to(coarse, skip))
        else:  # the 1x1 conv and the (now affine) BN commute with bilinear resampling: run them on the
            # coarse grid, a quarter of the pixels (the network 4-8 % faster, logits equal within 1e-5)
            conv, norm, relu = self.up
            up = relu(upsample_to(norm(conv(coarse)), skip))
        if self.gate is not None:
            skip = self.gate(skip, coarse)
        return self.conv(torch.cat([up, skip], dim=1))


class PlainEncoder(nn.Module):
    """Conv blocks with 2x2 max pooling; channels double at each level."""

    def __init__(self, cfg: UNetConfig) -> None:
        super().__init__()
        chans = [cfg.base_channels * 2**i for i in range(cfg.depth + 1)]
        self.channels = chans
        self.blocks = nn.ModuleList([ConvBlock(cfg.in_channels, chans[0])])
        self.blocks.extend(ConvBlock(chans[i], chans[i + 1]) for i in range(cfg.depth))

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        feats = [self.blocks[0](x)]
        for block in self.blocks[1:]:
            feats.append(block(F.max_pool2d(feats[-1], 2)))
        return feats


class AttentionUNet(nn.Module):
    """U-Net returning logits, (N, out_channels, H, W), for (N, in_channels, H, W) input.

    H and W must be multiples of ``cfg.size_multiple`` (inference pads).
    """

    def __init__(self, cfg: UNetConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.encoder = PlainEncoder(cfg)
        skips = self.encoder.channels
        self.stages = nn.ModuleList(
            DecoderStage(skips[i + 1], skips[i], skips[i], cfg.attention) for i in reversed(range(cfg.depth))
        )
        self.head = nn.Conv2d(skips[0], cfg.out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feats = self.encoder(x)
        y = feats[-1]
        for stage, skip in zip(self.stages, reversed(feats[:-1]), strict=True):
            y = stage(y, skip)
        return self.head(y)
