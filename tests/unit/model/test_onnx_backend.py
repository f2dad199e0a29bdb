"""The ONNX Runtime backend: same masks as torch, and never paired with the wrong weights."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from fundus_app import FundusError, ModelError, Segmenter, load_image
from fundus_app.model.checkpoint import BUNDLED_NAME, bundled_path, save_checkpoint, sha256_of
from fundus_app.model.manifest import MANIFEST_NAME, manifest_entry, manifest_sha256
from fundus_app.model.unet import UNetConfig

pytest.importorskip("onnxruntime")


def _bundled_copy(tmp_path: Path) -> Path:
    src = bundled_path()
    for name in (BUNDLED_NAME, "vessel_unet.onnx", MANIFEST_NAME):
        shutil.copy(src.parent / name, tmp_path / name)
    return tmp_path


def test_the_bundled_onnx_file_is_listed_in_the_manifest_with_its_source() -> None:
    onnx_path = bundled_path().with_suffix(".onnx")
    assert manifest_sha256(onnx_path) == sha256_of(onnx_path)
    entry = manifest_entry(onnx_path)
    assert entry["bytes"] == onnx_path.stat().st_size and entry["kind"] == "onnx"
    assert entry["source_sha256"] == sha256_of(bundled_path())  # exported from the bundled checkpoint


def test_onnx_masks_match_torch_within_0_1_percent(drive_test_image: Path) -> None:
    image = load_image(drive_test_image)
    fast = Segmenter.load(device="cpu", backend="auto")
    reference = Segmenter.load(device="cpu", backend="torch")
    assert (fast.backend, reference.backend) == ("onnx", "torch")
    a, b = fast.segment(image), reference.segment(image)
    assert a.device == "cpu (onnxruntime)" and b.device == "cpu"
    differ = np.mean(a.mask() != b.mask())
    assert differ <= 0.001, differ
    assert np.abs(a.probability - b.probability).max() < 1e-3


def test_a_tampered_onnx_file_falls_back_to_torch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _bundled_copy(tmp_path)
    data = bytearray((folder / "vessel_unet.onnx").read_bytes())
    data[-200] ^= 0x01
    (folder / "vessel_unet.onnx").write_bytes(bytes(data))
    monkeypatch.setenv("FUNDUS_MODELS_DIR", str(folder))
    assert Segmenter.load(device="cpu").backend == "torch"
    with pytest.raises(ModelError, match="ONNX backend"):
        Segmenter.load(device="cpu", backend="onnx")


def test_an_onnx_file_from_another_checkpoint_is_not_used(tmp_path: Path) -> None:
    from fundus_app.model.checkpoint import load_checkpoint
    from fundus_app.model.onnx_backend import export_onnx

    pytest.importorskip("onnx")
    bundled = load_checkpoint(bundled_path())
    other = load_checkpoint(bundled_path())
    other.state_dict = {k: v + 0.01 if v.is_floating_point() else v for k, v in other.state_dict.items()}
    save_checkpoint(other, tmp_path / "mine.pt")
    export_onnx(bundled, tmp_path / "mine.onnx")  # exported from the bundled weights, not from mine.pt
    assert Segmenter.load(tmp_path / "mine.pt", device="cpu").backend == "torch"
    export_onnx(load_checkpoint(tmp_path / "mine.pt"), tmp_path / "mine.onnx")  # now it matches
    assert Segmenter.load(tmp_path / "mine.pt", device="cpu").backend == "onnx"


def test_backend_can_be_forced_to_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUNDUS_BACKEND", "torch")
    assert Segmenter.load(device="cpu").backend == "torch"
    assert Segmenter.load(device="cpu", backend="onnx").backend == "onnx"  # an explicit choice beats the variable
    monkeypatch.setenv("FUNDUS_BACKEND", "tensorrt")
    with pytest.raises(FundusError, match="FUNDUS_BACKEND must be one of auto, torch, onnx"):
        Segmenter.load(device="cpu")
    monkeypatch.delenv("FUNDUS_BACKEND")
    with pytest.raises(ModelError, match="Unknown backend"):
        Segmenter.load(device="cpu", backend="tensorrt")


def test_a_small_exported_network_matches_torch_on_odd_sizes(tmp_path: Path) -> None:
    """Dynamic height/width/batch: the export is not tied to the example's shape."""
    from fundus_app.model.checkpoint import Checkpoint
    from fundus_app.model.onnx_backend import export_onnx, load_runner
    from fundus_app.preprocess import PreprocessConfig

    pytest.importorskip("onnx")
    torch.manual_seed(0)
    cfg = UNetConfig(base_channels=4, depth=3)
    from fundus_app.model.unet import AttentionUNet

    ckpt = Checkpoint(model_config=cfg, preprocess=PreprocessConfig(), state_dict=AttentionUNet(cfg).state_dict())
    save_checkpoint(ckpt, tmp_path / "tiny.pt")
    from fundus_app.model.checkpoint import load_checkpoint

    ckpt = load_checkpoint(tmp_path / "tiny.pt")
    export_onnx(ckpt, tmp_path / "tiny.onnx")
    run = load_runner(ckpt, tmp_path / "tiny.onnx", verify_manifest=False)
    assert run is not None
    model = ckpt.build_model()
    for shape in [(1, 1, 8, 8), (3, 1, 40, 24), (1, 1, 120, 200)]:
        x = torch.randn(*shape)
        with torch.inference_mode():
            assert torch.allclose(run(x), model(x), atol=1e-4), shape
