"""Segmentation metrics inside the field of view (numpy only).

All functions take (H, W) arrays and a FOV mask; pixels outside the FOV are
ignored, as in the DRIVE/STARE literature.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from fundus_app.domain import ARTERY, UNCERTAIN, VEIN

AUC_BINS = 65536  # probabilities are compared at 16-bit resolution, as written to _prob.png


@dataclass(frozen=True)
class Scores:
    f1: float
    sensitivity: float
    specificity: float
    accuracy: float
    mcc: float
    auc: float = float("nan")

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def _div(a: float, b: float) -> float:
    return float(a / b) if b else 0.0


def confusion(pred: np.ndarray, truth: np.ndarray, fov: np.ndarray) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) counted inside the FOV."""
    pred, truth, fov = pred.astype(bool), truth.astype(bool), fov.astype(bool)
    tp = int(np.count_nonzero(pred & truth & fov))
    fp = int(np.count_nonzero(pred & ~truth & fov))
    fn = int(np.count_nonzero(~pred & truth & fov))
    tn = int(np.count_nonzero(fov)) - tp - fp - fn
    return tp, fp, fn, tn


def auc(probability: np.ndarray, truth: np.ndarray, fov: np.ndarray) -> float:
    """Area under the ROC curve inside the FOV (ties count one half).

    Probabilities are binned to 16 bits, which makes it O(N) and identical
    whether computed from the float map or from the written ``_prob.png``.
    """
    fov = fov.astype(bool)
    p = probability[fov]
    if p.dtype != np.uint16:
        p = np.round(np.clip(p, 0.0, 1.0) * (AUC_BINS - 1)).astype(np.int64)
    t = truth.astype(bool)[fov]
    pos = np.bincount(p[t], minlength=AUC_BINS).astype(np.float64)
    neg = np.bincount(p[~t], minlength=AUC_BINS).astype(np.float64)
    n_pos, n_neg = pos.sum(), neg.sum()
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    neg_below = np.cumsum(neg) - neg  # negatives with a strictly lower score
    return float((pos * (neg_below + 0.5 * neg)).sum() / (n_pos * n_neg))


def score(pred: np.ndarray, truth: np.ndarray, fov: np.ndarray, probability: np.ndarray | None = None) -> Scores:
    """F1 (= Dice), sensitivity, specificity, accuracy, MCC and (given probabilities) AUC."""
    tp, fp, fn, tn = confusion(pred, truth, fov)
    mcc_den = np.sqrt(float(tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return Scores(
        f1=_div(2 * tp, 2 * tp + fp + fn),
        sensitivity=_div(tp, tp + fn),
        specificity=_div(tn, tn + fp),
        accuracy=_div(tp + tn, tp + fp + fn + tn),
        mcc=_div(tp * tn - fp * fn, mcc_den),
        auc=auc(probability, truth, fov) if probability is not None else float("nan"),
    )


def mean_scores(scores: list[Scores]) -> Scores:
    """Mean of each metric over images."""
    return Scores(**{k: float(np.mean([getattr(s, k) for s in scores])) for k in Scores.__dataclass_fields__})


@dataclass(frozen=True)
class AVScores:
    """Agreement of an artery/vein map with an expert's, inside the FOV (RITE coding).

    f1 : Zhou et al. (MICCAI 2021): the F1 of the artery, vein and uncertain masks, weighted by
        their pixel counts in the expert's map (a map that never says "uncertain" loses that share).
    artery_f1, vein_f1 : the F1 of each mask alone.
    accuracy : artery-vs-vein agreement on the pixels both maps call artery or vein.
    """

    f1: float
    artery_f1: float
    vein_f1: float
    accuracy: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def av_scores(pred: np.ndarray, truth: np.ndarray, fov: np.ndarray) -> AVScores:
    """Score a predicted A/V map (H, W) uint8 against the expert's, pixels inside ``fov``."""
    fov = fov.astype(bool)
    p, t = pred[fov], truth[fov]
    f1s, weights = [], []
    for c in (ARTERY, VEIN, UNCERTAIN):
        pc, tc = p == c, t == c
        n_true = int(np.count_nonzero(tc))
        f1s.append(_div(2 * int(np.count_nonzero(pc & tc)), int(np.count_nonzero(pc)) + n_true))
        weights.append(n_true)
    total = sum(weights)
    both = np.isin(p, (ARTERY, VEIN)) & np.isin(t, (ARTERY, VEIN))
    agree = int(np.count_nonzero(p[both] == t[both]))
    return AVScores(f1=_div(sum(f * w for f, w in zip(f1s, weights, strict=True)), total), artery_f1=f1s[0],
                    vein_f1=f1s[1], accuracy=_div(agree, int(np.count_nonzero(both))))


def mean_av_scores(scores: list[AVScores]) -> AVScores:
    """The mean of each field over images (the papers' convention)."""
    return AVScores(**{k: float(np.mean([getattr(s, k) for s in scores])) for k in AVScores.__dataclass_fields__})


# Agreement between two measurements of the same quantity (e.g. calibre on an expert's map and the model's).


def _icc_2_1_table(x: np.ndarray) -> float:
    """ICC(2,1) of an (n targets, k raters) table: two-way random effects, absolute agreement, single rater."""
    n, k = x.shape
    grand = x.mean()
    ss_rows = k * float(((x.mean(axis=1) - grand) ** 2).sum())
    ss_cols = n * float(((x.mean(axis=0) - grand) ** 2).sum())
    ss_err = float(((x - grand) ** 2).sum()) - ss_rows - ss_cols
    msr, msc, mse = ss_rows / (n - 1), ss_cols / (k - 1), ss_err / ((n - 1) * (k - 1))
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    return float((msr - mse) / denominator) if denominator > 0 else float("nan")


def icc_2_1(a: Sequence[float], b: Sequence[float]) -> float:
    """Intraclass correlation ICC(2,1) of paired measurements ``a[i]``, ``b[i]`` of the same targets.

    Two-way random effects, absolute agreement, single measurement (Shrout PE, Fleiss JL. Intraclass
    correlations: uses in assessing rater reliability. Psychol Bull. 1979;86(2):420-428; "ICC(A,1)" in
    McGraw KO, Wong SP. Psychol Methods. 1996;1(1):30-46):
    ``(MSR - MSE) / (MSR + (k - 1) MSE + k (MSC - MSE) / n)`` with k = 2. NaN with fewer than 2 pairs or no
    variance at all.
    """
    x = np.column_stack([np.asarray(a, float), np.asarray(b, float)])
    if x.shape[0] != len(a) or len(a) != len(b):
        raise ValueError(f"a and b differ in length ({len(a)} and {len(b)})")
    if x.shape[0] < 2:
        return float("nan")
    return _icc_2_1_table(x)


@dataclass(frozen=True)
class MeanDifference:
    """Bland-Altman agreement of b against a: bias = mean(b - a), limits = bias -+ 1.96 SD (sample SD)."""

    bias: float
    sd: float
    lower: float
    upper: float
    n: int

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def mean_difference(a: Sequence[float], b: Sequence[float]) -> MeanDifference:
    """Bland-Altman bias and 95 % limits of agreement of ``b - a`` (Bland JM, Altman DG. Lancet. 1986;1:307-310)."""
    if len(a) != len(b):
        raise ValueError(f"a and b differ in length ({len(a)} and {len(b)})")
    d = np.asarray(b, float) - np.asarray(a, float)
    n = int(d.size)
    if n == 0:
        nan = float("nan")
        return MeanDifference(nan, nan, nan, nan, 0)
    bias = float(d.mean())
    sd = float(d.std(ddof=1)) if n > 1 else float("nan")
    return MeanDifference(bias, sd, bias - 1.96 * sd, bias + 1.96 * sd, n)
