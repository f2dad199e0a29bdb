"""The model manifest: the release tools write it, the loader checks the weights against it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from fundus_app import ModelError
from fundus_app.model.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from fundus_app.model.manifest import (
    FORMAT,
    MANIFEST_NAME,
    manifest_entry,
    manifest_sha256,
    read_manifest,
    record_file,
    sha256_of,
)
from fundus_app.model.unet import AttentionUNet, UNetConfig
from fundus_app.preprocess import PreprocessConfig


def _save(path: Path) -> Path:
    cfg = UNetConfig(base_channels=4, depth=2)
    save_checkpoint(Checkpoint(cfg, PreprocessConfig(), AttentionUNet(cfg).state_dict(), threshold=0.6, name="t"), path)
    return path


def test_recording_a_file_keeps_the_other_entries_and_leaves_no_temporary(tmp_path: Path) -> None:
    assert read_manifest(tmp_path) == {} and manifest_entry(tmp_path / "m.pt") is None  # no manifest: nothing listed
    (tmp_path / "other.onnx").write_bytes(b"graph")
    record_file(tmp_path / "other.onnx", kind="onnx", source_sha256="ab" * 32)
    model = _save(tmp_path / "m.pt")
    entry = record_file(model, kind="checkpoint", name="t", threshold=0.6)
    assert entry == {"sha256": sha256_of(model), "bytes": model.stat().st_size, "kind": "checkpoint", "name": "t",
                     "threshold": 0.6}
    raw = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert raw["format"] == FORMAT and set(raw["files"]) == {"m.pt", "other.onnx"}
    assert raw["files"]["other.onnx"]["source_sha256"] == "ab" * 32
    assert manifest_sha256(model) == sha256_of(model)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([MANIFEST_NAME, "m.pt", "other.onnx"])


def test_weights_changed_after_recording_are_refused_and_a_new_record_accepts_them(tmp_path: Path) -> None:
    model = _save(tmp_path / "m.pt")
    record_file(model, kind="checkpoint")
    assert load_checkpoint(model).name == "t"
    cfg = UNetConfig(base_channels=4, depth=2)
    save_checkpoint(Checkpoint(cfg, PreprocessConfig(), AttentionUNet(cfg).state_dict(), name="swapped"), model)
    with pytest.raises(ModelError, match="m.pt does not match the SHA-256 in its manifest"):
        load_checkpoint(model)
    record_file(model)  # what calibrate_threshold.py does after writing a release checkpoint
    assert load_checkpoint(model).name == "swapped"


@pytest.mark.parametrize("text", ['{"files": ', '{"files": {"m.pt": {}}}', '{"format": "fundus-vessel-models/1"}',
                                  '{"format": "fundus-vessel-models/1", "files": ["m.pt"]}', "[]"])
def test_a_damaged_manifest_is_refused_rather_than_ignored(tmp_path: Path, text: str) -> None:
    model = _save(tmp_path / "m.pt")
    (tmp_path / MANIFEST_NAME).write_text(text)
    with pytest.raises(ModelError, match="manifest .* is damaged"):
        load_checkpoint(model)
