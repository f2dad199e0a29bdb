"""Catalogue of the public benchmark datasets (DRIVE, STARE; RITE and LES-AV for arteries and
veins) as lists of cases,
and of any other labelled dataset given as folders (``labelled_folder_cases``).

The data live outside the repository (``config.Settings.data_dir``: ``$FUNDUS_DATA``,
else ``../shared/data`` next to the checkout); nothing is downloaded.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fundus_app.config import settings
from fundus_app.domain import FundusImage
from fundus_app.errors import FundusError
from fundus_app.io import SUPPORTED_SUFFIXES, load_image
from fundus_app.io.loader import load_mask

#: The STARE training split fixed by the project: the first 10 images in name order.
STARE_TRAIN = ("im0001", "im0002", "im0003", "im0004", "im0005", "im0044", "im0077", "im0081", "im0082", "im0139")
DATASETS = ("drive-train", "drive-test", "stare-train", "stare-test", "hrf-sample")
#: Artery/vein datasets: a case's label is an A/V map in the RITE coding (0 background, 1 artery,
#: 2 vein, 3 uncertain).
AV_DATASETS = ("rite-train", "rite-test", "lesav-train", "lesav-test")


@dataclass(frozen=True)
class Case:
    """One image with its expert label (vessels; A/V in the RITE coding for ``AV_DATASETS``) and
    (when the dataset has one) its FOV mask."""

    name: str
    image: Path
    label: Path
    fov: Path | None


def data_root() -> Path:
    """Folder holding ``DRIVE/`` and ``STARE/``: ``config.settings().data_dir``."""
    return settings().data_dir


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


def _rite(split: str, root: Path) -> list[Case]:
    """DRIVE's photographs and FOV masks with RITE's A/V labels, paired by number."""
    kind = "training" if split == "train" else "test"
    return [Case(f"rite_{c.name.split('_')[1]}", c.image, root / "RITE" / kind / "av" / f"{c.image.stem}.png", c.fov)
            for c in _drive(split, root)]


def _lesav(split: str, root: Path) -> list[Case]:
    folder = root / "LES-AV" / ("training" if split == "train" else "test")
    images = sorted((folder / "images").glob("*.png"), key=lambda p: int(p.stem) if p.stem.isdigit() else 0)
    return [Case(f"lesav_{p.stem}", p, folder / "1st_manual" / p.name, folder / "mask" / f"{p.stem}_mask.gif")
            for p in images]


def cases(dataset: str, root: Path | None = None) -> list[Case]:
    """Cases of a dataset in ``DATASETS`` (vessel labels) or ``AV_DATASETS`` (A/V labels)."""
    root = data_root() if root is None else Path(root)
    if dataset not in DATASETS + AV_DATASETS:
        raise FundusError(f"Unknown dataset '{dataset}'; choose one of {', '.join(DATASETS + AV_DATASETS)}.")
    name, split = dataset.split("-")
    if name in ("rite", "lesav"):
        found = (_rite if name == "rite" else _lesav)(split, root)
        found = [c for c in found if c.label.is_file()]
    elif name == "hrf":
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


_SEPARATORS = "_-. "


def _raster_files(folder: Path, role: str) -> list[Path]:
    if not folder.is_dir():
        raise FundusError(f"The {role} folder {folder} does not exist or is not a folder.")
    try:
        return sorted(f for f in folder.iterdir() if f.suffix.lower() in SUPPORTED_SUFFIXES and f.is_file())
    except OSError as exc:
        raise FundusError(f"Cannot list the {role} folder {folder}: {exc.strerror or exc}.") from None


def _first_token(stem: str) -> str:
    for i, ch in enumerate(stem):
        if ch in _SEPARATORS:
            return stem[:i].casefold()
    return stem.casefold()


def _owners(images: list[Path], files: list[Path], suffix: str | None) -> dict[Path, list[Path]]:
    """Which image each file belongs to, by name.

    With ``suffix``: the file named image stem + suffix (``_1stHO``). Without: the same stem (HRF),
    else the longest image stem followed by a separator (``01_h_mask``, ``im0001.ah``,
    ``STAR 01_OSC_GT``), else the same leading token when the images' leading tokens are unique
    (DRIVE: ``01_test`` and ``01_manual1``). Case-insensitive, as file names are on Windows.
    """
    by_stem = {im.stem.casefold(): im for im in images}
    tokens = [_first_token(im.stem) for im in images]
    by_token = dict(zip(tokens, images, strict=True)) if len(set(tokens)) == len(tokens) else {}
    owned: dict[Path, list[Path]] = {im: [] for im in images}
    for f in files:
        stem = f.stem.casefold()
        if suffix is not None:
            key = suffix.casefold()
            owner = by_stem.get(stem[: -len(key)]) if key and stem.endswith(key) else None
        else:
            owner = by_stem.get(stem)
            if owner is None:
                prefixes = [
                    s for s in by_stem if stem.startswith(s) and len(stem) > len(s) and stem[len(s)] in _SEPARATORS
                ]
                owner = by_stem[max(prefixes, key=len)] if prefixes else by_token.get(_first_token(stem))
        if owner is not None and owner != f:
            owned[owner].append(f)
    return owned


def _names(paths: Iterable[Path], limit: int = 3) -> str:
    names = [p.name for p in paths]
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def labelled_folder_cases(images: str | Path, labels: str | Path, masks: str | Path | None = None, *,
                          label_suffix: str | None = None, mask_suffix: str | None = None) -> list[Case]:
    """The cases of a labelled dataset laid out as folders of images, vessel labels and (optionally) FOV masks.

    Files are paired by name (see ``_owners``): DRIVE, STARE, HRF, IOSTAR and LES-AV layouts pair
    without options. When the labels share the images' folder (CHASE_DB1: ``Image_01L.jpg`` beside
    ``Image_01L_1stHO.png`` and ``Image_01L_2ndHO.png``) ``label_suffix`` is required and the
    images are the files that have a label. Without ``masks`` the FOV is estimated from each image
    (as for STARE). A missing or ambiguous pairing is refused, naming the files, before anything
    is segmented: a score over a silently smaller set would mislead.
    """
    images, labels = Path(images), Path(labels)
    image_files = _raster_files(images, "images")
    label_files = _raster_files(labels, "labels")
    mask_files = _raster_files(Path(masks), "masks") if masks is not None else []
    shared = labels.resolve() == images.resolve()
    if shared:
        if not label_suffix:
            raise FundusError("The labels are in the images folder: give the labels' name ending "
                              "(--label-suffix, e.g. _1stHO for CHASE_DB1).")
        key = label_suffix.casefold()
        stems = {f.stem.casefold() for f in label_files}
        image_files = [f for f in image_files if f.stem.casefold() + key in stems]
    if masks is not None and Path(masks).resolve() == images.resolve():
        if not mask_suffix:
            raise FundusError("The FOV masks are in the images folder: give the masks' name ending (--mask-suffix).")
        image_files = [f for f in image_files if not f.stem.casefold().endswith(mask_suffix.casefold())]
    if not image_files:
        raise FundusError(f"No labelled images were found in {images}.")
    image_stems = [f.stem.casefold() for f in image_files]
    if len(set(image_stems)) != len(image_stems):
        twins = sorted({f for f in image_files if image_stems.count(f.stem.casefold()) > 1})
        raise FundusError(f"Two images in {images} have the same name: {_names(twins)}.")
    found_labels = _owners(image_files, label_files, label_suffix)
    found_masks = _owners(image_files, mask_files, mask_suffix) if masks is not None else {}
    for role, found in (("label", found_labels), ("FOV mask", found_masks)):
        missing = [im for im, fs in found.items() if not fs]
        if missing:
            raise FundusError(f"No {role} matches {_names(missing)} (files are paired by name; see fundus-app "
                              f"evaluate --help).")
        doubled = [im for im, fs in found.items() if len(fs) > 1]
        if doubled:
            im = doubled[0]
            raise FundusError(f"Several {role}s match {im.name}: {_names(found[im])}; give the {role}s' name ending "
                              f"(--{'label' if role == 'label' else 'mask'}-suffix).")
    return [Case(im.stem, im, found_labels[im][0], found_masks[im][0] if masks is not None else None)
            for im in image_files]


@dataclass(frozen=True)
class ScoringCase:
    """A benchmark image with its expert label and the pixels it is scored in."""

    name: str
    image: FundusImage
    truth: np.ndarray  # bool vessels, or the A/V classes (uint8) with ``read_label=load_label_map``
    fov: np.ndarray  # the dataset's own FOV mask (DRIVE), else the estimated one (STARE)


def load_for_scoring(case: Case, read_label: Callable[[Path], np.ndarray] = load_mask) -> ScoringCase:
    """Read a case's image, label and scoring FOV: the one place that decides what a case is scored on."""
    image = load_image(case.image)
    fov = load_mask(case.fov) if case.fov is not None else image.fov
    truth = read_label(case.label)
    for path, mask in ((case.label, truth), (case.fov or case.image, fov)):
        if mask.shape != image.shape:  # a label of another image, or resized: refuse rather than mis-score
            raise FundusError(f"{path.name} is {mask.shape[1]}x{mask.shape[0]} pixels but {case.image.name} is "
                              f"{image.shape[1]}x{image.shape[0]}: it cannot be its label or mask.")
    return ScoringCase(case.name, image, truth, fov)
