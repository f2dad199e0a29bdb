"""Training recipes: TOML files of ``TrainConfig`` options.

A recipe may name another as its ``base`` (a path relative to the recipe file):
it then holds only what it changes, so an experiment reads as its difference
from the bundled recipe and follows that recipe's later corrections. The
resolved options, not the file, are what a run records in its ``config.json``.
"""
from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fundus_app.errors import FundusError


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
