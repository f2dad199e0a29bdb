"""The camera effects of experiments/degradation_probe.py: reproducible, graded, and the image's own size."""
from __future__ import annotations

import numpy as np

from experiments import degradation_probe as probe


def fundus_like() -> np.ndarray:
    """A smooth reddish disc with dark vessel-like lines, odd-sized like real photographs."""
    h, w = 181, 203
    yy, xx = np.mgrid[:h, :w]
    rgb = np.zeros((h, w, 3), np.uint8)
    disc = (yy - h / 2) ** 2 + (xx - w / 2) ** 2 < (0.45 * h) ** 2
    rgb[disc] = (170, 90, 40)
    rgb[disc & (np.abs(xx - yy) < 2)] = (110, 50, 25)
    rgb[disc & (np.abs(xx - 60) < 1)] = (120, 55, 25)
    return rgb


def test_effects_keep_the_image_shape_and_are_reproducible() -> None:
    rgb = fundus_like()
    assert np.array_equal(probe.EFFECTS["none"](rgb), rgb)
    for name, apply in probe.EFFECTS.items():
        out = apply(rgb)
        assert out.shape == rgb.shape and out.dtype == np.uint8, name
        assert np.array_equal(out, apply(rgb)), name  # the same image for every model compared
        if name != "none":
            assert not np.array_equal(out, rgb), name


def test_stronger_effects_change_the_image_more() -> None:
    rgb = fundus_like()

    def change(name: str) -> float:
        return float(np.abs(probe.EFFECTS[name](rgb).astype(np.float32) - rgb).mean())

    assert change("noise std 2") < change("noise std 4") < change("noise std 8")
    assert change("JPEG quality 75") < change("JPEG quality 50") < change("JPEG quality 20")
    assert change("blur sigma 1") < change("blur sigma 2")


def test_uneven_illumination_dims_towards_the_rim_or_one_side() -> None:
    rgb = np.full((101, 121, 3), 200, np.uint8)
    vignetted = probe.uneven_illumination(rgb, 0.5, radial=True)
    assert vignetted[50, 60, 0] == 200  # the centre as taken
    assert abs(int(vignetted[50, 0, 0]) - 100) <= 2  # half as bright where the inscribed circle meets the side
    assert vignetted[0, 0, 0] == 100  # and no darker beyond it (the corner)
    flashed = probe.uneven_illumination(rgb, 0.5, radial=False)
    assert flashed[:, 0, 0].min() == 200 and flashed[:, -1, 0].max() == 100
    assert np.all(np.diff(flashed[50, :, 0].astype(int)) <= 0)  # falling monotonically left to right
