"""The fundus-app command line, run as a user would (subprocess)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_runner import run_cli

from fundus_app import __version__, load_image, measure_vessels
from fundus_app.outputs import read_mask, read_probability
from fundus_app.preprocess import fov_diameter


def test_version() -> None:
    res = run_cli("--version")
    assert res.returncode == 0 and __version__ in res.stdout


def test_segment_writes_outputs_and_reports_bad_files(drive_test_image: Path, tmp_path: Path) -> None:
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    out = tmp_path / "out"
    res = run_cli("segment", str(bad), str(drive_test_image), "--out", str(out), "--device", "cpu")
    assert res.returncode == 1
    err = res.stderr.strip().splitlines()
    assert len(err) == 1 and "broken.png" in err[0] and "Traceback" not in res.stderr
    stem = drive_test_image.stem
    prob = read_probability(out / f"{stem}_prob.png")
    mask = read_mask(out / f"{stem}_mask.png")
    record = json.loads((out / f"{stem}.json").read_text())
    image = load_image(drive_test_image)
    assert prob.shape == mask.shape == image.shape
    expected = (prob >= record["threshold"]) & image.fov
    near_threshold = np.abs(prob - record["threshold"]) <= 1 / 65535  # 16-bit rounding of the written map
    assert mask.any() and np.array_equal(mask[~near_threshold], expected[~near_threshold])
    assert record["biomarkers"] == measure_vessels(mask, image.fov).as_dict()
    assert len(record["model"]["sha256"]) == 64
    assert record["device"] in ("cpu", "cpu (onnxruntime CPUExecutionProvider)")
    # a DRIVE photograph is segmented at its own pixels, its FOV diameter as the loader measured it
    assert record["working_scale"] == 1.0 and record["working_fov_px"] == round(fov_diameter(image.fov))
    assert not list(out.glob("*.part*"))  # atomic writes leave no temporaries


def test_segment_resume_skips_finished_images(drive_test_image: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{drive_test_image.stem}.json").write_text("{}")
    res = run_cli("segment", str(drive_test_image), "--out", str(out), "--skip-done")
    assert res.returncode == 0 and "skipped" in res.stdout
    assert not (out / f"{drive_test_image.stem}_mask.png").exists()


def test_unknown_checkpoint_gives_one_line(tmp_path: Path, drive_test_image: Path) -> None:
    fake = tmp_path / "model.pt"
    fake.write_bytes(b"not a model")
    res = run_cli("segment", str(drive_test_image), "--out", str(tmp_path), "--model", str(fake))
    assert res.returncode == 1 and len(res.stderr.strip().splitlines()) == 1 and "model.pt" in res.stderr


@pytest.mark.slow
def test_evaluate_prints_per_image_and_mean(tmp_path: Path, data: Path) -> None:
    res = run_cli("evaluate", "--dataset", "drive-test", "--limit", "2", "--json", str(tmp_path / "r.json"))
    assert res.returncode == 0, res.stderr
    assert "drive_01" in res.stdout and "drive_02" in res.stdout and "mean" in res.stdout
    result = json.loads((tmp_path / "r.json").read_text())
    assert len(result["images"]) == 2
    assert result["mean"]["f1"] == (result["images"][0]["f1"] + result["images"][1]["f1"]) / 2


def test_train_refuses_validation_outside_its_data_in_one_line(tmp_path: Path, data: Path) -> None:
    recipe = tmp_path / "bad.toml"
    recipe.write_text(f'out_dir = "{(tmp_path / "run").as_posix()}"\ndatasets = ["drive-train"]\n'
                      'validation = ["drive_39", "stare_im0139"]\n')
    res = run_cli("train", "--config", str(recipe))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    err = res.stderr.strip().splitlines()
    assert len(err) == 1 and "stare_im0139" in err[0] and "%" not in err[0]  # no progress bar
    assert not (tmp_path / "run" / "state.pt").exists()


def test_train_with_a_missing_recipe_base_fails_in_one_line(tmp_path: Path) -> None:
    recipe = tmp_path / "child.toml"
    recipe.write_text('base = "gone.toml"\nepochs = 1\n')
    res = run_cli("train", "--config", str(recipe))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    err = res.stderr.strip().splitlines()
    assert len(err) == 1 and "gone.toml" in err[0]


def test_train_in_the_installed_build_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from fundus_app.cli import main

    monkeypatch.setattr(sys, "frozen", True, raising=False)  # as in the PyInstaller bundle
    recipe = tmp_path / "r.toml"  # refused before it is read: were it read, it would fail otherwise, at once
    recipe.write_text('datasets = ["drive-train"]\nvalidation = ["not_an_image"]\n')
    assert main(["train", "--config", str(recipe)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "source checkout" in err[0]
