"""The bundled model's recipe (configs/train_bundled.toml) as the diagnostic scripts use it.

Scripts that compare candidates with the bundled model score them all on its validation split,
whatever split a candidate was trained with; this is the one place that reads it.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fundus_app.datasets import Case, cases_named  # noqa: E402
from fundus_app.train.recipe import read_recipe  # noqa: E402

RECIPE = Path(__file__).resolve().parents[1] / "configs" / "train_bundled.toml"


def validation_cases() -> list[Case]:
    """The bundled recipe's validation images (never trained on), in dataset order."""
    recipe = read_recipe(RECIPE)
    return cases_named(recipe["validation"], recipe["datasets"])
