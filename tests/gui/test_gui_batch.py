"""The review batch without Qt: the result cache and the biomarker CSV."""
from __future__ import annotations

import csv

import pytest

from fundus_app.biomarkers import MEASURES
from fundus_app.gui.batch import ResultCache, ReviewItem, biomarker_csv


def test_cache_drops_the_least_recently_used_result() -> None:
    cache: ResultCache[str] = ResultCache(3)
    for path in "abc":
        assert cache.put(path, path.upper()) == []
    assert cache.get("a") == "A"  # a is now the most recently used
    assert cache.put("d", "D") == ["b"]
    assert list(cache) == ["c", "a", "d"] and "b" not in cache and cache.get("b") is None
    assert len(cache) == 3


def test_cache_never_evicts_the_image_on_screen() -> None:
    cache: ResultCache[str] = ResultCache(2)
    cache.put("shown", "S")
    cache.pinned = "shown"
    for path in ("x", "y", "z"):
        cache.put(path, path)
        assert "shown" in cache and path in cache and len(cache) == 2
    cache.pinned = None
    assert cache.put("w", "W") == ["shown"]


def test_cache_pop_and_clear() -> None:
    cache: ResultCache[int] = ResultCache(2)
    cache.put("a", 1)
    assert cache.pop("a") == 1 and cache.pop("a") is None
    cache.put("b", 2)
    cache.clear()
    assert len(cache) == 0
    with pytest.raises(ValueError):
        ResultCache(0)


def test_csv_columns_follow_the_catalogue_and_keep_unknown_keys() -> None:
    values = {m.key: 0.5 for m in reversed(MEASURES)}  # the item's own order must not matter
    values["new_measure"] = 2.0
    items = [ReviewItem("/data/=eye.png", status="done", biomarkers=values, biomarker_threshold=0.7, seconds=0.25)]
    rows = list(csv.reader(biomarker_csv(items).splitlines()))
    assert rows[0] == ["file", "folder", "threshold", "crf", *(m.key for m in MEASURES), "new_measure", "model",
                       "model_sha256", "device", "inference_s"]
    assert rows[1][0] == "'=eye.png", "a file name is never read as a formula"
    assert rows[1][2] == "0.7" and rows[1][-1] == "0.250"
