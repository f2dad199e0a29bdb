"""What the diagnostic probes share: photographs re-read as files, and Markdown tables of mean F1 / AUC."""
from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fundus_app import FundusImage, load_image, metrics  # noqa: E402


def as_loaded(rgb: np.ndarray, path: Path) -> FundusImage:
    """``rgb`` written to ``path`` (PNG) and read back by the product's loader, so its FOV is estimated
    from the altered image as in use."""
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return load_image(path)


def print_header(head: list[str]) -> None:
    print("| " + " | ".join(head) + " |\n" + "|---" * len(head) + "|", flush=True)


def print_mean_row(cells: list[str], per_set: Iterable[list[metrics.Scores]]) -> None:
    """``cells``, then "mean F1 / mean AUC" of each set's per-image scores."""
    means = [metrics.mean_scores(scores) for scores in per_set]
    print("| " + " | ".join([*cells, *(f"{m.f1:.4f} / {m.auc:.4f}" for m in means)]) + " |", flush=True)
