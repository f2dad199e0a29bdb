"""The run time's model: an ONNX file checked against its manifest, run by ONNX Runtime, torch's twin."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from fundus_app import FundusError, ModelError, Segmenter, load_image
from fundus_app.model.manifest import MANIFEST_NAME, manifest_entry, manifest_sha256, sha256_of
from fundus_app.model.runtime import ONNX_NAME, OnnxNetwork

pytest.importorskip("onnxruntime")


def _bundled_copy(tmp_path: Path) -> Path:
    from fundus_app.resources import models_dir

    for name in ("vessel_unet.pt", ONNX_NAME, MANIFEST_NAME):
        shutil.copy(models_dir() / name, tmp_path / name)
    return tmp_path


def test_the_bundled_onnx_file_carries_everything_the_run_time_needs() -> None:
    from fundus_app.model.checkpoint import bundled_path, load_checkpoint

    onnx_path = bundled_path().with_suffix(".onnx")
    assert manifest_sha256(onnx_path) == sha256_of(onnx_path)
    entry = manifest_entry(onnx_path)
    checkpoint = load_checkpoint(bundled_path())
    assert entry["bytes"] == onnx_path.stat().st_size and entry["kind"] == "onnx"
    assert entry["source_sha256"] == checkpoint.sha256  # exported from the bundled checkpoint
    assert (entry["name"], entry["threshold"]) == (checkpoint.name, checkpoint.threshold)
    assert entry["preprocess"] == checkpoint.preprocess.to_dict()
    seg = Segmenter.load(device="cpu")
    assert (seg.backend, seg.sha256, seg.preprocess) == ("onnx", checkpoint.sha256, checkpoint.preprocess)


def test_onnx_masks_match_torch_within_0_1_percent(drive_test_image: Path) -> None:
    image = load_image(drive_test_image)
    fast = Segmenter.load(device="cpu", backend="auto")
    reference = Segmenter.load(device="cpu", backend="torch")
    assert (fast.backend, reference.backend) == ("onnx", "torch")
    a, b = fast.segment(image), reference.segment(image)
    assert a.device == "cpu (onnxruntime CPUExecutionProvider)" and b.device == "cpu"
    assert a.model_sha256 == b.model_sha256 and a.model_name == b.model_name
    differ = np.mean(a.mask() != b.mask())
    assert differ <= 0.001, differ
    assert np.abs(a.probability - b.probability).max() < 1e-3


def test_a_tampered_onnx_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _bundled_copy(tmp_path)
    data = bytearray((folder / ONNX_NAME).read_bytes())
    data[-200] ^= 0x01
    (folder / ONNX_NAME).write_bytes(bytes(data))
    monkeypatch.setenv("FUNDUS_MODELS_DIR", str(folder))
    with pytest.raises(ModelError, match="does not match the SHA-256 in its manifest"):
        Segmenter.load(device="cpu")
    assert Segmenter.load(device="cpu", backend="torch").backend == "torch"  # the checkpoint is intact


def test_a_manifest_entry_without_the_models_metadata_is_one_sentence(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _bundled_copy(tmp_path)
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    del manifest["files"][ONNX_NAME]["preprocess"]
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest))
    monkeypatch.setenv("FUNDUS_MODELS_DIR", str(folder))
    with pytest.raises(ModelError, match=r"lacks the model's metadata .*export_onnx"):
        Segmenter.load(device="cpu")


def test_cuda_without_a_cuda_provider_is_one_sentence() -> None:
    import onnxruntime

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("this machine has ONNX Runtime's CUDA provider")
    with pytest.raises(ModelError, match="no CUDA provider"):
        Segmenter.load(device="cuda")
    assert Segmenter.load(device="auto").device_label == "cpu (onnxruntime CPUExecutionProvider)"


def test_an_onnx_file_from_another_checkpoint_is_not_used(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    from fundus_app.model.checkpoint import bundled_path, load_checkpoint, save_checkpoint
    from fundus_app.model.export import export_onnx

    bundled = load_checkpoint(bundled_path())
    other = load_checkpoint(bundled_path())
    other.state_dict = {k: v + 0.01 if v.is_floating_point() else v for k, v in other.state_dict.items()}
    save_checkpoint(other, tmp_path / "mine.pt")
    export_onnx(bundled, tmp_path / "mine.onnx")  # exported from the bundled weights, not from mine.pt
    assert Segmenter.load(tmp_path / "mine.pt", device="cpu").backend == "torch"
    with pytest.raises(ModelError, match="ONNX backend was requested"):
        Segmenter.load(tmp_path / "mine.pt", device="cpu", backend="onnx")
    export_onnx(load_checkpoint(tmp_path / "mine.pt"), tmp_path / "mine.onnx")  # now it matches
    assert Segmenter.load(tmp_path / "mine.pt", device="cpu").backend == "onnx"
    assert Segmenter.load(tmp_path / "mine.onnx", device="cpu").backend == "onnx"  # the export alone runs too


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
    pytest.importorskip("onnx")
    import torch

    from fundus_app.model.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
    from fundus_app.model.export import export_onnx
    from fundus_app.model.unet import AttentionUNet, UNetConfig
    from fundus_app.preprocess import PreprocessConfig

    torch.manual_seed(0)
    cfg = UNetConfig(base_channels=4, depth=3)
    weights = AttentionUNet(cfg).state_dict()
    save_checkpoint(Checkpoint(model_config=cfg, preprocess=PreprocessConfig(), state_dict=weights),
                    tmp_path / "tiny.pt")
    ckpt = load_checkpoint(tmp_path / "tiny.pt")
    export_onnx(ckpt, tmp_path / "tiny.onnx")
    assert manifest_entry(tmp_path / "tiny.onnx")["size_multiple"] == 8
    run = OnnxNetwork(tmp_path / "tiny.onnx", device="cpu")
    model = ckpt.build_model()
    for shape in [(1, 1, 8, 8), (3, 1, 40, 24), (1, 1, 120, 200)]:
        x = torch.randn(*shape)
        with torch.inference_mode():
            assert np.allclose(run(x.numpy()), model(x).numpy(), atol=1e-4), shape


@pytest.mark.parametrize("name", ["vessel_unet.onnx", "av_unet.onnx", "disc_unet.onnx"])
def test_the_bundled_networks_resample_by_constant_scales(name: str) -> None:
    """A Resize given sizes computed from the input's shape runs outside ONNX Runtime's blocked layout
    (the vessel network 13 % slower on CPU); the export asks for a constant factor of two instead."""
    onnx = pytest.importorskip("onnx")
    from fundus_app.resources import models_dir

    graph = onnx.load(str(models_dir() / name)).graph
    constants = {n.output[0] for n in graph.node if n.op_type == "Constant"} | {i.name for i in graph.initializer}
    resizes = [n for n in graph.node if n.op_type == "Resize"]
    assert resizes
    for node in resizes:
        assert len(node.input) == 3 and node.input[2] in constants, node.name  # scales, no sizes
    assert not {"Shape", "Gather", "Slice"} & {n.op_type for n in graph.node}


def test_onnx_runtime_threads_do_not_spin_between_runs() -> None:
    """Spinning threads take the cores from the loading and preprocessing that follow a run, and the
    idle networks' threads from the one running (experiments/LOG.md, "The decoder's resampling")."""
    from fundus_app.resources import models_dir

    options = OnnxNetwork(models_dir() / ONNX_NAME, device="cpu").session.get_session_options()
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
