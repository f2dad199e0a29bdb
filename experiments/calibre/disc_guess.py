"""Throwaway optic-disc placement for developing the calibre measure on RITE and LES-AV (no disc labels there).

Not the product's disc locator (being built elsewhere): the centre is the brightest spot of the blurred
photograph (red + green) weighted by the expert's vessel density near it, the diameter a fixed fraction of the
FOV diameter per camera (measured by eye on a few photographs: DRIVE 45 deg ~ 0.145 FOV, LES-AV 30 deg ~ 0.19).
Checked by eye on a contact sheet: ``python -m experiments.calibre.disc_guess --sheet /tmp/discs.png``.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import cv2
import numpy as np

from fundus_app.domain import Disc
from fundus_app.io.loader import load_mask

DATA = Path(os.environ.get("FUNDUS_DATA", "/work/shared/data"))
DD_FRACTION = {"RITE": 0.145, "LES-AV": 0.19}


def items(dataset: str) -> list[dict]:
    """[{name, av, fov, rgb_path}] of one dataset's expert A/V labels."""
    out = []
    if dataset == "RITE":
        for split in ("training", "test"):
            for p in sorted((DATA / "RITE" / split / "av").glob("*.png")):
                stem = p.stem  # NN_training / NN_test
                drive = DATA / "DRIVE" / split
                out.append({"name": f"RITE/{stem}", "av": p, "fov": drive / "mask" / f"{stem}_mask.gif",
                            "rgb": drive / "images" / f"{stem}.tif"})
    else:
        for split in ("training", "test"):
            for p in sorted((DATA / "LES-AV" / split / "1st_manual").glob("*.png"), key=lambda q: int(q.stem)):
                base = DATA / "LES-AV" / split
                rgb = next(iter(sorted((base / "images").glob(f"{p.stem}.*"))), None)
                out.append({"name": f"LES-AV/{p.stem}", "av": p, "fov": base / "mask" / f"{p.stem}_mask.gif",
                            "rgb": rgb})
    return out


def load(item: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    av = cv2.imread(str(item["av"]), cv2.IMREAD_UNCHANGED)
    fov = load_mask(item["fov"])
    rgb = cv2.cvtColor(cv2.imread(str(item["rgb"]), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return av, fov, rgb


def guess_disc(av: np.ndarray, fov: np.ndarray, rgb: np.ndarray, dataset: str) -> Disc:
    ys, xs = np.nonzero(fov)
    d_fov = float(max(xs.max() - xs.min(), ys.max() - ys.min()) + 1)
    dd = DD_FRACTION[dataset] * d_fov
    inner = cv2.erode(fov.astype(np.uint8), np.ones((15, 15), np.uint8)).astype(bool)
    bright = rgb[..., 0].astype(np.float32) + rgb[..., 1].astype(np.float32)
    bright = cv2.GaussianBlur(np.where(inner, bright, 0).astype(np.float32), (0, 0), dd / 4)
    bright /= max(float(bright.max()), 1e-6)
    dens = cv2.GaussianBlur((av > 0).astype(np.float32), (0, 0), dd / 2)
    dens /= max(float(dens.max()), 1e-6)
    score = bright**2 * dens
    y, x = np.unravel_index(int(np.argmax(score)), score.shape)
    return Disc(centre=(float(x), float(y)), diameter=float(dd), confidence=0.5)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheet", type=Path, default=Path("/tmp/discs.png"))
    ap.add_argument("--dataset", default="RITE")
    args = ap.parse_args()
    tiles = []
    for it in items(args.dataset):
        av, fov, rgb = load(it)
        d = guess_disc(av, fov, rgb, args.dataset)
        img = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        c = (round(d.centre[0]), round(d.centre[1]))
        cv2.circle(img, c, round(d.radius), (0, 255, 255), max(1, img.shape[0] // 300))
        f = 240 / img.shape[0]
        t = cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        cv2.putText(t, it["name"].split("/")[1], (3, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1)
        tiles.append(t)
    w = max(t.shape[1] for t in tiles)
    tiles = [cv2.copyMakeBorder(t, 0, 0, 0, w - t.shape[1], cv2.BORDER_CONSTANT) for t in tiles]
    cols = 8
    while len(tiles) % cols:
        tiles.append(np.zeros_like(tiles[0]))
    rows = [np.hstack(tiles[i : i + cols]) for i in range(0, len(tiles), cols)]
    cv2.imwrite(str(args.sheet), np.vstack(rows))


if __name__ == "__main__":
    main()
