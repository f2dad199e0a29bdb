"""The training loop: seeded, logged, checkpointed, resumable, CPU or CUDA.

``train(config)`` is a pure core function; the CLI adds a progress bar
through ``on_progress`` and a GUI could stop it through ``should_cancel``.
A recipe with a ``finetune`` table trains in two stages (``TrainConfig.stages``):
the shipped recipe, ``configs/vessel_unet.toml``, does.
"""
from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from fundus_app.atomic import atomic_path, write_bytes
from fundus_app.datasets import Case, cases
from fundus_app.errors import Cancelled, FundusError
from fundus_app.evaluation import select_threshold
from fundus_app.model.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from fundus_app.model.inference import Segmenter
from fundus_app.model.torch_backend import resolve_device
from fundus_app.model.unet import AttentionUNet, RetiredVariantError, UNetConfig
from fundus_app.preprocess import PreprocessConfig
from fundus_app.progress import CancelFn, Progress, ProgressFn, within
from fundus_app.train.data import AugmentConfig, PatchSampler, load_case
from fundus_app.train.losses import dice_focal_loss
from fundus_app.train.recipe import merge_options

log = logging.getLogger(__name__)


#: Where the stages of a two-stage recipe write, inside its ``out_dir``.
STAGE_DIRS = ("stage1", "finetune")


@dataclass
class TrainConfig:
    """Everything that defines a training run; saved into its checkpoints.

    The defaults are the shipped recipe's stage 1 (``configs/vessel_unet.toml``, which a test holds
    equal to them): width 16, 192-px patches, a moving average of the weights, 80 epochs of warm
    restarts. ``finetune`` holds stage 2: the options in which it differs (empty: one stage only).
    """

    out_dir: str = "runs/vessel_unet"
    datasets: tuple[str, ...] = ("drive-train", "stare-train")
    validation: tuple[str, ...] = ("drive_39", "drive_40", "stare_im0139")  # held out for selection
    limit_images: int = 0  # >0: use only the first N training images (smoke tests)
    epochs: int = 80
    steps_per_epoch: int = 200
    batch_size: int = 4
    patch_size: int = 192
    patches_per_draw: int = 2  # patches cut from one augmented image draw
    lr: float = 1e-3
    weight_decay: float = 1e-4
    restart_epochs: int = 5  # CosineAnnealingWarmRestarts T_0
    dice_weight: float = 1.0
    focal_weight: float = 1.0
    focal_gamma: float = 2.0
    # >0: validate and save an exponential moving average of the weights (and BatchNorm statistics),
    # updated after every step; 0.999 averages about the last 1000 steps (one 5-epoch restart cycle)
    ema_decay: float = 0.999
    seed: int = 0
    device: str = "auto"
    threads: int = 2  # the shipped run's (CPU results depend on it); 0: torch's default
    resume: bool = False
    init_from: str = ""  # checkpoint whose weights start the run (the same network): a fine-tune
    name: str = "vessel-attunet-b16d4-p192-ema"
    model: dict[str, Any] = field(default_factory=lambda: {"base_channels": 16, "depth": 4, "attention": True})
    augment: dict[str, Any] = field(default_factory=dict)  # AugmentConfig options; {}: its defaults
    preprocess: dict[str, Any] = field(default_factory=dict)  # PreprocessConfig options; {}: its defaults
    # stage 2: options that differ from the ones above; it starts from stage 1's best.pt (unless it
    # names init_from) and each stage writes to its own folder in out_dir (STAGE_DIRS)
    finetune: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown training option(s): {', '.join(sorted(unknown))}")
        d = dict(d)
        for key in ("datasets", "validation"):
            if key in d:
                d[key] = tuple(d[key])
        stage2 = d.get("finetune") or {}
        if not isinstance(stage2, dict):
            raise ValueError("finetune must be a table of training options")
        unknown = set(stage2) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown training option(s) in finetune: {', '.join(sorted(unknown))}")
        fixed = {"finetune", "out_dir"} & set(stage2)  # a third stage, or a folder outside the run's
        if fixed:
            raise ValueError(f"finetune cannot set {', '.join(sorted(fixed))}")
        return cls(**d)

    def stages(self) -> list[TrainConfig]:
        """The single-stage runs this recipe makes, in order: itself, or stage 1 then its fine-tune.

        Stage 1 is this config without ``finetune``, in ``out_dir/stage1``; stage 2 is stage 1's
        options with ``finetune`` on top (tables such as ``augment`` merged key by key, as a recipe's
        ``base`` is), in ``out_dir/finetune``, started from ``out_dir/stage1/best.pt``.
        """
        if not self.finetune:
            return [self]
        root = Path(self.out_dir)
        first = replace(self, out_dir=str(root / STAGE_DIRS[0]), finetune={})
        second = merge_options({**asdict(first), "init_from": str(root / STAGE_DIRS[0] / "best.pt")}, self.finetune)
        return [first, TrainConfig.from_dict({**second, "out_dir": str(root / STAGE_DIRS[1])})]


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def validate(
    model: AttentionUNet, validation: list[Case], pre: PreprocessConfig, device: torch.device
) -> dict[str, Any]:
    """Score the current weights as the benchmarks do, through ``evaluation.select_threshold``.

    Each validation image is segmented by the product's ``Segmenter`` (scale normalisation, tiling,
    resampling back) and scored at its own resolution inside its scoring FOV; ``val_f1`` is the mean
    per-image F1 at the threshold that maximises it, ``val_auc`` the mean per-image AUC. So the epoch
    a run keeps, and the threshold saved with it, are chosen by the figure the targets report.
    """
    ckpt = Checkpoint(model_config=model.cfg, preprocess=pre, state_dict=model.state_dict())
    result = select_threshold(Segmenter.from_checkpoint(ckpt, device=str(device)), validation)
    return {"val_f1": result["mean_f1"], "val_threshold": result["threshold"], "val_auc": result["mean_auc"],
            "val_images": result["images"]}


def train(cfg: TrainConfig, on_progress: ProgressFn | None = None, should_cancel: CancelFn | None = None) -> Path:
    """Train a recipe, each of its stages in turn; returns the last stage's best checkpoint.

    One stage: ``best.pt`` in ``out_dir``. With ``finetune``: ``out_dir/finetune/best.pt``, after
    ``out_dir/stage1/``. ``resume`` continues each stage from its own ``state.pt`` (a finished stage
    does no further steps). Progress reports ``stage`` "train" for stage 1, "finetune" for stage 2,
    with ``done``/``total`` counting that stage's steps and ``fraction`` the whole recipe's.
    """
    stages = cfg.stages()
    for stage in stages:  # refuse a bad stage 2 before stage 1's hours, not after
        _check_options(stage)
    steps = [s.epochs * s.steps_per_epoch for s in stages]
    best = Path(cfg.out_dir) / "best.pt"
    for i, (stage, label) in enumerate(zip(stages, ("train", "finetune"), strict=False)):  # one stage, or two
        report = None
        if on_progress is not None:
            done_before = sum(steps[:i])
            report = within(_relabelled(on_progress, label), done_before / max(sum(steps), 1),
                            (done_before + steps[i]) / max(sum(steps), 1))
        best = _train_stage(stage, report, should_cancel)
    return best


def _relabelled(on_progress: ProgressFn, stage: str) -> ProgressFn:
    def report(progress: Progress) -> None:
        on_progress(replace(progress, stage=stage))

    return report


def _model_config(cfg: TrainConfig) -> UNetConfig:
    try:
        return UNetConfig.from_dict(cfg.model)
    except RetiredVariantError as exc:
        raise FundusError(f"The training recipe's [model] table cannot be built: {exc}.") from None


def _check_options(cfg: TrainConfig) -> None:
    """What can be refused without loading an image or a checkpoint (one sentence each)."""
    _model_config(cfg)
    names = {c.name for ds in cfg.datasets for c in cases(ds)}
    stray = sorted(set(cfg.validation) - names)
    if stray:  # a misspelt or foreign name would otherwise shrink the validation set without a word
        raise FundusError(f"Validation image(s) {', '.join(stray)} are not in the training datasets "
                          f"{', '.join(cfg.datasets)}.")
    if not 0 <= cfg.ema_decay < 1:
        raise FundusError(f"ema_decay must be 0 (off) or between 0 and 1 (got {cfg.ema_decay}).")


def _train_stage(
    cfg: TrainConfig, on_progress: ProgressFn | None = None, should_cancel: CancelFn | None = None
) -> Path:
    """Train one stage (``train`` has checked its options); returns its ``best.pt`` in ``out_dir``."""
    out = Path(cfg.out_dir)
    state_path = out / "state.pt"
    if cfg.resume and state_path.is_file() and (out / "best.pt").is_file():
        # a finished stage (a two-stage recipe resumed in its fine-tune) is not set up again for nothing
        done = int(torch.load(state_path, map_location="cpu", weights_only=True)["epoch"])
        if done >= cfg.epochs:
            log.info("%s: finished (%d of %d epochs)", out, done, cfg.epochs)
            return out / "best.pt"
    out.mkdir(parents=True, exist_ok=True)
    seed_everything(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    device = resolve_device(cfg.device)
    pre = PreprocessConfig.from_dict(cfg.preprocess)
    aug = AugmentConfig(**cfg.augment)
    model_cfg = _model_config(cfg)
    all_cases = [c for ds in cfg.datasets for c in cases(ds)]
    start = load_checkpoint(cfg.init_from) if cfg.init_from else None
    if start is not None and start.model_config != model_cfg:  # before minutes of image loading
        raise FundusError(f"{Path(cfg.init_from).name} is a different network ({start.model_config}) "
                          f"than this run's ({model_cfg}).")
    if cfg.limit_images:
        all_cases = all_cases[:cfg.limit_images]
    val_names = set(cfg.validation)
    train_imgs = [load_case(c, pre) for c in all_cases if c.name not in val_names]
    val_cases = [c for c in all_cases if c.name in val_names]
    log.info("training on %d images, validating on %d", len(train_imgs), len(val_cases))

    # with init_from, these are the starting weights; a resumed run's state (below) overrides them
    model = AttentionUNet(model_cfg).to(device)
    if start is not None:
        model.load_state_dict(start.state_dict)
        log.info("weights from %s (SHA-256 %s)", cfg.init_from, start.sha256[:12])
    ema = None
    if cfg.ema_decay > 0:
        ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(cfg.ema_decay), use_buffers=True)
    # the weights that are validated and saved: the network itself, or its moving average
    evaluated: AttentionUNet = model if ema is None else ema.module  # type: ignore[assignment]
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=cfg.restart_epochs)
    start_epoch, best = 0, {"val_f1": float("-inf"), "val_threshold": 0.5}  # without validation: -loss, below -1
    sampler_state: dict[str, Any] | None = None
    if cfg.resume and state_path.is_file():
        state = torch.load(state_path, map_location="cpu", weights_only=True)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        # the saved best.pt holds averaged weights or raw ones; a resume must keep to the same kind
        if ema is not None and "ema" not in state:
            raise FundusError(f"{state_path} was saved without weight averaging; resume it with ema_decay = 0.")
        if ema is None and "ema" in state:
            raise FundusError(f"{state_path} was saved with weight averaging; resume it with the same ema_decay.")
        if ema is not None:
            ema.load_state_dict(state["ema"])
        start_epoch, best = int(state["epoch"]), dict(state["best"])
        sampler_state = state.get("sampler_rng")  # absent in runs saved before it was recorded
        log.info("resumed after epoch %d", start_epoch)
    sampler = PatchSampler(train_imgs, pre, aug, cfg.patch_size, cfg.patches_per_draw, seed=cfg.seed + start_epoch)
    if sampler_state is not None:
        # continue the patch stream where it stopped: a resumed run then equals an uninterrupted one
        sampler.rng.bit_generator.state = sampler_state
    write_bytes(out / "config.json", json.dumps(asdict(cfg), indent=2).encode("utf-8"))

    def make_ckpt(threshold: float, info: dict[str, Any]) -> Checkpoint:
        return Checkpoint(
            model_config=model_cfg,
            preprocess=pre,
            state_dict=evaluated.state_dict(),
            threshold=threshold,
            name=cfg.name,
            info={"train_config": json.dumps(asdict(cfg)), **info},
        )

    model.train()
    for epoch in range(start_epoch, cfg.epochs):
        t0, losses = time.perf_counter(), []
        for step in range(cfg.steps_per_epoch):
            if should_cancel is not None and should_cancel():
                raise Cancelled("training was cancelled")
            x, y, v = (torch.from_numpy(a).to(device) for a in sampler.batch(cfg.batch_size))
            loss = dice_focal_loss(model(x), y, v, dice_weight=cfg.dice_weight, focal_weight=cfg.focal_weight,
                                   gamma=cfg.focal_gamma)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if ema is not None:
                ema.update_parameters(model)
            sched.step(epoch + (step + 1) / cfg.steps_per_epoch)
            losses.append(float(loss.detach()))
            if on_progress is not None:
                done, total = epoch * cfg.steps_per_epoch + step + 1, cfg.epochs * cfg.steps_per_epoch
                on_progress(Progress(done / total, "train", done=done, total=total,
                                     values={"epoch": epoch + 1, "loss": losses[-1], "lr": opt.param_groups[0]["lr"]}))
        record: dict[str, Any] = {"epoch": epoch + 1, "loss": float(np.mean(losses)),
                                  "lr": opt.param_groups[0]["lr"], "seconds": time.perf_counter() - t0}
        if val_cases:
            record.update(validate(evaluated, val_cases, pre, device))
        else:
            record.update({"val_f1": -float(np.mean(losses)), "val_threshold": 0.5})
        improved = record["val_f1"] > best["val_f1"]
        if improved:
            best = {"val_f1": record["val_f1"], "val_threshold": record["val_threshold"], "epoch": epoch + 1}
            save_checkpoint(
                make_ckpt(
                    record["val_threshold"],
                    {"epoch": epoch + 1, **{k: v for k, v in record.items() if k.startswith("val_")}},
                ),
                out / "best.pt",
            )
        save_checkpoint(make_ckpt(record["val_threshold"], {"epoch": epoch + 1}), out / "last.pt")
        with atomic_path(state_path) as tmp:
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
                        "epoch": epoch + 1, "best": best, "sampler_rng": sampler.rng.bit_generator.state,
                        **({"ema": ema.state_dict()} if ema is not None else {})}, tmp)
        with open(out / "log.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps({**record, "best": improved}) + "\n")
        log.info("epoch %d %s", epoch + 1, json.dumps(record))
    return out / "best.pt"
