"""The experiments' recipes: valid options, and the chain that built the shipped model still equal to it."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from fundus_app.model.unet import UNetConfig
from fundus_app.train.loop import TrainConfig
from fundus_app.train.recipe import read_recipe

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
SHIPPED = Path(__file__).resolve().parents[2] / "configs" / "vessel_unet.toml"


@pytest.mark.parametrize("recipe", sorted(CONFIGS.glob("*.toml")), ids=lambda p: p.name)
def test_experiment_recipes_are_valid(recipe: Path, data: Path) -> None:
    from fundus_app.datasets import cases

    cfg = TrainConfig.from_dict(read_recipe(recipe))
    assert not cfg.finetune  # an experiment is one run; its base is a stage, not the two-stage product recipe
    names = {c.name for ds in cfg.datasets for c in cases(ds)}
    assert cfg.validation and set(cfg.validation) <= names  # validation held out of these datasets
    assert len(names) - len(cfg.validation) >= 10
    assert set(cfg.model) <= set(UNetConfig.__dataclass_fields__)  # a misspelt option would be ignored
    UNetConfig.from_dict(cfg.model)  # no rejected variant (those configs were deleted with the code)


def test_the_chain_that_built_the_shipped_model_resolves_to_its_two_stages() -> None:
    # train_b8 -> train_patch192 -> train_patch192_ema -> train_bundled is stage 1 and
    # finetune_camera_noise stage 2 of configs/vessel_unet.toml: the experiments based on them
    # start from what was shipped. Only the folders differ (and so where stage 2 reads stage 1).
    stage1, stage2 = TrainConfig.from_dict(read_recipe(SHIPPED)).stages()
    for chain, stage in (("train_bundled.toml", stage1), ("finetune_camera_noise.toml", stage2)):
        old = dataclasses.asdict(TrainConfig.from_dict(read_recipe(CONFIGS / chain)))
        new = dataclasses.asdict(stage)
        assert {k for k in old if old[k] != new[k]} <= {"out_dir", "init_from"}, chain
    assert read_recipe(CONFIGS / "finetune_camera_noise.toml")["init_from"] == "runs/bundled/best.pt"
    assert read_recipe(CONFIGS / "train_bundled.toml")["out_dir"] == "runs/bundled"
