"""The optic disc: where it is, how large, and which eye the photograph shows. No torch.

The network (``models/disc_unet.onnx``, trained by ``fundus_app.train.disc`` on IDRiD) reads the
photograph's field of view resampled to a fixed square (``disc_input``: the FOV's diameter becomes
``input_size`` pixels, centred, black outside; each colour channel standardised inside the FOV) and
returns a filled-disc probability map. ``disc_from_probability`` turns the map into a ``Disc``: the
most confident blob above 0.5, its centroid and its equivalent-circle diameter, its mean probability
as the confidence. Below ``min_confidence`` (chosen on IDRiD validation images and written in the
manifest) there is no disc: the locator says None rather than invent one.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from fundus_app.config import settings
from fundus_app.domain import Disc
from fundus_app.errors import ModelError
from fundus_app.model.runtime import OnnxNetwork, model_info, verified_entry
from fundus_app.model.tiling import sigmoid
from fundus_app.preprocess.fov import fov_box
from fundus_app.resources import models_dir

ONNX_NAME = "disc_unet.onnx"
CHECKPOINT_NAME = "disc_unet.pt"
INPUT_SIZE = 256  # the FOV's diameter in network pixels (a 45-degree disc is then ~20 px across)
#: |disc x - FOV centre x| below this fraction of the FOV diameter: no eye (disc-centred photograph)
EYE_DEAD_ZONE = 0.15


@dataclass(frozen=True)
class DiscInput:
    """The network's input and how its pixels map back to the photograph's.

    x : (3, S, S) float32, R, G, B standardised inside the FOV, 0 outside.
    fov : (S, S) bool.
    scale : network pixels per photograph pixel.
    origin : (x, y) of the photograph point at network pixel (0, 0).
    """

    x: np.ndarray
    fov: np.ndarray
    scale: float
    origin: tuple[float, float]

    def to_image(self, u: float, v: float) -> tuple[float, float]:
        """Network pixel (u, v) -> photograph pixel (x, y) (pixel centres on both sides)."""
        return (self.origin[0] + (u + 0.5) / self.scale - 0.5, self.origin[1] + (v + 0.5) / self.scale - 0.5)


def _area_shrink(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``cv2.resize(image, size, INTER_AREA)``, first by a whole factor where the image is much larger:
    OpenCV's whole-factor path is ~10x faster (a 3504x2336 photograph: ~80 -> ~10 ms). The caller
    passes an image whose sides are multiples of that factor (``_whole_factor``)."""
    h, w = image.shape[:2]
    k = _whole_factor(w, h, size)
    if k > 1:
        image = cv2.resize(image, (w // k, h // k), interpolation=cv2.INTER_AREA)
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def _whole_factor(w: int, h: int, size: tuple[int, int]) -> int:
    return max(1, int(min(w / size[0], h / size[1])))


def fov_square(rgb: np.ndarray, fov: np.ndarray, size: int = INPUT_SIZE
               ) -> tuple[np.ndarray, np.ndarray, float, tuple[float, float]] | None:
    """The FOV resampled to a ``size`` x ``size`` square: (rgb uint8, fov bool, scale, origin); None
    without a FOV. Only the FOV's box is resampled (area averaging)."""
    box = fov_box(fov)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    scale = size / float(max(x1 - x0, y1 - y0))
    w, h = min(size, max(1, round((x1 - x0) * scale))), min(size, max(1, round((y1 - y0) * scale)))
    k = _whole_factor(x1 - x0, y1 - y0, (w, h))
    x1, y1 = x0 + (x1 - x0) // k * k, y0 + (y1 - y0) // k * k  # drops < k rim pixels: whole-factor fast path
    small = _area_shrink(rgb[y0:y1, x0:x1, :3], (w, h))  # a view: no copy of a large photograph
    # the mask, every k-th pixel (its edge needs no more), as 0/1 bytes: area averaging rounds to the majority
    sub = np.ascontiguousarray(fov[y0:y1:k, x0:x1:k]).view(np.uint8)
    small_fov = cv2.resize(sub, (w, h), interpolation=cv2.INTER_AREA) > 0
    ox, oy = (size - w) // 2, (size - h) // 2  # the FOV box centred in the square (cropped cameras: top/bottom)
    out = np.zeros((size, size, 3), np.uint8)
    out_fov = np.zeros((size, size), bool)
    out[oy:oy + h, ox:ox + w] = small
    out_fov[oy:oy + h, ox:ox + w] = small_fov
    sx, sy = w / (x1 - x0), h / (y1 - y0)  # the rounded sizes' own scale, for an exact way back
    return out, out_fov, (sx + sy) / 2.0, (x0 - ox / sx, y0 - oy / sy)


def standardise_rgb(rgb: np.ndarray, fov: np.ndarray) -> np.ndarray:
    """(3, H, W) float32: each channel zero-mean unit-variance inside the FOV, 0 outside (removes a
    camera's colour cast and exposure, which differ far more between cameras than the disc does)."""
    mask = np.ascontiguousarray(fov).view(np.uint8) if fov.any() else None
    mean, std = cv2.meanStdDev(rgb, mask=mask)
    x = (rgb.astype(np.float32) - mean.reshape(1, 1, 3).astype(np.float32)) / np.maximum(std, 1.0).reshape(
        1, 1, 3).astype(np.float32)
    x[~fov] = 0.0
    return np.ascontiguousarray(x.transpose(2, 0, 1))


def disc_input(rgb: np.ndarray, fov: np.ndarray, size: int = INPUT_SIZE) -> DiscInput | None:
    """The network's input for a photograph (the preprocessing training uses too); None without a FOV."""
    square = fov_square(rgb, fov, size)
    if square is None:
        return None
    small, small_fov, scale, origin = square
    return DiscInput(standardise_rgb(small, small_fov), small_fov, scale, origin)


def disc_from_probability(prob: np.ndarray, threshold: float = 0.5) -> tuple[float, float, float, float] | None:
    """(u, v, diameter, confidence) of the most confident blob of a disc probability map, in its
    pixels; None when no pixel reaches ``threshold``.

    The blob kept is the one of highest mean probability: a disc is a solid, certain blob, while
    bright lesions and the FOV's rim give fuzzier ones whose peak can still reach 1 (on IDRiD
    validation images, choosing by peak kept a lesion twice in 42 images). Centre: the blob's
    probability-weighted centroid; diameter: that of the circle of the blob's area (robust to a
    ragged edge); confidence: the blob's mean probability.
    """
    binary = (prob >= threshold).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if n <= 1:
        return None
    best, best_mean = 0, -1.0
    for i in range(1, n):
        x, y, w, h = stats[i, :4]
        mean = float(prob[y:y + h, x:x + w][labels[y:y + h, x:x + w] == i].mean())
        if mean > best_mean:
            best, best_mean = i, mean
    x, y, w, h, area = stats[best]
    sub = labels[y:y + h, x:x + w] == best
    weights = prob[y:y + h, x:x + w] * sub
    vv, uu = np.mgrid[y:y + h, x:x + w]
    total = float(weights.sum())
    u, v = float((weights * uu).sum() / total), float((weights * vv).sum() / total)
    return u, v, 2.0 * math.sqrt(float(area) / math.pi), best_mean


def estimate_eye(disc: Disc | tuple[float, float], fov_or_shape: np.ndarray | tuple[int, ...]) -> str | None:
    """Which eye a photograph shows, from its disc's position.

    In a macula-centred photograph the disc lies nasal to the macula: right of the FOV's centre (as
    the photograph is displayed) for a right eye, left of it for a left eye. Rule: dx = disc x - FOV
    centre x; |dx| < ``EYE_DEAD_ZONE`` (0.15) x FOV diameter -> None (a disc-centred photograph, or too
    close to call), else "right" for dx > 0 and "left" for dx < 0. ``fov_or_shape``: the FOV mask, or
    the image's shape when there is none (the whole image is then taken as the FOV).
    """
    cx = disc.centre[0] if isinstance(disc, Disc) else float(disc[0])
    if isinstance(fov_or_shape, np.ndarray) and fov_or_shape.ndim == 2 and fov_or_shape.dtype == bool:
        box = fov_box(fov_or_shape)
        if box is None:
            return None
        centre_x, diameter = (box[0] + box[2]) / 2.0, float(max(box[2] - box[0], box[3] - box[1]))
    else:
        shape = fov_or_shape.shape if isinstance(fov_or_shape, np.ndarray) else tuple(fov_or_shape)
        centre_x, diameter = shape[1] / 2.0, float(max(shape[0], shape[1]))
    dx = cx - (centre_x - 0.5)  # pixel centres: a W-wide image's middle is at (W - 1) / 2
    if abs(dx) < EYE_DEAD_ZONE * diameter:
        return None
    return "right" if dx > 0 else "left"


class DiscLocator:
    """The bundled disc network, ready to locate discs. Create with ``DiscLocator.load()``."""

    def __init__(self, network: Any, entry: dict[str, Any], file_name: str = ONNX_NAME) -> None:
        self.network = network
        self.info = model_info(entry, file_name)  # name, identity, threshold: as every model's
        self.input_size = int(entry.get("input_size", INPUT_SIZE))
        self.min_confidence = float(entry.get("min_confidence", 0.5))

    @classmethod
    def load(cls, device: str = "auto", threads: int | None = None, path: Path | None = None) -> DiscLocator:
        """The bundled disc model (or the ONNX file ``path``), checked against the manifest beside it."""
        path = models_dir() / ONNX_NAME if path is None else Path(path)
        entry = verified_entry(path)
        if entry.get("task") != "optic-disc":
            raise ModelError(f"Model file {path.name} is not an optic-disc model (its manifest entry says "
                             f"task {entry.get('task')!r}).")
        threads = settings().threads if threads is None else threads
        return cls(OnnxNetwork(path, device=device, threads=threads), entry, path.name)

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def sha256(self) -> str:
        """The model's identity: the SHA-256 of the checkpoint it was exported from."""
        return self.info.sha256

    @property
    def threshold(self) -> float:
        return self.info.threshold

    def probability(self, rgb: np.ndarray, fov: np.ndarray) -> tuple[np.ndarray, DiscInput] | None:
        """The network's disc probability on its square input grid, with the input; None without a FOV."""
        prepared = disc_input(rgb, fov, self.input_size)
        if prepared is None:
            return None
        # the map is not cut to the FOV: a disc at the FOV's rim is trained as the whole circle
        return sigmoid(self.network(prepared.x[None])[0, 0]), prepared

    def locate(self, rgb: np.ndarray, fov: np.ndarray) -> Disc | None:
        """The optic disc in pixels of ``rgb`` (centre, diameter, confidence, eye), or None when it is not
        in the picture or the network is not confident enough (``min_confidence``)."""
        result = self.probability(rgb, fov)
        found = None if result is None else disc_from_probability(result[0], self.threshold)
        if found is None or result is None or found[3] < self.min_confidence:
            return None
        u, v, diameter, confidence = found
        prepared = result[1]
        x, y = prepared.to_image(u, v)
        disc = Disc(centre=(x, y), diameter=diameter / prepared.scale, confidence=confidence)
        return Disc(disc.centre, disc.diameter, disc.confidence, estimate_eye(disc, fov))
