"""A real (tiny) training run end to end, and the augmentation it uses."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from fundus_app import load_image
from fundus_app.datasets import cases_named
from fundus_app.evaluation import select_threshold
from fundus_app.model.checkpoint import load_checkpoint
from fundus_app.model.inference import Segmenter
from fundus_app.preprocess import PreprocessConfig
from fundus_app.progress import Progress
from fundus_app.train.data import AugmentConfig, PatchSampler, degrade_camera, jitter_hsv, load_case
from fundus_app.train.loop import TrainConfig, train

pytestmark = pytest.mark.slow  # every test here trains a network for a step or two


def test_two_step_training_run_on_two_images(data: Path, tmp_path: Path) -> None:
    cfg = TrainConfig(out_dir=str(tmp_path / "run"), limit_images=2, validation=("drive_22",), epochs=1,
                      steps_per_epoch=2, batch_size=2, patch_size=64, patches_per_draw=2,
                      model={"base_channels": 4, "depth": 3, "attention": True})
    progress: list[Progress] = []
    best = train(cfg, on_progress=progress.append)
    assert [p.done for p in progress] == [1, 2] and progress[-1].fraction == 1.0
    assert all(np.isfinite(p.values["loss"]) for p in progress)
    log = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert len(log) == 1 and 0 <= log[0]["val_f1"] <= 1
    ckpt = load_checkpoint(best)
    assert ckpt.model_config.base_channels == 4 and ckpt.info["epoch"] == 1
    # the epoch and its threshold are chosen by what the benchmarks report: mean per-image F1 of the
    # written mask at the image's own resolution, the criterion of evaluation.select_threshold
    again = select_threshold(Segmenter.from_checkpoint(ckpt, device="cpu"), cases_named(["drive_22"], ["drive-train"]))
    assert ckpt.threshold == again["threshold"] == log[0]["val_threshold"]
    assert ckpt.info["val_f1"] == pytest.approx(again["mean_f1"], abs=1e-9) and set(log[0]["val_images"]) == {
        "drive_22"
    }
    # the checkpoint works in the product's inference path
    image = load_image(data / "DRIVE" / "test" / "images" / "01_test.tif")
    seg = Segmenter.from_checkpoint(ckpt, device="cpu").segment(image)
    assert seg.probability.shape == image.shape and not seg.probability[~image.fov].any()
    # resuming a finished run does no further steps
    progress.clear()
    train(TrainConfig(**{**cfg.__dict__, "resume": True}), on_progress=progress.append)
    assert progress == []


def test_fine_tuning_starts_from_the_given_weights(data: Path, tmp_path: Path) -> None:
    import torch

    from fundus_app import FundusError
    from fundus_app.model.checkpoint import bundled_path

    bundled = load_checkpoint(bundled_path())
    cfg = TrainConfig(out_dir=str(tmp_path / "ft"), limit_images=3, validation=("drive_22",), epochs=1,
                      steps_per_epoch=1, batch_size=2, patch_size=64, patches_per_draw=2, lr=0.0,
                      init_from=str(bundled_path()), model=bundled.model_config.to_dict())
    tuned = load_checkpoint(train(cfg))
    # lr 0: the convolutions are still the bundled ones (BatchNorm statistics move with any forward pass)
    convs = [k for k, v in bundled.state_dict.items() if v.ndim == 4]
    assert convs and all(torch.equal(tuned.state_dict[k], bundled.state_dict[k]) for k in convs)
    fresh = load_checkpoint(train(TrainConfig(**{**cfg.__dict__, "init_from": "", "out_dir": str(tmp_path / "new")})))
    assert not torch.equal(fresh.state_dict[convs[0]], bundled.state_dict[convs[0]])
    other = TrainConfig(**{**cfg.__dict__, "out_dir": str(tmp_path / "x"), "model": {"base_channels": 4}})
    with pytest.raises(FundusError, match="different network"):
        train(other)


def test_interrupted_and_resumed_run_equals_an_uninterrupted_one(data: Path, tmp_path: Path) -> None:
    import torch

    base = dict(limit_images=2, validation=("drive_22",), steps_per_epoch=2, batch_size=2, patch_size=64,
                patches_per_draw=2, model={"base_channels": 4, "depth": 3, "attention": True})
    train(TrainConfig(out_dir=str(tmp_path / "whole"), epochs=2, **base))
    train(TrainConfig(out_dir=str(tmp_path / "split"), epochs=1, **base))  # "killed" after epoch 1
    train(TrainConfig(out_dir=str(tmp_path / "split"), epochs=2, resume=True, **base))
    whole = load_checkpoint(tmp_path / "whole" / "last.pt").state_dict
    split = load_checkpoint(tmp_path / "split" / "last.pt").state_dict
    assert whole.keys() == split.keys()
    assert all(torch.equal(whole[k], split[k]) for k in whole)  # same patches, same steps, same weights
    state = torch.load(tmp_path / "split" / "state.pt", map_location="cpu", weights_only=True)
    assert state["epoch"] == 2 and "sampler_rng" in state
    assert not list((tmp_path / "split").glob("*.part*"))


def test_weight_averaging_saves_the_moving_average_and_resumes_it(data: Path, tmp_path: Path) -> None:
    import torch

    base = dict(limit_images=2, validation=("drive_22",), steps_per_epoch=3, batch_size=2, patch_size=64,
                patches_per_draw=2, lr=1e-2, model={"base_channels": 4, "depth": 3, "attention": True})
    plain = train(TrainConfig(out_dir=str(tmp_path / "plain"), epochs=1, ema_decay=0.0, **base))
    first_step = load_checkpoint(train(TrainConfig(out_dir=str(tmp_path / "one"), epochs=1, ema_decay=0.0,
                                                   **{**base, "steps_per_epoch": 1}))).state_dict
    # decay close to 1: the average stays at the first step's weights while training moves on
    slow = train(TrainConfig(out_dir=str(tmp_path / "slow"), epochs=1, ema_decay=0.999999, **base))
    state = torch.load(tmp_path / "slow" / "state.pt", map_location="cpu", weights_only=True)
    trained = state["model"]
    assert all(torch.equal(trained[k], v) for k, v in load_checkpoint(plain).state_dict.items())  # same run
    averaged = load_checkpoint(slow).state_dict
    assert averaged.keys() == trained.keys()
    assert all(torch.equal(averaged[k], state["ema"]["module." + k]) for k in averaged)
    assert int(state["ema"]["n_averaged"]) == 3
    convs = [k for k, v in trained.items() if v.ndim == 4]
    for k in convs:
        assert torch.allclose(averaged[k], first_step[k], atol=1e-5)
    assert max(float((trained[k] - first_step[k]).abs().max()) for k in convs) > 1e-3
    whole = TrainConfig(out_dir=str(tmp_path / "whole"), epochs=2, ema_decay=0.5, **base)
    train(whole)
    train(TrainConfig(**{**whole.__dict__, "out_dir": str(tmp_path / "split"), "epochs": 1}))
    train(TrainConfig(**{**whole.__dict__, "out_dir": str(tmp_path / "split"), "resume": True}))
    a = load_checkpoint(tmp_path / "whole" / "last.pt").state_dict
    b = load_checkpoint(tmp_path / "split" / "last.pt").state_dict
    assert all(torch.equal(a[k], b[k]) for k in a)  # the average is carried across a resume
    # a run saved without the average cannot silently restart it
    from fundus_app.errors import FundusError
    with pytest.raises(FundusError, match="ema_decay"):
        train(TrainConfig(**{**base, "out_dir": str(tmp_path / "plain"), "epochs": 2, "resume": True,
                             "ema_decay": 0.9}))
    with pytest.raises(FundusError, match="same ema_decay"):  # nor an averaged run continue without it
        train(TrainConfig(**{**whole.__dict__, "out_dir": str(tmp_path / "split"), "epochs": 3, "resume": True,
                             "ema_decay": 0.0}))
    assert torch.equal(load_checkpoint(tmp_path / "split" / "last.pt").state_dict[convs[0]], b[convs[0]])
    with pytest.raises(FundusError, match="ema_decay"):  # an average that never moves
        train(TrainConfig(**{**base, "out_dir": str(tmp_path / "frozen"), "epochs": 1, "ema_decay": 1.0}))
    assert not (tmp_path / "frozen" / "state.pt").exists()


def test_a_recipe_asking_for_a_rejected_variant_is_refused_by_name(tmp_path: Path) -> None:
    from fundus_app.errors import FundusError

    for option, value in (("encoder", "resnet34"), ("drop_block", 0.1), ("refine_passes", 1)):
        with pytest.raises(FundusError, match=f"{option} = "):
            train(TrainConfig(out_dir=str(tmp_path / option), model={"base_channels": 4, option: value}))
        assert not (tmp_path / option / "state.pt").exists()


def test_validation_names_outside_the_training_datasets_are_refused(data: Path, tmp_path: Path) -> None:
    from fundus_app.errors import FundusError

    cfg = TrainConfig(out_dir=str(tmp_path / "run"), datasets=("drive-train",),
                      validation=("drive_39", "stare_im0139"), epochs=1, steps_per_epoch=1)
    with pytest.raises(FundusError, match="stare_im0139"):
        train(cfg)
    assert not (tmp_path / "run" / "state.pt").exists()


CONFIGS = Path(__file__).resolve().parents[3] / "configs"


@pytest.mark.parametrize("recipe", sorted(CONFIGS.glob("*.toml")), ids=lambda p: p.name)
def test_shipped_recipes_are_valid(recipe: Path, data: Path) -> None:
    from fundus_app.datasets import cases
    from fundus_app.model.unet import UNetConfig
    from fundus_app.train.av import AVTrainConfig
    from fundus_app.train.recipe import read_recipe

    options = read_recipe(recipe)
    if options.pop("task", "vessels") == "artery-vein":
        av = AVTrainConfig.from_dict(options)
        names = {c.name for ds in av.datasets for c in cases(ds)}
        assert av.validation and set(av.validation) <= names and len(names) - len(av.validation) >= 10
        AugmentConfig(**av.augment)
        return
    for cfg in TrainConfig.from_dict(options).stages():
        names = {c.name for ds in cfg.datasets for c in cases(ds)}
        assert cfg.validation and set(cfg.validation) <= names  # validation held out of these datasets
        assert len(names) - len(cfg.validation) >= 10
        assert set(cfg.model) <= set(UNetConfig.__dataclass_fields__)  # a misspelt option would be ignored
        UNetConfig.from_dict(cfg.model)
        AugmentConfig(**cfg.augment), PreprocessConfig.from_dict(cfg.preprocess)


def test_the_shipped_recipe_is_the_bundled_checkpoints_recipe() -> None:
    # the card's exact training command must describe the shipped weights: every option the
    # checkpoint recorded equals the recipe's stage 2 (configs/vessel_unet.toml's [finetune] on its
    # stage 1), whose init_from is stage 1's output. out_dir names the folder, resume says the run
    # was continued (no change to the weights: the resume tests above), and init_from names where
    # the starting weights were read (the shipped run read them as then bundled)
    import dataclasses
    import json

    from fundus_app.model.checkpoint import bundled_path, load_checkpoint
    from fundus_app.train.recipe import read_recipe

    stage1, stage2 = TrainConfig.from_dict(read_recipe(CONFIGS / "vessel_unet.toml")).stages()
    assert Path(stage2.init_from) == Path(stage1.out_dir) / "best.pt"
    assert Path(stage1.out_dir).parent == Path(stage2.out_dir).parent  # both stages inside one out_dir
    expected = dataclasses.asdict(stage2)
    recorded = json.loads(load_checkpoint(bundled_path()).info["train_config"])
    for run_control in ("out_dir", "resume", "init_from"):
        expected.pop(run_control), recorded.pop(run_control)
    # an option removed since (the clDice and distillation losses) must have been off in the recorded run
    removed = {"cldice_weight": 0.0, "cldice_iterations": 5, "distill_from": "", "distill_weight": 0.0}
    for gone in set(recorded) - set(expected):
        assert recorded.pop(gone) == removed[gone], gone
    # an option added after the checkpoint was trained must be at its default: it did not exist then
    defaults = dataclasses.asdict(TrainConfig())
    for later in set(expected) - set(recorded):
        assert expected.pop(later) == defaults[later], later
    assert recorded == json.loads(json.dumps(expected))  # tuples as JSON lists, like the record
    # stage 2 changes only the schedule, the seed, the name and the camera degradations of stage 1
    first = dataclasses.asdict(stage1)
    changed = {k for k, v in dataclasses.asdict(stage2).items() if first[k] != v}
    assert changed == {"out_dir", "init_from", "epochs", "restart_epochs", "lr", "seed", "name", "augment"}


def test_a_two_stage_recipe_fine_tunes_stage_1s_best_checkpoint_each_in_its_folder(data: Path, tmp_path: Path) -> None:
    import torch

    tiny = dict(limit_images=2, validation=("drive_22",), epochs=1, steps_per_epoch=2, batch_size=2, patch_size=64,
                patches_per_draw=2, model={"base_channels": 4, "depth": 3, "attention": True})
    cfg = TrainConfig(out_dir=str(tmp_path / "run"), **tiny,
                      finetune={"lr": 0.0, "seed": 1, "name": "tiny-ft", "augment": {"noise_std": 4.0}})
    progress: list[Progress] = []
    best = train(cfg, on_progress=progress.append)
    assert best == tmp_path / "run" / "finetune" / "best.pt"
    assert [(p.stage, p.done, p.total) for p in progress] == [("train", 1, 2), ("train", 2, 2),
                                                               ("finetune", 1, 2), ("finetune", 2, 2)]
    assert [p.fraction for p in progress] == [0.25, 0.5, 0.75, 1.0]  # of the whole recipe
    first, second = load_checkpoint(tmp_path / "run" / "stage1" / "best.pt"), load_checkpoint(best)
    recorded = json.loads(second.info["train_config"])
    assert recorded["init_from"] == str(tmp_path / "run" / "stage1" / "best.pt") and recorded["finetune"] == {}
    assert recorded["augment"] == {"noise_std": 4.0} and (second.name, first.name) == ("tiny-ft", cfg.name)
    # lr 0: stage 2's convolutions are stage 1's best weights
    convs = [k for k, v in first.state_dict.items() if v.ndim == 4]
    assert convs and all(torch.equal(second.state_dict[k], first.state_dict[k]) for k in convs)
    # resuming the finished recipe does no further step in either stage
    progress.clear()
    assert train(TrainConfig(**{**cfg.__dict__, "resume": True}), on_progress=progress.append) == best
    assert progress == []


def test_train_command_runs_both_stages_with_its_flags_in_each(data: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    from fundus_app.cli import main

    recipe = tmp_path / "two.toml"
    recipe.write_text(f'out_dir = "{(tmp_path / "run").as_posix()}"\ndatasets = ["drive-train"]\n'
                      'validation = ["drive_22"]\nlimit_images = 2\nbatch_size = 2\npatch_size = 64\n'
                      '[model]\nbase_channels = 4\ndepth = 3\n[finetune]\nepochs = 3\nlr = 1e-4\n')
    assert main(["train", "--config", str(recipe), "--epochs", "1", "--steps-per-epoch", "1", "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "run" / "finetune" / "best.pt")
    for stage in ("stage1", "finetune"):  # --epochs 1 overrides the fine-tune's own 3 epochs too
        log = (tmp_path / "run" / stage / "log.jsonl").read_text().splitlines()
        assert len(log) == 1, stage
    stage2 = json.loads((tmp_path / "run" / "finetune" / "config.json").read_text())
    assert (stage2["epochs"], stage2["lr"], stage2["steps_per_epoch"]) == (1, 1e-4, 1)


def test_a_run_without_validation_images_keeps_a_best_checkpoint_in_both_stages(data: Path, tmp_path: Path) -> None:
    # without validation the epochs are ranked by -loss, which is below -1 early on (Dice + focal > 1):
    # stage 2 must still find stage 1's best.pt (`fundus-app train --no-validation` or a smoke run)
    cfg = TrainConfig(out_dir=str(tmp_path / "run"), limit_images=2, validation=(), epochs=1, steps_per_epoch=1,
                      batch_size=2, patch_size=64, patches_per_draw=2, model={"base_channels": 4, "depth": 3},
                      finetune={"seed": 1})
    assert train(cfg) == tmp_path / "run" / "finetune" / "best.pt"
    assert (tmp_path / "run" / "stage1" / "best.pt").is_file() and (tmp_path / "run" / "finetune" / "best.pt").is_file()


def test_recipe_options_that_cannot_work_in_stage_2_are_refused_before_stage_1(tmp_path: Path) -> None:
    from fundus_app.errors import FundusError

    with pytest.raises(ValueError, match="finetune cannot set out_dir"):
        TrainConfig.from_dict({"finetune": {"out_dir": "elsewhere"}})
    with pytest.raises(ValueError, match="unknown training option.*in finetune: epoch"):
        TrainConfig.from_dict({"finetune": {"epoch": 3}})
    cfg = TrainConfig(out_dir=str(tmp_path / "run"), finetune={"model": {"refine_passes": 1}})
    with pytest.raises(FundusError, match="refine_passes"):
        train(cfg)
    assert not (tmp_path / "run").exists()  # refused before stage 1 started


def test_patch_sampler_keeps_labels_aligned_with_images(data: Path) -> None:
    from fundus_app.datasets import cases

    img = load_case(cases("drive-train")[0], PreprocessConfig())
    sampler = PatchSampler([img], PreprocessConfig(), AugmentConfig(), 64, 4, seed=0)
    x, y, v = sampler.batch(8)
    assert x.shape == y.shape == v.shape == (8, 1, 64, 64)
    assert set(np.unique(y)) <= {0.0, 1.0} and not (y > v).any()  # labels only inside the FOV
    # vessels are dark in the enhanced green channel: the warp moved labels with the pixels
    assert x[(y > 0)].mean() < x[(y == 0) & (v > 0)].mean() - 0.5


def test_hsv_jitter_changes_colour_within_bounds() -> None:
    rng = np.random.default_rng(0)
    rgb = np.full((8, 8, 3), (180, 90, 40), np.uint8)
    out = jitter_hsv(rgb, rng, 0.1)
    assert out.shape == rgb.shape and not np.array_equal(out, rgb)
    assert np.abs(out.astype(int) - rgb).max() < 80


def test_camera_degradation_off_by_default_draws_nothing() -> None:
    rng, untouched = np.random.default_rng(3), np.random.default_rng(3)
    rgb = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    assert degrade_camera(rgb, rng, AugmentConfig()) is rgb
    assert rng.random() == untouched.random()  # the bundled recipe's patch stream is unchanged


def test_camera_degradation_blurs_sharpens_and_shifts_exposure() -> None:
    # a vessel-like dark bar on a smooth background
    rgb = np.full((64, 64, 3), 140, np.uint8)
    rgb[:, 30:33] = 60

    def sharpness(im: np.ndarray) -> float:
        return float(cv2.Laplacian(im[..., 1].astype(np.float32), cv2.CV_32F).var())

    rng = np.random.default_rng(0)
    blur_only = AugmentConfig(blur_sigma=2.0)
    seen = [sharpness(degrade_camera(rgb, rng, blur_only)) / sharpness(rgb) for _ in range(30)]
    assert min(seen) < 0.5 and max(seen) > 1.5 and any(r == 1.0 for r in seen)  # blurred, sharpened, as taken
    means = [degrade_camera(rgb, rng, AugmentConfig(gamma_jitter=0.4)).mean() for _ in range(30)]
    assert min(means) < rgb.mean() - 5 and max(means) > rgb.mean() + 5
    noisy = degrade_camera(rgb, np.random.default_rng(1), AugmentConfig(noise_std=8.0))
    assert noisy[:, :20].std() > 0.5 and abs(float(noisy.mean()) - float(rgb.mean())) < 2
    jpeg = [degrade_camera(rgb, rng, AugmentConfig(jpeg_quality_min=20)) for _ in range(10)]
    assert all(j.shape == rgb.shape and j.dtype == np.uint8 for j in jpeg)
    assert any(not np.array_equal(j, rgb) for j in jpeg) and any(np.array_equal(j, rgb) for j in jpeg)
