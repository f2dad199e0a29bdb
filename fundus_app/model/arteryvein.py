"""Artery/vein classification of vessel pixels (numpy only; the network is ONNX Runtime's or torch's).

The A/V network reads the photograph's colour at the vessel network's working scale
(``preprocess.enhance_colour``) and gives, per pixel, the probabilities of artery, vein and
uncertain (crossings, unclassifiable pixels). The label map keeps the vessel network's mask
(``Segmentation.mask``), so the binary vessel result is the same with or without A/V, and names
each of its pixels by the likeliest class: the RITE coding, 0 background, 1 artery, 2 vein,
3 uncertain.
"""
from __future__ import annotations

import cv2
import numpy as np

from fundus_app.domain import ARTERY, UNCERTAIN, VEIN
from fundus_app.model.tiling import Forward, predict_in_fov
from fundus_app.progress import CancelFn

__all__ = ["ARTERY", "UNCERTAIN", "VEIN", "av_probabilities", "label_map", "vote_by_segment"]


def av_probabilities(forward: Forward, x: np.ndarray, fov: np.ndarray, *, multiple: int, batch_size: int = 1,
                     should_cancel: CancelFn | None = None) -> np.ndarray:
    """(3, h, w) float32 artery/vein/uncertain probabilities for a (3, h, w) network input, computed on
    the FOV's bounding box (plus a margin) only; outside it the three are equal."""
    undecided = np.full((3, *x.shape[-2:]), 1.0 / 3.0, np.float32)
    return predict_in_fov(forward, x, fov, undecided, multiple=multiple, batch_size=batch_size,
                          should_cancel=should_cancel, activation="softmax")


def label_map(probabilities: np.ndarray, vessels: np.ndarray) -> np.ndarray:
    """(H, W) uint8 A/V map in the RITE coding: each pixel of the mask ``vessels`` (H, W) takes the
    likeliest of artery, vein and uncertain in ``probabilities`` (3, h, w), resampled to (H, W); 0
    elsewhere. With the FOV as the mask it is ``Segmentation.av_class``."""
    H, W = vessels.shape
    probs = probabilities
    if probs.shape[1:] != (H, W):
        probs = cv2.resize(np.ascontiguousarray(probs.transpose(1, 2, 0)), (W, H),
                           interpolation=cv2.INTER_LINEAR).transpose(2, 0, 1)
    labels = (np.argmax(probs, axis=0) + ARTERY).astype(np.uint8)
    labels[~vessels.astype(bool)] = 0
    return labels


def vote_by_segment(probabilities: np.ndarray, vessels: np.ndarray, *, junction_radius: int = 2) -> np.ndarray:
    """Class probabilities averaged along each vessel segment, (3, h, w) float32 (same grid as ``vessels``).

    A vessel between two junctions is one vessel, artery or vein along its whole length; a
    pixel-wise classifier flips along it where the colour changes (Zhou et al. 2021 call this
    intra-segment misclassification). The vessel mask's centre line is cut at its junctions
    (branchings and crossings, grown by ``junction_radius``), every vessel pixel joins the
    nearest piece, and each piece takes the mean of its pixels' probabilities. Pixels of the
    junctions themselves keep their own (crossings are where "uncertain" belongs).
    """
    from skimage.morphology import skeletonize  # imported here: keeps the model package light to import

    vessels = vessels.astype(bool)
    out = probabilities.astype(np.float32, copy=True)
    if not vessels.any():
        return out
    skel = skeletonize(vessels)
    neighbours = cv2.filter2D(skel.astype(np.uint8), -1, np.ones((3, 3), np.float32),
                              borderType=cv2.BORDER_CONSTANT) - skel.astype(np.uint8)
    junction = skel & (neighbours >= 3)
    size = 2 * junction_radius + 1
    zone = cv2.dilate(junction.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))) > 0
    pieces = skel & ~zone
    n, piece_of = cv2.connectedComponents(pieces.astype(np.uint8), connectivity=8)
    if n <= 1:
        return out
    # every pixel's nearest centre-line piece: DIST_LABEL_PIXEL numbers the zero pixels in raster order
    _, nearest = cv2.distanceTransformWithLabels((~pieces).astype(np.uint8), cv2.DIST_L2, 5,
                                                 labelType=cv2.DIST_LABEL_PIXEL)
    lut = np.concatenate([[0], piece_of[pieces]]).astype(np.int32)
    member = np.where(vessels & ~zone, lut[nearest], 0)
    counts = np.bincount(member.ravel(), minlength=n).astype(np.float32)
    counts[0] = 1.0
    for c in range(out.shape[0]):
        mean = np.bincount(member.ravel(), weights=probabilities[c].ravel(), minlength=n) / counts
        out[c] = np.where(member > 0, mean[member], probabilities[c])
    return out
