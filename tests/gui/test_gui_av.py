"""The artery/vein pane, the disc and zone rings, the calibre rows and the measured vessels, driven
through the facade with a stand-in model (A/V map and disc) and a stand-in calibre measurement."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from fundus_app.biomarkers.calibre import Calibre, VesselSegment, zone_radii
from fundus_app.domain import Disc, FundusImage, Segmentation
from fundus_app.gui.av_render import AvRenderer, dimmed
from fundus_app.gui.render import display_to_rgb, to_display
from fundus_app.postprocess import AV_COLOURS
from fundus_app.preprocess import PreprocessConfig

DISC = Disc(centre=(70.0, 100.0), diameter=24.0, confidence=0.9, eye="left")


@dataclass
class Stand:
    """What the stand-in model returns: an A/V map or not, a disc or not."""

    av: bool = True
    disc: Disc | None = DISC
    calibre_fails: bool = False


class FakeAvSegmenter:
    """A smooth vessel map from the green channel; arteries left of the middle, veins right, a band
    of uncertain pixels in between."""

    name, device_label, threshold, sha256 = "fake-av", "CPU", 0.5, "f" * 64

    def __init__(self, stand: Stand) -> None:
        self.stand = stand
        self.preprocess = PreprocessConfig()

    def segment(self, image: FundusImage, *, crf: bool = False, on_progress=None,
                should_cancel=None) -> Segmentation:
        prob = 1.0 - cv2.GaussianBlur(image.rgb[..., 1].astype(np.float32) / 255, (0, 0), 2.0)
        prob[~image.fov] = 0.0
        av = None
        if self.stand.av:
            w = image.shape[1]
            xx = np.broadcast_to(np.arange(w)[None, :], image.shape)
            av = np.where(xx < w // 2 - 4, 1, np.where(xx >= w // 2 + 4, 2, 3)).astype(np.uint8)
            av[~image.fov] = 0
        return Segmentation(prob.astype(np.float32), image.fov, default_threshold=0.5, model_name="fake-av",
                            av_class=av, disc=self.stand.disc)


def segment(kind: str, y: float, width: float) -> VesselSegment:
    line = np.array([[100.0, y], [110.0, y + 4], [120.0, y + 6]], np.float32)
    return VesselSegment(kind, width_px=width, width_um=width * 9.0, length_px=21.0, centreline=line)


def fake_calibre_of(image: FundusImage, seg: Segmentation, threshold: float | None = None) -> dict[str, Calibre]:
    """Numbers that depend on the threshold, so a test can see them follow the slider."""
    t = float(threshold if threshold is not None else seg.default_threshold)
    b = Calibre("B", crae_um=100 + 100 * t, crve_um=200.0, avr=(100 + 100 * t) / 200.0, crae_dd=0.08,
                crve_dd=0.11, um_per_px=9.0, scale_source="assumed disc diameter",
                arteries=(segment("artery", 60, 4.2), segment("artery", 80, 3.9)), veins=(segment("vein", 120, 6.1),),
                n_arteries=2, n_veins=1)
    c = Calibre("C", None, None, None, um_per_px=9.0, scale_source="assumed disc diameter",
                reason="Fewer than two veins measurable in zone C")
    return {"B": b, "C": c}


def failing_calibre_of(image: FundusImage, seg: Segmentation, threshold: float | None = None) -> dict[str, Calibre]:
    raise NotImplementedError("being implemented on branch calibre")


@pytest.fixture()
def stand() -> Stand:
    return Stand()


@pytest.fixture()
def av_driver(qtbot, prefs, monkeypatch, stand):
    """The window with the stand-in model and calibre (patched before the window loads its model)."""
    from conftest import open_window
    from facade import WindowDriver

    from fundus_app.gui import av_render
    from fundus_app.model import inference

    monkeypatch.setattr(inference.Segmenter, "load", classmethod(lambda cls, *a, **k: FakeAvSegmenter(stand)))
    monkeypatch.setattr(av_render, "calibre_of", failing_calibre_of if stand.calibre_fails else fake_calibre_of)
    w, translator = open_window(qtbot, prefs)
    yield WindowDriver(qtbot, w)
    w.close()
    translator.install("en")


@pytest.fixture()
def eye_file(tmp_path: Path, synthetic_fundus: np.ndarray) -> Path:
    path = tmp_path / "eye.png"
    cv2.imwrite(str(path), cv2.cvtColor(synthetic_fundus, cv2.COLOR_RGB2BGR))
    return path


def expected_av(rgb: np.ndarray, av: np.ndarray) -> np.ndarray:
    """Red arteries, blue veins, yellow uncertain over the photograph at 40 % brightness."""
    want = (rgb.astype(np.float32) * 0.4).astype(np.uint8)
    for code, colour in AV_COLOURS.items():
        want[av == code] = colour
    return want


def test_renderer_colours_the_map_and_undoes_the_last_one() -> None:
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)
    renderer = AvRenderer(to_display(rgb))
    assert np.array_equal(display_to_rgb(dimmed(to_display(rgb))), expected_av(rgb, np.zeros((40, 60), np.uint8)))
    first = rng.integers(0, 4, (40, 60), dtype=np.uint8)
    renderer.render(first)
    second = np.where(rng.random((40, 60)) < 0.3, first, 0).astype(np.uint8)
    out = display_to_rgb(renderer.render(second))
    assert np.array_equal(out, expected_av(rgb, second))
    assert (out[second == 1] == (235, 40, 40)).all() and (out[second == 2] == (40, 110, 255)).all()


def test_the_window_and_the_report_draw_each_class_in_the_same_colour() -> None:
    """A clinician compares the A/V pane with the printed picture: one colour per class in both."""
    from fundus_app.report.builder import av_image

    rgb = np.full((60, 80, 3), 120, np.uint8)
    av = np.zeros((60, 80), np.uint8)
    blocks = {1: (slice(5, 25), slice(5, 25)), 2: (slice(5, 25), slice(30, 50)), 3: (slice(30, 50), slice(55, 75))}
    for code, where in blocks.items():
        av[where] = code
    window = display_to_rgb(AvRenderer(to_display(rgb)).render(av)).astype(int)
    picture, _ = av_image(FundusImage(rgb=rgb, fov=np.ones((60, 80), bool), meta={}), av, None, None, "",
                          max_width_px=80, max_height_px=60)
    printed = cv2.cvtColor(cv2.imdecode(np.frombuffer(picture.data, np.uint8), cv2.IMREAD_COLOR),
                           cv2.COLOR_BGR2RGB).astype(int)
    for code, (rows, cols) in blocks.items():
        centre = (rows.start + 10, cols.start + 10)
        assert np.abs(window[centre] - printed[centre]).max() <= 12, code  # JPEG (chroma subsampling) only
        assert np.abs(printed[centre] - AV_COLOURS[code]).max() <= 12, code
    background = printed[55, 10]
    assert np.abs(background - window[55, 10]).max() <= 6  # the same dimmed photograph


def test_av_pane_shows_arteries_red_veins_blue_and_follows_the_threshold(av_driver, eye_file) -> None:
    d = av_driver
    d.open(eye_file)
    d.wait_for_result(eye_file)
    shown = d.shown()
    av = shown.segmentation.av_map(d.threshold)
    assert (av == 1).sum() > 100 and (av == 2).sum() > 100 and (av == 3).sum() > 10
    px = d.av_rgb()
    assert np.array_equal(px, expected_av(shown.image.rgb, av))
    assert (px[av == 1] == (235, 40, 40)).all() and (px[av == 2] == (40, 110, 255)).all()
    assert d.av_texts()[0] == "Arteries (red) and veins (blue)" and d.av_texts()[1] == ""
    coloured = (av > 0).sum()

    with d.biomarkers_final():  # a higher threshold keeps only the darker vessel line
        d.move_threshold(d.threshold_slider.value() + 20)
    higher = shown.segmentation.av_map(d.threshold)
    assert 0 < (higher > 0).sum() < coloured
    assert np.array_equal(d.av_rgb(), expected_av(shown.image.rgb, higher))
    assert d.pane("av").transform().m11() == pytest.approx(d.view_scale)  # zoomed with the other panes


def test_disc_and_zone_rings_come_from_zone_radii(av_driver, eye_file) -> None:
    d = av_driver
    d.open(eye_file)
    d.wait_for_result(eye_file)
    rings = d.av_rings()
    b_inner, b_outer = zone_radii(DISC, "B")
    c_inner, c_outer = zone_radii(DISC, "C")
    assert c_inner == b_inner
    want = {"disc": DISC.radius, "inner": b_inner, "B": b_outer, "C": c_outer}
    assert set(rings) == set(want)
    for name, r in want.items():
        assert rings[name] == pytest.approx((70.0, 100.0, r)), name
    assert d.av_texts()[2] == ""
    assert d.eye_text() == "Eye: left (estimated from the disc position)"


@pytest.mark.parametrize("stand", [Stand(av=False, disc=None)])
def test_without_disc_or_map_the_pane_says_so_and_draws_no_rings(av_driver, eye_file) -> None:
    d = av_driver
    d.open(eye_file)
    d.wait_for_result(eye_file)
    assert d.av_rings() == {}
    caption, hint, note = d.av_texts()
    assert "No artery/vein map" in hint
    assert "Optic disc not found" in note
    shown = d.shown()
    assert np.array_equal(d.av_rgb(), expected_av(shown.image.rgb, np.zeros(shown.image.shape, np.uint8)))
    assert d.eye_text() == "Eye: unknown"


def test_calibre_rows_show_numbers_follow_the_threshold_and_say_not_measurable(av_driver, eye_file) -> None:
    d = av_driver
    d.open(eye_file)
    d.wait_for_result(eye_file)
    t = d.threshold
    assert d.calibre_text("crae", "B") == f"{100 + 100 * t:.1f}"
    assert d.calibre_text("crve", "B") == "200.0"
    assert d.calibre_text("avr", "B") == f"{(100 + 100 * t) / 200:.2f}"
    assert "0.080 disc diameters" in d.calibre_tooltip("crae", "B")
    for key in ("crae", "crve", "avr"):
        assert d.calibre_text(key, "C") == "not measurable"
        assert d.calibre_tooltip(key, "C") == "Fewer than two veins measurable in zone C"
    assert d.scale_text() == "Scale: assumed disc diameter of 1800 µm (9.00 µm per pixel)"

    with d.biomarkers_final():
        d.move_threshold(d.threshold_slider.value() + 10)
    assert d.threshold != t and not d.calibre_pending()
    assert d.calibre_text("crae", "B") == f"{100 + 100 * d.threshold:.1f}"


@pytest.mark.parametrize("stand", [Stand(calibre_fails=True)])
def test_a_failing_measurement_shows_not_measurable_and_the_window_works(av_driver, eye_file) -> None:
    d = av_driver
    d.open(eye_file)
    d.wait_for_result(eye_file)
    assert d.calibre_text("avr", "B") == "not measurable"
    assert "NotImplementedError" in d.calibre_tooltip("avr", "B")
    assert d.biomarker_values() == d.core_biomarkers()
    d.set_measured_vessels(True)
    assert d.measured_vessels() == []


def test_measured_vessels_toggle_adds_and_removes_the_centre_lines(av_driver, eye_file) -> None:
    d = av_driver
    d.open(eye_file)
    d.wait_for_result(eye_file)
    assert d.measured_vessels() == []
    d.set_measured_vessels(True)
    drawn = d.measured_vessels()
    assert [kind for kind, _, _ in drawn] == ["artery", "artery", "vein"]
    assert np.allclose(drawn[2][2], [[100, 120], [110, 124], [120, 126]])
    assert drawn[0][1] == "Artery: 37.8 µm (4.20 px) wide, 21 px long"
    assert d.measured_vessel_labels() == ["38 µm", "35 µm", "55 µm"]
    d.zoom_to(0.5)  # outer ends 20 image pixels apart: at 1:2 the second would overlap the first ...
    assert d.measured_vessel_labels(visible_only=True) == ["38 µm", "55 µm"]
    d.zoom_to(4.0)  # ... all readable at 4:1
    assert d.measured_vessel_labels(visible_only=True) == ["38 µm", "35 µm", "55 µm"]
    d.set_measured_vessels(False)
    assert d.measured_vessels() == [] and d.measured_vessel_labels() == []


def test_the_av_view_can_be_hidden_and_shown(av_driver, eye_file) -> None:
    d = av_driver
    d.open(eye_file)
    d.wait_for_result(eye_file)
    assert d.av_pane_visible()
    d.set_av_view(False)
    assert not d.av_pane_visible()
    with d.biomarkers_final():
        d.move_threshold(d.threshold_slider.value() + 20)
    d.set_av_view(True)  # drawn again at the threshold now on screen
    assert d.av_pane_visible()
    assert np.array_equal(d.av_rgb(), expected_av(d.shown().image.rgb, d.shown().segmentation.av_map(d.threshold)))
