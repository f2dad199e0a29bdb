"""The torch backend: a checkpoint's network run by PyTorch (training's validation, ``--backend torch``).

Needs the ``train`` extra (``pip install "fundus-app[train]"``); the application runs without it
on ONNX Runtime (``model.runtime``).
"""
from __future__ import annotations

import numpy as np
import torch

from fundus_app.errors import ModelError
from fundus_app.model.checkpoint import Checkpoint
from fundus_app.model.runtime import ModelInfo


def resolve_device(device: str = "auto") -> torch.device:
    """'auto' -> CUDA when present, else CPU; refuses 'cuda' without a GPU."""
    device = (device or "auto").lower()
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ModelError("CUDA was requested but no usable GPU was found; use --device cpu.")
    if device not in ("cpu",) and not device.startswith("cuda"):
        raise ModelError(f"Unknown device '{device}'; choose auto, cpu or cuda.")
    return torch.device(device)


def checkpoint_info(checkpoint: Checkpoint) -> ModelInfo:
    return ModelInfo(name=checkpoint.name, sha256=checkpoint.sha256, threshold=checkpoint.threshold,
                     preprocess=checkpoint.preprocess, size_multiple=checkpoint.model_config.size_multiple)


class TorchNetwork:
    """``logits = network(batch)`` on (N, 1, h, w) float32 numpy arrays, computed by torch."""

    def __init__(self, checkpoint: Checkpoint, device: str = "auto", threads: int = 0) -> None:
        self.device = resolve_device(device)
        if self.device.type == "cpu" and threads:
            torch.set_num_threads(threads)
        model = checkpoint.build_model().to(self.device)
        if self.device.type == "cpu":
            # NHWC lets oneDNN pick its fast convolution kernels: 1.4-1.7x on the bundled net, same
            # output (experiments/bench_levers.py). Inputs may stay NCHW; torch converts once.
            model = model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # stubs lack it
        self.model = model
        self.device_label = str(self.device)
        self.batch_size = 4 if self.device.type == "cuda" else 1

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            logits = self.model(torch.from_numpy(np.ascontiguousarray(batch, np.float32)).to(self.device))
        return logits.float().cpu().numpy()
