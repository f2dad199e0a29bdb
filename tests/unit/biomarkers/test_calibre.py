"""Vessel calibre (CRAE, CRVE, AVR) on synthetic radial vessels of known widths, and one expert label."""
from __future__ import annotations

import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from fundus_app import Disc, measure_calibre
from fundus_app.biomarkers import Calibre, calibre_of, zone_radii
from fundus_app.biomarkers.calibre import knudtson
from fundus_app.domain import FundusImage, Segmentation
from fundus_app.metrics import _icc_2_1_table, icc_2_1, mean_difference

DISC = Disc(centre=(300.3, 299.7), diameter=80.0)
SIZE = (600, 600)


def radial_map(shape, centre, vessels, start=30.0):
    """(av, coverage) of radial bars from ``centre``: vessels = [(angle_deg, width_px, class)]. A pixel is in a
    bar when its centre is (binary map); coverage is a linear anti-aliased estimate (a probability map)."""
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    av = np.zeros(shape, np.uint8)
    cov = np.zeros(shape, np.float32)
    for ang, wd, cls in vessels:
        a = math.radians(ang)
        along = (xs - centre[0]) * math.cos(a) + (ys - centre[1]) * math.sin(a)
        perp = -(xs - centre[0]) * math.sin(a) + (ys - centre[1]) * math.cos(a)
        av[(np.abs(perp) <= wd / 2) & (along >= start)] = cls
        cov = np.maximum(cov, (np.clip(0.5 + wd / 2 - np.abs(perp), 0, 1) * (along >= start)).astype(np.float32))
    return av, cov


def fov_all(shape=SIZE):
    return np.ones(shape, bool)


ARTERIES = [6, 7, 8, 9, 10, 11]
VEINS = [9, 10, 11, 12, 13, 14]


def six_and_six():
    vessels = [(i * 30 + 4, ARTERIES[i // 2] if i % 2 == 0 else VEINS[i // 2], 1 + i % 2) for i in range(12)]
    return radial_map(SIZE, DISC.centre, vessels)


def test_knudtson_hand_computed() -> None:
    # 10..20: (20,10) (18,12) (16,14) -> 19.677, 19.037, 18.709; then (19.677, 18.709) -> 23.894, 19.037 carried;
    # then 0.88 * sqrt(23.894^2 + 19.037^2) = 26.884.
    r1 = [0.88 * math.hypot(20, 10), 0.88 * math.hypot(18, 12), 0.88 * math.hypot(16, 14)]
    assert r1 == pytest.approx([19.677, 19.037, 18.709], abs=1e-3)
    r2 = 0.88 * math.hypot(r1[0], r1[2])
    assert knudtson([10, 12, 14, 16, 18, 20], 0.88) == pytest.approx(0.88 * math.hypot(r2, r1[1]))
    assert knudtson([10, 12, 14, 16, 18, 20], 0.88) == pytest.approx(26.884, abs=1e-3)
    assert knudtson([1, 2, 3], 0.95) == pytest.approx(0.95 * math.hypot(2, 0.95 * math.hypot(3, 1)))
    assert knudtson([5.0], 0.88) == 5.0


def test_zone_radii() -> None:
    assert zone_radii(DISC, "B") == (80.0, 120.0)
    assert zone_radii(DISC, "C") == (80.0, 200.0)
    with pytest.raises(ValueError):
        zone_radii(DISC, "A")


@pytest.mark.parametrize("zone", ["B", "C"])
def test_radial_vessels_give_the_hand_computed_knudtson(zone: str) -> None:
    av, _ = six_and_six()
    c = measure_calibre(av, DISC, fov_all(), zone=zone)
    assert c.measurable and c.reason is None
    assert (c.n_arteries, c.n_veins) == (6, 6)
    um = 1800.0 / 80.0
    crae, crve = knudtson(ARTERIES, 0.88) * um, knudtson(VEINS, 0.95) * um
    assert c.crae_um == pytest.approx(crae, rel=0.03)
    assert c.crve_um == pytest.approx(crve, rel=0.03)
    assert c.avr == pytest.approx(crae / crve, rel=0.03)
    assert c.crae_dd == pytest.approx(c.crae_um / 1800.0)
    assert c.scale_source == "assumed disc diameter 1800 um"
    for seg in c.arteries + c.veins:  # centre lines inside the zone, in input coordinates
        r = np.hypot(seg.centreline[:, 0] - DISC.centre[0], seg.centreline[:, 1] - DISC.centre[1])
        lo, hi = zone_radii(DISC, zone)
        assert r.min() >= lo - 1 and r.max() <= hi + 1
    d = c.as_dict()
    json.dumps(d)
    assert len(d["artery_widths_um"]) == 6 and d["reason"] is None


def test_widths_of_straight_and_oblique_bars() -> None:
    widths = [3, 5, 7, 9, 11, 13, 15]
    errors, errors_p = [], []
    for rep in range(3):
        vessels = [(i * 360 / 14 + rep * 6.3 + 1, widths[(i + rep) % 7], 1 + i % 2) for i in range(14)]
        if rep == 2:  # axis-aligned
            vessels = [(0.0, 4, 1), (90.0, 8, 2), (180.0, 12, 1), (270.0, 6, 2)]
        av, cov = radial_map(SIZE, DISC.centre, vessels)
        for prob, errs in ((None, errors), (cov, errors_p)):
            c = measure_calibre(av, DISC, fov_all(), zone="B", probability=prob)
            assert len(c.segments) == len(vessels)
            for seg in c.segments:
                x, y = seg.centreline.mean(axis=0)
                ang = math.degrees(math.atan2(y - DISC.centre[1], x - DISC.centre[0]))
                true = min(vessels, key=lambda v: abs((v[0] - ang + 180) % 360 - 180))
                errs.append(seg.width_px - true[1])
    assert max(abs(e) for e in errors) < 0.5  # binary map: edges quantised to the pixel grid
    assert abs(float(np.mean(errors))) < 0.1
    assert max(abs(e) for e in errors_p) < 0.2  # anti-aliased probability


def test_thin_vessel_is_about_one_pixel() -> None:
    av, _ = radial_map(SIZE, DISC.centre, [(i * 36 + 3.3, 1, 1 + i % 2) for i in range(10)])
    c = measure_calibre(av, DISC, fov_all())
    assert len(c.segments) == 10
    assert all(0.8 < s.width_px < 1.2 for s in c.segments)


def test_no_disc_is_not_measurable() -> None:
    av, _ = six_and_six()
    c = measure_calibre(av, None, fov_all())
    assert not c.measurable and c.crae_um is None and c.crve_um is None
    assert c.reason == "no optic disc found"


def test_too_few_arterioles() -> None:
    vessels = [(10, 8, 1), (100, 8, 1), (50, 12, 2), (140, 12, 2), (230, 12, 2), (320, 12, 2)]
    av, _ = radial_map(SIZE, DISC.centre, vessels)
    c = measure_calibre(av, DISC, fov_all())
    assert c.crae_um is None and c.avr is None and c.crve_um is not None
    assert c.reason == "only 2 arterioles measurable in zone B (at least 3 needed)"
    assert c.arteries == () and len(c.veins) == 4


def test_zone_outside_the_fov() -> None:
    av, _ = six_and_six()
    fov = np.zeros(SIZE, bool)
    cv2.circle(fov.view(np.uint8), (300, 300), 90, 1, -1)  # FOV ends inside zone B
    c = measure_calibre(av, DISC, fov)
    assert not c.measurable and "outside the field of view" in (c.reason or "")


def test_pixel_spacing_changes_um_not_avr() -> None:
    av, _ = six_and_six()
    a = measure_calibre(av, DISC, fov_all())
    b = measure_calibre(av, DISC, fov_all(), pixel_spacing_um=10.0)
    assert b.scale_source == "pixel spacing" and b.um_per_px == 10.0
    assert b.crae_um == pytest.approx(a.crae_um * 10.0 / 22.5)
    assert b.avr == pytest.approx(a.avr)


def test_map_scaled_twice_gives_the_same_avr() -> None:
    av, _ = six_and_six()
    big = cv2.resize(av, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
    disc2 = Disc(centre=(DISC.centre[0] * 2 + 0.5, DISC.centre[1] * 2 + 0.5), diameter=DISC.diameter * 2)
    a = measure_calibre(av, DISC, fov_all())
    b = measure_calibre(big, disc2, fov_all(big.shape))
    assert b.avr == pytest.approx(a.avr, rel=0.05)
    assert b.crae_um == pytest.approx(a.crae_um, rel=0.05)


def test_calibre_of_segmentation() -> None:
    av, cov = six_and_six()
    image = FundusImage(rgb=np.zeros(SIZE + (3,), np.uint8), fov=fov_all(), meta={"pixel_spacing_mm": (0.01, 0.012)})
    seg = Segmentation(probability=cov, fov=fov_all(), av_class=np.where(av > 0, av, 1).astype(np.uint8), disc=DISC)
    out = calibre_of(image, seg)
    assert set(out) == {"B", "C"} and all(isinstance(v, Calibre) for v in out.values())
    assert out["B"].scale_source == "pixel spacing" and out["B"].um_per_px == pytest.approx(11.0)
    assert out["B"].crae_um == pytest.approx(knudtson(ARTERIES, 0.88) * 11.0, rel=0.03)
    none = calibre_of(image, Segmentation(probability=cov, fov=fov_all(), disc=DISC))
    assert none["C"].reason == "no artery/vein model" and none["C"].avr is None


RITE_AV = Path("/work/shared/data/RITE/test/av/01_test.png")
RITE_FOV = Path("/work/shared/data/DRIVE/test/mask/01_test_mask.gif")


@pytest.mark.skipif(not (RITE_AV.exists() and RITE_FOV.exists()), reason="RITE data not available")
def test_rite_expert_label_gives_a_plausible_avr() -> None:
    from fundus_app.io.loader import load_mask

    av = cv2.imread(str(RITE_AV), cv2.IMREAD_UNCHANGED)
    fov = load_mask(RITE_FOV)
    disc = Disc(centre=(95.0, 252.0), diameter=78.0)  # placed by eye on the photograph
    for zone in ("B", "C"):
        c = measure_calibre(av, disc, fov, zone=zone)
        assert c.measurable, c.reason
        assert 0.4 <= c.avr <= 1.2
        assert 100 < c.crae_um < 300 and 150 < c.crve_um < 400


def test_icc_2_1_shrout_fleiss_and_two_raters() -> None:
    # Shrout & Fleiss (1979) Table 2: 6 targets, 4 judges; ICC(2,1) = 0.29.
    table = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)
    assert _icc_2_1_table(table) == pytest.approx(0.29, abs=0.005)
    # b = a + 1: MSR = 10/3, MSC = 2, MSE = 0 -> (10/3) / (10/3 + 2 * 2 / 4) = 10/13.
    assert icc_2_1([1, 2, 3, 4], [2, 3, 4, 5]) == pytest.approx(10 / 13)
    assert icc_2_1([1, 2, 3, 4], [1, 2, 3, 4]) == pytest.approx(1.0)
    assert math.isnan(icc_2_1([1.0], [1.0]))
    with pytest.raises(ValueError):
        icc_2_1([1, 2], [1, 2, 3])


def test_mean_difference() -> None:
    md = mean_difference([1, 2, 3], [2, 2, 5])  # d = 1, 0, 2: bias 1, SD 1
    assert (md.bias, md.sd, md.n) == (pytest.approx(1.0), pytest.approx(1.0), 3)
    assert md.lower == pytest.approx(-0.96) and md.upper == pytest.approx(2.96)
    json.dumps(md.as_dict())
