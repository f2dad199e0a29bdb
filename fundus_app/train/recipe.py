"""Training recipes: TOML files of ``TrainConfig`` options, and the images a run trained on.

The shipped recipe (``configs/vessel_unet.toml``) is self-contained. An experiment's recipe
(``experiments/configs/``) may name another as its ``base`` (a path relative to the recipe file):
it then holds only what it changes, so it reads as its difference from that recipe. The resolved
options, not the file, are what a run records in its ``config.json`` and checkpoints.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomllib

from fundus_app.datasets import Case, cases
from fundus_app.errors import FundusError

if TYPE_CHECKING:  # torch stays out of reading a recipe
    from fundus_app.model.checkpoint import Checkpoint


def merge_options(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` on top; tables ([model], [augment], ...) are merged key by key."""
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def read_recipe(path: str | Path) -> dict[str, Any]:
    """The options of the recipe at ``path``, its ``base`` chain resolved."""
    layers: list[dict[str, Any]] = []  # the base first, the named recipe last
    seen: list[Path] = []
    next_path: Path | None = Path(path)
    while next_path is not None:
        if next_path.resolve() in seen:
            raise FundusError(f"Recipe {next_path.name} is its own base (through {', '.join(p.name for p in seen)}).")
        seen.append(next_path.resolve())
        try:
            with open(next_path, "rb") as fh:
                layer = tomllib.load(fh)
        except OSError as exc:
            raise FundusError(f"Cannot read recipe {next_path}: {exc.strerror or exc}.") from None
        except tomllib.TOMLDecodeError as exc:
            raise FundusError(f"Recipe {next_path} is not valid TOML: {exc}.") from None
        base = layer.pop("base", None)
        layers.insert(0, layer)
        next_path = next_path.parent / base if base is not None else None
    options: dict[str, Any] = {}
    for layer in layers:
        options = merge_options(options, layer)
    return options


def run_splits(train_config: Mapping[str, Any]) -> tuple[list[Case], list[Case]]:
    """A training run's (training, validation) cases: its datasets without, and only, its validation
    names, in dataset order (all of them: a smoke run's ``limit_images`` aside)."""
    held_out = set(train_config["validation"])
    everything = [c for ds in train_config["datasets"] for c in cases(ds)]
    return [c for c in everything if c.name not in held_out], [c for c in everything if c.name in held_out]


def checkpoint_splits(ckpt: Checkpoint) -> tuple[list[Case], list[Case]]:
    """``run_splits`` of the run that trained ``ckpt`` (its recorded training config): re-selecting a
    threshold or re-estimating statistics for a checkpoint uses its own validation images, never a test set."""
    return run_splits(json.loads(ckpt.info["train_config"]))
