"""Catalogue of the public benchmark datasets (DRIVE, STARE) as lists of cases.

The data live outside the repository (``../shared/data`` next to the checkout,
or the folder named by ``FUNDUS_DATA``); nothing is downloaded.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fundus_app.errors import FundusError

#: The STARE training split fixed by the project: the first 10 images in name order.
STARE_TRAIN = ("im0001", "im0002", "im0003", "im0004", "im0005", "im0044", "im0077", "im0081", "im0082", "im0139")
DATASETS = ("drive-train", "drive-test", "stare-train", "stare-test", "hrf-sample")


@dataclass(frozen=True)
class Case:
    """One image with its expert vessel label and (when the dataset has one) its FOV mask."""

    name: str
    image: Path
    label: Path
    fov: Path | None


def data_root() -> Path:
    """Folder holding ``DRIVE/`` and ``STARE/``: ``$FUNDUS_DATA``, else ``../shared/data``
    beside the checkout, else the team's shared folder ``/work/shared/data``."""
    env = os.environ.get("FUNDUS_DATA")
    if env:
        return Path(env)
    for candidate in (Path(__file__).resolve().parents[2] / "shared" / "data", Path("/work/shared/data")):
        if (candidate / "DRIVE").is_dir():
            return candidate
    return Path(__file__).resolve().parents[2] / "shared" / "data"


def _drive(split: str, root: Path) -> list[Case]:
    folder = root / "DRIVE" / ("training" if split == "train" else "test")
    kind = "training" if split == "train" else "test"
    cases = []
    for image in sorted((folder / "images").glob(f"*_{kind}.tif")):
        num = image.name.split("_")[0]
        cases.append(Case(f"drive_{num}", image, folder / "1st_manual" / f"{num}_manual1.gif",
                          folder / "mask" / f"{num}_{kind}_mask.gif"))
    return cases


def _stare(split: str, root: Path) -> list[Case]:
    folder = root / "STARE"
    cases = []
    for image in sorted((folder / "images").glob("im*.ppm")):
        if (image.stem in STARE_TRAIN) != (split == "train"):
            continue
        cases.append(Case(f"stare_{image.stem}", image, folder / "labels-ah" / f"{image.stem}.ah.ppm", None))
    return cases


def _hrf_sample(root: Path) -> list[Case]:
    """The HRF healthy sample (3504x2336) with its manual label: a high-resolution sanity case."""
    folder = root.parent / "samples"
    image = folder / "hrf_01_h.jpg"
    if not image.is_file():
        return []
    return [Case("hrf_01_h", image, folder / "hrf_01_h_manual.tif", folder / "hrf_01_h_mask.tif")]


def cases(dataset: str, root: Path | None = None) -> list[Case]:
    """Cases of ``drive-train``, ``drive-test``, ``stare-train`` or ``stare-test``."""
    root = data_root() if root is None else Path(root)
    if dataset not in DATASETS:
        raise FundusError(f"Unknown dataset '{dataset}'; choose one of {', '.join(DATASETS)}.")
    name, split = dataset.split("-")
    if name == "hrf":
        found = _hrf_sample(root)
    else:
        found = _drive(split, root) if name == "drive" else _stare(split, root)
    if not found:
        raise FundusError(f"Dataset '{dataset}' not found under {root} (set FUNDUS_DATA to its folder).")
    return found


def cases_named(names: Iterable[str], datasets: Iterable[str]) -> list[Case]:
    """The cases of ``datasets`` whose names are in ``names`` (a run's validation split), in dataset order."""
    wanted = set(names)
    return [c for ds in datasets for c in cases(ds) if c.name in wanted]
