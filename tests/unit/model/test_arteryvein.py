"""Artery/vein maps: the classes on the vessel mask, multi-channel tiling, scoring, outputs."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fundus_app.domain import Disc, FundusImage, Segmentation, eye_of
from fundus_app.io import load_label_map
from fundus_app.metrics import av_scores
from fundus_app.model.arteryvein import av_probabilities, label_map
from fundus_app.model.tiling import predict_probability
from fundus_app.outputs import write_outputs


def _probs(h: int, w: int) -> np.ndarray:
    """Left half artery, right half vein, a band of uncertain in the middle."""
    p = np.zeros((3, h, w), np.float32)
    p[0, :, : w // 2] = 1
    p[1, :, w // 2:] = 1
    p[2, :, w // 2 - 2: w // 2 + 2] = 2
    return p


def test_label_map_keeps_only_vessel_pixels_and_names_them_by_the_likeliest_class() -> None:
    vessels = np.zeros((40, 60), bool)
    vessels[10:12, :] = True
    labels = label_map(_probs(40, 60), vessels)
    assert labels.dtype == np.uint8 and labels.shape == (40, 60)
    assert set(np.unique(labels[~vessels])) == {0}
    assert (labels[10, :20] == 1).all() and (labels[10, 40:] == 2).all() and (labels[10, 29:31] == 3).all()


def test_label_map_of_the_fov_resamples_to_the_input_resolution() -> None:
    fov = np.ones((80, 120), bool)
    fov[:, :5] = False
    classes = label_map(_probs(40, 60), fov)
    assert classes.shape == (80, 120)
    assert (classes[:, :5] == 0).all() and (classes[:, 10:50] == 1).all() and (classes[:, 70:] == 2).all()


def test_multi_channel_tiling_equals_the_whole_input_and_is_a_softmax() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 300, 260)).astype(np.float32)

    def net(batch: np.ndarray) -> np.ndarray:  # a local, shift-equivariant "network"
        return np.stack([batch[:, 0] * 2, batch[:, 1] - batch[:, 2], batch[:, 2]], axis=1)

    whole = predict_probability(net, x, multiple=16, tile_size=1024, activation="softmax")
    tiled = predict_probability(net, x, multiple=16, tile_size=128, overlap=32, activation="softmax")
    assert whole.shape == (3, 300, 260)
    np.testing.assert_allclose(whole.sum(axis=0), 1.0, atol=1e-5)
    np.testing.assert_allclose(tiled, whole, atol=1e-5)


def test_av_probabilities_outside_the_fov_box_are_undecided() -> None:
    fov = np.zeros((64, 64), bool)
    fov[16:48, 16:48] = True
    calls = []

    def net(batch: np.ndarray) -> np.ndarray:
        calls.append(batch.shape)
        return np.zeros((batch.shape[0], 3, *batch.shape[2:]), np.float32) + np.array([5, 0, 0])[None, :, None, None]

    p = av_probabilities(net, np.zeros((3, 64, 64), np.float32), fov, multiple=16)
    assert calls and calls[0][2] < 64  # only the FOV's box (plus a margin) went through the network
    assert p[0, 30, 30] > 0.9 and np.allclose(p[:, 0, 0], 1 / 3)


def _segmentation(h: int = 60, w: int = 80) -> Segmentation:
    prob = np.zeros((h, w), np.float32)
    prob[20:24, :] = 0.9  # one horizontal vessel
    fov = np.ones((h, w), bool)
    classes = np.where(np.arange(w)[None, :] < w // 2, 1, 2).astype(np.uint8).repeat(h, axis=0)
    return Segmentation(probability=prob, fov=fov, default_threshold=0.5, av_class=classes,
                        disc=Disc(centre=(10.0, 22.0), diameter=8.0, confidence=0.9, eye="left"),
                        av_model_name="av-test", av_model_sha256="ab" * 32)


def test_av_map_follows_the_threshold_and_is_none_without_a_model() -> None:
    seg = _segmentation()
    av = seg.av
    assert av is not None and set(np.unique(av)) == {0, 1, 2}
    assert np.count_nonzero(seg.av_map(0.95)) == 0  # above every probability: no vessel, no class
    assert replace(seg, av_class=None).av is None


def test_scores_reward_the_right_classes_and_punish_swapped_ones() -> None:
    truth = np.zeros((20, 20), np.uint8)
    truth[5, :] = 1
    truth[15, :] = 2
    truth[10, :2] = 3
    fov = np.ones_like(truth, bool)
    perfect = av_scores(truth, truth, fov)
    assert perfect.f1 == pytest.approx(1.0) and perfect.accuracy == pytest.approx(1.0)
    no_uncertain = av_scores(np.where(truth == 3, 0, truth).astype(np.uint8), truth, fov)
    assert no_uncertain.f1 == pytest.approx(40 / 42)  # the uncertain share (2 of 42 pixels) is lost
    swapped = av_scores(np.choose(truth, [0, 2, 1, 3]).astype(np.uint8), truth, fov)
    assert swapped.artery_f1 == 0 and swapped.vein_f1 == 0 and swapped.accuracy == 0


def test_eye_comes_from_the_file_first_then_the_disc() -> None:
    disc = Disc(centre=(1.0, 1.0), diameter=5.0, eye="left")
    assert eye_of({"laterality": "R"}, disc) == ("right", "dicom")
    assert eye_of({}, disc) == ("left", "estimated")
    assert eye_of({}, None) == (None, None)


def test_outputs_write_the_av_map_and_the_disc(tmp_path: Path) -> None:
    seg = _segmentation()
    image = FundusImage(rgb=np.full((60, 80, 3), 120, np.uint8), fov=seg.fov, path=tmp_path / "eye.png")
    paths, record = write_outputs(image, seg, tmp_path)
    av = load_label_map(paths.av)
    assert np.array_equal(av, seg.av)
    written = json.loads(paths.json.read_text())
    assert written["disc"]["centre_x"] == 10.0 and written["disc"]["diameter_px"] == 8.0
    assert written["eye"] == "left" and written["eye_source"] == "estimated"
    assert written["av_model"]["name"] == "av-test"
    assert "calibre" in written and "calibre_reason" in written


def test_no_av_model_writes_no_av_file(tmp_path: Path) -> None:
    seg = replace(_segmentation(), av_class=None, disc=None, av_model_name="", av_model_sha256="")
    image = FundusImage(rgb=np.full((60, 80, 3), 120, np.uint8), fov=seg.fov, path=tmp_path / "eye.png")
    paths, record = write_outputs(image, seg, tmp_path)
    assert not paths.av.exists()
    assert record["disc"] is None and record["calibre"] is None and record["av_model"] is None
