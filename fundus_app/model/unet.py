"""U-Net with additive attention gates (Oktay et al., "Attention U-Net: Learning
Where to Look for the Pancreas", MIDL 2018), an optional ResNet34 encoder, and an optional
second-pass refiner (a W-Net cascade).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class UNetConfig:
    """Constructor arguments; saved in every checkpoint so it rebuilds its model."""

    in_channels: int = 1
    base_channels: int = 16
    depth: int = 4  # number of down-sampling steps
    attention: bool = True
    encoder: str = "plain"  # "plain" or "resnet34"
    drop_block: float = 0.0  # DropBlock drop probability in the plain U-Net's conv blocks (training only)
    drop_block_size: int = 7
    # >0: a small second U-Net (W-Net; Galdran et al., "State-of-the-art retinal vessel segmentation
    # with minimalistic models", Sci Rep 12:6174, 2022) re-reads the input with the first pass's
    # probabilities, this many times with shared weights; width refine_channels, depth 3, no gates
    refine_passes: int = 0
    refine_channels: int = 8

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> UNetConfig:
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})

    @property
    def size_multiple(self) -> int:
        """Input height and width must be multiples of this."""
        return 32 if self.encoder == "resnet34" else 2**self.depth


class DropBlock(nn.Module):
    """DropBlock (Ghiasi, Lin, Le, "DropBlock: A regularization method for convolutional networks",
    NeurIPS 2018): zeroes random ``block_size`` squares of each feature map while training and
    rescales the rest; the identity in eval mode, so inference and ONNX export never see it.

    SA-UNet (Guo et al., ICPR 2020) puts it after every 3x3 convolution of a small U-Net to curb
    over-fitting on DRIVE's 20 training images. Written here rather than taken from torchvision
    (``ops.DropBlock2d``) so the application does not ship torchvision for a training-only layer,
    and so a block larger than a deep, small feature map shrinks to fit instead of failing.
    """

    def __init__(self, drop_prob: float, block_size: int) -> None:
        super().__init__()
        self.drop_prob, self.block_size = drop_prob, block_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.drop_prob <= 0.0:
            return x
        h, w = x.shape[-2:]
        bs = min(self.block_size, h, w)
        bs -= 1 - bs % 2  # odd, so the pooled mask keeps x's size
        # seed rate so that about drop_prob of the (valid-centred) units end up dropped
        gamma = self.drop_prob * h * w / (bs * bs * (h - bs + 1) * (w - bs + 1))
        seeds = torch.rand(x.shape[0], x.shape[1], h - bs + 1, w - bs + 1, device=x.device) < gamma
        seeds = F.pad(seeds.to(x.dtype), [bs // 2] * 4)
        # a square max filter is two 1-D ones: 2*bs instead of bs*bs comparisons per pixel
        grown = F.max_pool2d(seeds, kernel_size=(1, bs), stride=1, padding=(0, bs // 2))
        keep = 1.0 - F.max_pool2d(grown, kernel_size=(bs, 1), stride=1, padding=(bs // 2, 0))
        return x * keep * (keep.numel() / keep.sum().clamp_min(1.0))


class ConvBlock(nn.Sequential):
    """(3x3 conv, BN, ReLU) x 2; with ``drop_prob`` > 0, DropBlock after each conv (SA-UNet's order).

    Without DropBlock the layer indices are the ones every earlier checkpoint was saved with.
    """

    def __init__(self, cin: int, cout: int, drop_prob: float = 0.0, block_size: int = 7) -> None:
        layers: list[nn.Module] = []
        for c_in in (cin, cout):
            layers.append(nn.Conv2d(c_in, cout, 3, padding=1, bias=False))
            if drop_prob > 0.0:
                layers.append(DropBlock(drop_prob, block_size))
            layers += [nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
        super().__init__(*layers)


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
        return F.interpolate(alpha, size=x.shape[-2:], mode="bilinear", align_corners=False)

    def forward(self, x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        return self.out(self.attention(x, g) * x)


class DecoderStage(nn.Module):
    """Upsample the coarse features, gate the skip with them, concatenate, convolve."""

    def __init__(self, coarse: int, skip: int, out: int, attention: bool, drop_prob: float = 0.0,
                 block_size: int = 7) -> None:
        super().__init__()
        self.gate = AttentionGate(skip, coarse) if attention and skip > 0 else None
        self.up = nn.Sequential(nn.Conv2d(coarse, out, 1, bias=False), nn.BatchNorm2d(out), nn.ReLU(inplace=True))
        self.conv = ConvBlock(out + skip, out, drop_prob, block_size)

    def forward(self, coarse: torch.Tensor, skip: torch.Tensor | None) -> torch.Tensor:
        size = skip.shape[-2:] if skip is not None else (coarse.shape[-2] * 2, coarse.shape[-1] * 2)
        up = self.up(F.interpolate(coarse, size=size, mode="bilinear", align_corners=False))
        if skip is None:
            return self.conv(up)
        if self.gate is not None:
            skip = self.gate(skip, coarse)
        return self.conv(torch.cat([up, skip], dim=1))


class PlainEncoder(nn.Module):
    """Conv blocks with 2x2 max pooling; channels double at each level."""

    def __init__(self, cfg: UNetConfig) -> None:
        super().__init__()
        chans = [cfg.base_channels * 2**i for i in range(cfg.depth + 1)]
        self.channels = chans
        drop = (cfg.drop_block, cfg.drop_block_size)
        self.blocks = nn.ModuleList([ConvBlock(cfg.in_channels, chans[0], *drop)])
        self.blocks.extend(ConvBlock(chans[i], chans[i + 1], *drop) for i in range(cfg.depth))

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        feats = [self.blocks[0](x)]
        for block in self.blocks[1:]:
            feats.append(block(F.max_pool2d(feats[-1], 2)))
        return feats


class BasicBlock(nn.Module):
    """ResNet basic block; parameter names match torchvision's for weight loading."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = (
            nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
            if stride != 1 or cin != cout
            else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + identity)


class ResNet34Encoder(nn.Module):
    """ResNet34 feature pyramid (strides 2, 4, 8, 16, 32), random init.

    ImageNet weights can be loaded from a local torchvision state-dict file with
    ``load_pretrained``; nothing is downloaded.
    """

    def __init__(self, cfg: UNetConfig) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cfg.in_channels, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        widths, counts = (64, 128, 256, 512), (3, 4, 6, 3)
        cin = 64
        for i, (w, n) in enumerate(zip(widths, counts)):
            layer = [BasicBlock(cin, w, 1 if i == 0 else 2)] + [BasicBlock(w, w, 1) for _ in range(n - 1)]
            setattr(self, f"layer{i + 1}", nn.Sequential(*layer))
            cin = w
        self.channels = [64, 64, 128, 256, 512]

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        s2 = F.relu(self.bn1(self.conv1(x)))
        s4 = self.layer1(F.max_pool2d(s2, 3, 2, 1))
        s8 = self.layer2(s4)
        s16 = self.layer3(s8)
        return [s2, s4, s8, s16, self.layer4(s16)]

    def load_pretrained(self, path: str) -> None:
        """Load torchvision ResNet34 ImageNet weights from a local file (fc dropped, RGB conv averaged to grey)."""
        state = torch.load(path, map_location="cpu", weights_only=True)
        state = {k: v for k, v in state.items() if not k.startswith("fc.")}
        w = state.get("conv1.weight")
        if w is not None and w.shape[1] != self.conv1.in_channels:
            state["conv1.weight"] = w.mean(dim=1, keepdim=True).repeat(1, self.conv1.in_channels, 1, 1)
        self.load_state_dict(state, strict=True)


class AttentionUNet(nn.Module):
    """U-Net returning vessel logits, (N, 1, H, W), for (N, C, H, W) input.

    H and W must be multiples of ``cfg.size_multiple`` (inference pads).
    """

    def __init__(self, cfg: UNetConfig) -> None:
        super().__init__()
        self.cfg = cfg
        if cfg.encoder == "plain":
            self.encoder: nn.Module = PlainEncoder(cfg)
            skips = self.encoder.channels
            self.stages = nn.ModuleList(
                DecoderStage(skips[i + 1], skips[i], skips[i], cfg.attention, cfg.drop_block, cfg.drop_block_size)
                for i in reversed(range(cfg.depth))
            )
            head_in = skips[0]
            self.final_up = None
        elif cfg.encoder == "resnet34":
            self.encoder = ResNet34Encoder(cfg)
            skips = self.encoder.channels  # strides 2..32
            outs = [32, 64, 128, 256]
            self.stages = nn.ModuleList(
                DecoderStage(skips[i + 1] if i == 3 else outs[i + 1], skips[i], outs[i], cfg.attention)
                for i in reversed(range(4))
            )
            self.final_up = DecoderStage(outs[0], 0, 16, False)  # stride 2 -> 1, no skip
            head_in = 16
        else:
            raise ValueError(f"unknown encoder {cfg.encoder!r}")
        self.head = nn.Conv2d(head_in, 1, 1)
        self.refiner = (
            AttentionUNet(UNetConfig(in_channels=cfg.in_channels + 1, base_channels=cfg.refine_channels,
                                     depth=3, attention=False))
            if cfg.refine_passes > 0 else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_passes(x)[-1]

    def forward_passes(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The logits of the first pass and of every refining pass (training supervises them all)."""
        passes = [self.first_pass(x)]
        for _ in range(self.cfg.refine_passes):
            assert self.refiner is not None
            passes.append(self.refiner(torch.cat([x, torch.sigmoid(passes[-1])], dim=1)))
        return passes

    def first_pass(self, x: torch.Tensor) -> torch.Tensor:
        feats = self.encoder(x)
        y = feats[-1]
        for stage, skip in zip(self.stages, reversed(feats[:-1])):
            y = stage(y, skip)
        if self.final_up is not None:
            y = self.final_up(y, None)
        return self.head(y)
