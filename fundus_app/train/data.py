"""Training samples: whole images at the normalised scale, cut into augmented patches.

Each draw takes one training image, jitters its colour in HSV, optionally
degrades it like another camera would (blur, gamma, noise, JPEG), runs the
shared ``enhance`` step (so the network sees exactly the inference pixels),
and cuts several patches through one random geometric warp each: flip,
rotation, scale and an elastic displacement field, combined into a single
``cv2.remap`` per patch (cheap on a CPU).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from fundus_app.datasets import Case
from fundus_app.io import load_image
from fundus_app.io.loader import load_mask
from fundus_app.preprocess import PreprocessConfig, enhance, rescale, resize_mask


@dataclass(frozen=True)
class AugmentConfig:
    rotation_deg: float = 15.0
    scale_range: tuple[float, float] = (0.8, 1.2)
    hsv_jitter: float = 0.1  # fraction of the H, S and V ranges
    elastic_alpha: float = 6.0  # displacement amplitude, pixels
    elastic_grid: int = 4  # control points per patch side
    flip: bool = True
    # camera degradations, applied to the whole RGB image before enhancement (all off by default):
    blur_sigma: float = 0.0  # blur or unsharp-mask of sigma up to this (pixels), 2/3 of draws: optics, focus
    gamma_jitter: float = 0.0  # gamma in exp(+-this): exposure and contrast curve
    noise_std: float = 0.0  # additive Gaussian noise of std up to this (grey levels): sensor noise
    jpeg_quality_min: int = 0  # JPEG re-encoding at quality min..95 on half the draws (0 = never)


@dataclass(frozen=True)
class TrainImage:
    """One image at the normalised scale: rgb uint8, label and fov bool."""

    name: str
    rgb: np.ndarray
    label: np.ndarray
    fov: np.ndarray


def load_case(case: Case, cfg: PreprocessConfig) -> TrainImage:
    """Load a case through the product's loader and rescale it like inference does.

    The FOV is estimated from the image, as at inference, not read from the
    dataset's mask file.
    """
    image = load_image(case.image)
    label = load_mask(case.label)
    rgb, fov, _ = rescale(image.rgb, image.fov, cfg)
    return TrainImage(case.name, rgb, resize_mask(label, fov.shape) & fov, fov)


def jitter_hsv(rgb: np.ndarray, rng: np.random.Generator, amount: float) -> np.ndarray:
    """Random hue shift and saturation/value gains of up to +-amount (uint8 lookup tables: fast)."""
    if amount <= 0:
        return rgb
    dh, ds, dv = rng.uniform(-amount, amount, 3)
    levels = np.arange(256, dtype=np.float32)
    hue = ((levels + dh * 180.0) % 180.0).astype(np.uint8)  # OpenCV hue is 0..179
    sat = np.clip(levels * (1.0 + ds), 0, 255).astype(np.uint8)
    val = np.clip(levels * (1.0 + dv), 0, 255).astype(np.uint8)
    h, s, v = cv2.split(cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV))
    hsv = cv2.merge((cv2.LUT(h, hue), cv2.LUT(s, sat), cv2.LUT(v, val)))
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def blur(rgb: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur: defocus, soft optics."""
    return cv2.GaussianBlur(rgb, (0, 0), sigma)


def sharpen(rgb: np.ndarray, sigma: float) -> np.ndarray:
    """Unsharp mask: a camera's built-in sharpening (halos along the vessels)."""
    return cv2.addWeighted(rgb, 1.8, blur(rgb, sigma), -0.8, 0)


def apply_gamma(rgb: np.ndarray, gamma: float) -> np.ndarray:
    """Exposure and contrast curve: grey values raised to ``gamma`` (on 0..1)."""
    return cv2.LUT(rgb, (255.0 * (np.arange(256) / 255.0) ** gamma).round().astype(np.uint8))


def add_noise(rgb: np.ndarray, std: float, rng: np.random.Generator) -> np.ndarray:
    """Additive Gaussian sensor noise of ``std`` grey levels."""
    noise = rng.normal(0.0, std, rgb.shape).astype(np.float32)
    return np.clip(rgb.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def jpeg_roundtrip(rgb: np.ndarray, quality: int) -> np.ndarray:
    """The image after JPEG compression at ``quality``; unchanged if encoding fails."""
    ok, buf = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else None
    return decoded[..., ::-1].copy() if decoded is not None else rgb


def degrade_camera(rgb: np.ndarray, rng: np.random.Generator, aug: AugmentConfig) -> np.ndarray:
    """Blur, gamma, noise and JPEG artefacts of another camera; draws no random numbers when all are off
    (so a recipe without them keeps its patch stream)."""
    out = rgb
    if aug.blur_sigma > 0:
        kind = rng.random()  # a third blurred, a third sharpened (unsharp mask), a third as taken
        if kind < 2 / 3:
            sigma = float(rng.uniform(0.3, aug.blur_sigma))
            out = blur(out, sigma) if kind < 1 / 3 else sharpen(out, sigma)
    if aug.gamma_jitter > 0:
        out = apply_gamma(out, float(np.exp(rng.uniform(-aug.gamma_jitter, aug.gamma_jitter))))
    if aug.noise_std > 0:
        out = add_noise(out, rng.uniform(0.0, aug.noise_std), rng)
    if aug.jpeg_quality_min > 0 and rng.random() < 0.5:
        out = jpeg_roundtrip(out, int(rng.integers(aug.jpeg_quality_min, 96)))
    return out


def patch_maps(size: int, centre: tuple[float, float], rng: np.random.Generator,
               aug: AugmentConfig) -> tuple[np.ndarray, np.ndarray]:
    """Sampling maps (map_x, map_y) for ``cv2.remap``: affine + elastic warp of a patch."""
    angle = np.deg2rad(rng.uniform(-aug.rotation_deg, aug.rotation_deg))
    scale = rng.uniform(*aug.scale_range)
    flip = -1.0 if (aug.flip and rng.random() < 0.5) else 1.0
    u, v = np.meshgrid(np.arange(size, dtype=np.float32) - size / 2, np.arange(size, dtype=np.float32) - size / 2)
    u = u * flip
    if aug.elastic_alpha > 0:
        g = aug.elastic_grid
        du = cv2.resize(
            rng.normal(0, aug.elastic_alpha, (g, g)).astype(np.float32), (size, size), interpolation=cv2.INTER_CUBIC
        )
        dv = cv2.resize(
            rng.normal(0, aug.elastic_alpha, (g, g)).astype(np.float32), (size, size), interpolation=cv2.INTER_CUBIC
        )
        u, v = u + du, v + dv
    c, s = np.cos(angle) / scale, np.sin(angle) / scale
    map_x = centre[0] + c * u - s * v
    map_y = centre[1] + s * u + c * v
    return map_x.astype(np.float32), map_y.astype(np.float32)


class PatchSampler:
    """Draws augmented (x, label, fov) patch batches from a list of TrainImages."""

    def __init__(self, images: Sequence[TrainImage], cfg: PreprocessConfig, aug: AugmentConfig,
                 patch_size: int, patches_per_draw: int, seed: int) -> None:
        if not images:
            raise ValueError("no training images")
        self.images = list(images)
        self.cfg, self.aug = cfg, aug
        self.patch_size, self.patches_per_draw = patch_size, patches_per_draw
        self.rng = np.random.default_rng(seed)
        self._fov_pixels = [np.nonzero(img.fov) for img in self.images]  # patch centres

    def draw(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(patches_per_draw, 1, P, P) float32 input, label and fov arrays."""
        index = int(self.rng.integers(len(self.images)))
        img = self.images[index]
        rgb = degrade_camera(jitter_hsv(img.rgb, self.rng, self.aug.hsv_jitter), self.rng, self.aug)
        x = enhance(rgb, img.fov, self.cfg)
        ys, xs = self._fov_pixels[index]
        P, n = self.patch_size, self.patches_per_draw
        out = np.zeros((3, n, 1, P, P), np.float32)
        for i in range(n):
            k = self.rng.integers(len(ys))
            mx, my = patch_maps(P, (float(xs[k]), float(ys[k])), self.rng, self.aug)
            out[0, i, 0] = cv2.remap(x, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
            for j, m in ((1, img.label), (2, img.fov)):
                out[j, i, 0] = cv2.remap(m.astype(np.float32), mx, my, cv2.INTER_LINEAR,
                                         borderMode=cv2.BORDER_CONSTANT, borderValue=0) > 0.5
        return out[0], out[1], out[2]

    def batch(self, batch_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        parts = [self.draw() for _ in range(-(-batch_size // self.patches_per_draw))]
        return tuple(np.concatenate([p[j] for p in parts])[:batch_size] for j in range(3))  # type: ignore[return-value]
