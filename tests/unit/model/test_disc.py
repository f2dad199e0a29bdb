"""The optic-disc locator: bundled model, held-out IDRiD images, "no disc", eye rule, mirror symmetry."""
from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fundus_app.domain import Disc
from fundus_app.idrid import idrid_cases, idrid_root, split_of
from fundus_app.io import load_image
from fundus_app.model.disc import CHECKPOINT_NAME, ONNX_NAME, DiscLocator, disc_input, estimate_eye
from fundus_app.model.manifest import read_manifest, sha256_of
from fundus_app.resources import models_dir

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def locator() -> DiscLocator:
    return DiscLocator.load(device="cpu", threads=1)


@pytest.fixture(scope="module")
def held_out() -> list:
    if not (idrid_root() / "images").is_dir():
        pytest.skip(f"IDRiD-OD not found at {idrid_root()} (set FUNDUS_DATA)")
    return idrid_cases("test")


def test_bundled_files_are_listed_in_the_manifest() -> None:
    files = read_manifest(models_dir())
    for name in (ONNX_NAME, CHECKPOINT_NAME):
        entry = files[name]
        assert entry["sha256"] == sha256_of(models_dir() / name)
        assert entry["task"] == "optic-disc"
        assert entry["input_size"] % 16 == 0 and 0.5 <= entry["min_confidence"] < 1.0
    assert files[ONNX_NAME]["source_sha256"] == files[CHECKPOINT_NAME]["sha256"]
    assert (models_dir() / ONNX_NAME).stat().st_size < 1_000_000


def test_locator_loads_and_runs_without_torch() -> None:
    code = """
import sys
import numpy as np
class RefuseTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError("No module named 'torch' (refused by the test)", name="torch")
sys.meta_path.insert(0, RefuseTorch())
from fundus_app.model.disc import DiscLocator
locator = DiscLocator.load(device="cpu", threads=1)
assert locator.locate(np.zeros((100, 120, 3), np.uint8), np.zeros((100, 120), bool)) is None
assert not [m for m in sys.modules if m == "torch" or m.startswith("torch.")]
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr


def test_split_is_fixed_and_disjoint() -> None:
    assert [split_of(i) for i in range(12)] == ["test", "val", "train", "train", "train", "test", "train", "train",
                                                "train", "train", "test", "train"]
    assert sum(split_of(i) == "test" for i in range(514)) == 103


def test_finds_the_disc_on_held_out_idrid_images(locator: DiscLocator, held_out: list) -> None:
    for case in held_out[:2]:
        image = load_image(case.image)
        disc = locator.locate(image.rgb, image.fov)
        assert disc is not None, case.name
        error = math.hypot(disc.centre[0] - case.centre[0], disc.centre[1] - case.centre[1])
        assert error < case.diameter / 2, (case.name, disc, case)
        assert 0.6 < disc.diameter / case.diameter < 1.5
        assert disc.eye in ("left", "right")


def test_flipped_photograph_gives_the_mirrored_disc_and_the_other_eye(locator: DiscLocator, held_out: list) -> None:
    image = load_image(held_out[0].image)
    disc = locator.locate(image.rgb, image.fov)
    flipped = locator.locate(np.ascontiguousarray(image.rgb[:, ::-1]), np.ascontiguousarray(image.fov[:, ::-1]))
    assert disc is not None and flipped is not None
    width = image.rgb.shape[1]
    # the network is not exactly mirror-symmetric: within a fifth of a disc (idrid_0001: 0.11)
    assert abs((width - 1 - flipped.centre[0]) - disc.centre[0]) < 0.2 * disc.diameter
    assert abs(flipped.centre[1] - disc.centre[1]) < 0.2 * disc.diameter
    assert {disc.eye, flipped.eye} == {"left", "right"}


def test_black_image_has_no_disc(locator: DiscLocator) -> None:
    assert locator.locate(np.zeros((584, 565, 3), np.uint8), np.zeros((584, 565), bool)) is None


def test_fov_without_a_disc_gives_none(locator: DiscLocator) -> None:
    # an evenly lit orange retina with a darker macula and no bright disc anywhere
    h, w = 584, 565
    yy, xx = np.mgrid[:h, :w]
    fov = (yy - h / 2) ** 2 + (xx - w / 2) ** 2 < 270**2
    rgb = np.zeros((h, w, 3), np.uint8)
    rgb[fov] = (170, 80, 30)
    macula = (yy - h / 2) ** 2 + (xx - w / 2) ** 2 < 40**2
    rgb[macula] = (140, 60, 25)
    rng = np.random.default_rng(0)
    rgb[fov] = np.clip(rgb[fov].astype(int) + rng.integers(-6, 7, rgb[fov].shape), 0, 255).astype(np.uint8)
    assert locator.locate(rgb, fov) is None


def test_eye_rule_on_synthetic_discs() -> None:
    fov = np.zeros((500, 600), bool)
    fov[:, 50:550] = True  # 500 px across, centre x = 299.5
    assert estimate_eye(Disc((420.0, 250.0), 40.0), fov) == "right"
    assert estimate_eye(Disc((180.0, 250.0), 40.0), fov) == "left"
    assert estimate_eye(Disc((330.0, 250.0), 40.0), fov) is None  # |dx| = 30.5 < 0.15 x 500
    assert estimate_eye((299.5 + 76, 10.0), fov) == "right"
    assert estimate_eye(Disc((100.0, 250.0), 40.0), (500, 600)) == "left"  # shape: the image is the FOV
    assert estimate_eye(Disc((100.0, 250.0), 40.0), np.zeros((500, 600), bool)) is None


def test_input_maps_back_to_the_photograph() -> None:
    rgb = np.full((300, 400, 3), 100, np.uint8)
    fov = np.zeros((300, 400), bool)
    fov[20:280, 70:330] = True
    prepared = disc_input(rgb, fov, 256)
    assert prepared is not None and prepared.x.shape == (3, 256, 256)
    x, y = prepared.to_image(0, 0)
    assert abs(x - 70) < 1 and abs(y - 20) < 1
    x, y = prepared.to_image(255, 255)
    assert abs(x - 329) < 1 and abs(y - 279) < 1


@pytest.mark.slow
def test_train_disc_writes_a_checkpoint(tmp_path: Path, held_out: list) -> None:
    from fundus_app.model.checkpoint import load_checkpoint
    from fundus_app.train.disc import DiscTrainConfig, train_disc

    cfg = DiscTrainConfig(out_dir=str(tmp_path / "run"), epochs=1, steps_per_epoch=2, batch_size=2, crop=96,
                          input_size=128, limit_train=4, limit_val=2)
    path = train_disc(cfg)
    ckpt = load_checkpoint(path)
    assert ckpt.info["task"] == "optic-disc" and ckpt.info["input_size"] == 128
    assert ckpt.model_config.in_channels == 3 and (tmp_path / "run" / "history.json").is_file()
