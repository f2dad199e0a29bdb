"""The bundled model's recipe (configs/train_bundled.toml) and a checkpoint's own run, as the diagnostic
scripts use them.

Scripts that compare candidates with the bundled model score them all on its validation split,
whatever split a candidate was trained with; this is the one place that reads it. Scripts that
re-select or re-estimate something for one checkpoint use that checkpoint's own run's split
(``checkpoint_splits``), as its training did.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fundus_app.datasets import Case, cases  # noqa: E402
from fundus_app.model.checkpoint import Checkpoint  # noqa: E402
from fundus_app.train.recipe import read_recipe  # noqa: E402

RECIPE = Path(__file__).resolve().parents[1] / "configs" / "vessel_unet.toml"


def run_splits(train_config: Mapping[str, Any]) -> tuple[list[Case], list[Case]]:
    """A training run's (training, validation) cases: its datasets without, and only, its validation
    names, in dataset order."""
    held_out = set(train_config["validation"])
    everything = [c for ds in train_config["datasets"] for c in cases(ds)]
    return [c for c in everything if c.name not in held_out], [c for c in everything if c.name in held_out]


def checkpoint_splits(ckpt: Checkpoint) -> tuple[list[Case], list[Case]]:
    """``run_splits`` of the run that trained ``ckpt`` (its recorded training config)."""
    return run_splits(json.loads(ckpt.info["train_config"]))


def validation_cases() -> list[Case]:
    """The bundled recipe's validation images (never trained on), in dataset order."""
    return run_splits(read_recipe(RECIPE))[1]
