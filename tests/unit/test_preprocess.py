"""FOV estimation against DRIVE's masks, scale normalisation, enhancement."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from fundus_app import load_image
from fundus_app.datasets import cases
from fundus_app.io.loader import load_mask
from fundus_app.preprocess import PreprocessConfig, enhance, fov_diameter, prepare, rescale

SAMPLES = Path(__file__).parents[2] / "resources" / "samples"


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def test_fov_agrees_with_every_drive_mask(data: Path) -> None:
    ious = [_iou(load_image(c.image).fov, load_mask(c.fov)) for c in cases("drive-train") + cases("drive-test")]
    assert len(ious) == 40
    assert min(ious) >= 0.97, min(ious)


def test_fov_on_stare_is_a_disc_of_plausible_size(data: Path) -> None:
    for case in cases("stare-test")[:4]:
        fov = load_image(case.image).fov
        assert 600 < fov_diameter(fov) < 700  # 700x605 frames, disc nearly fills the height
        assert 0.6 < fov.mean() < 0.95


def test_fov_on_hrf_sample_matches_its_mask(data: Path) -> None:
    shared = data.parent / "samples"
    fov = load_image(SAMPLES / "hrf_01_h.jpg").fov
    assert _iou(fov, load_mask(shared / "hrf_01_h_mask.tif")) >= 0.97


def test_scale_normalisation_brings_fov_to_reference() -> None:
    cfg = PreprocessConfig()
    image = load_image(SAMPLES / "hrf_01_h.jpg")
    rgb, fov, scale = rescale(image.rgb, image.fov, cfg)
    assert scale < 0.25
    assert abs(fov_diameter(fov) - cfg.reference_fov_px) / cfg.reference_fov_px < 0.02


def test_drive_images_keep_native_pixels(data: Path) -> None:
    image = load_image(cases("drive-test")[0].image)
    prepared = prepare(image, PreprocessConfig())
    assert prepared.scale == 1.0 and prepared.x.shape == image.shape


def test_enhance_standardises_inside_and_zeroes_outside(synthetic_fundus: np.ndarray) -> None:
    from fundus_app.preprocess import estimate_fov

    fov = estimate_fov(synthetic_fundus)
    x = enhance(synthetic_fundus, fov, PreprocessConfig())
    assert x.dtype == np.float32 and np.all(x[~fov] == 0)
    assert abs(float(x[fov].mean())) < 1e-3 and abs(float(x[fov].std()) - 1) < 1e-2
    # dark vessels stay darker than the background after enhancement
    yy, xx = np.mgrid[: fov.shape[0], : fov.shape[1]]
    assert x[fov & (yy == xx)].mean() < x[fov & (np.abs(yy - xx) > 10)].mean()
