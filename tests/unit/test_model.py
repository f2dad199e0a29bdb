"""Network architecture, loss, checkpoints (safe loading, SHA-256) and tiled inference."""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from fundus_app import ModelError
from fundus_app.model.checkpoint import Checkpoint, load_checkpoint, save_checkpoint, sha256_of
from fundus_app.model.inference import predict_logits_to_prob, tile_layout
from fundus_app.model.unet import AttentionGate, AttentionUNet, DropBlock, UNetConfig
from fundus_app.preprocess import PreprocessConfig
from fundus_app.train.losses import cldice_loss, dice_focal_loss, soft_skeleton


@pytest.mark.parametrize("cfg", [UNetConfig(base_channels=4, depth=3), UNetConfig(base_channels=4, depth=4, attention=False),
                                 UNetConfig(base_channels=4, encoder="resnet34"),
                                 UNetConfig(base_channels=4, depth=4, drop_block=0.1),
                                 UNetConfig(base_channels=4, depth=4, refine_passes=2, refine_channels=4)])
def test_unet_keeps_spatial_size(cfg: UNetConfig) -> None:
    model = AttentionUNet(cfg).eval()
    m = cfg.size_multiple
    with torch.no_grad():
        out = model(torch.randn(2, 1, 2 * m, 3 * m))
    assert out.shape == (2, 1, 2 * m, 3 * m)


def test_dropblock_drops_whole_squares_while_training_and_nothing_in_eval() -> None:
    import cv2

    torch.manual_seed(0)
    block = DropBlock(0.1, 7).train()
    y = block(torch.ones(32, 4, 64, 64))
    dropped = (y == 0).float().mean().item()
    assert 0.07 < dropped < 0.13  # about drop_prob of the units
    assert abs(y.mean().item() - 1.0) < 1e-4  # kept units are rescaled: the expected activation is unchanged
    # every dropped region holds at least one whole 7x7 square (overlapping squares merge)
    for fmap in (y[:4, 0] == 0).numpy().astype(np.uint8):
        n, _, stats, _ = cv2.connectedComponentsWithStats(fmap, connectivity=4)
        assert n > 1 and (stats[1:, cv2.CC_STAT_WIDTH] >= 7).all() and (stats[1:, cv2.CC_STAT_HEIGHT] >= 7).all()
    # a map smaller than the block (the deepest level of a 96-px patch) gets a smaller block, not an error
    assert (block(torch.ones(32, 4, 6, 6)) == 0).any()
    x = torch.randn(2, 4, 16, 16)
    assert torch.equal(block.eval()(x), x)


def test_dropblock_is_training_only_and_leaves_earlier_checkpoint_layouts_alone() -> None:
    plain, dropped = AttentionUNet(UNetConfig(base_channels=4)), AttentionUNet(UNetConfig(base_channels=4, drop_block=0.1))
    # parameter-free: the same tensors, only the layer indices inside a conv block differ
    assert [v.shape for v in plain.state_dict().values()] == [v.shape for v in dropped.state_dict().values()]
    assert "encoder.blocks.0.3.weight" in plain.state_dict()  # the second conv where every shipped file has it
    x = torch.randn(1, 1, 32, 32)
    with torch.no_grad():
        dropped.load_state_dict(dict(zip(dropped.state_dict(), plain.state_dict().values())))
        assert torch.equal(plain.eval()(x), dropped.eval()(x))  # eval: the same network
        dropped.train()
        assert not torch.equal(dropped(x), dropped(x))  # training: random blocks


def test_refiner_reads_the_first_pass_and_leaves_single_pass_layouts_alone() -> None:
    torch.manual_seed(0)
    single = AttentionUNet(UNetConfig(base_channels=4))
    torch.manual_seed(0)
    cascade = AttentionUNet(UNetConfig(base_channels=4, refine_passes=2, refine_channels=4)).eval()
    # the refiner is built last: the first pass has every shipped file's names and the same initial weights
    assert not any(k.startswith("refiner.") for k in single.state_dict())
    assert all(torch.equal(v, cascade.state_dict()[k]) for k, v in single.state_dict().items())
    x = torch.randn(1, 1, 32, 48)
    with torch.no_grad():
        passes = cascade.forward_passes(x)
        assert len(passes) == 3 and torch.equal(cascade(x), passes[-1])
        assert torch.equal(passes[0], single.eval()(x))
        # each pass re-reads the image with the previous pass's probabilities, with shared weights
        assert torch.allclose(passes[2], cascade.refiner(torch.cat([x, torch.sigmoid(passes[1])], 1)))
        assert not torch.allclose(passes[2], cascade.refiner(torch.cat([x, torch.zeros_like(x)], 1)))


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


def test_soft_skeleton_of_a_bar_is_its_centre_line() -> None:
    bar = torch.zeros(1, 1, 32, 48)
    bar[..., 10:17, 6:42] = 1  # 7 px thick
    skel = soft_skeleton(bar, iterations=5)
    rows = skel[0, 0, :, 12:36].sum(dim=1)  # away from the bar's ends
    assert rows[13] == pytest.approx(24) and float(rows.sum() - rows[13]) == 0.0
    assert float(soft_skeleton(torch.zeros(1, 1, 8, 8), 3).sum()) == 0.0


def test_cldice_punishes_a_missed_thin_vessel_more_than_pixel_dice_does() -> None:
    target = torch.zeros(1, 1, 64, 64)
    target[..., 20:30, 4:60] = 1  # a thick vessel, 10 px
    target[..., 45, 4:60] = 1  # a thin one, 1 px
    valid = torch.ones_like(target)

    def logit(mask: torch.Tensor) -> torch.Tensor:  # a confident network's output for this mask
        return (mask * 2 - 1) * 10

    no_thin = target.clone()
    no_thin[..., 45, :] = 0  # misses the thin vessel: 56 pixels
    thin_edge = target.clone()
    thin_edge[..., 20:22, 4:32] = 0  # misses 56 pixels of the thick one's border instead
    assert float(cldice_loss(logit(target), target, valid)) < 0.01
    pixel = [float(dice_focal_loss(logit(m), target, valid, focal_weight=0)) for m in (no_thin, thin_edge)]
    topo = [float(cldice_loss(logit(m), target, valid)) for m in (no_thin, thin_edge)]
    assert pixel[0] == pytest.approx(pixel[1], rel=0.05)  # Dice: the same number of pixels lost
    assert topo[0] > 0.1 > 10 * topo[1]  # clDice: losing a vessel is worse than thinning one


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


def test_tiles_cover_every_pixel_with_overlap_and_little_padding() -> None:
    for length in [*range(1, 2000, 37), 768, 769, 778, 1168, 3000]:
        tile, starts = tile_layout(length, 768, 64, 16)
        assert tile % 16 == 0 and tile <= 768 and starts[0] == 0
        assert starts[-1] + tile >= length  # covered to the end
        assert all(b - a <= tile - 64 for a, b in zip(starts, starts[1:]))  # blended seams
        if length > 768:
            assert len(starts) * tile < length + len(starts) * (64 + 16)  # no tile is mostly padding
    assert tile_layout(778, 768, 64, 16) == (432, [0, 346])  # an HRF photograph at a 1100-px working FOV


def test_tiled_inference_matches_whole_image() -> None:
    torch.manual_seed(0)
    cfg = UNetConfig(base_channels=4, depth=3)
    model = AttentionUNet(cfg).eval()
    x = np.random.default_rng(0).normal(size=(200, 232)).astype(np.float32)
    whole = predict_logits_to_prob(model, x, multiple=8, device=torch.device("cpu"), tile_size=1024)
    tiled = predict_logits_to_prob(model, x, multiple=8, device=torch.device("cpu"), tile_size=96, overlap=32, batch_size=3)
    assert whole.shape == tiled.shape == x.shape
    # blending differs only near tile seams (receptive field crosses them); most pixels agree closely
    assert np.median(np.abs(whole - tiled)) < 0.02
