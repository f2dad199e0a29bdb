"""The fast overlay renderer gives exactly the core's overlay pixels and densities (no Qt needed)."""
from __future__ import annotations

import cv2
import numpy as np

from fundus_app.biomarkers import measure_vessels
from fundus_app.domain import Segmentation
from fundus_app.gui.render import (
    EdgeIndex,
    LevelIndex,
    OverlayRenderer,
    ThresholdGrid,
    display_to_rgb,
    enhanced_view,
    pyramid,
    to_display,
)
from fundus_app.postprocess import overlay


def fake_result(h: int, w: int, seed: int = 0) -> tuple[np.ndarray, Segmentation]:
    """An image and a smooth probability map with a disc FOV, plus values exactly on grid thresholds."""
    rng = np.random.default_rng(seed)
    rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    prob = cv2.GaussianBlur(rng.random((h, w)).astype(np.float32), (0, 0), 2.0)
    prob = (prob - prob.min()) / (prob.max() - prob.min())
    yy, xx = np.mgrid[:h, :w]
    fov = (yy - h / 2) ** 2 + (xx - w / 2) ** 2 < (0.45 * min(h, w)) ** 2
    grid = ThresholdGrid.build([0.537])
    prob.reshape(-1)[: len(grid)] = np.asarray(grid.values, np.float32)  # ties: prob == float32(t)
    prob[~fov] = 0.0
    return rgb, Segmentation(probability=prob.astype(np.float32), fov=fov, default_threshold=0.537)


def test_grid_keeps_model_default_and_quantisation_is_exact() -> None:
    rgb, seg = fake_result(120, 150)
    grid = ThresholdGrid.build([seg.default_threshold])
    assert 0.537 in grid.values and 0.05 in grid.values and 0.95 in grid.values
    assert grid.values[grid.index_of(0.537)] == 0.537
    levels = grid.quantise(seg.probability, seg.fov)
    index = LevelIndex.build(levels, seg.fov, len(grid))
    fov_pixels = int(seg.fov.sum())
    for i, t in enumerate(grid.values):
        expected = seg.mask(t)
        assert np.array_equal(levels > i, expected), t
        assert index.density(i) == float(expected.sum()) / fov_pixels
    for t in (0.05, 0.3, 0.537, 0.95):  # the core's own number, bit for bit
        i = grid.index_of(t)
        assert index.density(i) == measure_vessels(seg.mask(t), seg.fov).vessel_density


def test_renderer_reproduces_core_overlay_through_slider_moves() -> None:
    rgb, seg = fake_result(160, 200, seed=1)
    grid = ThresholdGrid.build([seg.default_threshold])
    levels = grid.quantise(seg.probability, seg.fov)
    r = OverlayRenderer(rgb, levels, index=LevelIndex.build(levels, seg.fov, len(grid)),
                        edges=EdgeIndex.build(levels, len(grid)), n_thresholds=len(grid))
    rng = np.random.default_rng(2)
    moves = [(45, 0.0), (46, 0.0), (46, 0.5), (30, 0.5), (30, 0.0), (90, 1.0), (0, 0.3), (50, 0.0)]
    moves += [(int(rng.integers(0, len(grid))), float(rng.choice([0.0, 0.25, 1.0]))) for _ in range(12)]
    for colour, opacity in [((255, 40, 40), 0.6), ((0, 200, 255), 0.35), ((10, 250, 10), 1.0)]:
        r.set_style(colour, opacity)
        for i, edge in moves:
            got = display_to_rgb(r.render(i, edge))
            want = overlay(rgb, seg.mask(grid.values[i]), colour=colour, opacity=opacity, edge_strength=edge)
            assert np.array_equal(got, want), (i, edge, colour, opacity)


def test_pyramid_halves_until_small() -> None:
    levels = pyramid(to_display(np.zeros((2336, 3504, 3), np.uint8)), smallest_side=256)
    assert [lv.shape[:2] for lv in levels] == [(1168, 1752), (584, 876), (292, 438)]


def test_enhanced_view_is_the_cores_clahe_with_a_black_border() -> None:
    from fundus_app.preprocess import PreprocessConfig, clahe_green

    rgb, seg = fake_result(150, 170, seed=4)
    for cfg in (PreprocessConfig(), PreprocessConfig(clahe_clip=4.0, clahe_tile=4)):
        got = enhanced_view(rgb, seg.fov, cfg)
        want = clahe_green(rgb, seg.fov, cfg)
        assert got.dtype == np.uint8 and got.shape == seg.fov.shape
        assert np.array_equal(got[seg.fov], want[seg.fov]) and not got[~seg.fov].any()
    assert not np.array_equal(enhanced_view(rgb, seg.fov, PreprocessConfig()),
                              enhanced_view(rgb, seg.fov, PreprocessConfig(clahe_clip=4.0, clahe_tile=4)))
