"""Where the shipped data files live: one rule for the GUI, the report and the model loader.

Order: an environment override (set by the PyInstaller runtime hook, or by a test), the
PyInstaller bundle folder, then the source checkout.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[1]


def _located(env: str, name: str) -> Path:
    override = os.environ.get(env)
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle and (Path(bundle) / name).is_dir():
        return Path(bundle) / name
    return _CHECKOUT / name


def resources_dir() -> Path:
    """The ``resources`` folder (fonts, icons, translations, samples): ``$FUNDUS_RESOURCES`` first."""
    return _located("FUNDUS_RESOURCES", "resources")


def models_dir() -> Path:
    """The ``models`` folder (bundled checkpoint and its model card): ``$FUNDUS_MODELS_DIR`` first."""
    return _located("FUNDUS_MODELS_DIR", "models")
