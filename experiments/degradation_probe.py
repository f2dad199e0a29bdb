"""How much does a poorer or different camera cost? The test images degraded, one effect at a time (issue 3)

    python -m experiments.degradation_probe [--model PATH ...] [--sets validation drive-test stare-test hrf-sample]
        [--resize FACTOR]

The stored datasets hold two cameras (DRIVE, STARE) and one HRF image; clinics bring others. This
applies fixed camera effects, each alone and stronger than the training augmentation's, to every
DRIVE and STARE test image (through a PNG file, so the loader estimates the degraded image's FOV as
in use), segments with the bundled checkpoint and each ``--model`` at its own threshold, and scores
F1 and AUC inside the dataset's scoring FOV against the unchanged labels, in memory. The effects are
the training augmentation's own functions (``fundus_app.train.data``). ``validation`` is the bundled
recipe's validation images (``configs/vessel_unet.toml``: drive_39, drive_40, stare_im0139), never
trained on: a candidate is chosen on them, the test sets only report. ``--resize`` first resamples
every photograph with its label and FOV (``probe_table.resampled``): ``--sets hrf-sample --resize
0.285`` is the one labelled high-resolution photograph as a 999-px-wide camera would take it.
``--given-fov`` segments every degraded photograph within the field of view estimated from the
undegraded one, so a row measures the network alone, the FOV estimate set aside. Prints a markdown
table.
"""
from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from experiments.probe_table import as_loaded, print_header, print_mean_row, resampled, validation_cases
from fundus_app import FundusImage, metrics
from fundus_app.datasets import cases, load_for_scoring
from fundus_app.model.checkpoint import bundled_path, load_checkpoint
from fundus_app.model.inference import Segmenter
from fundus_app.train.data import add_noise, apply_gamma, blur, jpeg_roundtrip, sharpen


def half_resolution(rgb: np.ndarray) -> np.ndarray:
    """A camera with half the pixels across, shown at the original size."""
    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def uneven_illumination(rgb: np.ndarray, darkest: float, radial: bool) -> np.ndarray:
    """Brightness falling smoothly to ``darkest`` (a fraction): towards the rim of a circle inscribed in
    the image's larger side (``radial``: vignetting, a small pupil) or from left to right (an oblique
    flash)."""
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    if radial:
        r = np.hypot(yy - (h - 1) / 2, xx - (w - 1) / 2) / (max(h, w) / 2)
        gain = 1 - (1 - darkest) * np.clip(r, 0, 1) ** 2
    else:
        gain = 1 - (1 - darkest) * xx / max(w - 1, 1)
    return np.clip(rgb.astype(np.float32) * gain[..., None] + 0.5, 0, 255).astype(np.uint8)


EFFECTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "none": lambda rgb: rgb,
    "blur sigma 1": lambda rgb: blur(rgb, 1.0),
    "blur sigma 2": lambda rgb: blur(rgb, 2.0),
    "sharpen sigma 2": lambda rgb: sharpen(rgb, 2.0),
    "gamma 0.6 (brighter)": lambda rgb: apply_gamma(rgb, 0.6),
    "gamma 1.6 (darker)": lambda rgb: apply_gamma(rgb, 1.6),
    # the stored images' own noise is about 1 grey level (Immerkaer's estimate on the green channel)
    "noise std 2": lambda rgb: add_noise(rgb, 2.0, np.random.default_rng(0)),
    "noise std 4": lambda rgb: add_noise(rgb, 4.0, np.random.default_rng(0)),
    "noise std 8": lambda rgb: add_noise(rgb, 8.0, np.random.default_rng(0)),
    "JPEG quality 75": lambda rgb: jpeg_roundtrip(rgb, 75),
    "JPEG quality 50": lambda rgb: jpeg_roundtrip(rgb, 50),
    "JPEG quality 20": lambda rgb: jpeg_roundtrip(rgb, 20),
    "half resolution": half_resolution,
    "vignetting to 0.5": lambda rgb: uneven_illumination(rgb, 0.5, radial=True),
    "illumination gradient to 0.5": lambda rgb: uneven_illumination(rgb, 0.5, radial=False),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, nargs="*", default=[], help="checkpoints besides the bundled one")
    parser.add_argument("--sets", nargs="+", default=["drive-test", "stare-test"],
                        choices=["validation", "drive-test", "stare-test", "hrf-sample"])
    parser.add_argument("--effects", nargs="+", default=list(EFFECTS), choices=list(EFFECTS), metavar="EFFECT",
                        help="only these effects (default: all)")
    parser.add_argument("--given-fov", action="store_true",
                        help="segment within the FOV estimated from the undegraded photograph")
    parser.add_argument(
        "--resize",
        type=float,
        default=1.0,
        help="resample every photograph, label and FOV by this factor first (0.285: HRF at 999 px wide)",
    )
    args = parser.parse_args()
    paths = [bundled_path(), *args.model]
    checkpoints = {
        ("bundled" if p == bundled_path() else p.parent.name + "/" + p.name): load_checkpoint(p) for p in paths
    }
    segmenters = {name: Segmenter.from_checkpoint(ckpt, device="cpu") for name, ckpt in checkpoints.items()}
    sets = tuple(args.sets)
    print_header(["effect", "model", *(f"{ds} F1 / AUC" for ds in sets)])
    scoring = {ds: [load_for_scoring(c) for c in (validation_cases() if ds == "validation" else cases(ds))]
               for ds in sets}
    with tempfile.TemporaryDirectory() as tmp:
        for effect in args.effects:
            apply = EFFECTS[effect]
            scores: dict[str, dict[str, list[metrics.Scores]]] = {m: {ds: [] for ds in sets} for m in segmenters}
            for ds in sets:
                for sc in scoring[ds]:
                    rgb, truth, fov = resampled(sc.image.rgb, sc.truth, sc.fov, args.resize)
                    image = as_loaded(apply(rgb), Path(tmp) / "degraded.png")
                    if args.given_fov:
                        clean_fov = (
                            cv2.resize(sc.image.fov.astype(np.uint8), fov.shape[::-1], interpolation=cv2.INTER_NEAREST)
                            > 0
                        )
                        image = FundusImage(image.rgb, clean_fov)
                    for name, seg in segmenters.items():
                        prob = seg.segment(image).probability
                        scores[name][ds].append(metrics.score(prob >= checkpoints[name].threshold, truth, fov, prob))
            for name in segmenters:
                print_mean_row([effect, name], (scores[name][ds] for ds in sets))


if __name__ == "__main__":
    main()
