"""Run the disc locator on photographs of other cameras and draw what it found (a visual check).

    python scripts/check_disc.py --out /tmp/disc_check [--model models/disc_unet.onnx]

Datasets: DRIVE test, STARE, LES-AV (disc-centred), the HRF samples. Writes one PNG per image (green:
the disc found, with its eye; red cross: the FOV centre) and prints one JSON line per image.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2

from fundus_app.config import settings
from fundus_app.io import load_image
from fundus_app.model.disc import DiscLocator


def images(root: Path) -> list[tuple[str, Path]]:
    found = [("drive", p) for p in sorted((root / "DRIVE" / "test" / "images").glob("*.tif"))]
    found += [("stare", p) for p in sorted((root / "STARE" / "images").glob("*.ppm"))]
    found += [("lesav", p) for p in sorted((root / "LES-AV").glob("*/images/*.png"))]
    found += [("hrf", p) for p in sorted((root.parent / "samples").glob("hrf_01_*.jpg")) if "_" not in p.stem[7:]]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="/tmp/disc_check")
    parser.add_argument("--model", default=None)
    parser.add_argument("--min-confidence", type=float, default=None, help="override the manifest's (a study)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    locator = DiscLocator.load(device="cpu", threads=1, path=Path(args.model) if args.model else None)
    if args.min_confidence is not None:
        locator.min_confidence = args.min_confidence
    for dataset, path in images(settings().data_dir):
        image = load_image(path)
        t0 = time.perf_counter()
        disc = locator.locate(image.rgb, image.fov)
        ms = (time.perf_counter() - t0) * 1000
        h, w = image.shape
        row = {"dataset": dataset, "image": path.name, "size": [w, h], "ms": round(ms, 1),
               "disc": disc.as_dict() if disc else None}
        if disc is not None:
            row["offset_from_image_centre"] = round(((disc.centre[0] - w / 2) ** 2 + (disc.centre[1] - h / 2) ** 2)
                                                    ** 0.5 / max(w, h), 3)
        print(json.dumps(row), flush=True)
        bgr = cv2.cvtColor(image.rgb, cv2.COLOR_RGB2BGR)
        k = 800 / max(h, w)
        bgr = cv2.resize(bgr, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)
        if disc is not None:
            centre = (round(disc.centre[0] * k), round(disc.centre[1] * k))
            cv2.circle(bgr, centre, max(1, round(disc.radius * k)), (0, 255, 0), 2)
            cv2.putText(bgr, f"{disc.eye} {disc.confidence:.2f}", (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 1, (0, 255, 0), 2)
        else:
            cv2.putText(bgr, "no disc", (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 1, (0, 0, 255), 2)
        cv2.imwrite(str(out / f"{dataset}_{path.stem}.png"), bgr)


if __name__ == "__main__":
    main()
