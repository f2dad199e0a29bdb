"""What the diagnostic probes share: the shipped recipe's images, photographs re-read as files, and
Markdown tables of mean F1 / AUC."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from fundus_app import FundusImage, load_image, metrics
from fundus_app.datasets import Case
from fundus_app.preprocess import PreprocessConfig
from fundus_app.train.loop import TrainConfig
from fundus_app.train.recipe import run_splits


def shipped_splits() -> tuple[list[Case], list[Case]]:
    """The shipped recipe's (training, validation) images (``configs/vessel_unet.toml``, whose stage 1
    is ``TrainConfig``'s defaults; stage 2 keeps its split). Probes that compare candidates with the
    bundled model score them all on its validation images, whatever split a candidate trained with."""
    return run_splits(dataclasses.asdict(TrainConfig()))


def validation_cases() -> list[Case]:
    """The shipped recipe's validation images (never trained on), in dataset order."""
    return shipped_splits()[1]


def as_loaded(rgb: np.ndarray, path: Path) -> FundusImage:
    """``rgb`` written to ``path`` (PNG) and read back by the product's loader, so its FOV is estimated
    from the altered image as in use."""
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return load_image(path)


def resampled(rgb: np.ndarray, truth: np.ndarray, fov: np.ndarray,
              factor: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A photograph, its label and scoring FOV as a camera with ``factor`` times the pixels across.

    Enlarging: bicubic image, bilinear label cut at 0.5. Shrinking: area averaging for both, so a label
    pixel stays vessel when it is at least half covered. The FOV mask: nearest neighbour.
    """
    h, w = truth.shape
    size = (round(w * factor), round(h * factor))
    image_interp, label_interp = (cv2.INTER_AREA, cv2.INTER_AREA) if factor < 1 else (cv2.INTER_CUBIC, cv2.INTER_LINEAR)
    return (cv2.resize(rgb, size, interpolation=image_interp),
            cv2.resize(truth.astype(np.float32), size, interpolation=label_interp) >= 0.5,
            cv2.resize(fov.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0)


def own_rule(pre: PreprocessConfig) -> str:
    """A checkpoint's working-scale rule in words, for a table row: "540-1080, shrink <= 1x or as far as ..."."""
    own = f"{pre.reference_fov_px:.0f}"
    if pre.max_working_fov_px is not None:  # large photographs shrunk at most 1/min_scale, up to the cap
        own += f"-{pre.widest_working_fov_px:.0f}, shrink <= {1 / pre.min_scale:g}x"
        if pre.max_detail_loss is not None:
            own += f" or as far as loses {pre.max_detail_loss:g} of the detail"
    return own


def print_header(head: list[str]) -> None:
    print("| " + " | ".join(head) + " |\n" + "|---" * len(head) + "|", flush=True)


def print_mean_row(cells: list[str], per_set: Iterable[list[metrics.Scores]]) -> None:
    """``cells``, then "mean F1 / mean AUC" of each set's per-image scores."""
    means = [metrics.mean_scores(scores) for scores in per_set]
    print("| " + " | ".join([*cells, *(f"{m.f1:.4f} / {m.auc:.4f}" for m in means)]) + " |", flush=True)
