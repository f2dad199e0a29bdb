"""experiments/narrow_field_probe.py: a simulated narrow-angle camera keeps the FOV size and widens the vessels."""
from __future__ import annotations

import cv2
import numpy as np

from experiments import narrow_field_probe as probe
from fundus_app.datasets import ScoringCase
from fundus_app.domain import FundusImage
from fundus_app.preprocess import fov_diameter


def test_a_narrower_field_is_the_centre_enlarged_to_the_same_fov_diameter() -> None:
    h, w = 420, 460
    yy, xx = np.mgrid[:h, :w]
    fov = (yy - 210) ** 2 + (xx - 230) ** 2 <= 200**2
    vessel = fov & (np.abs(yy - 210) <= 2)  # a 5-px horizontal vessel through the centre
    rgb = np.where(fov[..., None], np.uint8(150), np.uint8(0)).repeat(3, axis=2)
    rgb[vessel] = 60
    case = ScoringCase("disc", FundusImage(rgb, fov), vessel, fov)
    for crop in (1.0, 0.67, 0.5):
        image, truth, narrow_fov = probe.narrow_field(case, crop)
        assert image.shape[:2] == truth.shape == narrow_fov.shape
        assert abs(fov_diameter(narrow_fov) - fov_diameter(fov)) <= 4  # the same sensor...
        widths = truth.sum(axis=0)[truth.any(axis=0)]
        assert abs(np.median(widths) - 5 / crop) <= 1  # ...seeing the vessel 1/crop times wider
        rim = cv2.dilate(narrow_fov.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0  # bicubic smears 2 px
        assert image[~rim].max() <= 2  # black outside the new circle (bicubic ringing aside): the loader finds it


def test_a_narrower_field_can_be_put_at_another_cameras_fov_diameter() -> None:
    h, w = 840, 920  # a high-resolution photograph: FOV 800 px, a 10-px vessel
    yy, xx = np.mgrid[:h, :w]
    fov = (yy - 420) ** 2 + (xx - 460) ** 2 <= 400**2
    vessel = fov & (np.abs(yy - 420) <= 5)
    rgb = np.where(fov[..., None], np.uint8(150), np.uint8(0)).repeat(3, axis=2)
    rgb[vessel] = 60
    case = ScoringCase("disc", FundusImage(rgb, fov), vessel, fov)
    image, truth, narrow_fov = probe.narrow_field(case, 0.5, fov_px=200)  # 400-px crop shrunk 2x
    assert image.shape[:2] == truth.shape == narrow_fov.shape
    assert abs(fov_diameter(narrow_fov) - 200) <= 4
    widths = truth.sum(axis=0)[truth.any(axis=0)]
    assert abs(np.median(widths) - 11 / 2) <= 1  # the vessel shrunk with the field, not widened
