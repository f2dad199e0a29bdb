"""The model at run time, without torch: an ONNX file, its manifest entry, ONNX Runtime.

Everything the application needs to use a network sits in ``manifest.json`` beside it: the
file's SHA-256 (checked before use), the model's name and identity (the SHA-256 of the
checkpoint it was exported from, which outputs and reports cite), the default threshold and the
preprocessing parameters. Training and the optional torch backend read checkpoints instead
(``model.checkpoint``, ``model.torch_backend``); this module never imports torch.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fundus_app.errors import ModelError
from fundus_app.model.manifest import manifest_entry, sha256_of
from fundus_app.preprocess import PreprocessConfig

log = logging.getLogger(__name__)

ONNX_NAME = "vessel_unet.onnx"
AV_ONNX_NAME = "av_unet.onnx"  # the artery/vein network (model.arteryvein)
CUDA, CPU = "CUDAExecutionProvider", "CPUExecutionProvider"
DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class ModelInfo:
    """What a model is, for inference and for every output that names it.

    sha256 : the model's identity: the SHA-256 of the checkpoint the network was trained into
        (the ONNX file of the same network carries it as its source), as outputs and reports cite it.
    """

    name: str
    sha256: str
    threshold: float
    preprocess: PreprocessConfig
    size_multiple: int = 16


def model_info(entry: dict[str, Any], file_name: str) -> ModelInfo:
    """A ModelInfo from a manifest entry; ModelError naming the file when a field is missing."""
    try:
        return ModelInfo(name=str(entry["name"]), sha256=str(entry.get("source_sha256") or entry["sha256"]),
                         threshold=float(entry["threshold"]),
                         preprocess=PreprocessConfig.from_dict(dict(entry["preprocess"])),
                         size_multiple=int(entry.get("size_multiple", 16)))
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"The manifest entry of {file_name} lacks the model's metadata ({exc}); "
                         "re-export it with scripts/export_onnx.py.") from None


def verified_entry(path: Path) -> dict[str, Any]:
    """The manifest entry of ``path`` after checking the file against it (size, then SHA-256)."""
    if not path.is_file():
        raise ModelError(f"Model file {path} does not exist.")
    entry = manifest_entry(path)
    if entry is None:
        raise ModelError(f"The model manifest beside {path.name} does not list it; the installation is incomplete.")
    if entry.get("bytes") not in (None, path.stat().st_size) or sha256_of(path) != str(entry.get("sha256")).lower():
        raise ModelError(f"Model file {path.name} does not match the SHA-256 in its manifest (manifest.json); "
                         "it may be damaged or tampered with. Reinstall the application.")
    return entry


def _providers(device: str) -> list[str]:
    """ONNX Runtime's execution providers for ``device``: CUDA when asked for or available."""
    import onnxruntime as ort

    device = (device or "auto").lower()
    if device not in DEVICES and not device.startswith("cuda:"):
        raise ModelError(f"Unknown device '{device}'; choose auto, cpu or cuda.")
    available = ort.get_available_providers()
    if device.startswith("cuda"):
        if CUDA not in available:
            raise ModelError("CUDA was requested but ONNX Runtime has no CUDA provider here (install "
                             "onnxruntime-gpu and the CUDA runtime, see README); use --device cpu.")
        return [CUDA, CPU]
    return [CUDA, CPU] if device == "auto" and CUDA in available else [CPU]


class OnnxNetwork:
    """An ONNX file run by ONNX Runtime: ``logits = network(batch)`` on (N, C, h, w) float32."""

    def __init__(self, path: Path, *, device: str = "auto", threads: int = 0) -> None:
        try:
            import onnxruntime as ort
        except ImportError:
            raise ModelError("ONNX Runtime is not installed; reinstall the application (pip install fundus-app).") \
                from None
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            options.intra_op_num_threads = threads
        # ONNX Runtime's threads otherwise spin after each run and take the cores from the loading and
        # preprocessing that follow (DRIVE load 9.9 -> 8.3 ms; experiments/LOG.md, "The decoder's resampling")
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session = ort.InferenceSession(str(path), options, providers=_providers(device))
        except ModelError:
            raise
        except Exception as exc:  # a truncated file or an unsupported graph: one sentence
            raise ModelError(f"Model file {path.name} cannot be loaded by ONNX Runtime ({type(exc).__name__}).") \
                from None
        self.provider = self.session.get_providers()[0]
        self.device_label = f"{'cuda' if self.provider == CUDA else 'cpu'} (onnxruntime {self.provider})"
        # tiles one at a time on a CPU (as fast as batches, less memory); four on a GPU
        self.batch_size = 4 if self.provider == CUDA else 1
        self._input = self.session.get_inputs()[0].name

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return np.asarray(self.session.run(None, {self._input: np.ascontiguousarray(batch, np.float32)})[0])


def load_onnx(path: Path, *, device: str = "auto", threads: int = 0) -> tuple[OnnxNetwork, ModelInfo]:
    """The network of an ONNX file listed in the manifest beside it, checked, with its metadata."""
    entry = verified_entry(path)
    info = model_info(entry, path.name)
    return OnnxNetwork(path, device=device, threads=threads), info
