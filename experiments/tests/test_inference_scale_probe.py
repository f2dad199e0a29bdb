"""experiments/inference_scale.py: a row's working FOV is the one it names, whatever the checkpoint's own rule."""
from __future__ import annotations

import numpy as np

from experiments import inference_scale as probe
from fundus_app.model.checkpoint import bundled_path, load_checkpoint
from fundus_app.preprocess import fov_diameter
from fundus_app.preprocess.pipeline import rescale_factor


def test_rows_segment_a_large_photograph_at_the_named_fov() -> None:
    yy, xx = np.mgrid[:3400, :3400]
    disc = (yy - 1700) ** 2 + (xx - 1700) ** 2 <= 1650 ** 2  # an HRF-sized field of view
    ckpt = load_checkpoint(bundled_path())
    own = rescale_factor(disc, ckpt.preprocess) * fov_diameter(disc)
    assert own > 600  # the bundled rule keeps a large photograph above 540 px...
    for fov_px in (540.0, 756.0):  # ...but a probe row is the FOV it names
        pre = probe.at_scale(ckpt, fov_px, 1.0).preprocess
        assert abs(rescale_factor(disc, pre) * fov_diameter(disc) - fov_px) < 1
        assert pre.max_detail_loss is None and pre.max_working_fov_px is None  # none of the own rule left
