"""Scoring any labelled dataset laid out as folders (``fundus-app evaluate --images``): pairing by name."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from cli_runner import run_cli

from fundus_app.datasets import cases, labelled_folder_cases
from fundus_app.errors import FundusError
from fundus_app.io import load_mask


def touch(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"")  # pairing reads names only
    return folder


def pairs(found: list) -> dict[str, tuple[str, str | None]]:
    return {c.name: (c.label.name, c.fov.name if c.fov else None) for c in found}


def test_public_layouts_pair_without_options(tmp_path: Path) -> None:
    drive = tmp_path / "drive"
    found = labelled_folder_cases(touch(drive / "images", "01_test.tif", "02_test.tif"),
                                  touch(drive / "1st_manual", "02_manual1.gif", "01_manual1.gif"),
                                  touch(drive / "mask", "01_test_mask.gif", "02_test_mask.gif"))
    assert pairs(found) == {"01_test": ("01_manual1.gif", "01_test_mask.gif"),
                            "02_test": ("02_manual1.gif", "02_test_mask.gif")}
    hrf = tmp_path / "hrf"  # same stems, and leading tokens shared by three images (01_h, 01_dr, 01_g)
    found = labelled_folder_cases(touch(hrf / "images", "01_h.jpg", "01_dr.JPG", "01_g.jpg"),
                                  touch(hrf / "manual1", "01_h.tif", "01_dr.tif", "01_g.tif"),
                                  touch(hrf / "mask", "01_h_mask.tif", "01_dr_mask.tif", "01_g_mask.tif"))
    assert pairs(found) == {"01_dr": ("01_dr.tif", "01_dr_mask.tif"), "01_g": ("01_g.tif", "01_g_mask.tif"),
                            "01_h": ("01_h.tif", "01_h_mask.tif")}
    stare = tmp_path / "stare"
    found = labelled_folder_cases(touch(stare / "images", "im0001.ppm", "im0002.ppm"),
                                  touch(stare / "labels-ah", "im0001.ah.ppm", "im0002.ah.ppm"))
    assert pairs(found) == {"im0001": ("im0001.ah.ppm", None), "im0002": ("im0002.ah.ppm", None)}
    iostar = tmp_path / "iostar"  # spaces in names, another case
    found = labelled_folder_cases(touch(iostar / "image", "STAR 01_OSC.jpg", "STAR 02_ODC.jpg"),
                                  touch(iostar / "GT", "STAR 01_OSC_GT.tif", "STAR 02_ODC_GT.tif"),
                                  touch(iostar / "mask", "STAR 01_OSC_Mask.tif", "STAR 02_ODC_Mask.tif"))
    assert pairs(found)["STAR 02_ODC"] == ("STAR 02_ODC_GT.tif", "STAR 02_ODC_Mask.tif")


def test_a_label_goes_to_the_image_with_the_longest_matching_name(tmp_path: Path) -> None:
    found = labelled_folder_cases(touch(tmp_path / "im", "eye.png", "eye_left.png"),
                                  touch(tmp_path / "gt", "eye_left_gt.png", "eye_gt.png"))
    assert pairs(found) == {"eye": ("eye_gt.png", None), "eye_left": ("eye_left_gt.png", None)}


def test_labels_in_the_images_folder_need_their_suffix(tmp_path: Path) -> None:
    chase = touch(tmp_path / "CHASEDB1", "Image_01L.jpg", "Image_01L_1stHO.png", "Image_01L_2ndHO.png",
                  "Image_01R.jpg", "Image_01R_1stHO.png", "Image_01R_2ndHO.png", "readme.txt")
    with pytest.raises(FundusError, match="--label-suffix"):
        labelled_folder_cases(chase, chase)
    found = labelled_folder_cases(chase, chase, label_suffix="_1stHO")
    assert pairs(found) == {"Image_01L": ("Image_01L_1stHO.png", None), "Image_01R": ("Image_01R_1stHO.png", None)}
    found = labelled_folder_cases(chase, chase, label_suffix="_2ndho")  # the second observer, any case
    assert [c.label.name for c in found] == ["Image_01L_2ndHO.png", "Image_01R_2ndHO.png"]


@pytest.mark.parametrize(("labels", "message"), [
    (("01_manual1.gif",), "No label matches 02_test.tif"),
    (("01_manual1.gif", "02_manual1.gif", "02_manual1.png"), "Several labels match 02_test.tif"),
])
def test_a_missing_or_ambiguous_label_is_refused_before_any_work(tmp_path: Path, labels: tuple[str, ...],
                                                                 message: str) -> None:
    images = touch(tmp_path / "images", "01_test.tif", "02_test.tif")
    with pytest.raises(FundusError, match=message):
        labelled_folder_cases(images, touch(tmp_path / "labels", *labels))


def test_two_images_with_one_name_or_a_missing_folder_are_refused(tmp_path: Path) -> None:
    labels = touch(tmp_path / "labels", "01.png")
    with pytest.raises(FundusError, match="same name: 01.jpg, 01.png"):
        labelled_folder_cases(touch(tmp_path / "images", "01.png", "01.jpg"), labels)
    with pytest.raises(FundusError, match="masks folder .*nowhere"):
        labelled_folder_cases(tmp_path / "images", labels, tmp_path / "nowhere")


def test_the_stored_benchmark_laid_out_as_folders_pairs_as_its_catalogue(data: Path) -> None:
    root = data / "DRIVE" / "test"
    found = labelled_folder_cases(root / "images", root / "1st_manual", root / "mask")
    assert [(c.image, c.label, c.fov) for c in found] == [(c.image, c.label, c.fov) for c in cases("drive-test")]


@pytest.mark.slow
def test_evaluate_a_folder_scores_as_the_benchmark_does(data: Path, tmp_path: Path) -> None:
    root = data / "DRIVE" / "test"
    res = run_cli("evaluate", "--images", str(root / "images"), "--labels", str(root / "1st_manual"), "--masks",
                  str(root / "mask"), "--limit", "2", "--json", str(tmp_path / "folder.json"))
    assert res.returncode == 0, res.stderr
    assert run_cli("evaluate", "--dataset", "drive-test", "--limit", "2", "--json",
                   str(tmp_path / "bench.json")).returncode == 0
    folder, bench = (json.loads((tmp_path / f"{n}.json").read_text()) for n in ("folder", "bench"))
    assert folder["dataset"] == "images" and [r["image"] for r in folder["images"]] == ["01_test", "02_test"]
    for key in ("f1", "auc", "sensitivity"):
        assert folder["mean"][key] == bench["mean"][key]


@pytest.mark.slow
def test_evaluate_a_chase_like_folder_and_refuse_a_label_of_another_size(data: Path, tmp_path: Path) -> None:
    chase = tmp_path / "chase"
    chase.mkdir()
    shutil.copy(data / "DRIVE" / "test" / "images" / "01_test.tif", chase / "Image_01L.tif")
    label = load_mask(data / "DRIVE" / "test" / "1st_manual" / "01_manual1.gif")
    cv2.imwrite(str(chase / "Image_01L_1stHO.png"), label.astype(np.uint8) * 255)
    cv2.imwrite(str(chase / "Image_01L_2ndHO.png"), np.zeros_like(label, np.uint8))  # must not be used
    res = run_cli("evaluate", "--images", str(chase), "--labels", str(chase), "--label-suffix", "_1stHO",
                  "--json", str(tmp_path / "r.json"), "--out", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    assert [r["image"] for r in result["images"]] == ["Image_01L"] and result["mean"]["f1"] > 0.75
    assert (tmp_path / "out" / "Image_01L_mask.png").is_file()
    cv2.imwrite(str(chase / "Image_01L_1stHO.png"), cv2.resize(label.astype(np.uint8) * 255, (300, 300)))
    res = run_cli("evaluate", "--images", str(chase), "--labels", str(chase), "--label-suffix", "_1stHO")
    err = res.stderr.strip().splitlines()
    assert res.returncode == 1 and len(err) == 1 and "Traceback" not in res.stderr
    assert "Image_01L_1stHO.png is 300x300" in err[0] and "Image_01L.tif is 565x584" in err[0]
