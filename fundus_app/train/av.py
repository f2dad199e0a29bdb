"""Training of the artery/vein network: RITE (DRIVE's camera) and LES-AV (another camera).

The network is the vessel network's architecture with three inputs (``preprocess.enhance_colour``:
green, red, blue) and three outputs (artery, vein, uncertain). It starts from the vessel network's
weights (its first layer widened with zeros for red and blue, a new last layer), so it begins by
knowing where vessels are and learns which kind they are. The loss is the cross-entropy on the
expert's vessel pixels only: which pixels are vessels stays the vessel network's decision
(``model.arteryvein.label_map``). Patches are centred on vessel pixels, the images seen at the
vessel network's working scale, augmented in colour and geometry as for the vessel network.

Validation uses the product's path end to end (vessel mask from the bundled vessel model, A/V map,
``metrics.av_scores``) on images held out of training; the step with the best mean A/V F1 (Zhou et
al.) is kept. Resumable from ``state.pt``.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from fundus_app.atomic import atomic_path, write_bytes
from fundus_app.datasets import Case, cases, load_for_scoring
from fundus_app.errors import Cancelled
from fundus_app.io import load_image
from fundus_app.io.loader import load_label_map
from fundus_app.metrics import av_scores, mean_av_scores
from fundus_app.model.arteryvein import av_probabilities, label_map
from fundus_app.model.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from fundus_app.model.inference import Segmenter
from fundus_app.model.unet import AttentionUNet, UNetConfig
from fundus_app.preprocess import PreprocessConfig, enhance_colour, prepare, rescale
from fundus_app.progress import CancelFn, Progress, ProgressFn
from fundus_app.train.data import AugmentConfig, degrade_camera, jitter_hsv, patch_maps
from fundus_app.train.loop import seed_everything

log = logging.getLogger(__name__)


@dataclass
class AVTrainConfig:
    out_dir: str = "runs/av_unet"
    datasets: list[str] = field(default_factory=lambda: ["rite-train", "lesav-train"])
    validation: list[str] = field(default_factory=lambda: ["rite_39", "rite_40", "lesav_49"])
    init_from: str = "models/vessel_unet.pt"  # the vessel checkpoint the network starts from
    steps: int = 3800
    validate_every: int = 400
    batch_size: int = 4
    patch_size: int = 256
    patches_per_draw: int = 2
    vessel_centred: float = 0.8  # share of patches centred on an expert vessel pixel
    lr: float = 1e-3
    weight_decay: float = 1e-4
    warmup_steps: int = 100
    ema_decay: float = 0.998
    seed: int = 0
    threads: int = 2
    name: str = "av-attunet-b16d4"
    augment: dict[str, Any] = field(default_factory=lambda: {"hsv_jitter": 0.05, "elastic_alpha": 0.0,
                                                               "noise_std": 4.0, "gamma_jitter": 0.2,
                                                               "blur_sigma": 1.0, "jpeg_quality_min": 40})
    resume: bool = False

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AVTrainConfig:
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown option(s): {', '.join(sorted(unknown))}")
        return cls(**d)


@dataclass(frozen=True)
class AVImage:
    """One training image at the vessel network's working scale: rgb uint8, A/V label uint8, fov bool."""

    name: str
    rgb: np.ndarray
    label: np.ndarray
    fov: np.ndarray


def load_av_case(case: Case, cfg: PreprocessConfig) -> AVImage:
    image = load_image(case.image)
    rgb, fov, _ = rescale(image.rgb, image.fov, cfg)
    label = cv2.resize(load_label_map(case.label), (fov.shape[1], fov.shape[0]), interpolation=cv2.INTER_NEAREST)
    label[~fov] = 0
    return AVImage(case.name, rgb, label, fov)


class AVPatchSampler:
    """Augmented (x (N, 3, P, P), label (N, P, P) int64 with -1 where not a vessel) batches."""

    def __init__(self, images: Sequence[AVImage], cfg: PreprocessConfig, aug: AugmentConfig, patch_size: int,
                 patches_per_draw: int, vessel_centred: float, seed: int) -> None:
        self.images, self.cfg, self.aug = list(images), cfg, aug
        self.patch_size, self.patches_per_draw, self.vessel_centred = patch_size, patches_per_draw, vessel_centred
        self.rng = np.random.default_rng(seed)
        self._vessels = [np.nonzero(img.label > 0) for img in self.images]
        self._fov = [np.nonzero(img.fov) for img in self.images]

    def draw(self) -> tuple[np.ndarray, np.ndarray]:
        i = int(self.rng.integers(len(self.images)))
        img = self.images[i]
        rgb = degrade_camera(jitter_hsv(img.rgb, self.rng, self.aug.hsv_jitter), self.rng, self.aug)
        x = enhance_colour(rgb, img.fov, self.cfg).transpose(1, 2, 0).copy()  # (h, w, 3) for cv2.remap
        P, n = self.patch_size, self.patches_per_draw
        xs_out = np.zeros((n, 3, P, P), np.float32)
        ys_out = np.full((n, P, P), -1, np.int64)
        for k in range(n):
            ys, xs = self._vessels[i] if self.rng.random() < self.vessel_centred else self._fov[i]
            j = int(self.rng.integers(len(ys)))
            mx, my = patch_maps(P, (float(xs[j]), float(ys[j])), self.rng, self.aug)
            warped = cv2.remap(x, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
            xs_out[k] = warped.transpose(2, 0, 1)
            lab = cv2.remap(img.label, mx, my, cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
            ys_out[k] = lab.astype(np.int64) - 1  # artery 0, vein 1, uncertain 2, background -1 (ignored)
        return xs_out, ys_out

    def batch(self, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        parts = [self.draw() for _ in range(-(-batch_size // self.patches_per_draw))]
        return (np.concatenate([p[0] for p in parts])[:batch_size], np.concatenate([p[1] for p in parts])[:batch_size])


def widen_from_vessel(vessel: Checkpoint, model: AttentionUNet) -> None:
    """Copy the vessel network's weights into the A/V network: the first layer's green input keeps its
    weights (red and blue start at zero), the last layer stays new (other outputs)."""
    own = model.state_dict()
    for key, value in vessel.state_dict.items():
        if key.startswith("head."):
            continue
        if own[key].shape == value.shape:
            own[key] = value.clone()
        elif key == "encoder.blocks.0.0.weight":
            own[key] = torch.zeros_like(own[key])
            own[key][:, :1] = value
    model.load_state_dict(own)


def _forward(model: AttentionUNet) -> Any:
    def run(batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return model(torch.from_numpy(np.ascontiguousarray(batch, np.float32))).float().numpy()
    return run


@dataclass
class ValidationCase:
    name: str
    x: np.ndarray  # (3, h, w) network input at the working scale
    fov_small: np.ndarray
    vessels: np.ndarray  # the bundled vessel model's mask at the image's resolution
    truth: np.ndarray
    fov: np.ndarray


def prepare_validation(case_list: list[Case], cfg: PreprocessConfig) -> list[ValidationCase]:
    vessel = Segmenter.load()
    out = []
    for case in case_list:
        sc = load_for_scoring(case, read_label=load_label_map)
        prepared = prepare(sc.image, cfg)
        out.append(ValidationCase(case.name, enhance_colour(prepared.rgb, prepared.fov, cfg), prepared.fov,
                                  vessel.segment(sc.image).mask(), sc.truth, sc.fov))
    return out


def validate_av(model: AttentionUNet, cases_: list[ValidationCase]) -> dict[str, Any]:
    model.eval()
    scores = []
    per_image = {}
    for c in cases_:
        probs = av_probabilities(_forward(model), c.x, c.fov_small, multiple=model.cfg.size_multiple)
        s = av_scores(label_map(probs, c.vessels), c.truth, c.fov)
        scores.append(s)
        per_image[c.name] = round(s.f1, 4)
    mean = mean_av_scores(scores)
    return {"val_f1": mean.f1, "val_accuracy": mean.accuracy, "val_artery_f1": mean.artery_f1,
            "val_vein_f1": mean.vein_f1, "val_images": per_image}


def train_av(cfg: AVTrainConfig, on_progress: ProgressFn | None = None, should_cancel: CancelFn | None = None) -> Path:
    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    seed_everything(cfg.seed)
    torch.set_num_threads(cfg.threads)
    vessel = load_checkpoint(cfg.init_from)
    pre = vessel.preprocess
    model_cfg = UNetConfig(**{**vessel.model_config.to_dict(), "in_channels": 3, "out_channels": 3})
    aug = AugmentConfig(**cfg.augment)
    all_cases = [c for ds in cfg.datasets for c in cases(ds)]
    val_names = set(cfg.validation)
    train_imgs = [load_av_case(c, pre) for c in all_cases if c.name not in val_names]
    val_cases = prepare_validation([c for c in all_cases if c.name in val_names], pre)
    log.info("A/V: training on %d images, validating on %d", len(train_imgs), len(val_cases))
    model = AttentionUNet(model_cfg)
    widen_from_vessel(vessel, model)
    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(cfg.ema_decay), use_buffers=True)
    evaluated: AttentionUNet = ema.module  # type: ignore[assignment]
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)

    def lr_at(step: int) -> float:
        if step < cfg.warmup_steps:
            return cfg.lr * (step + 1) / cfg.warmup_steps
        t = (step - cfg.warmup_steps) / max(1, cfg.steps - cfg.warmup_steps)
        return float(cfg.lr * 0.5 * (1 + np.cos(np.pi * min(t, 1.0))))  # a numpy scalar would not load safely

    start, best = 0, {"val_f1": float("-inf")}
    state_path = out / "state.pt"
    sampler = AVPatchSampler(train_imgs, pre, aug, cfg.patch_size, cfg.patches_per_draw, cfg.vessel_centred, cfg.seed)
    if cfg.resume and state_path.is_file():
        state = torch.load(state_path, map_location="cpu", weights_only=True)
        model.load_state_dict(state["model"])
        ema.load_state_dict(state["ema"])
        opt.load_state_dict(state["optimizer"])
        start, best = int(state["step"]), dict(state["best"])
        sampler.rng.bit_generator.state = state["sampler_rng"]
        log.info("resumed after step %d", start)
    write_bytes(out / "config.json", json.dumps(asdict(cfg), indent=2).encode("utf-8"))

    def make_ckpt(info: dict[str, Any]) -> Checkpoint:
        return Checkpoint(model_config=model_cfg, preprocess=pre, state_dict=evaluated.state_dict(), threshold=0.5,
                          name=cfg.name, info={"task": "artery-vein", "train_config": json.dumps(asdict(cfg)),
                                               "init_from_sha256": vessel.sha256, **info})

    t0, losses = time.perf_counter(), []
    for step in range(start, cfg.steps):
        if should_cancel is not None and should_cancel():
            raise Cancelled("training was cancelled")
        model.train()
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        xb, yb = sampler.batch(cfg.batch_size)
        logits = model(torch.from_numpy(xb))
        target = torch.from_numpy(yb)
        if bool((target >= 0).any()):
            loss = F.cross_entropy(logits, target, ignore_index=-1)
        else:
            loss = logits.sum() * 0.0
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        ema.update_parameters(model)
        losses.append(float(loss.detach()))
        if on_progress is not None:
            on_progress(Progress((step + 1) / cfg.steps, "train-av", done=step + 1, total=cfg.steps,
                                 values={"loss": losses[-1]}))
        if (step + 1) % cfg.validate_every == 0 or step + 1 == cfg.steps:
            record: dict[str, Any] = {"step": step + 1, "loss": float(np.mean(losses)), "lr": lr_at(step),
                                      "seconds": time.perf_counter() - t0}
            record.update(validate_av(evaluated, val_cases))
            improved = record["val_f1"] > best["val_f1"]
            if improved:
                best = {"val_f1": record["val_f1"], "step": step + 1}
                save_checkpoint(make_ckpt({k: v for k, v in record.items() if k.startswith("val_") or k == "step"}),
                                out / "best.pt")
            save_checkpoint(make_ckpt({"step": step + 1}), out / "last.pt")
            with atomic_path(state_path) as tmp:
                torch.save({"model": model.state_dict(), "ema": ema.state_dict(), "optimizer": opt.state_dict(),
                            "step": step + 1, "best": best, "sampler_rng": sampler.rng.bit_generator.state}, tmp)
            with open(out / "log.jsonl", "a", encoding="utf-8") as fh:
                fh.write(json.dumps({**record, "best": improved}) + "\n")
            log.info("step %d %s", step + 1, json.dumps(record))
            t0, losses = time.perf_counter(), []
    return out / "best.pt"


if __name__ == "__main__":  # python -m fundus_app.train.av [config.json]
    import sys

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    options = json.loads(Path(sys.argv[1]).read_text()) if len(sys.argv) > 1 else {}
    print(train_av(AVTrainConfig.from_dict(options)))
