"""Vessel biomarkers on hand-made shapes whose answers are known."""
from __future__ import annotations

import json
import math

import cv2
import numpy as np
import pytest

from fundus_app.biomarkers import (
    MEASURE_FOV_PX,
    Biomarkers,
    box_counting,
    measure_vessels,
    measurement_parameters,
    skeleton_graph,
)

N = int(MEASURE_FOV_PX)  # a square image of this size with no FOV is measured at its own pixels


def blank(size: int = N) -> np.ndarray:
    return np.zeros((size, size), np.uint8)


def line_mask(angle_deg: float, length: float, *, size: int = N, thickness: int = 3) -> np.ndarray:
    a = blank(size)
    c = size / 2
    dx, dy = length / 2 * math.cos(math.radians(angle_deg)), length / 2 * math.sin(math.radians(angle_deg))
    cv2.line(a, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 255, thickness)
    return a > 0


def carpet(level: int) -> np.ndarray:
    c = np.ones((1, 1), bool)
    for _ in range(level):
        z = np.zeros_like(c)
        c = np.block([[c, c, c], [c, z, c], [c, c, c]])
    return c


def tree(size: int = N, thickness: int = 3) -> np.ndarray:
    """A small branching 'vessel tree' with curved branches."""
    a = blank(size)
    s = size / 540
    pts = lambda p: np.round(np.asarray(p, float) * s).astype(np.int32)  # noqa: E731
    cv2.polylines(a, [pts([[270, 500], [265, 400], [280, 300], [270, 200], [250, 90]])], False, 255, thickness)
    cv2.polylines(a, [pts([[280, 300], [340, 260], [380, 200], [450, 170]])], False, 255, thickness)
    cv2.polylines(a, [pts([[265, 400], [200, 380], [150, 320], [90, 300]])], False, 255, thickness)
    cv2.polylines(a, [pts([[270, 200], [200, 170], [170, 120]])], False, 255, thickness)
    cv2.ellipse(a, tuple(int(v) for v in pts([380, 330])), (int(60 * s), int(40 * s)), 0, 200, 340, 255, thickness)
    return a > 0


# --- fractal dimension -----------------------------------------------------------------------


def test_fractal_dimension_of_a_line_is_one() -> None:
    m = np.zeros((512, 512), bool)
    m[256, :] = True
    assert box_counting(m).dimension == pytest.approx(1.0, abs=1e-6)
    assert measure_vessels(m).fractal_dimension == pytest.approx(1.0, abs=0.03)


def test_fractal_dimension_of_a_filled_square_is_two() -> None:
    m = np.zeros((512, 512), bool)
    m[128:384, 128:384] = True  # 256 px: every power-of-two box is full or empty
    fit = box_counting(m)
    assert fit.dimension == pytest.approx(2.0, abs=1e-6) and fit.r_squared == pytest.approx(1.0)
    m = np.zeros((N, N), bool)  # measured at its own pixels
    m[100:356, 200:456] = True
    assert measure_vessels(m).fractal_dimension == pytest.approx(2.0, abs=1e-6)


def test_fractal_dimension_of_the_sierpinski_carpet() -> None:
    """log 8 / log 3 = 1.8928. The boxes are powers of two, which do not align with the
    carpet's three-fold self-similarity: boxes straddling a hole count as occupied, which biases
    the estimate down by about 0.02 at this depth (729 px). A tolerance of 0.03 allows for that
    and still rejects a wrong slope (a line is 1, a filled square 2), and R^2 shows a power law."""
    fit = box_counting(carpet(6))
    assert fit.dimension == pytest.approx(math.log(8) / math.log(3), abs=0.03)
    assert fit.r_squared > 0.999


# --- density -----------------------------------------------------------------------------------


def test_vessel_density_on_a_hand_made_mask() -> None:
    mask = np.zeros((10, 10), bool)
    fov = np.zeros((10, 10), bool)
    fov[:5, :] = True  # 50 FOV pixels
    mask[0, :4] = True  # 4 inside
    mask[4, 9] = True  # 1 inside
    mask[7, :3] = True  # 3 outside: ignored
    assert measure_vessels(mask, fov).vessel_density == pytest.approx(5 / 50)
    assert measure_vessels(mask).vessel_density == pytest.approx(8 / 100)


def test_empty_map_and_empty_fov_give_zeros() -> None:
    empty = measure_vessels(np.zeros((50, 60), bool))
    assert empty.as_dict() == {k: 0 for k in empty.as_dict()}
    no_fov = measure_vessels(np.ones((50, 60), bool), np.zeros((50, 60), bool))
    assert no_fov.vessel_density == 0.0 and no_fov.branch_points == 0


def test_shape_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="differ in shape"):
        measure_vessels(np.zeros((5, 5), bool), np.zeros((5, 6), bool))


# --- centre line: length, tortuosity, branch points ----------------------------------------------


@pytest.mark.parametrize("angle", [0, 10, 22.5, 45, 63, 90, 135])
def test_skeleton_length_and_tortuosity_of_a_straight_line(angle: float) -> None:
    """The skeleton of a 3 px wide line of length 400 is 400 px long (less about 1 px at each end);
    the Vossepoel-Smeulders estimator is within ~2 % at any angle. A straight line has tortuosity 1."""
    b = measure_vessels(line_mask(angle, 400))
    assert b.vessel_length_px == pytest.approx(400, rel=0.03)
    assert b.tortuosity == pytest.approx(1.0, abs=0.01)
    assert b.tortuosity_segments == 1 and b.branch_points == 0
    area_d2 = N * N / N**2  # no FOV: the whole square, diameter N
    assert b.vessel_length_density == pytest.approx(b.vessel_length_px / N / area_d2)


def test_length_is_in_input_pixels_at_any_resolution() -> None:
    """A 2x larger image is measured at the normalised scale, but lengths come back in its own pixels."""
    small = measure_vessels(line_mask(30, 400))
    big = measure_vessels(line_mask(30, 800, size=2 * N, thickness=6))
    assert big.vessel_length_px == pytest.approx(800, rel=0.03)
    assert big.vessel_length_density == pytest.approx(small.vessel_length_density, rel=0.03)


def test_tortuosity_of_a_semicircle_is_half_pi() -> None:
    a = blank()
    cv2.ellipse(a, (270, 270), (150, 150), 0, 180, 360, 255, 3)
    b = measure_vessels(a > 0)
    assert b.tortuosity == pytest.approx(math.pi / 2, rel=0.01)
    assert b.vessel_length_px == pytest.approx(math.pi * 150, rel=0.03)
    assert b.branch_points == 0


def test_branch_points_of_y_plus_and_two_shapes() -> None:
    y = blank()
    for end in ((270, 500), (100, 60), (440, 60)):
        cv2.line(y, (270, 270), end, 255, 5)
    plus = blank()
    cv2.line(plus, (270, 40), (270, 500), 255, 7)
    cv2.line(plus, (40, 270), (500, 270), 255, 7)
    two = blank()
    for cx in (140, 400):
        for end in ((cx, 500), (cx - 90, 60), (cx + 90, 60)):
            cv2.line(two, (cx, 270), end, 255, 4)
    assert measure_vessels(y > 0).branch_points == 1
    assert measure_vessels(plus > 0).branch_points == 1
    assert measure_vessels(two > 0).branch_points == 2
    b = measure_vessels(y > 0)
    assert b.tortuosity_segments == 3 and b.tortuosity == pytest.approx(1.0, abs=0.01)
    fov = np.zeros((N, N), bool)
    fov[:, : N // 2 + 200] = True  # a cropped FOV changes the area, not the diameter
    d = measure_vessels(y > 0, fov)
    assert d.branch_point_density == pytest.approx(d.branch_points / (fov.sum() / N**2))


@pytest.mark.parametrize(("radius", "centre_y"), [(4, 262), (5, 264), (6, 262), (8, 264)])
def test_short_spurs_are_pruned_but_real_branches_are_not(radius: int, centre_y: int) -> None:
    a = blank()
    cv2.line(a, (50, 270), (490, 270), 255, 9)
    cv2.circle(a, (270, centre_y), radius, 255, -1)  # a bump on the vessel wall: a skeleton spur of a few px
    cv2.line(a, (380, 270), (380, 120), 255, 3)  # a real branch
    unpruned = skeleton_graph(a > 0, spur_length=0, min_segment=22, arc_step=4)
    assert unpruned.branch_points == 2  # the bump does make a spur
    assert measure_vessels(a > 0).branch_points == 1


def test_centre_line_measures_do_not_depend_on_resolution() -> None:
    """The same tree at 540 px and enlarged 3x (as the app's maps of a 3504 px photograph are):
    the normalised measures agree within a few per cent."""
    small = tree()
    native = measure_vessels(small)
    big = measure_vessels(cv2.resize(small.astype(np.uint8), None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST) > 0)
    assert big.vessel_density == pytest.approx(native.vessel_density, rel=1e-6)
    assert big.vessel_length_density == pytest.approx(native.vessel_length_density, rel=0.05)
    assert big.tortuosity == pytest.approx(native.tortuosity, rel=0.02)
    assert big.branch_points == native.branch_points == 3
    assert big.fractal_dimension == pytest.approx(native.fractal_dimension, abs=0.03)
    assert native.tortuosity > 1.02  # the curved branches


def test_skeleton_graph_reports_segments_in_pixels() -> None:
    g = skeleton_graph(line_mask(0, 300), spur_length=8, min_segment=20, arc_step=4)
    assert g.skeleton.sum() == pytest.approx(300, abs=4)
    assert g.arcs.size == 1 and g.arcs[0] == pytest.approx(g.chords[0], rel=1e-6)
    assert g.branch_points == 0


# --- record -------------------------------------------------------------------------------------


def test_as_dict_keeps_the_old_keys_and_is_plain_json() -> None:
    b = measure_vessels(tree())
    d = b.as_dict()
    assert list(d)[:3] == ["vessel_density", "fractal_dimension", "fractal_r_squared"]
    assert {"vessel_length_density", "tortuosity", "branch_points", "branch_point_density"} <= set(d)
    assert "fractal_fit" not in d and isinstance(b.fractal_fit.box_sizes, tuple)
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert isinstance(d["branch_points"], int) and isinstance(d["tortuosity_segments"], int)
    assert Biomarkers(0.1, 1.5, 0.99).as_dict()["branch_points"] == 0  # old constructor still works


def test_parameters_are_recorded() -> None:
    assert measurement_parameters()["measure_fov_px"] == MEASURE_FOV_PX

