"""CRAE, CRVE and AVR of the experts' artery/vein labels: the report's "our code on expert labels".

    python scripts/measure_calibre_reference.py [--out fundus_app/biomarkers/calibre_reference.json]

For every image of RITE (DRIVE's 40 photographs) and LES-AV (22), ``measure_calibre`` runs on the
expert's A/V label inside the dataset's FOV mask, with the optic disc the bundled disc locator
finds on the photograph (no dataset here has disc labels) and the assumed 1800 um disc diameter.
Writes the layout ``fundus_app/report/reference.py`` reads: mean and SD (ddof 1) per dataset and
pooled, per zone, plus published population figures with their citations, and prints the table.
These are two public research datasets, not normative values of a healthy population.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from fundus_app.atomic import write_bytes
from fundus_app.biomarkers.calibre import ZONES, measure_calibre
from fundus_app.datasets import cases, load_for_scoring
from fundus_app.io import load_label_map
from fundus_app.model.disc import DiscLocator

REPO = Path(__file__).resolve().parents[1]
KEYS = ("crae_um", "crve_um", "avr")
#: Approximate adult means in population studies with the revised (Knudtson) formulas, as
#: the report prints them; the studies differ in formulas, cameras and graders.
PUBLISHED = {
    "crae_um": {"low": 140.0, "high": 170.0, "ref": "wong2003"},
    "crve_um": {"low": 200.0, "high": 240.0, "ref": "wong2003"},
    "avr": {"low": 0.60, "high": 0.90, "ref": "knudtson2003"},
}


def stats(values: list[float]) -> dict[str, float | int | None]:
    v = np.asarray(values, float)
    if v.size < 2:
        return {"n": int(v.size), "mean": None, "sd": None}
    return {"n": int(v.size), "mean": round(float(v.mean()), 3), "sd": round(float(v.std(ddof=1)), 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=REPO / "fundus_app" / "biomarkers" / "calibre_reference.json")
    ap.add_argument("--dry-run", action="store_true", help="print, do not write")
    args = ap.parse_args()
    locator = DiscLocator.load(device="cpu")
    groups = {"RITE": ("rite-train", "rite-test"), "LES-AV": ("lesav-train", "lesav-test")}
    values: dict[str, dict[str, dict[str, list[float]]]] = {}
    not_measurable: list[str] = []
    counts = {}
    for name, datasets in groups.items():
        values[name] = {z: {k: [] for k in KEYS} for z in ZONES}
        items = [c for d in datasets for c in cases(d)]
        counts[name] = len(items)
        for case in items:
            sc = load_for_scoring(case, read_label=load_label_map)
            disc = locator.locate(sc.image.rgb, sc.image.fov)
            for zone in ZONES:
                cal = measure_calibre(sc.truth, disc, sc.fov, zone=zone)
                for key in KEYS:
                    if getattr(cal, key) is not None:
                        values[name][zone][key].append(float(getattr(cal, key)))
                if cal.reason:
                    not_measurable.append(f"{case.name} zone {zone}: {cal.reason}")
    pooled = "+".join(groups)
    ranges = {name: {z: {k: stats(v[z][k]) for k in KEYS} for z in ZONES} for name, v in values.items()}
    ranges[pooled] = {z: {k: stats([x for v in values.values() for x in v[z][k]]) for k in KEYS} for z in ZONES}
    record = {
        "command": "python scripts/measure_calibre_reference.py",
        "scale": "assumed disc diameter 1800 um",
        "disc": f"the bundled disc locator ({locator.name}) on each photograph",
        "datasets": {name: {"n": n} for name, n in counts.items()},
        "pooled": pooled,
        "ranges": ranges,
        "not_measurable": not_measurable,
        "published": {"B": PUBLISHED},  # the studies measured zone B only
    }
    for name, r in ranges.items():
        for z in ZONES:
            cells = ", ".join(f"{k} {r[z][k]['mean']} +- {r[z][k]['sd']} (n {r[z][k]['n']})" for k in KEYS)
            print(f"{name} zone {z}: {cells}")
    print(f"not measurable: {len(not_measurable)}")
    if not args.dry_run:
        write_bytes(args.out, (json.dumps(record, indent=1) + "\n").encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
