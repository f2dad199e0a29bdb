"""Optional ONNX Runtime backend for CPU inference (torch stays the reference and trains).

The ONNX file is exported from a checkpoint with :func:`export_onnx` and ships beside it
(``models/vessel_unet.onnx``, SHA-256 in ``models/manifest.json``). It records the SHA-256 of the
checkpoint it came from, so a stale or foreign file is never paired with the wrong weights.
``experiments/bench_levers.py`` measures it against torch; the tests hold its masks to
within 0.1 % of torch's.
"""
from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from fundus_app.errors import ModelError
from fundus_app.model.checkpoint import Checkpoint
from fundus_app.model.manifest import manifest_sha256, sha256_of

log = logging.getLogger(__name__)

SOURCE_KEY = "fundus_checkpoint_sha256"  # ONNX metadata: the checkpoint the graph was exported from


def available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def export_onnx(checkpoint: Checkpoint, path: str | os.PathLike[str]) -> Path:
    """Write ``checkpoint``'s network as ONNX (dynamic batch and size), tagged with its SHA-256."""
    import onnx  # export-time only dependency

    path = Path(path)
    model = checkpoint.build_model().eval()
    example = torch.zeros(1, checkpoint.model_config.in_channels, 64, 64)
    tmp = path.with_name(path.name + ".tmp")
    with warnings.catch_warnings():  # the exporter's deprecation and trace notes: the graph is checked in tests
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (example,), str(tmp), input_names=["x"], output_names=["logits"],
                          dynamic_axes={"x": {0: "batch", 2: "height", 3: "width"},
                                        "logits": {0: "batch", 2: "height", 3: "width"}},
                          opset_version=17, dynamo=False)
    graph = onnx.load(str(tmp))
    entry = graph.metadata_props.add()
    entry.key, entry.value = SOURCE_KEY, checkpoint.sha256
    onnx.save(graph, str(tmp))
    os.replace(tmp, path)
    return path


def load_runner(checkpoint: Checkpoint, path: Path, *, threads: int | None = None,
                verify_manifest: bool = True) -> Callable[[torch.Tensor], torch.Tensor] | None:
    """A callable ``logits = runner(x)`` backed by ONNX Runtime, or None (with the reason logged).

    None when onnxruntime is missing, the file is absent, its SHA-256 differs from the one in
    the manifest beside it (``verify_manifest``), or it was exported from another checkpoint: the
    caller then uses torch, which is always correct, only slower.
    """
    if not available() or not path.is_file():
        return None
    import onnxruntime as ort

    if verify_manifest:
        try:
            expected = manifest_sha256(path)
        except ModelError as exc:  # a damaged manifest: the checkpoint's own check reports it
            log.warning("ignoring %s: %s; using torch", path.name, exc)
            return None
        if expected is None or sha256_of(path) != expected:
            log.warning("ignoring %s: its SHA-256 does not match the manifest; using torch", path.name)
            return None
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or torch.get_num_threads()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    try:
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:
        log.warning("ignoring %s: onnxruntime cannot load it (%s); using torch", path.name, exc)
        return None
    source = session.get_modelmeta().custom_metadata_map.get(SOURCE_KEY)
    if source != checkpoint.sha256:
        log.warning("ignoring %s: it was exported from another checkpoint; using torch", path.name)
        return None

    def run(x: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(session.run(None, {"x": np.ascontiguousarray(x.numpy(), np.float32)})[0])

    return run
