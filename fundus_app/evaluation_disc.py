"""Scoring the disc locator against labelled discs (IDRiD's boxes, ``idrid``)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from fundus_app.idrid import DiscCase
from fundus_app.io import load_image
from fundus_app.model.disc import DiscLocator


def evaluate_disc(cases: Sequence[DiscCase], locator: DiscLocator | None = None) -> dict[str, Any]:
    """Locate the disc on each case and compare with its label (the circle from the box).

    Returns n; inside (share of images whose predicted centre lies inside the true disc; a None counts
    as outside); mean and max centre error and mean |diameter error|, in true disc diameters, over the
    images with a prediction; none (how many got None); per_image rows.
    """
    locator = locator or DiscLocator.load(device="cpu")
    rows = []
    for case in cases:
        image = load_image(case.image)
        disc = locator.locate(image.rgb, image.fov)
        row: dict[str, Any] = {"name": case.name, "true_centre": case.centre, "true_diameter": case.diameter}
        if disc is not None:
            err = math.hypot(disc.centre[0] - case.centre[0], disc.centre[1] - case.centre[1]) / case.diameter
            row.update(centre=disc.centre, diameter=disc.diameter, confidence=disc.confidence, eye=disc.eye,
                       centre_error=err, diameter_error=abs(disc.diameter - case.diameter) / case.diameter)
        rows.append(row)
    found = [r for r in rows if "centre" in r]
    errors = np.array([r["centre_error"] for r in found]) if found else np.array([np.nan])
    diameters = np.array([r["diameter_error"] for r in found]) if found else np.array([np.nan])
    return {"n": len(rows), "inside": sum(r.get("centre_error", 1.0) <= 0.5 for r in rows) / max(len(rows), 1),
            "centre_error_mean": float(errors.mean()), "centre_error_max": float(errors.max()),
            "diameter_error_mean": float(diameters.mean()), "none": len(rows) - len(found), "per_image": rows}


def format_disc_table(result: dict[str, Any], title: str) -> str:
    """The summary and the misses (outside, or not found) as Markdown."""
    lines = [f"{title}  disc model {result.get('model', '-')}",
             "| images | centre inside the disc | centre error mean / max (DD) | diameter error mean (DD) "
             "| not found |",
             "|---|---|---|---|---|",
             f"| {result['n']} | {100 * result['inside']:.1f} % | {result['centre_error_mean']:.3f} / "
             f"{result['centre_error_max']:.2f} | {result['diameter_error_mean']:.3f} | {result['none']} |"]
    misses = [r for r in result["per_image"] if r.get("centre_error", 1.0) > 0.5]
    for r in misses:
        what = "not found" if "centre" not in r else f"centre {r['centre_error']:.2f} DD from the true centre"
        lines.append(f"miss: {r['name']}: {what}")
    return "\n".join(lines)
