"""ONNX export of a checkpoint (a release step; needs torch and onnx, the train and test extras).

The ONNX file is what the application runs (``model.runtime``, ONNX Runtime, no torch). It ships
beside the checkpoint with its manifest entry: SHA-256, size, the SHA-256 of the checkpoint it
came from (also in the file's metadata) and the model's name, threshold and preprocessing.
``experiments/bench_levers.py`` measured it against torch; the tests hold its masks to within
0.1 % of torch's.
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import torch

from fundus_app.model.checkpoint import Checkpoint
from fundus_app.model.manifest import record_file

SOURCE_KEY = "fundus_checkpoint_sha256"  # ONNX metadata: the checkpoint the graph was exported from


def record_onnx(checkpoint: Checkpoint, path: str | os.PathLike[str]) -> dict[str, Any]:
    """Enter the ONNX file ``path`` of ``checkpoint`` in the manifest of its folder, with what the
    run time needs to use it without torch: name, threshold, preprocessing, the checkpoint's SHA-256."""
    return record_file(Path(path), kind="onnx", source_sha256=checkpoint.sha256, name=checkpoint.name,
                       threshold=float(checkpoint.threshold), preprocess=checkpoint.preprocess.to_dict(),
                       size_multiple=checkpoint.model_config.size_multiple)


def export_onnx(checkpoint: Checkpoint, path: str | os.PathLike[str]) -> Path:
    """Write ``checkpoint``'s network as ONNX (dynamic batch and size), tagged with its SHA-256, and
    record it in the manifest beside it (``record_onnx``): the application runs it from there."""
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
    record_onnx(checkpoint, path)
    return path
