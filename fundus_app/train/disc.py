"""Training of the optic-disc network on IDRiD's disc boxes (``idrid``), on a CPU.

Input: the photograph's FOV resampled to ``input_size`` px across, R, G, B standardised inside the
FOV (``model.disc.disc_input``, the run time's own path). Target: the filled disc (circle of
``idrid.BOX_TO_DISC`` x the box's mean side). Loss: BCE + batch soft Dice on random
``crop``-px crops of the augmented square: crops move or cut the disc and about a fifth hold none,
so the network learns to say "no disc". Augmentation for other cameras: flips (a flipped fundus is
the other eye), rotation, zoom with a new circular FOV (a narrower camera angle: a larger disc),
shifts (a disc-centred photograph), HSV, gamma, blur and noise.

The epoch is chosen on the validation split (share of centres inside the true disc, then mean centre
error); the test split is never read. Usage::

    OMP_NUM_THREADS=1 python -m fundus_app.train.disc --out runs/disc_unet --minutes 22
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from fundus_app.atomic import write_bytes
from fundus_app.idrid import BOX_TO_DISC, DiscCase, idrid_cases
from fundus_app.io import load_image
from fundus_app.model.checkpoint import Checkpoint, save_checkpoint
from fundus_app.model.disc import INPUT_SIZE, disc_from_probability, disc_input, fov_square, standardise_rgb
from fundus_app.model.unet import AttentionUNet, UNetConfig
from fundus_app.preprocess import PreprocessConfig, estimate_fov

log = logging.getLogger(__name__)
PRELOAD = 320  # the squares are kept a little larger than the input, so zooms keep detail
NAME = "disc-unet-b5d4"


@dataclass
class DiscTrainConfig:
    out_dir: str = "runs/disc_unet"
    input_size: int = INPUT_SIZE
    crop: int = 160
    base_channels: int = 5
    depth: int = 4
    batch_size: int = 8
    lr: float = 3e-3
    weight_decay: float = 1e-4
    epochs: int = 50
    max_minutes: float = 22.0  # wall-clock budget: the run stops after the epoch that crosses it
    steps_per_epoch: int = 46  # ~ one pass over the 369 training images in batches of 8
    seed: int = 0
    threads: int = 1
    limit_train: int | None = None  # the first N training images only (tests)
    limit_val: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def model_config(self) -> UNetConfig:
        return UNetConfig(in_channels=3, base_channels=self.base_channels, depth=self.depth, attention=True,
                          out_channels=1)


@dataclass
class Sample:
    rgb: np.ndarray  # (PRELOAD, PRELOAD, 3) uint8
    fov: np.ndarray  # (PRELOAD, PRELOAD) bool
    centre: tuple[float, float]  # in square pixels
    diameter: float


def load_sample(case: DiscCase, size: int = PRELOAD) -> Sample:
    rgb = load_image(case.image).rgb  # the product's loader: the pixels the run time sees
    fov = estimate_fov(rgb)
    square = fov_square(rgb, fov, size)
    assert square is not None, case.name
    small, small_fov, scale, origin = square
    u = (case.centre[0] - origin[0] + 0.5) * scale - 0.5
    v = (case.centre[1] - origin[1] + 0.5) * scale - 0.5
    return Sample(small, small_fov, (u, v), case.diameter * scale)


def colour_jitter(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """HSV shifts, gamma, blur and noise: the differences between cameras and exposures."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV).astype(np.float32)
    hsv[..., 0] = (hsv[..., 0] + rng.uniform(-10, 10)) % 180
    hsv[..., 1] *= rng.uniform(0.6, 1.4)
    hsv[..., 2] *= rng.uniform(0.6, 1.4)
    out: np.ndarray = cv2.cvtColor(np.clip(hsv, 0, 255).astype(np.uint8), cv2.COLOR_HSV2RGB).astype(np.float32) / 255
    out = np.power(out, np.float32(rng.uniform(0.6, 1.6)))
    out *= rng.uniform(0.85, 1.15, size=3)  # per-channel gain: a colour cast
    if rng.random() < 0.35:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.5, 1.8))
    if rng.random() < 0.3:
        out += rng.normal(0, rng.uniform(0.005, 0.03), out.shape).astype(np.float32)
    return np.clip(out * 255, 0, 255).astype(np.uint8)


def augmented(sample: Sample, cfg: DiscTrainConfig, rng: np.random.Generator
              ) -> tuple[np.ndarray, np.ndarray]:
    """One training crop: (3, crop, crop) float32 input and (crop, crop) float32 disc target."""
    size, crop = cfg.input_size, cfg.crop
    k = size / PRELOAD
    # zoom up to 2.3: a 30-degree camera's disc (LES-AV) is ~2x a 50-degree one's (IDRiD) in FOV units
    zoom = math.exp(rng.uniform(math.log(0.85), math.log(2.3))) if rng.random() < 0.65 else 1.0
    angle = rng.uniform(-25, 25)
    flip = rng.random() < 0.5
    shift = rng.uniform(-0.2, 0.2, 2) * size * (1.0 if rng.random() < 0.4 else 0.0)
    c_in = (PRELOAD - 1) / 2.0
    c_out = (size - 1) / 2.0
    flip_m = np.array([[-1, 0, PRELOAD - 1], [0, 1, 0], [0, 0, 1]], np.float64) if flip else np.eye(3)
    rot = cv2.getRotationMatrix2D((0.0, 0.0), angle, zoom * k)
    m = np.eye(3)
    m[:2] = rot
    to_origin = np.array([[1, 0, -c_in], [0, 1, -c_in], [0, 0, 1]], np.float64)
    back = np.array([[1, 0, c_out + shift[0]], [0, 1, c_out + shift[1]], [0, 0, 1]], np.float64)
    full = back @ m @ to_origin @ flip_m
    rgb = cv2.warpAffine(sample.rgb, full[:2], (size, size), flags=cv2.INTER_LINEAR, borderValue=0)
    fov = cv2.warpAffine(sample.fov.astype(np.uint8), full[:2], (size, size), flags=cv2.INTER_NEAREST) > 0
    circle = None
    if zoom > 1.0 or shift.any():
        # a narrower camera angle: the FOV is again a circle of the input's width (some cut top and bottom)
        yy, xx = np.mgrid[:size, :size]
        radius = size / 2 * rng.uniform(0.92, 1.0)
        circle = (yy - c_out) ** 2 + (xx - c_out) ** 2 <= radius**2
        if rng.random() < 0.3:
            circle &= np.abs(yy - c_out) <= radius * rng.uniform(0.7, 0.95)
        fov &= circle
    rgb = colour_jitter(rgb, rng)
    if circle is not None and rng.random() < 0.7:
        # real photographs darken towards the rim (vignetting); a bright cut rim must not read as a disc
        r = np.sqrt((yy - c_out) ** 2 + (xx - c_out) ** 2)
        fall = 0.4 + 0.6 * np.clip((radius - r) / (rng.uniform(0.08, 0.2) * radius), 0, 1)
        rgb = (rgb * fall[..., None]).astype(np.uint8)
    rgb[~fov] = 0
    x = standardise_rgb(rgb, fov)
    cu, cv_ = (full[:2] @ np.array([sample.centre[0], sample.centre[1], 1.0]))
    diameter = sample.diameter * zoom * k
    # where the crop goes: on the disc (it may be cut at the crop's edge), anywhere, or away from it
    mode = rng.random()
    if mode < 0.55:
        x0 = cu - crop / 2 + rng.uniform(-0.42, 0.42) * crop
        y0 = cv_ - crop / 2 + rng.uniform(-0.42, 0.42) * crop
    elif mode < 0.8:
        x0, y0 = rng.uniform(0, size - crop, 2)
    else:
        for _ in range(20):  # a crop holding no disc at all
            x0, y0 = rng.uniform(0, size - crop, 2)
            if not (x0 - diameter < cu < x0 + crop + diameter and y0 - diameter < cv_ < y0 + crop + diameter):
                break
    x0 = int(np.clip(round(x0), 0, size - crop))
    y0 = int(np.clip(round(y0), 0, size - crop))
    target = np.zeros((crop, crop), np.uint8)
    shift_bits = 4
    centre = (round((cu - x0) * 2**shift_bits), round((cv_ - y0) * 2**shift_bits))
    cv2.circle(target, centre, round(diameter / 2 * 2**shift_bits), 1, -1, cv2.LINE_8, shift_bits)
    if circle is not None:  # the part of a disc the new FOV hides is no disc to find
        target[~circle[y0:y0 + crop, x0:x0 + crop]] = 0
    return x[:, y0:y0 + crop, x0:x0 + crop], target.astype(np.float32)


def loss_fn(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """BCE + soft Dice over the batch (batch-wide, so crops without a disc do not divide by zero)."""
    bce = F.binary_cross_entropy_with_logits(logits, target)
    p = torch.sigmoid(logits)
    dice = 1 - (2 * (p * target).sum() + 1) / (p.sum() + target.sum() + 1)
    return bce + dice


def score(found: list[tuple[float, float, float, float] | None], truth: list[tuple[float, float, float]]
          ) -> dict[str, float]:
    """Share of centres inside the true disc, mean centre error and |diameter error| (in disc diameters)."""
    inside, errors, diam = 0, [], []
    for f, (u, v, d) in zip(found, truth, strict=True):
        if f is None:
            errors.append(1.0)  # a miss counts as one disc diameter off
            continue
        e = math.hypot(f[0] - u, f[1] - v) / d
        inside += e <= 0.5
        errors.append(e)
        diam.append(abs(f[2] - d) / d)
    n = max(len(truth), 1)
    return {"inside": inside / n, "centre_error": float(np.mean(errors)) if errors else 1.0,
            "diameter_error": float(np.mean(diam)) if diam else 1.0,
            "none": sum(f is None for f in found)}


def validation_set(val: list[DiscCase], size: int) -> tuple[np.ndarray, list[tuple[float, float, float]]]:
    xs, truth = [], []
    for case in val:
        rgb = load_image(case.image).rgb
        prepared = disc_input(rgb, estimate_fov(rgb), size)
        assert prepared is not None
        u = (case.centre[0] - prepared.origin[0] + 0.5) * prepared.scale - 0.5
        v = (case.centre[1] - prepared.origin[1] + 0.5) * prepared.scale - 0.5
        xs.append(prepared.x)
        truth.append((u, v, case.diameter * prepared.scale))
    return np.stack(xs), truth


@torch.no_grad()
def predict(model: AttentionUNet, xs: np.ndarray) -> list[tuple[float, float, float, float] | None]:
    model.eval()
    out: list[tuple[float, float, float, float] | None] = []
    for i in range(0, len(xs), 8):
        prob = torch.sigmoid(model(torch.from_numpy(xs[i:i + 8]))).numpy()[:, 0]
        out.extend(disc_from_probability(p) for p in prob)
    return out


def train_disc(config: DiscTrainConfig | dict[str, Any] | None = None) -> Path:
    """Train the disc network; returns the best checkpoint (``best.pt`` in ``out_dir``)."""
    cfg = config if isinstance(config, DiscTrainConfig) else DiscTrainConfig(**(config or {}))
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    train_cases = idrid_cases("train")[:cfg.limit_train]
    val_cases = idrid_cases("val")[:cfg.limit_val]
    t0 = time.perf_counter()
    samples = [load_sample(c) for c in train_cases]
    val_x, val_truth = validation_set(val_cases, cfg.input_size)
    log.info("loaded %d training and %d validation images in %.0f s", len(samples), len(val_cases),
             time.perf_counter() - t0)
    model = AttentionUNet(cfg.model_config())
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    total_steps = cfg.epochs * cfg.steps_per_epoch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=total_steps, pct_start=0.1)
    split = {"test": "idrid index % 5 == 0", "val": "non-test position % 10 == 0", "train": "the rest",
             "n_train": len(train_cases), "n_val": len(val_cases), "box_to_disc": BOX_TO_DISC}
    best_key: tuple[float, float] | None = None
    history = []
    step = 0
    for epoch in range(cfg.epochs):
        model.train()
        losses = []
        for _ in range(cfg.steps_per_epoch):
            batch = [augmented(samples[int(rng.integers(len(samples)))], cfg, rng) for _ in range(cfg.batch_size)]
            x = torch.from_numpy(np.stack([b[0] for b in batch]))
            y = torch.from_numpy(np.stack([b[1] for b in batch]))[:, None]
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            losses.append(float(loss.detach()))
        scores = score(predict(model, val_x), val_truth)
        elapsed = (time.perf_counter() - t0) / 60
        row = {"epoch": epoch + 1, "step": step, "loss": float(np.mean(losses)), "minutes": round(elapsed, 2),
               **scores}
        history.append(row)
        log.info(json.dumps(row))
        info = {"task": "optic-disc", "input_size": cfg.input_size, "input": "rgb, fov square, standardised",
                "split": split, "recipe": asdict(cfg), "epoch": epoch + 1, "step": step, "validation": scores,
                "dataset": "IDRiD-OD (CODRAS boxes)"}
        ckpt = Checkpoint(model_config=cfg.model_config(), preprocess=PreprocessConfig(),
                          state_dict=model.state_dict(), threshold=0.5, name=NAME, info=info)
        save_checkpoint(ckpt, out / "last.pt")
        if (epoch + 1) % 10 == 0:
            save_checkpoint(ckpt, out / f"epoch{epoch + 1:03d}.pt")
        key = (scores["inside"], -scores["centre_error"])
        if best_key is None or key >= best_key:
            best_key = key
            save_checkpoint(ckpt, out / "best.pt")
        write_bytes(out / "history.json", (json.dumps(history, indent=1) + "\n").encode())
        if elapsed > cfg.max_minutes:
            log.info("time budget reached after epoch %d", epoch + 1)
            break
    return out / "best.pt"


def no_disc_inputs(val: list[DiscCase], size: int) -> np.ndarray:
    """Disc-free inputs from the validation images: the quarter of the square mirrored from the disc
    through the FOV's centre (macula and temporal retina), zoomed to a full circular FOV, as a
    narrow-angle macular photograph would show them."""
    xs = []
    yy, xx = np.mgrid[:size, :size]
    c = (size - 1) / 2
    circle = (yy - c) ** 2 + (xx - c) ** 2 <= (size / 2) ** 2
    for case in val:
        sample = load_sample(case, size)
        u, v = size - 1 - sample.centre[0], size - 1 - sample.centre[1]
        half = size // 4
        x0, y0 = int(np.clip(round(u) - half, 0, size - 2 * half)), int(np.clip(round(v) - half, 0, size - 2 * half))
        rgb = cv2.resize(sample.rgb[y0:y0 + 2 * half, x0:x0 + 2 * half], (size, size), interpolation=cv2.INTER_LINEAR)
        fov = cv2.resize(sample.fov[y0:y0 + 2 * half, x0:x0 + 2 * half].astype(np.uint8), (size, size),
                         interpolation=cv2.INTER_NEAREST).astype(bool) & circle
        rgb[~fov] = 0
        xs.append(standardise_rgb(rgb, fov))
    return np.stack(xs)


#: The threshold stays this far below the least confident correct disc on validation: other cameras give
#: less confident discs than IDRiD's (DRIVE, LES-AV: down to ~0.8 where IDRiD's start at ~0.9).
CAMERA_MARGIN = 0.1


def choose_min_confidence(checkpoint: Checkpoint, val: list[DiscCase]) -> dict[str, float]:
    """The confidence below which the locator says "no disc", from the validation images: the value
    separating correct discs from the peaks on disc-free inputs with the fewest errors (halfway where
    they do not overlap), but at most ``CAMERA_MARGIN`` below the least confident correct disc, so
    that a real disc of another camera is not thrown away for a disc-free crop's sake."""
    model = checkpoint.build_model()
    size = int(checkpoint.info.get("input_size", INPUT_SIZE))
    val_x, truth = validation_set(val, size)
    found = predict(model, val_x)
    hits = [f[3] for f, (u, v, d) in zip(found, truth, strict=True)
            if f is not None and math.hypot(f[0] - u, f[1] - v) <= d / 2]
    empties = [0.0 if f is None else f[3] for f in predict(model, no_disc_inputs(val, size))]
    low_hit, high_empty = min(hits, default=1.0), max(empties, default=0.0)
    if high_empty < low_hit:
        separating = (high_empty + low_hit) / 2
    else:  # they overlap: the threshold with the fewest errors, misses and false discs alike
        grid = np.linspace(0.5, 1.0, 101)
        errors = [sum(h < t for h in hits) + sum(e >= t for e in empties) for t in grid]
        separating = float(grid[int(np.argmin(errors))])
    chosen = max(0.5, min(separating, low_hit - CAMERA_MARGIN))
    return {"min_confidence": round(float(chosen), 4), "separating": round(separating, 4), "lowest_hit": low_hit,
            "highest_empty": high_empty, "hits": len(hits), "n_val": len(val),
            "empty_above": int(sum(e >= chosen for e in empties)), "n_empty": len(empties)}


def export_disc(checkpoint_path: str | Path, models: str | Path = "models") -> Path:
    """Bundle a trained checkpoint: ``disc_unet.pt`` and ``disc_unet.onnx`` in ``models``, both entered
    in its manifest with what the torch-free run time needs (task, input size, thresholds)."""
    import shutil

    from fundus_app.model.checkpoint import load_checkpoint
    from fundus_app.model.export import export_onnx
    from fundus_app.model.manifest import record_file

    models = Path(models)
    pt = models / "disc_unet.pt"
    shutil.copyfile(checkpoint_path, pt)
    ckpt = load_checkpoint(pt, expected_sha256="")  # not yet listed: recorded below
    confidence = choose_min_confidence(ckpt, idrid_cases("val"))
    log.info("confidence on validation: %s", confidence)
    runtime = {"task": "optic-disc", "input_size": int(ckpt.info.get("input_size", INPUT_SIZE)), "threshold": 0.5,
               "min_confidence": confidence["min_confidence"], "box_to_disc": BOX_TO_DISC,
               "input": "rgb fov square (model.disc.disc_input)", "epoch": ckpt.info.get("epoch"),
               "validation": ckpt.info.get("validation")}
    runtime["min_confidence_choice"] = confidence
    record_file(pt, kind="checkpoint", name=ckpt.name, **runtime)
    ckpt = load_checkpoint(pt)
    onnx = export_onnx(ckpt, models / "disc_unet.onnx")
    record_file(onnx, **runtime)
    return onnx


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/disc_unet")
    parser.add_argument("--epochs", type=int, default=DiscTrainConfig.epochs)
    parser.add_argument("--minutes", type=float, default=DiscTrainConfig.max_minutes)
    parser.add_argument("--steps-per-epoch", type=int, default=DiscTrainConfig.steps_per_epoch)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--export", metavar="CHECKPOINT",
                        help="bundle this checkpoint into models/ instead of training")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(1)
    if args.export:
        print(export_disc(args.export))
        return
    path = train_disc(DiscTrainConfig(out_dir=args.out, epochs=args.epochs, max_minutes=args.minutes,
                                      steps_per_epoch=args.steps_per_epoch, seed=args.seed))
    print(path)


if __name__ == "__main__":
    main()
