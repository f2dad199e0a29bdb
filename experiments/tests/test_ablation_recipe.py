"""The ablation runs compare like with like: each variant changes only what it declares."""
from __future__ import annotations

from dataclasses import asdict

import pytest

from experiments import ablation
from fundus_app.model.unet import UNetConfig

# What every run must share with the baseline, whatever the variant.
PER_RUN = {"out_dir", "name"}


@pytest.mark.parametrize("name", list(ablation.VARIANTS))
def test_variant_differs_from_baseline_only_where_declared(name: str) -> None:
    base = asdict(ablation.variant_config("baseline", epochs=3))
    cfg = asdict(ablation.variant_config(name, epochs=3))
    changed = {k for k in cfg if cfg[k] != base[k]} - PER_RUN
    assert changed == set(ablation.VARIANTS[name][1])
    assert cfg["epochs"] == cfg["restart_epochs"] == 3  # one cosine cycle, same for every variant
    assert cfg["seed"] == base["seed"]
    if "datasets" not in changed:  # only a change of training data may change the validation images
        assert cfg["validation"] == base["validation"]
    UNetConfig.from_dict(cfg["model"])  # the model options are valid


def test_baseline_is_the_bundled_recipe() -> None:
    import tomllib

    with open(ablation.BASE_CONFIG, "rb") as fh:
        bundled = tomllib.load(fh)
    cfg = asdict(ablation.variant_config("baseline", epochs=bundled["epochs"]))
    for key, value in bundled.items():
        if key not in PER_RUN | {"restart_epochs"}:
            expected = list(value) if isinstance(value, list) else value
            got = list(cfg[key]) if isinstance(cfg[key], tuple) else cfg[key]
            assert got == expected, key
