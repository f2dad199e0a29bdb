"""IDRiD optic-disc boxes (``IDRiD-OD/``: 514 photographs, CODRAS boxes) as cases, with the fixed split.

Split (by sorted file name, index i from 0): ``test`` is every 5th image (i % 5 == 0, 103 images),
never used for training or for choosing anything; of the rest, ``val`` is every 10th of them
(j % 10 == 0 in their own order, 42 images), used to choose the epoch and the confidence threshold;
``train`` is the remaining 369.

The true disc is the circle inscribed in the labelled box shrunk by the box's margin:
centre = box centre, diameter = ``BOX_TO_DISC`` x mean(box width, box height) in pixels.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fundus_app.config import settings
from fundus_app.errors import FundusError

#: The boxes are drawn around the disc with a small margin; 0.9 x their mean side is the rule used
#: for both the training target and the evaluation's "true disc" (checked by eye on a few images).
BOX_TO_DISC = 0.9
SPLITS = ("train", "val", "test", "all")


@dataclass(frozen=True)
class DiscCase:
    """One photograph and its labelled disc (pixels of the photograph)."""

    name: str
    image: Path
    centre: tuple[float, float]
    diameter: float
    box: tuple[float, float]  # box width, height in pixels


def idrid_root(root: Path | None = None) -> Path:
    return (settings().data_dir if root is None else Path(root)) / "IDRiD-OD"


def split_of(index: int) -> str:
    """The split of the image at ``index`` in sorted name order (the rule in the module doc)."""
    if index % 5 == 0:
        return "test"
    rest = index - index // 5 - 1  # its position among the non-test images
    return "val" if rest % 10 == 0 else "train"


def read_label(path: Path, width: int, height: int) -> tuple[tuple[float, float], float, tuple[float, float]]:
    """(centre, disc diameter, (box w, box h)) in pixels from a YOLO line ``0 cx cy w h``."""
    _, cx, cy, w, h = (float(v) for v in path.read_text().split()[:5])
    bw, bh = w * width, h * height
    return (cx * width, cy * height), BOX_TO_DISC * (bw + bh) / 2.0, (bw, bh)


def idrid_cases(split: str, root: Path | None = None, size: tuple[int, int] = (1072, 712)) -> list[DiscCase]:
    """The cases of one split (``SPLITS``); ``size`` is the photographs' (width, height), all equal here."""
    if split not in SPLITS:
        raise FundusError(f"Unknown IDRiD split '{split}'; choose one of {', '.join(SPLITS)}.")
    folder = idrid_root(root)
    images = sorted((folder / "images").glob("idrid_*.jpg"))
    if not images:
        raise FundusError(f"IDRiD-OD not found under {folder.parent} (set FUNDUS_DATA to its folder).")
    out = []
    for i, image in enumerate(images):
        if split != "all" and split_of(i) != split:
            continue
        centre, diameter, box = read_label(folder / "labels" / f"{image.stem}.txt", *size)
        out.append(DiscCase(image.stem, image, centre, diameter, box))
    return out
