"""What a lighter full-resolution stage would save: the network's time, not its accuracy.

    python -m experiments.first_stage_cost [--rounds 30]

Builds the bundled vessel network's architecture with random weights, and variants whose
full-resolution layers are cheaper, exports each like the bundled one (``export_onnx``'s graph:
constant-scale resampling) and times them side by side on a 560x560 input (DRIVE-size) with ONNX
Runtime, round-robin in one process, spinning off. A variant would have to be trained (and hold
DRIVE F1 0.8217) before it could ship; this measures only the ceiling of that lever.
"""
from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from experiments.ort_graph_probe import round_robin_medians, session
from fundus_app.model.unet import AttentionUNet, ConvBlock, UNetConfig


def one_conv(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


def variants() -> dict[str, nn.Module]:
    cfg = UNetConfig(base_channels=16, depth=4)
    shipped = AttentionUNet(cfg)
    single = AttentionUNet(cfg)  # one 3x3 conv instead of two in the encoder's and decoder's full-res blocks
    single.encoder.blocks[0] = one_conv(1, 16)
    single.stages[-1].conv = one_conv(32, 16)
    narrow = AttentionUNet(cfg)  # the decoder's full-res block at 8 channels
    narrow.stages[-1].conv = nn.Sequential(ConvBlock(32, 8))
    narrow.head = nn.Conv2d(8, 1, 1)
    return {"shipped (2+2 convs at full resolution)": shipped, "1+1 convs at full resolution": single,
            "decoder's full-resolution block at 8 channels": narrow}


def export(model: nn.Module, path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), (torch.zeros(1, 1, 64, 64),), str(path), input_names=["x"],
                          output_names=["logits"], opset_version=17, dynamo=False,
                          dynamic_axes={"x": {2: "h", 3: "w"}, "logits": {2: "h", 3: "w"}})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    x = np.random.default_rng(0).random((1, 1, 560, 560), dtype=np.float32)
    sessions = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, model) in enumerate(variants().items()):
            path = Path(tmp) / f"v{i}.onnx"
            export(model, path)
            sessions[name] = session(path)
    medians = round_robin_medians(sessions, x, args.rounds)
    base = next(iter(medians.values()))
    for name, median in medians.items():
        print(f"{name}: {1e3 * median:.1f} ms (saves {1e3 * (base - median):.1f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
