"""Training recipes: the shipped one is one self-contained file, equal to the code's defaults; an
experiment's recipe may name its base and hold only what it changes."""
from __future__ import annotations

from pathlib import Path

import pytest

from fundus_app.errors import FundusError
from fundus_app.train.loop import TrainConfig
from fundus_app.train.recipe import merge_options, read_recipe

SHIPPED = Path(__file__).resolve().parents[3] / "configs" / "vessel_unet.toml"


def test_the_shipped_recipe_is_self_contained_and_its_stage_1_is_the_defaults() -> None:
    import dataclasses

    import tomllib

    with open(SHIPPED, "rb") as fh:
        raw = tomllib.load(fh)
    assert "base" not in raw and raw["finetune"]  # one file, both stages
    options = read_recipe(SHIPPED)
    finetune = options.pop("finetune")
    defaults = dataclasses.asdict(TrainConfig())
    # every option the file sets is the default, and the file sets every option of the recipe (the run
    # controls and the empty augment/preprocess tables aside)
    assert TrainConfig.from_dict(options) == TrainConfig()
    assert set(defaults) - set(options) == {"limit_images", "device", "resume", "init_from", "augment",
                                            "preprocess", "finetune"}
    assert TrainConfig.from_dict(read_recipe(SHIPPED)).finetune == finetune


def test_a_recipe_changes_only_what_it_holds_over_its_base_chain(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text('epochs = 80\nlr = 1e-3\n[model]\nbase_channels = 8\ndepth = 4\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "mid.toml").write_text('base = "../base.toml"\nlr = 2e-4\n')  # relative to this file
    (tmp_path / "sub" / "top.toml").write_text('base = "mid.toml"\nepochs = 15\n[model]\nbase_channels = 16\n')
    assert read_recipe(tmp_path / "sub" / "top.toml") == {
        "epochs": 15, "lr": 2e-4, "model": {"base_channels": 16, "depth": 4}}  # table merged key by key
    assert read_recipe(tmp_path / "base.toml") == {"epochs": 80, "lr": 1e-3, "model": {"base_channels": 8, "depth": 4}}


def test_merge_replaces_values_and_merges_tables_without_touching_its_inputs() -> None:
    base = {"datasets": ["a", "b"], "augment": {"flip": True, "hsv_jitter": 0.1}}
    merged = merge_options(base, {"datasets": ["a"], "augment": {"hsv_jitter": 0.2}})
    assert merged == {"datasets": ["a"], "augment": {"flip": True, "hsv_jitter": 0.2}}
    assert base == {"datasets": ["a", "b"], "augment": {"flip": True, "hsv_jitter": 0.1}}


def test_bad_recipes_are_refused_with_the_file_named(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('base = "b.toml"\n')
    (tmp_path / "b.toml").write_text('base = "a.toml"\n')
    with pytest.raises(FundusError, match="own base"):
        read_recipe(tmp_path / "a.toml")
    (tmp_path / "orphan.toml").write_text('base = "missing.toml"\n')
    with pytest.raises(FundusError, match="missing.toml"):
        read_recipe(tmp_path / "orphan.toml")
    (tmp_path / "broken.toml").write_text('epochs = \n')
    with pytest.raises(FundusError, match="broken.toml.*TOML"):
        read_recipe(tmp_path / "broken.toml")


def test_a_runs_split_is_its_datasets_without_its_validation_images(data: Path) -> None:
    # what calibrate_threshold.py re-selects a checkpoint's threshold on: its own run's validation images
    import dataclasses

    from fundus_app.model.checkpoint import bundled_path, load_checkpoint
    from fundus_app.train.recipe import checkpoint_splits, run_splits

    training, validation = run_splits(dataclasses.asdict(TrainConfig()))
    assert [c.name for c in validation] == ["drive_39", "drive_40", "stare_im0139"]  # dataset order
    assert len(training) == 27 and not {c.name for c in training} & {c.name for c in validation}
    assert checkpoint_splits(load_checkpoint(bundled_path())) == (training, validation)  # the shipped run's split
