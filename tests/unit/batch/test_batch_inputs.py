"""The inputs of a batch: files, folders and manifests, streamed in input order."""
from __future__ import annotations

from pathlib import Path

import pytest

from fundus_app.batch.inputs import count_items, iter_items, passthrough_columns
from fundus_app.errors import FundusError


def test_files_folders_and_manifests_stream_in_input_order(tmp_path: Path) -> None:
    folder = tmp_path / "clinic"
    (folder / "sub").mkdir(parents=True)
    for name in ("b.png", "a.jpg", "notes.txt", "sub/c.tif"):
        (folder / name).write_bytes(b"x")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,subject,eye\nimages/x.dcm,S1,OD\n/abs/y.png,S2,OS\n\n", encoding="utf-8")
    items = list(iter_items([folder, manifest, tmp_path / "single.png"]))
    assert [i.index for i in items] == list(range(5))
    assert [i.path for i in items] == [folder / "a.jpg", folder / "b.png", tmp_path / "images" / "x.dcm",
                                       Path("/abs/y.png"), tmp_path / "single.png"]
    assert items[2].columns == {"subject": "S1", "eye": "OD"} and items[0].columns == {}
    assert [i.path.name for i in iter_items([folder], recursive=True)] == ["a.jpg", "b.png", "c.tif"]
    assert count_items([folder, manifest]) == 4
    assert passthrough_columns([folder, manifest]) == ["subject", "eye"]


def test_bad_manifests_are_refused_in_one_sentence(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(FundusError, match="has no header row"):
        list(iter_items([empty]))
    wide = tmp_path / "wide.csv"
    wide.write_text("path,subject\na.png,S1,extra\n", encoding="utf-8")
    with pytest.raises(FundusError, match=r"wide.csv, line 2: 3 values for 2 columns"):
        list(iter_items([wide]))
    twice = tmp_path / "twice.csv"
    twice.write_text("path,eye,eye\n", encoding="utf-8")
    with pytest.raises(FundusError, match="repeats a column name"):
        passthrough_columns([twice])


def test_a_manifest_is_read_lazily_one_line_at_a_time(tmp_path: Path) -> None:
    """The first image is yielded before the rest of the manifest is read: nothing is loaded up front.

    (The client's memory over a 10,000-line manifest is measured by benchmarks/bench_batch.py.)
    """
    manifest = tmp_path / "m.csv"
    with open(manifest, "w", encoding="utf-8") as fh:
        fh.write("path,subject\nfirst.png,S1\n")
        for i in range(100_000):
            fh.write(f"img/{i:07d}.png,S{i}\n")
        fh.write("late.png,S2,a value too many\n")
    items = iter_items([manifest])
    assert next(items).path.name == "first.png"
    with pytest.raises(FundusError, match="line 100003"):
        for _ in items:
            pass
