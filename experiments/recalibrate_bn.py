"""Re-estimate a checkpoint's BatchNorm statistics on clean training pixels (issue 3).

    python -m experiments.recalibrate_bn SRC.pt DST.pt [--source images|patches] [--batches 300] [--with-camera-effects]

Stage 2 of the bundled model (configs/vessel_unet.toml's [finetune] table) trained on draws with sensor noise of
up to 8 grey levels and JPEG re-encoding, and its weight average carries BatchNorm running statistics
of those degraded patches into inference on clean photographs: a train/test shift of the activations'
mean and variance (Ioffe & Szegedy, ICML 2015; the same reason SWA re-estimates them, Izmailov et al.,
UAI 2018). This keeps every weight and replaces the running mean and variance of every BatchNorm layer
by their average over the training images of the checkpoint's own run (never validation or test
images): ``images`` forwards each whole image at the product's working scale, once and flipped, as
``segment`` sees it; ``patches`` forwards ``--batches`` batches of the run's own patch sampler with
its geometric and colour augmentation (and, with ``--with-camera-effects``, its camera degradations).
The threshold is then re-selected on the validation images (``select_threshold``) and the result
printed with the source's, both at the checkpoint's own working-scale rule.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np
import torch

from fundus_app.evaluation import select_threshold
from fundus_app.model.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from fundus_app.model.inference import Segmenter
from fundus_app.preprocess import enhance
from fundus_app.train.data import AugmentConfig, PatchSampler, TrainImage, load_case
from fundus_app.train.recipe import checkpoint_splits


def whole_image_inputs(images: list[TrainImage], ckpt: Checkpoint):
    """Each training image as the network sees it in ``segment`` (padded to the network's stride), and flipped."""
    multiple = 2 ** ckpt.model_config.depth
    for img in images:
        x = enhance(img.rgb, img.fov, ckpt.preprocess)
        h, w = x.shape
        x = np.pad(x, ((0, -h % multiple), (0, -w % multiple)), mode="reflect")
        for view in (x, x[:, ::-1], x[::-1, :]):
            yield torch.from_numpy(np.ascontiguousarray(view))[None, None]


def patch_inputs(images: list[TrainImage], ckpt: Checkpoint, train_config: dict, batches: int, camera: bool):
    """Batches of the run's own patch sampler (its augmentation; camera effects only if ``camera``)."""
    augment = AugmentConfig(**train_config.get("augment", {}))
    if not camera:
        augment = dataclasses.replace(augment, blur_sigma=0.0, gamma_jitter=0.0, noise_std=0.0, jpeg_quality_min=0)
    sampler = PatchSampler(images, ckpt.preprocess, augment, train_config["patch_size"],
                           train_config["patches_per_draw"], seed=0)
    for _ in range(batches):
        x, _, _ = sampler.batch(train_config["batch_size"])
        yield torch.from_numpy(x)


def recalibrated(ckpt: Checkpoint, inputs) -> Checkpoint:
    """``ckpt`` with every BatchNorm layer's running statistics the cumulative average over ``inputs``."""
    model = ckpt.build_model()
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not norms:
        raise ValueError("the network has no BatchNorm layer to recalibrate")
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average: every input weighs the same
    model.train()
    with torch.no_grad():
        for x in inputs:
            model(x)
    model.eval()
    return dataclasses.replace(ckpt, state_dict={k: v.detach().clone() for k, v in model.state_dict().items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path)
    parser.add_argument("dst", type=Path)
    parser.add_argument("--source", choices=["images", "patches"], default="images")
    parser.add_argument("--batches", type=int, default=300, help="with --source patches: how many batches")
    parser.add_argument("--with-camera-effects", action="store_true", help="patches keep the run's camera degradations")
    args = parser.parse_args()
    torch.manual_seed(0)
    ckpt = load_checkpoint(args.src)
    training_cases, validation = checkpoint_splits(ckpt)
    training = [load_case(c, ckpt.preprocess) for c in training_cases]
    inputs = (whole_image_inputs(training, ckpt) if args.source == "images"
              else patch_inputs(training, ckpt, json.loads(ckpt.info["train_config"]), args.batches,
                                args.with_camera_effects))
    new = recalibrated(ckpt, inputs)
    results = {label: select_threshold(Segmenter.from_checkpoint(c, device="cpu"), validation)
               for label, c in (("source", ckpt), ("recalibrated", new))}
    for label, result in results.items():
        print(f"{label}: validation mean F1 {result['mean_f1']:.4f} at {result['threshold']:.2f}, "
              f"AUC {result['mean_auc']:.4f}", flush=True)
    result = results["recalibrated"]
    new.threshold = result["threshold"]
    new.info = {**new.info, "threshold_selection": json.dumps(result),
                "batchnorm_recalibrated": json.dumps({"source": args.source, "batches": args.batches,
                                                      "camera_effects": args.with_camera_effects})}
    save_checkpoint(new, args.dst)
    print(f"wrote {args.dst}")


if __name__ == "__main__":
    main()
