"""CRAE, CRVE and AVR on the experts' A/V labels (RITE, LES-AV) with the throwaway disc placement.

python -m experiments.calibre.expert_reference --json fundus_app/biomarkers/calibre_reference.json \
    --draw /tmp/calibre_overlay.png
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np

from experiments.calibre.disc_guess import guess_disc, items, load
from fundus_app.biomarkers.calibre import ZONES, Calibre, measure_calibre, zone_radii

PUBLISHED = {
    "avr": {"range": [0.6, 0.9], "source": "adults; e.g. ARIC (Wong TY et al., Ophthalmology 2004;111:1183-1190), "
            "Beaver Dam (Wong TY et al., Invest Ophthalmol Vis Sci 2004;45:2129-2134)"},
    "crae_um": {"range": [140, 170], "source": "population studies with the revised Knudtson formulas, e.g. "
                "Blue Mountains (Wang JJ et al.), Rotterdam (Ikram MK et al., Invest Ophthalmol Vis Sci "
                "2004;45:2129-2134), Beaver Dam, ARIC (Wong TY et al.)"},
    "crve_um": {"range": [200, 240], "source": "same studies (revised Knudtson formulas)"},
}


def stats(values: list[float]) -> dict:
    v = np.asarray(values, float)
    if v.size == 0:
        return {"n": 0, "mean": None, "sd": None}
    return {"n": int(v.size), "mean": round(float(v.mean()), 3), "sd": round(float(v.std(ddof=1)), 3) if v.size > 1
            else None}


def draw(rgb: np.ndarray, cal: dict[str, Calibre], disc, path: Path) -> None:
    img = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    c = (round(disc.centre[0]), round(disc.centre[1]))
    cv2.circle(img, c, round(disc.radius), (255, 255, 255), 1)
    for z, colour in (("B", (0, 255, 255)), ("C", (255, 255, 0))):
        for r in zone_radii(disc, z):
            cv2.circle(img, c, round(r), colour, 1)
    for seg in cal["C"].segments:
        col = (0, 0, 255) if seg.kind == "artery" else (255, 0, 0)
        cv2.polylines(img, [np.round(seg.centreline).astype(np.int32)], False, col, 1)
        x, y = seg.centreline[len(seg.centreline) // 2]
        cv2.putText(img, f"{seg.width_px:.1f}", (int(x) + 3, int(y)), cv2.FONT_HERSHEY_SIMPLEX, 0.3, (255, 255, 255), 1)
    cv2.imwrite(str(path), img)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", type=Path)
    ap.add_argument("--draw", type=Path)
    ap.add_argument("--draw-name", default="RITE/01_test")
    args = ap.parse_args()
    out: dict = {"command": "python -m experiments.calibre.expert_reference --json "
                 "fundus_app/biomarkers/calibre_reference.json", "scale": "assumed disc diameter 1800 um",
                 "disc": "throwaway placement (experiments/calibre/disc_guess.py), not a disc label", "datasets": {},
                 "published": PUBLISHED}
    for ds in ("RITE", "LES-AV"):
        per_zone: dict = {z: {"crae_um": [], "crve_um": [], "avr": [], "reasons": []} for z in ZONES}
        times = []
        for it in items(ds):
            av, fov, rgb = load(it)
            disc = guess_disc(av, fov, rgb, ds)
            cal = {}
            for z in ZONES:
                t = time.perf_counter()
                cal[z] = measure_calibre(av, disc, fov, zone=z)
                times.append(time.perf_counter() - t)
                r = per_zone[z]
                if cal[z].crae_um is not None:
                    r["crae_um"].append(cal[z].crae_um)
                if cal[z].crve_um is not None:
                    r["crve_um"].append(cal[z].crve_um)
                if cal[z].avr is not None:
                    r["avr"].append(cal[z].avr)
                else:
                    r["reasons"].append(f"{it['name']}: {cal[z].reason}")
            print(it["name"], " ".join(f"{z}: {cal[z].as_dict()['crae_um']} {cal[z].as_dict()['crve_um']} "
                                        f"{cal[z].as_dict()['avr']} ({cal[z].n_arteries}a {cal[z].n_veins}v)"
                                        for z in ZONES))
            if args.draw and it["name"] == args.draw_name:
                draw(rgb, cal, disc, args.draw)
        n = len(items(ds))
        out["datasets"][ds] = {"images": n, "median_ms_per_zone": round(1000 * float(np.median(times)), 1), "zones": {
            z: {"measurable": len(v["avr"]), "crae_um": stats(v["crae_um"]), "crve_um": stats(v["crve_um"]),
                "avr": stats(v["avr"]), "not_measurable": v["reasons"]} for z, v in per_zone.items()}}
    print(json.dumps({k: v["zones"] for k, v in out["datasets"].items()}, indent=1)[:6000])
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
