"""Fixtures of the experiments' tests (``python -m pytest experiments/tests``), apart from the product suite."""
from __future__ import annotations

from pathlib import Path

import pytest

from fundus_app.datasets import data_root


@pytest.fixture(scope="session")
def data() -> Path:
    """The benchmark data folder; tests that need it are skipped, loudly, without it."""
    root = data_root()
    if not (root / "DRIVE").is_dir():
        pytest.skip(f"benchmark data not found at {root} (set FUNDUS_DATA)")
    return root
