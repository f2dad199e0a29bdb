"""Network architecture, loss, checkpoints (safe loading, SHA-256) and tiled inference."""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from fundus_app import ModelError
from fundus_app.model.checkpoint import Checkpoint, load_checkpoint, save_checkpoint, sha256_of
from fundus_app.model.tiling import predict_probability, sigmoid, tile_layout
from fundus_app.model.unet import AttentionGate, AttentionUNet, DecoderStage, UNetConfig, upsample_to
from fundus_app.preprocess import PreprocessConfig
from fundus_app.train.losses import dice_focal_loss


@pytest.mark.parametrize(
    "cfg", [UNetConfig(base_channels=4, depth=3), UNetConfig(base_channels=4, depth=4, attention=False)]
)
def test_unet_keeps_spatial_size(cfg: UNetConfig) -> None:
    model = AttentionUNet(cfg).eval()
    m = cfg.size_multiple
    with torch.no_grad():
        out = model(torch.randn(2, 1, 2 * m, 3 * m))
    assert out.shape == (2, 1, 2 * m, 3 * m)


def test_attention_gate_coefficients_are_a_spatial_map_in_0_1() -> None:
    gate = AttentionGate(x_channels=8, g_channels=16)
    x, g = torch.randn(1, 8, 32, 32), torch.randn(1, 16, 16, 16)
    gate.eval()
    with torch.no_grad():
        alpha = gate.attention(x, g)
        assert alpha.shape == (1, 1, 32, 32)
        assert float(alpha.min()) >= 0 and float(alpha.max()) <= 1
        assert float(alpha.std()) > 0  # depends on position, not a constant
        assert torch.allclose(gate(x, g), gate.out(x * alpha))  # the gate scales the skip features


def test_loss_is_low_for_right_and_high_for_wrong_and_ignores_outside() -> None:
    target = (torch.rand(1, 1, 16, 16) > 0.7).float()
    valid = torch.ones_like(target)
    good = dice_focal_loss((target * 2 - 1) * 8, target, valid)
    bad = dice_focal_loss((1 - 2 * target) * 8, target, valid)
    assert float(good) < 0.01 < 1.0 < float(bad)
    # what happens outside the valid region does not matter
    valid[..., :8] = 0
    noisy = (target * 2 - 1) * 8
    noisy[..., :8] = -noisy[..., :8]
    assert float(dice_focal_loss(noisy, target, valid)) < 0.01


def test_focal_with_gamma_0_is_bce() -> None:
    logits, target = torch.randn(1, 1, 8, 8), (torch.rand(1, 1, 8, 8) > 0.5).float()
    focal_only = dice_focal_loss(logits, target, torch.ones_like(target), dice_weight=0, gamma=0)
    bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, target)
    assert float(focal_only) == pytest.approx(float(bce), rel=1e-5)


def _ckpt() -> Checkpoint:
    cfg = UNetConfig(base_channels=4, depth=2)
    return Checkpoint(cfg, PreprocessConfig(), AttentionUNet(cfg).state_dict(), threshold=0.42, name="tiny")


def test_checkpoint_round_trip(tmp_path: Path) -> None:
    save_checkpoint(_ckpt(), tmp_path / "m.pt")
    loaded = load_checkpoint(tmp_path / "m.pt")
    assert loaded.threshold == 0.42 and loaded.model_config.depth == 2 and loaded.name == "tiny"
    assert loaded.sha256 == sha256_of(tmp_path / "m.pt")


def test_tampered_truncated_and_foreign_checkpoints_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.pt"
    save_checkpoint(_ckpt(), path)
    good = sha256_of(path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="SHA-256"):
        load_checkpoint(path, expected_sha256=good)
    path.write_bytes(bytes(data[: len(data) // 3]))
    with pytest.raises(ModelError, match="cannot be read"):
        load_checkpoint(path)
    torch.save({"state_dict": {}}, path)
    with pytest.raises(ModelError, match="not a Fundus"):
        load_checkpoint(path)


class _Evil:
    def __reduce__(self):  # would run code on unpickling without weights_only
        return (print, ("pwned",))


def test_pickled_code_is_not_executed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "evil.pt"
    with open(path, "wb") as fh:
        pickle.dump({"format": "fundus-vessel-checkpoint/1", "x": _Evil()}, fh)
    with pytest.raises(ModelError):
        load_checkpoint(path)
    assert "pwned" not in capsys.readouterr().out


def test_incompatible_metadata_is_refused(tmp_path: Path) -> None:
    ckpt = _ckpt()
    ckpt.model_config = UNetConfig(base_channels=8, depth=2)  # weights are for width 4
    save_checkpoint(ckpt, tmp_path / "m.pt")
    with pytest.raises(ModelError, match="incompatible"):
        load_checkpoint(tmp_path / "m.pt")


@pytest.mark.parametrize("option, value", [("encoder", "resnet34"), ("drop_block", 0.1), ("refine_passes", 1)])
def test_a_checkpoint_of_a_rejected_variant_is_refused_by_name(tmp_path: Path, option: str, value: object) -> None:
    # ResNet34 encoder, DropBlock and the W-Net refiner left the package (experiments/LOG.md): a candidate
    # saved with one on gets one sentence naming the option, not a complaint about its weights
    path = tmp_path / "m.pt"
    save_checkpoint(_ckpt(), path)
    raw = torch.load(path, weights_only=True)
    raw["model_config"] = {**raw["model_config"], option: value}
    torch.save(raw, path)
    with pytest.raises(ModelError, match=f"m.pt cannot be used: it asks for {option} = ") as refused:
        load_checkpoint(path)
    message = str(refused.value)
    assert message.endswith(".") and ". " not in message and "\n" not in message


def test_the_retired_options_at_their_off_values_still_load(tmp_path: Path) -> None:
    # what every checkpoint saved before their removal records, the bundled one included
    path = tmp_path / "m.pt"
    save_checkpoint(_ckpt(), path)
    raw = torch.load(path, weights_only=True)
    raw["model_config"] = {**raw["model_config"], "encoder": "plain", "drop_block": 0.0, "drop_block_size": 7,
                           "refine_passes": 0, "refine_channels": 8}
    torch.save(raw, path)
    assert load_checkpoint(path).model_config == UNetConfig(base_channels=4, depth=2)


def test_tiles_cover_every_pixel_with_overlap_and_little_padding() -> None:
    for length in [*range(1, 2000, 37), 768, 769, 778, 1168, 3000]:
        tile, starts = tile_layout(length, 768, 64, 16)
        assert tile % 16 == 0 and tile <= 768 and starts[0] == 0
        assert starts[-1] + tile >= length  # covered to the end
        assert all(b - a <= tile - 64 for a, b in zip(starts, starts[1:], strict=False))  # blended seams
        if length > 768:
            assert len(starts) * tile < length + len(starts) * (64 + 16)  # no tile is mostly padding
    assert tile_layout(778, 768, 64, 16) == (432, [0, 346])  # an HRF photograph at a 1100-px working FOV


def test_tiled_inference_matches_whole_image() -> None:
    torch.manual_seed(0)
    cfg = UNetConfig(base_channels=4, depth=3)
    model = AttentionUNet(cfg).eval()
    x = np.random.default_rng(0).normal(size=(200, 232)).astype(np.float32)

    def forward(batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return model(torch.from_numpy(batch)).numpy()

    whole = predict_probability(forward, x, multiple=8, tile_size=1024)
    tiled = predict_probability(forward, x, multiple=8, tile_size=96, overlap=32, batch_size=3)
    assert whole.shape == tiled.shape == x.shape
    # blending differs only near tile seams (receptive field crosses them); most pixels agree closely
    assert np.median(np.abs(whole - tiled)) < 0.02


def test_sigmoid_is_torchs_and_does_not_overflow() -> None:
    logits = np.linspace(-120, 120, 10001, dtype=np.float32)
    assert np.allclose(sigmoid(logits), torch.sigmoid(torch.from_numpy(logits)).numpy(), atol=2.5e-7, rtol=0)
    assert sigmoid(np.float32([-1e4]))[0] == 0.0 and sigmoid(np.float32([1e4]))[0] == 1.0


@pytest.mark.parametrize("coarse_hw, skip_hw", [((8, 12), (16, 24)), ((5, 7), (11, 13))])
def test_a_decoder_stage_at_inference_equals_the_order_it_was_trained_in(coarse_hw: tuple[int, int],
                                                                          skip_hw: tuple[int, int]) -> None:
    """In eval mode the 1x1 conv and BN of the upsampling path run on the coarse grid (faster); the
    result must be the training order's, resample first, for a factor of two and for any other size."""
    torch.manual_seed(0)
    stage = DecoderStage(coarse=16, skip=8, out=8, attention=True)
    for bn in (m for m in stage.modules() if isinstance(m, torch.nn.BatchNorm2d)):
        bn.running_mean.uniform_(-1, 1)  # statistics and affine terms away from the identity
        bn.running_var.uniform_(0.5, 2)
        bn.weight.data.uniform_(0.5, 1.5)
        bn.bias.data.uniform_(-0.5, 0.5)
    stage.eval()
    coarse, skip = torch.randn(2, 16, *coarse_hw), torch.randn(2, 8, *skip_hw)
    with torch.no_grad():
        trained_order = stage.conv(torch.cat([stage.up(upsample_to(coarse, skip)), stage.gate(skip, coarse)], 1))
        fast = stage(coarse, skip)
    assert fast.shape == (2, 8, *skip_hw)
    assert torch.allclose(fast, trained_order, atol=1e-5)
    assert float((fast - trained_order).abs().max()) < 1e-3 * float(trained_order.abs().max())
