"""Whole-image probabilities from a network that takes tiles: padding, tiling, blending (numpy only).

The network is any callable from a float32 batch (N, 1, h, w) to logits of the same shape: ONNX
Runtime at run time, torch in training and for the torch backend. Large inputs are cut into
overlapping tiles, run ``batch_size`` at a time and blended with a smooth window.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from fundus_app.preprocess.fov import fov_box
from fundus_app.progress import CancelFn, raise_if_cancelled

#: A network: (N, C, h, w) float32 input -> (N, K, h, w) float32 logits.
Forward = Callable[[np.ndarray], np.ndarray]


def sigmoid(logits: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + exp(-x)) in float32, in place on one buffer (1.5 ms for a
    560x576 tile; torch's own to within 2 float32 steps). A logit below -88 overflows exp to inf
    and gives 0, as it should."""
    out = np.negative(logits, dtype=np.float32)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def window(size: int) -> np.ndarray:
    """2-D blending weights for overlapping tiles: high in the middle, small at the edge."""
    ramp = np.minimum(np.arange(size) + 1, np.arange(size)[::-1] + 1).astype(np.float32)
    ramp = np.minimum(ramp / (size / 4), 1.0)
    return np.outer(ramp, ramp)


def tile_layout(length: int, tile_size: int, overlap: int, multiple: int) -> tuple[int, list[int]]:
    """Tile length and start offsets covering ``length`` with at most ``tile_size`` per tile.

    As few tiles as fit with ``overlap`` between neighbours, all of one length (a multiple of
    ``multiple``) and spread evenly, so no tile is mostly padding: a 778-px side takes two 432-px
    tiles, not two of 768 (half the pixels through the network).
    """
    if length <= tile_size:
        return math.ceil(length / multiple) * multiple, [0]
    count = math.ceil((length - overlap) / (tile_size - overlap))  # >= 2
    tile = math.ceil((length + (count - 1) * overlap) / count / multiple) * multiple  # neighbours overlap >= overlap
    return tile, sorted({round(i * (length - tile) / (count - 1)) for i in range(count)})


def softmax(logits: np.ndarray, axis: int = 1) -> np.ndarray:
    """Class probabilities from logits along ``axis`` (float32)."""
    z = logits - logits.max(axis=axis, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=axis, keepdims=True)
    return z.astype(np.float32, copy=False)


def predict_probability(forward: Forward, x: np.ndarray, *, multiple: int, tile_size: int = 768, overlap: int = 64,
                        batch_size: int = 1, flips: bool = False, should_cancel: CancelFn | None = None,
                        activation: str = "sigmoid") -> np.ndarray:
    """Probabilities for a (h, w) or (C, h, w) float32 network input.

    Returns (h, w) float32 for a one-logit network on a (h, w) input (the vessel network), else
    (K, h, w): the sigmoid of each logit, or with ``activation="softmax"`` the softmax over them.
    Pads to a multiple of the network's stride (reflect), tiles large inputs with ``overlap``
    pixels of blending, and optionally averages over horizontal/vertical flips (test-time
    augmentation).
    """
    squeeze = x.ndim == 2
    planes = x[None] if squeeze else x
    h, w = planes.shape[-2:]
    act = softmax if activation == "softmax" else sigmoid
    (tile_h, starts_y), (tile_w, starts_x) = (tile_layout(n, tile_size, overlap, multiple) for n in (h, w))
    ph, pw = max(tile_h, h), max(tile_w, w)
    pad = ((0, 0), (0, ph - h), (0, pw - w))
    padded = np.pad(planes, pad, mode="reflect") if (ph - h < h and pw - w < w) else np.pad(planes, pad)
    boxes = [(y, x0) for y in starts_y for x0 in starts_x]
    if len(boxes) == 1 and not flips:  # one tile (a DRIVE-size photograph): nothing to blend
        raise_if_cancelled(should_cancel)
        prob = act(forward(np.ascontiguousarray(padded[None])))[0, :, :h, :w]
        return prob[0] if squeeze and prob.shape[0] == 1 else prob
    weight = window(tile_h)[:, :1] * window(tile_w)[:1, :] if len(boxes) > 1 else np.ones((tile_h, tile_w), np.float32)
    acc: np.ndarray | None = None
    norm = np.zeros((ph, pw), np.float32)
    for i in range(0, len(boxes), batch_size):
        raise_if_cancelled(should_cancel)
        chunk = boxes[i:i + batch_size]
        batch = np.ascontiguousarray(np.stack([padded[:, y:y + tile_h, x0:x0 + tile_w] for y, x0 in chunk]))
        prob = act(forward(batch))
        if flips:
            prob = prob + act(forward(np.ascontiguousarray(batch[..., ::-1])))[..., ::-1]
            prob = prob + act(forward(np.ascontiguousarray(batch[..., ::-1, :])))[..., ::-1, :]
            prob = prob / 3
        if acc is None:
            acc = np.zeros((prob.shape[1], ph, pw), np.float32)
        for (y, x0), p in zip(chunk, prob, strict=True):
            acc[:, y:y + tile_h, x0:x0 + tile_w] += p * weight
            norm[y:y + tile_h, x0:x0 + tile_w] += weight
    assert acc is not None
    out = (acc / np.maximum(norm, 1e-6))[:, :h, :w]
    return out[0] if squeeze and out.shape[0] == 1 else out


#: Pixels of context kept around the FOV's bounding box when only that box goes through a network.
FOV_MARGIN = 8


def predict_in_fov(forward: Forward, x: np.ndarray, fov: np.ndarray, out: np.ndarray, *, multiple: int,
                   **kwargs: Any) -> np.ndarray:
    """``predict_probability`` on the FOV's bounding box (plus ``FOV_MARGIN``) of ``x`` only, written
    into that box of ``out`` (the caller's values stay outside it): fewer pixels, the same result."""
    box = fov_box(fov, FOV_MARGIN)
    if box is None:
        return out
    x0, y0, x1, y1 = box
    out[..., y0:y1, x0:x1] = predict_probability(forward, np.ascontiguousarray(x[..., y0:y1, x0:x1]),
                                                 multiple=multiple, **kwargs)
    return out
