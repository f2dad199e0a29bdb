"""What does a camera with a narrower field of view cost? (issue 3: cameras it never saw)

    python -m experiments.narrow_field_probe --crop 0.67 0.8 [--model PATH] [--sets drive-test stare-test]
    python -m experiments.narrow_field_probe --crop 0.67 --sets hrf-sample --fov-px 940 [--fov 540 720]

The product scales every photograph so that its FOV diameter is 540 px, which gives vessels the
calibre the network trained on only when the camera sees the same angle as DRIVE's (45 deg; STARE's
is 35 deg). A 30-deg camera (CHASE_DB1, some clinic cameras) shows the same vessels 1.5x wider
within its FOV. This simulates one: the central ``--crop`` fraction of each test image's FOV
diameter, cut to a circle and enlarged back to the original FOV diameter (bicubic image, bilinear
label cut at 0.5, nearest FOV mask), i.e. a camera seeing ``crop`` x the angle with the same sensor.
Each is segmented by the checkpoint's own rule (vessels 1/crop x the trained calibre) and at a
working FOV of 540 x crop px, where the calibre is the trained one (what a calibre-aware scale rule
could at best recover); F1 at the checkpoint's threshold and AUC inside the FOV, in memory. An
enlarged crop holds no finer vessel than the original, so this measures the calibre mismatch
alone.

``--fov-px N`` resamples the crop to an N-px FOV diameter instead of back to the original one: with
the high-resolution HRF sample (``--sets hrf-sample``, a 45-deg camera, FOV about 3300 px) and
``--crop 0.67 --fov-px 940`` that is a sharp 30-deg photograph of CHASE_DB1's size (999x960), the
crop shrunk by area averaging, so its fine vessels are real, not an enlargement's blur. ``--fov``
adds rows at fixed working FOVs (never enlarging); ``--effect`` applies one of
``experiments.degradation_probe``'s camera effects to each simulated photograph (a softer or
compressed camera). Prints a markdown table.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from experiments.degradation_probe import EFFECTS
from experiments.inference_scale import at_scale
from experiments.probe_table import as_loaded, own_rule, print_header, print_mean_row, resampled
from fundus_app import metrics
from fundus_app.datasets import ScoringCase, cases, load_for_scoring
from fundus_app.model.checkpoint import bundled_path, load_checkpoint
from fundus_app.model.inference import Segmenter

CAMERA_DEGREES = {"drive-test": 45, "stare-test": 35, "hrf-sample": 45}


def narrow_field(sc: ScoringCase, crop: float,
                 fov_px: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Image, label and FOV of the central ``crop`` of the FOV, resampled to the original FOV
    diameter (enlarged by 1 / crop) or to ``fov_px``."""
    ys, xs = np.nonzero(sc.fov)
    cy, cx = (ys.min() + ys.max()) / 2, (xs.min() + xs.max()) / 2
    radius = crop * max(ys.max() - ys.min(), xs.max() - xs.min()) / 2
    h, w = sc.fov.shape
    yy, xx = np.mgrid[:h, :w]
    circle = (yy - cy) ** 2 + (xx - cx) ** 2 <= radius**2
    top, left = max(int(cy - radius), 0), max(int(cx - radius), 0)
    bottom, right = min(int(np.ceil(cy + radius)) + 1, h), min(int(np.ceil(cx + radius)) + 1, w)
    window = (slice(top, bottom), slice(left, right))
    rgb = np.where(circle[..., None], sc.image.rgb, 0)[window]
    factor = 1 / crop if fov_px is None else fov_px / (2 * radius)
    return resampled(np.ascontiguousarray(rgb), (circle & sc.truth)[window], (circle & sc.fov)[window], factor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crop", type=float, nargs="+", required=True, help="fractions of the FOV diameter kept")
    parser.add_argument("--model", type=Path, default=None, help="checkpoint (default: the bundled one)")
    parser.add_argument("--sets", nargs="+", default=["drive-test", "stare-test"], choices=list(CAMERA_DEGREES))
    parser.add_argument("--fov-px", type=float, default=None,
                        help="resample each crop to this FOV diameter (default: back to the original one)")
    parser.add_argument(
        "--fov", type=float, nargs="*", default=[], help="also segment at these working FOVs (never enlarging)"
    )
    parser.add_argument(
        "--effect", default="none", choices=list(EFFECTS), help="camera effect applied to each simulated photograph"
    )
    args = parser.parse_args()
    ckpt = load_checkpoint(args.model or bundled_path())
    reference = ckpt.preprocess.reference_fov_px
    own = Segmenter.from_checkpoint(ckpt, device="cpu")
    scoring = {ds: [load_for_scoring(c) for c in cases(ds)] for ds in args.sets}
    print_header(
        [
            "crop",
            "simulated camera" + ("" if args.effect == "none" else f", {args.effect}"),
            "working FOV px",
            *(f"{ds} F1 / AUC" for ds in args.sets),
        ]
    )
    with tempfile.TemporaryDirectory() as tmp:
        for crop in args.crop:
            matched = Segmenter.from_checkpoint(at_scale(ckpt, reference * crop), device="cpu")
            rules = {
                f"{own_rule(ckpt.preprocess)} (own rule)": own,
                f"{reference * crop:.0f} (trained calibre)": matched,
            }
            rules.update({f"{fov_px:.0f}": Segmenter.from_checkpoint(at_scale(ckpt, fov_px, 1.0), device="cpu")
                          for fov_px in args.fov})
            scores: dict[str, dict[str, list[metrics.Scores]]] = {r: {ds: [] for ds in args.sets} for r in rules}
            for ds in args.sets:
                for sc in scoring[ds]:
                    rgb, truth, fov = narrow_field(sc, crop, args.fov_px)
                    image = as_loaded(EFFECTS[args.effect](rgb), Path(tmp) / f"{sc.name}.png")
                    for rule, seg in rules.items():
                        prob = seg.segment(image).probability
                        scores[rule][ds].append(metrics.score(prob >= ckpt.threshold, truth, fov, prob))
            camera = ", ".join(f"{ds.split('-')[0].upper()} {crop * deg:.0f} deg" for ds, deg in CAMERA_DEGREES.items()
                               if ds in args.sets)
            for rule in rules:
                print_mean_row([f"{crop:g}", camera, rule], (scores[rule][ds] for ds in args.sets))


if __name__ == "__main__":
    main()
