"""Checkpoint files: weights plus everything needed to rebuild and use them.

A checkpoint is a plain dict saved with ``torch.save`` and read back with
``weights_only=True`` (no pickled code can run). Its SHA-256 is checked
against the manifest beside it (``manifest.json``, see ``model.manifest``)
when that lists it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from fundus_app.atomic import atomic_path
from fundus_app.errors import ModelError
from fundus_app.model.manifest import MANIFEST_NAME, manifest_entry, sha256_of
from fundus_app.model.unet import AttentionUNet, RetiredVariantError, UNetConfig
from fundus_app.preprocess import PreprocessConfig
from fundus_app.resources import models_dir

FORMAT = "fundus-vessel-checkpoint/1"
BUNDLED_NAME = "vessel_unet.pt"


@dataclass
class Checkpoint:
    """A loaded (or about to be saved) checkpoint."""

    model_config: UNetConfig
    preprocess: PreprocessConfig
    state_dict: dict[str, torch.Tensor]
    threshold: float = 0.5
    name: str = "vessel-unet"
    info: dict[str, Any] = field(default_factory=dict)  # training recipe, epoch, validation scores
    sha256: str = ""

    def build_model(self) -> AttentionUNet:
        # the random initial weights are overwritten at once; drawing them must not shift the caller's
        # random stream (a training run that loads a checkpoint would otherwise start from other weights)
        with torch.random.fork_rng(devices=[]):
            model = AttentionUNet(self.model_config)
        model.load_state_dict(self.state_dict)
        return model.eval()


def bundled_path() -> Path:
    """The checkpoint shipped in ``models/`` (or next to a frozen executable)."""
    return models_dir() / BUNDLED_NAME


def save_checkpoint(ckpt: Checkpoint, path: str | os.PathLike[str]) -> None:
    """Write atomically (fundus_app.atomic): a crash never leaves half a checkpoint under ``path``."""
    path = Path(path)
    payload = {
        "format": FORMAT,
        "name": ckpt.name,
        "model_config": ckpt.model_config.to_dict(),
        "preprocess": ckpt.preprocess.to_dict(),
        "threshold": float(ckpt.threshold),
        "info": ckpt.info,
        "state_dict": {k: v.detach().cpu().clone() for k, v in ckpt.state_dict.items()},
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


def load_checkpoint(path: str | os.PathLike[str], expected_sha256: str | None = None) -> Checkpoint:
    """Read a checkpoint safely and validate it; raises ModelError with a sentence."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"Model file {path} does not exist.")
    digest = sha256_of(path)
    entry = manifest_entry(path) if expected_sha256 is None else None
    expected = expected_sha256 or (entry or {}).get("sha256")
    if expected is not None and digest != str(expected).lower():
        raise ModelError(f"Model file {path.name} does not match the SHA-256 in its manifest ({MANIFEST_NAME}); "
                         "it may be damaged or tampered with. Reinstall the application.")
    try:
        raw = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # truncated file, not a torch file, or unsafe pickle content
        raise ModelError(f"Model file {path.name} cannot be read as a safe checkpoint ({type(exc).__name__}).") from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ModelError(f"Model file {path.name} is not a Fundus Vessel Workstation checkpoint ({FORMAT}).")
    try:
        ckpt = Checkpoint(
            model_config=UNetConfig.from_dict(raw["model_config"]),
            preprocess=PreprocessConfig.from_dict(raw["preprocess"]),
            state_dict=raw["state_dict"],
            threshold=float(raw.get("threshold", 0.5)),
            name=str(raw.get("name", path.stem)),
            info=dict(raw.get("info", {})),
            sha256=digest,
        )
        ckpt.build_model()  # proves the weights fit the declared architecture
    except RetiredVariantError as exc:  # an experiment's candidate, not a damaged file: name the option
        raise ModelError(f"Model file {path.name} cannot be used: {exc}.") from None
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise ModelError(f"Model file {path.name} has incompatible metadata or weights: {exc}".splitlines()[0]) from exc
    return ckpt
