"""Where the shipped data files live: one rule for the GUI, the report and the model loader.

Order: an override from ``config`` (set by the PyInstaller runtime hook, or by a test), the
PyInstaller bundle folder, then the source checkout.
"""
from __future__ import annotations

import sys
from pathlib import Path

from fundus_app.config import CHECKOUT, settings


def _located(override: Path | None, name: str) -> Path:
    if override is not None:
        return override
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle and (Path(bundle) / name).is_dir():
        return Path(bundle) / name
    return CHECKOUT / name


def resources_dir() -> Path:
    """The ``resources`` folder (fonts, icons, translations, samples): ``$FUNDUS_RESOURCES`` first."""
    return _located(settings().resources_dir, "resources")


def models_dir() -> Path:
    """The ``models`` folder (bundled models and their manifest): ``$FUNDUS_MODELS_DIR`` first."""
    return _located(settings().models_dir, "models")
