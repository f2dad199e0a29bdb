"""How far does the detail measure let a large photograph be shrunk? (issue 3, working scale)

    python -m experiments.detail_probe --factor 2.4 3 4 [--max-loss 0.05 0.1 0.15] [--sets drive-test stare-test]

``preprocess.detail.lossless_shrink`` is meant to find how much coarser than its pixels a
photograph's detail is. Its truth is known for the DRIVE and STARE test images enlarged by
``--factor`` (bicubic: no detail finer than the factor), so this prints, per factor and set, the
shrink it finds (mean, min-max over the images) for each ``--max-loss``, and the same for the
HRF samples as stored (3504x2336 photographs of a sharp camera). No labels are read.
"""
from __future__ import annotations

import argparse

import cv2
import numpy as np

from fundus_app import load_image
from fundus_app.datasets import cases, data_root
from fundus_app.model.checkpoint import bundled_path, load_checkpoint
from fundus_app.preprocess import estimate_fov
from fundus_app.preprocess.detail import lossless_shrink


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=float, nargs="+", required=True, help="enlargement factors")
    parser.add_argument("--max-loss", type=float, nargs="+", default=[0.05, 0.1, 0.15])
    parser.add_argument("--sets", nargs="+", default=["drive-test", "stare-test"])
    args = parser.parse_args()
    reference = load_checkpoint(bundled_path()).preprocess.reference_fov_px
    print("| images | " + " | ".join(f"shrink found at max loss {t:g}" for t in args.max_loss) + " |")
    print("|---" * (len(args.max_loss) + 1) + "|")

    def row(label: str, images: list[tuple[np.ndarray, np.ndarray]]) -> None:
        cells = []
        for loss in args.max_loss:
            found = [lossless_shrink(rgb, fov, reference, loss) for rgb, fov in images]
            cells.append(f"{np.mean(found):.2f} ({min(found):.2f}-{max(found):.2f})")
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)

    originals = {ds: [load_image(c.image).rgb for c in cases(ds)] for ds in args.sets}
    for factor in args.factor:
        for ds in args.sets:
            enlarged = [cv2.resize(rgb, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
                        for rgb in originals[ds]]
            row(f"{ds} enlarged {factor:g}x", [(rgb, estimate_fov(rgb)) for rgb in enlarged])
    for sample in sorted((data_root().parent / "samples").glob("hrf_*.jpg")):
        image = load_image(sample)
        row(f"{sample.stem} as stored", [(image.rgb, image.fov)])


if __name__ == "__main__":
    main()
