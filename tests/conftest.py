"""Shared fixtures: benchmark data location and small synthetic images."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fundus_app.datasets import data_root

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "resources" / "samples" / "hrf_01_h.jpg"


@pytest.fixture(scope="session")
def data() -> Path:
    """The benchmark data folder; tests that need it are skipped, loudly, without it."""
    root = data_root()
    if not (root / "DRIVE").is_dir():
        pytest.skip(f"benchmark data not found at {root} (set FUNDUS_DATA)")
    return root


@pytest.fixture(scope="session")
def drive_test_image(data: Path) -> Path:
    return data / "DRIVE" / "test" / "images" / "01_test.tif"


@pytest.fixture()
def synthetic_fundus() -> np.ndarray:
    """A 200x220 RGB disc with dark 'vessels', black outside: enough for the loader and FOV."""
    h, w = 200, 220
    yy, xx = np.mgrid[:h, :w]
    disc = (yy - h / 2) ** 2 + (xx - w / 2) ** 2 < 90**2
    rgb = np.zeros((h, w, 3), np.uint8)
    rgb[disc] = (180, 90, 40)
    rgb[disc & (np.abs(yy - xx) < 3)] = (120, 50, 20)
    return rgb
