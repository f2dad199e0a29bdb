"""The default threshold is chosen by the figure the targets report (mean per-image F1 from the written masks)."""
from __future__ import annotations

from pathlib import Path

import pytest

from fundus_app.datasets import cases, cases_named
from fundus_app.evaluation import evaluate_dataset, select_threshold
from fundus_app.model.inference import Segmenter


@pytest.mark.slow
def test_selected_threshold_is_the_best_one_evaluate_scores(data: Path) -> None:
    seg = Segmenter.load(None, device="cpu", backend="torch")
    grid = (0.3, 0.5, 0.74, 0.9)
    chosen = select_threshold(seg, cases("drive-test")[:2], grid)
    # evaluate_dataset writes the files and reads them back: the selection must agree with it exactly
    scored = {t: evaluate_dataset(seg, "drive-test", limit=2, threshold=t) for t in grid}
    mean_f1 = {t: r["mean"]["f1"] for t, r in scored.items()}
    assert chosen["threshold"] == max(mean_f1, key=mean_f1.get)
    assert chosen["mean_f1"] == pytest.approx(mean_f1[chosen["threshold"]], abs=1e-12)
    rows = scored[chosen["threshold"]]["images"]
    assert chosen["images"] == pytest.approx({r["image"]: r["f1"] for r in rows}, abs=1e-12)
    assert len(set(mean_f1.values())) == len(grid)  # the grid is wide enough for the choice to matter


def test_selection_without_validation_images_is_refused() -> None:
    with pytest.raises(ValueError, match="no validation images"):
        select_threshold(Segmenter.load(None, device="cpu", backend="torch"), [])


def test_validation_split_is_picked_by_name_from_the_recipe_datasets(data: Path) -> None:
    picked = cases_named(["stare_im0139", "drive_39", "drive_01"], ["drive-train", "stare-train"])
    # dataset order, not the order asked in; drive_01 is a test image, outside these datasets
    assert [c.name for c in picked] == ["drive_39", "stare_im0139"]
    assert picked[1] in cases("stare-train")
