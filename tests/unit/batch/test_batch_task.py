"""The per-image function of a batch, with a stand-in model: rows, failures, names, no double work."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from fundus_app import load_image
from fundus_app.batch.inputs import BatchItem
from fundus_app.batch.task import TaskOptions, free_stem, process_item, source_id
from fundus_app.domain import FundusImage, Segmentation
from fundus_app.outputs import write_outputs


class StandInModel:
    """Segments a horizontal band: fast, deterministic; counts its calls."""

    calls = 0

    def segment(self, image: FundusImage, *, crf: bool = False, on_progress=None, should_cancel=None):
        StandInModel.calls += 1
        prob = np.zeros(image.shape, np.float32)
        prob[image.shape[0] // 2 - 2: image.shape[0] // 2 + 2, :] = 0.9
        return Segmentation(probability=prob, fov=image.fov, timings={"total": 0.01}, model_name="stand-in",
                            model_sha256="ab" * 32)


@pytest.fixture()
def photo(tmp_path: Path, synthetic_fundus: np.ndarray) -> Path:
    import cv2

    path = tmp_path / "in" / "eye.png"
    path.parent.mkdir()
    cv2.imwrite(str(path), synthetic_fundus[..., ::-1])
    return path


def test_a_row_per_image_and_the_files_of_segment(photo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    item = BatchItem(4, photo, {"subject": "S1"})
    row = process_item(item, "eye", out, TaskOptions(threshold=0.5), StandInModel())
    assert row["index"] == 4 and row["subject"] == "S1" and row["status"] == "ok" and row["error"] is None
    assert row["model_sha256"] == "ab" * 32 and row["threshold"] == 0.5 and row["seconds_image"] > 0
    assert sorted(p.name for p in out.iterdir()) == ["eye.json", "eye_mask.png", "eye_overlay.png", "eye_prob.png"]
    record = json.loads((out / "eye.json").read_text())
    assert row["vessel_density"] == record["biomarkers"]["vessel_density"] > 0
    assert record["source_id"] == source_id(photo)
    assert "patient_name" not in record and "patient_id" not in record


def test_a_finished_image_is_not_computed_again(photo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    item = BatchItem(0, photo)
    first = process_item(item, "eye", out, TaskOptions(), StandInModel())
    calls, written = StandInModel.calls, (out / "eye_mask.png").stat().st_mtime_ns
    again = process_item(item, "eye", out, TaskOptions(), StandInModel())  # resumed, or re-run after a worker died
    assert StandInModel.calls == calls and (out / "eye_mask.png").stat().st_mtime_ns == written
    assert again["seconds_image"] is None and {k: again[k] for k in first if k != "seconds_image"} == \
        {k: first[k] for k in first if k != "seconds_image"}


def test_a_bad_file_is_a_failed_row_not_an_exception(tmp_path: Path) -> None:
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    row = process_item(BatchItem(1, bad), "broken", tmp_path, TaskOptions(), StandInModel())
    assert row["status"] == "failed" and "broken.jpg" in row["error"] and "\n" not in row["error"]
    assert not list(tmp_path.glob("broken*.json"))


def test_the_same_name_in_two_folders_gets_two_stable_names(photo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other" / "eye.png"
    other.parent.mkdir()
    shutil.copy(photo, other)
    out = tmp_path / "out"
    out.mkdir()
    first, record = free_stem(out, "eye", source_id(photo), {})
    assert (first, record) == ("eye", None)
    assert free_stem(out, "eye", source_id(other), {"eye": source_id(photo)})[0] == "eye_2"  # in flight
    process_item(BatchItem(0, photo), first, out, TaskOptions(), StandInModel())
    assert free_stem(out, "eye", source_id(other), {})[0] == "eye_2"  # written by the other file
    stem, record = free_stem(out, "eye", source_id(photo), {})
    assert stem == "eye" and record is not None  # a resumed run finds its own
    image = load_image(photo)  # a JSON that `segment` wrote (no source) is another file's
    write_outputs(image, StandInModel().segment(image), out, stem="plain")
    assert free_stem(out, "plain", source_id(photo), {})[0] == "plain_2"
