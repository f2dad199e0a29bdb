"""Benchmark evaluation scored from the files ``segment`` writes.

The masks and probability maps are read back from disk, so the default
threshold, the 16-bit quantisation, the scale normalisation and the FOV
handling are all part of the figure, exactly as a user would get them.
"""
from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from fundus_app import metrics
from fundus_app.datasets import Case, cases, load_for_scoring
from fundus_app.errors import FundusError
from fundus_app.outputs import final_mask, read_mask, read_probability, write_outputs
from fundus_app.progress import Progress, ProgressFn

if TYPE_CHECKING:
    from fundus_app.model.inference import Segmenter

METRIC_KEYS = ("f1", "sensitivity", "specificity", "accuracy", "auc", "mcc")


def evaluate_dataset(segmenter: Segmenter, dataset: str, *, out_dir: str | Path | None = None, crf: bool = False,
                     threshold: float | None = None, min_speck: int = 0, limit: int = 0,
                     on_progress: ProgressFn | None = None) -> dict[str, Any]:
    """``evaluate_cases`` on a catalogued dataset (``drive-test`` ...), optionally its first ``limit`` images."""
    items = cases(dataset)[:limit] if limit else cases(dataset)
    return evaluate_cases(segmenter, items, dataset, out_dir=out_dir, crf=crf, threshold=threshold,
                          min_speck=min_speck, on_progress=on_progress)


def evaluate_cases(segmenter: Segmenter, items: Sequence[Case], dataset: str, *, out_dir: str | Path | None = None,
                   crf: bool = False, threshold: float | None = None, min_speck: int = 0,
                   on_progress: ProgressFn | None = None) -> dict[str, Any]:
    """Segment every image, write its files, score them inside the FOV.

    The FOV for scoring is the dataset's own mask when it has one (DRIVE) and
    the estimated FOV otherwise (STARE). Returns per-image rows and the mean;
    ``dataset`` names the set in the result.
    """
    if not items:
        raise FundusError(f"'{dataset}' has no images to evaluate.")
    with tempfile.TemporaryDirectory(prefix="fundus-eval-") as tmp:
        folder = Path(out_dir) if out_dir else Path(tmp)
        rows = []
        for i, case in enumerate(items):
            if on_progress:
                on_progress(Progress(i / len(items), "image", done=i, total=len(items), item=case.name))
            sc = load_for_scoring(case)
            t0 = time.perf_counter()
            seg = segmenter.segment(sc.image, crf=crf)
            seconds = time.perf_counter() - t0
            paths, _ = write_outputs(sc.image, seg, folder, stem=case.name, threshold=threshold, min_speck=min_speck)
            s = metrics.score(read_mask(paths.mask), sc.truth, sc.fov, probability=read_probability(paths.prob))
            rows.append({"image": case.name, **s.as_dict(), "seconds": seconds})
    mean = {k: float(np.mean([r[k] for r in rows])) for k in (*METRIC_KEYS, "seconds")}
    median_s = float(np.median([r["seconds"] for r in rows]))
    return {"dataset": dataset, "crf": crf, "threshold": seg.default_threshold if threshold is None else threshold,
            "model": seg.model_name, "model_sha256": seg.model_sha256, "device": seg.device,
            "images": rows, "mean": mean, "median_seconds": median_s}


THRESHOLD_GRID = tuple(round(0.05 + 0.01 * i, 2) for i in range(91))  # 0.05 ... 0.95


def select_threshold(segmenter: Segmenter, validation: list[Case],
                     grid: tuple[float, ...] = THRESHOLD_GRID) -> dict[str, Any]:
    """The default threshold that maximises what the targets measure, on validation images only.

    The criterion is ``evaluate_dataset``'s: F1 of each image's mask at its own resolution inside
    its scoring FOV, averaged over images (the written ``_mask.png`` is ``final_mask`` losslessly,
    so no files are needed). Training's per-epoch validation uses it too, so the epoch a run keeps
    and the threshold it ships with are chosen by the figure the benchmarks report.
    Ties go to the lowest threshold. Returns the threshold, its mean F1, the per-image F1s and the
    mean per-image AUC (threshold-free).
    """
    if not validation:
        raise ValueError("no validation images to select a threshold on")
    f1 = np.zeros((len(validation), len(grid)))
    aucs = []
    for i, case in enumerate(validation):
        sc = load_for_scoring(case)
        seg = segmenter.segment(sc.image)
        f1[i] = [metrics.score(final_mask(seg, t), sc.truth, sc.fov).f1 for t in grid]
        aucs.append(metrics.auc(seg.probability, sc.truth, sc.fov))
    mean = f1.mean(axis=0)
    best = int(np.argmax(mean))
    return {"threshold": grid[best], "mean_f1": float(mean[best]), "mean_auc": float(np.mean(aucs)),
            "images": {c.name: float(f1[i, best]) for i, c in enumerate(validation)},
            "criterion": "mean per-image F1 at native resolution in the scoring FOV"}


def format_table(result: dict[str, Any]) -> str:
    """Per-image rows and the mean as a Markdown table."""
    head = "| image | F1 | Se | Sp | Acc | AUC | MCC | s |"
    lines = [f"{result['dataset']}  model {result['model']} ({result['model_sha256'][:12]})  "
             f"threshold {result['threshold']:.2f}  CRF {'on' if result['crf'] else 'off'}  device {result['device']}",
             head, "|" + "---|" * 8]
    for r in [*result["images"], {"image": "**mean**", **result["mean"]}]:
        lines.append(f"| {r['image']} | " + " | ".join(f"{r[k]:.4f}" for k in METRIC_KEYS) + f" | {r['seconds']:.2f} |")
    lines.append(f"median time per image: {result['median_seconds']:.3f} s")
    return "\n".join(lines)
