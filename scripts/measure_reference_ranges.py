"""Reference ranges of the vessel biomarkers on expert manual annotations (DRIVE + STARE).

    nice python scripts/measure_reference_ranges.py [--data FOLDER] [--out FILE] [--dry-run]

For each annotated image, ``measure_vessels(label, fov)`` is computed on the
expert's vessel map:

* DRIVE, training and test (n = 40): ``1st_manual`` inside the DRIVE FOV masks;
* STARE (n = 20): ``labels-ah`` (observer A. Hoover) inside the FOV that
  ``fundus_app.preprocess.estimate_fov`` finds on the photograph (STARE has no
  FOV masks).

Writes ``fundus_app/biomarkers/reference_ranges.json`` (mean, SD with ddof=1, min,
max and n for both datasets pooled and for each alone, plus the measurement
parameters, so the report can tell when the ranges are stale) and prints the
table. These are ranges of two public research datasets, mostly adults with and
without retinopathy (STARE is mostly pathological), not normative values of a
healthy population.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np

from fundus_app import __version__, biomarkers
from fundus_app.atomic import write_bytes
from fundus_app.biomarkers import BY_KEY, REPORT_KEYS
from fundus_app.datasets import cases, data_root
from fundus_app.io import load_image
from fundus_app.io.loader import load_mask
from fundus_app.preprocess import estimate_fov

OUT = Path(biomarkers.__file__).resolve().parent / "reference_ranges.json"


def measure_drive(root: Path) -> list[dict[str, float]]:
    rows = []
    for split in ("drive-train", "drive-test"):
        for case in cases(split, root):
            assert case.fov is not None
            rows.append(biomarkers.measure_vessels(load_mask(case.label), load_mask(case.fov)).as_dict())
            print(f"  {case.name}", file=sys.stderr, flush=True)
    return rows


def measure_stare(root: Path) -> list[dict[str, float]]:
    rows = []
    for split in ("stare-train", "stare-test"):
        for case in cases(split, root):
            fov = estimate_fov(load_image(case.image).rgb)
            rows.append(biomarkers.measure_vessels(load_mask(case.label), fov).as_dict())
            print(f"  {case.name}", file=sys.stderr, flush=True)
    return rows


def summarise(rows: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    out = {}
    for key in REPORT_KEYS:  # the measures the report gives a range
        v = np.asarray([r[key] for r in rows], float)
        out[key] = {"mean": float(v.mean()), "sd": float(v.std(ddof=1)), "min": float(v.min()),
                    "max": float(v.max()), "n": int(v.size)}
    return out


def table(ranges: dict[str, dict[str, dict[str, float]]]) -> str:
    groups = list(ranges)
    head = f"{'measure':<24}" + "".join(f"{g} (n={ranges[g]['vessel_density']['n']})".rjust(26) for g in groups)
    lines = [head, "-" * len(head)]
    for key in REPORT_KEYS:
        measure, cells = BY_KEY[key], []
        decimals = max(measure.decimals, 1)  # means of counts get one decimal, as in the report
        for g in groups:
            r = ranges[g][key]
            cells.append(f"{measure.number(r['mean'], decimals)} ± {measure.number(r['sd'], decimals)}".rjust(26))
        lines.append(f"{key + (' [' + measure.unit + ']' if measure.unit else ''):<24}" + "".join(cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="folder with DRIVE/ and STARE/ (default: data_root())")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--dry-run", action="store_true", help="print the table, write nothing")
    args = parser.parse_args(argv)
    root = args.data or data_root()
    drive, stare = measure_drive(root), measure_stare(root)
    ranges = {"DRIVE+STARE": summarise(drive + stare), "DRIVE": summarise(drive), "STARE": summarise(stare)}
    print(table(ranges))
    if args.dry_run:
        return 0
    record = {
        "description": "Mean and SD (ddof=1) of the vessel biomarkers on expert manual annotations: DRIVE "
                       "1st_manual (training + test, DRIVE FOV masks) and STARE labels-ah (FOV estimated from "
                       "the photograph). Research datasets, not normative healthy values.",
        "generated_by": "scripts/measure_reference_ranges.py",
        "generated": dt.date.today().isoformat(),
        "app_version": __version__,
        "method": biomarkers.measurement_parameters(),
        "pooled": "DRIVE+STARE",
        "datasets": {"DRIVE": {"n": len(drive), "labels": "1st_manual, training + test", "fov": "DRIVE masks"},
                     "STARE": {"n": len(stare), "labels": "labels-ah", "fov": "estimate_fov on the image"}},
        "ranges": ranges,
    }
    write_bytes(args.out, (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
