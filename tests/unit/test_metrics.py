"""Metrics on hand-computed cases."""
from __future__ import annotations

import math

import numpy as np
import pytest

from fundus_app import metrics


def test_hand_computed_confusion_and_scores() -> None:
    truth = np.array([[1, 1, 0, 0], [1, 0, 0, 0]], bool)
    pred = np.array([[1, 0, 1, 0], [1, 0, 0, 1]], bool)
    fov = np.array([[1, 1, 1, 1], [1, 1, 1, 0]], bool)  # last pixel (a false positive) is outside
    assert metrics.confusion(pred, truth, fov) == (2, 1, 1, 3)
    s = metrics.score(pred, truth, fov)
    assert s.f1 == pytest.approx(4 / 6)
    assert s.sensitivity == pytest.approx(2 / 3)
    assert s.specificity == pytest.approx(3 / 4)
    assert s.accuracy == pytest.approx(5 / 7)
    assert s.mcc == pytest.approx((2 * 3 - 1 * 1) / math.sqrt(3 * 3 * 4 * 4))


def test_auc_extremes_and_ties() -> None:
    truth = np.array([0, 0, 1, 1], bool)
    fov = np.ones(4, bool)
    assert metrics.auc(np.array([0.1, 0.2, 0.8, 0.9]), truth, fov) == 1.0
    assert metrics.auc(np.array([0.9, 0.8, 0.2, 0.1]), truth, fov) == 0.0
    assert metrics.auc(np.full(4, 0.5), truth, fov) == 0.5


def test_auc_matches_pairwise_definition() -> None:
    rng = np.random.default_rng(1)
    truth = rng.random(400) < 0.3
    prob = np.clip(rng.normal(0.4 + 0.3 * truth, 0.2), 0, 1)
    q = np.round(prob * 65535)  # the metric compares at 16-bit resolution
    pos, neg = q[truth], q[~truth]
    pairwise = ((pos[:, None] > neg[None]).sum() + 0.5 * (pos[:, None] == neg[None]).sum()) / (len(pos) * len(neg))
    assert metrics.auc(prob, truth, np.ones(400, bool)) == pytest.approx(pairwise, abs=1e-12)


def test_auc_reads_uint16_maps_like_floats() -> None:
    rng = np.random.default_rng(2)
    truth = rng.random((20, 20)) < 0.2
    prob = rng.random((20, 20)).astype(np.float32)
    fov = np.ones((20, 20), bool)
    as16 = np.round(prob * 65535).astype(np.uint16)
    assert metrics.auc(as16, truth, fov) == pytest.approx(metrics.auc(prob, truth, fov))
