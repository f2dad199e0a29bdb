"""Artery/vein and calibre evaluation, scored from the files ``segment`` writes.

For each image of an A/V dataset (``rite-test``, ``lesav-test``): the written ``_av.png`` against
the expert's map inside the dataset's FOV (``metrics.av_scores``: the F1 of Zhou et al. 2021, artery
and vein F1, A/V accuracy on shared vessel pixels), and the calibres (CRAE, CRVE, AVR, zone B) of
the written map against the same code on the expert's map with the same disc (the one the model
found): ICC(2,1) and the mean difference over the images where both are measurable.
"""
from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from fundus_app import metrics
from fundus_app.biomarkers.calibre import measure_calibre
from fundus_app.datasets import Case, cases, load_for_scoring
from fundus_app.errors import FundusError
from fundus_app.io import load_label_map
from fundus_app.outputs import write_outputs
from fundus_app.progress import Progress, ProgressFn

if TYPE_CHECKING:
    from fundus_app.model.inference import Segmenter

CALIBRE_KEYS = ("crae_um", "crve_um", "avr")
AV_KEYS = ("f1", "artery_f1", "vein_f1", "accuracy")


def evaluate_av_dataset(segmenter: Segmenter, dataset: str, *, out_dir: str | Path | None = None, limit: int = 0,
                        on_progress: ProgressFn | None = None) -> dict[str, Any]:
    """``evaluate_av_cases`` on a catalogued A/V dataset, optionally its first ``limit`` images."""
    items = cases(dataset)[:limit] if limit else cases(dataset)
    return evaluate_av_cases(segmenter, items, dataset, out_dir=out_dir, on_progress=on_progress)


def agreement(model: Sequence[float | None], expert: Sequence[float | None]) -> dict[str, Any]:
    """ICC(2,1), mean difference (model - expert) and 95 % limits over the pairs where both exist."""
    pairs = [(a, b) for a, b in zip(model, expert, strict=True) if a is not None and b is not None]
    if len(pairs) < 3:
        return {"n": len(pairs), "icc": None, "mean_difference": None, "limits": None}
    ours, theirs = ([float(x) for x in v] for v in zip(*pairs, strict=True))
    diff = metrics.mean_difference(theirs, ours)  # model - expert
    return {"n": len(pairs), "icc": metrics.icc_2_1(ours, theirs), "mean_difference": diff.bias,
            "limits": [diff.lower, diff.upper]}


def evaluate_av_cases(segmenter: Segmenter, items: Sequence[Case], dataset: str, *,
                      out_dir: str | Path | None = None, on_progress: ProgressFn | None = None) -> dict[str, Any]:
    """Segment every image, write its files, score the written A/V map and calibres."""
    if not items:
        raise FundusError(f"'{dataset}' has no images to evaluate.")
    if getattr(segmenter, "av_model", None) is None:
        raise FundusError("This installation has no artery/vein model, so A/V maps cannot be evaluated.")
    rows = []
    with tempfile.TemporaryDirectory(prefix="fundus-eval-av-") as tmp:
        folder = Path(out_dir) if out_dir else Path(tmp)
        for i, case in enumerate(items):
            if on_progress:
                on_progress(Progress(i / len(items), "image", done=i, total=len(items), item=case.name))
            sc = load_for_scoring(case, read_label=load_label_map)
            image, truth, fov = sc.image, sc.truth, sc.fov
            seg = segmenter.segment(image)
            paths, record = write_outputs(image, seg, folder, stem=case.name)
            scores = metrics.av_scores(load_label_map(paths.av), truth, fov)
            expert = measure_calibre(truth, seg.disc, image.fov, zone="B")
            model_cal = record.get("calibre") or {}
            row: dict[str, Any] = {"image": case.name, **scores.as_dict(), "disc_found": seg.disc is not None,
                                   "seconds": seg.timings.get("total")}
            for key in CALIBRE_KEYS:
                row[f"{key}_model"] = model_cal.get(key)
                row[f"{key}_expert"] = getattr(expert, key)
            rows.append(row)
    mean = {k: float(np.mean([r[k] for r in rows])) for k in AV_KEYS}
    calibre = {k: agreement([r[f"{k}_model"] for r in rows], [r[f"{k}_expert"] for r in rows])
               for k in CALIBRE_KEYS}
    return {"dataset": dataset, "model": seg.model_name, "av_model": seg.av_model_name,
            "av_model_sha256": seg.av_model_sha256, "disc_model": seg.disc_model_name, "device": seg.device,
            "images": rows, "mean": mean, "calibre_agreement": calibre,
            "discs_found": sum(bool(r["disc_found"]) for r in rows)}


def format_av_table(result: dict[str, Any]) -> str:
    """Per-image rows, the mean and the calibre agreement as Markdown."""
    lines = [f"{result['dataset']}  A/V model {result['av_model']} ({result['av_model_sha256'][:12]})  "
             f"disc model {result['disc_model'] or '-'}  device {result['device']}",
             "| image | A/V F1 (Zhou) | artery F1 | vein F1 | A/V acc | disc | CRAE model/expert | "
             "CRVE model/expert | AVR model/expert |", "|" + "---|" * 9]

    def pair(r: dict[str, Any], key: str) -> str:
        return "/".join("-" if r[f"{key}_{w}"] is None else f"{r[f'{key}_{w}']:.{3 if key == 'avr' else 1}f}"
                        for w in ("model", "expert"))

    for r in result["images"]:
        lines.append(f"| {r['image']} | " + " | ".join(f"{r[k]:.4f}" for k in AV_KEYS)
                     + f" | {'yes' if r['disc_found'] else 'no'} | " + " | ".join(pair(r, k) for k in CALIBRE_KEYS)
                     + " |")
    m = result["mean"]
    lines.append("| **mean** | " + " | ".join(f"{m[k]:.4f}" for k in AV_KEYS) + " | | | | |")
    for key, a in result["calibre_agreement"].items():
        if a["icc"] is None:
            lines.append(f"{key}: {a['n']} images measurable in both maps: too few for agreement")
        else:
            lines.append(f"{key}: ICC(2,1) {a['icc']:.3f}, mean difference {a['mean_difference']:+.3f} "
                         f"(95 % limits {a['limits'][0]:+.3f} to {a['limits'][1]:+.3f}), n = {a['n']}")
    return "\n".join(lines)
