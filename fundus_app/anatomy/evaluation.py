"""Scoring the disc locator against labelled discs (IDRiD's boxes, ``anatomy.idrid``)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from fundus_app.anatomy.disc import DiscLocator
from fundus_app.anatomy.idrid import DiscCase
from fundus_app.io import load_image


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


def main(argv: list[str] | None = None) -> None:
    """``python -m fundus_app.anatomy.evaluation --split test``: the summary as JSON (per image with -v)."""
    import argparse
    import json
    from pathlib import Path

    from fundus_app.anatomy.idrid import SPLITS, idrid_cases

    parser = argparse.ArgumentParser(description="Score the disc locator on an IDRiD-OD split.")
    parser.add_argument("--split", default="test", choices=SPLITS)
    parser.add_argument("--model", default=None, help="an ONNX file listed in a manifest beside it")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    locator = DiscLocator.load(device="cpu", threads=1, path=Path(args.model) if args.model else None)
    result = evaluate_disc(idrid_cases(args.split), locator)
    if not args.verbose:
        result.pop("per_image")
    print(json.dumps({"split": args.split, "model": locator.name, **result}, indent=1, default=str))


if __name__ == "__main__":
    main()
