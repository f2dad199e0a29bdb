"""Arteries, veins, disc and calibre through the front ends: segment's files, the batch table, evaluate."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from fundus_app.batch.table import table_columns
from fundus_app.batch.task import ANATOMY_COLUMNS, anatomy_cells
from fundus_app.io import load_label_map
from tests.cli_runner import run_cli


def test_segment_writes_the_av_map_disc_and_calibre(drive_test_image: Path, tmp_path: Path) -> None:
    res = run_cli("segment", str(drive_test_image), "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert "AVR" in res.stdout  # the summary line names the calibre (a value or why it is missing)
    av = load_label_map(tmp_path / "01_test_av.png")
    mask = load_label_map(tmp_path / "01_test_mask.png") > 0
    assert av.shape == mask.shape == (584, 565)
    assert set(np.unique(av)) <= {0, 1, 2, 3} and np.array_equal(av > 0, mask)  # the same vessels, classified
    assert np.count_nonzero(av == 1) > 1000 and np.count_nonzero(av == 2) > 1000
    record = json.loads((tmp_path / "01_test.json").read_text())
    disc = record["disc"]
    assert disc is not None and 0 < disc["centre_x"] < 200 and 40 < disc["diameter_px"] < 120  # DRIVE 01: left
    assert record["eye"] == "left" and record["eye_source"] == "estimated"
    assert record["av_model"]["name"] and record["disc_model"]["name"]
    calibre = record["calibre"]
    assert calibre is None or {"crae_um", "crve_um", "avr", "zone"} <= set(calibre)
    if calibre is not None and calibre["avr"] is not None:
        assert calibre["avr"] == pytest.approx(calibre["crae_um"] / calibre["crve_um"], rel=0.01)
    assert (calibre is not None and calibre["avr"] is not None) or record["calibre_reason"]


def test_the_batch_table_has_the_anatomy_columns_after_the_biomarkers() -> None:
    columns = table_columns([])
    assert columns[-len(ANATOMY_COLUMNS):] == list(ANATOMY_COLUMNS)
    record = {"disc": {"centre_x": 10.0, "centre_y": 20.0, "diameter_px": 80.0, "confidence": 0.9},
              "eye": "right", "eye_source": "estimated",
              "calibre": {"crae_um": 150.0, "crve_um": 220.0, "avr": 0.68, "n_arteries": 6, "n_veins": 5},
              "calibre_zone_c": None, "calibre_reason": None}
    cells = anatomy_cells(record)
    assert cells["disc_x"] == 10.0 and cells["avr"] == 0.68 and cells["n_veins"] == 5 and cells["eye_side"] == "right"
    assert cells["avr_zone_c"] is None
    empty = anatomy_cells({"disc": None, "calibre": None, "calibre_reason": "no optic disc found"})
    assert empty["disc_x"] is None and empty["avr"] is None and empty["calibre_reason"] == "no optic disc found"


@pytest.mark.slow
def test_batch_csv_carries_the_calibre(drive_test_image: Path, tmp_path: Path) -> None:
    res = run_cli("batch", str(drive_test_image), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet")
    assert res.returncode == 0, res.stderr
    with open(tmp_path / "out" / "batch.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1 and float(rows[0]["disc_diameter_px"]) > 0 and rows[0]["eye_side"] == "left"
    assert rows[0]["avr"] or rows[0]["calibre_reason"]


@pytest.mark.slow
def test_evaluate_scores_av_maps_and_calibre_agreement(tmp_path: Path, data: Path) -> None:
    res = run_cli("evaluate", "--dataset", "rite-test", "--limit", "3", "--json", str(tmp_path / "r.json"))
    assert res.returncode == 0, res.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    assert [r["image"] for r in result["images"]] == ["rite_01", "rite_02", "rite_03"]
    assert 0.3 < result["mean"]["f1"] < 1.0 and 0.5 < result["mean"]["accuracy"] <= 1.0
    assert result["mean"]["f1"] == pytest.approx(np.mean([r["f1"] for r in result["images"]]))
    assert set(result["calibre_agreement"]) == {"crae_um", "crve_um", "avr"}


@pytest.mark.slow
def test_evaluate_scores_the_disc_on_held_out_idrid(tmp_path: Path, data: Path) -> None:
    res = run_cli("evaluate", "--dataset", "idrid-od-test", "--limit", "5", "--json", str(tmp_path / "d.json"))
    assert res.returncode == 0, res.stderr
    result = json.loads((tmp_path / "d.json").read_text())
    assert result["n"] == 5 and 0.0 <= result["inside"] <= 1.0 and "centre inside the disc" in res.stdout
