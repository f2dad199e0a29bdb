"""ONNX graphs of one network side by side: time per file and where ONNX Runtime spends it.

    python -m experiments.ort_graph_probe A.onnx B.onnx ... [--rounds 30] [--split-concat OUT.onnx]

Every file runs on the same random 1x1x560x560 input (DRIVE 01_test's network input size) in one
process, round-robin, with the threads' spinning off (so idle sessions do not steal the CPU from the
running one); prints each file's median, then ONNX Runtime's own profile per operator type.
``--split-concat OUT`` first writes OUT: the first file with every ``Concat -> Conv`` replaced by two
convolutions and an ``Add`` (the same sums in another order), to be timed beside it.
"""
from __future__ import annotations

import argparse
import collections
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort


def session(path: Path, profile: bool = False) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.enable_profiling = profile
    if profile:  # the profile's JSON goes to the temporary folder, not into the checkout
        options.profile_file_prefix = str(Path(tempfile.gettempdir()) / "ort_graph_probe")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def round_robin_medians(sessions: dict[Any, ort.InferenceSession], x: np.ndarray, rounds: int) -> dict[Any, float]:
    """Median seconds per run of each session on ``x``, the sessions taking turns (a busy machine slows
    all alike)."""
    times: dict[Any, list[float]] = {key: [] for key in sessions}
    for _ in range(rounds):
        for key, s in sessions.items():
            t0 = time.perf_counter()
            s.run(None, {s.get_inputs()[0].name: x})
            times[key].append(time.perf_counter() - t0)
    return {key: statistics.median(runs) for key, runs in times.items()}


def split_concat(src: Path, dst: Path) -> int:
    """Write ``src`` with ``Conv(Concat(a, b))`` as ``Conv_a(a) + Conv_b(b)``; returns how many."""
    import onnx
    from onnx import helper, numpy_helper, shape_inference

    model = onnx.load(str(src))
    graph = model.graph
    weights = {i.name: i for i in graph.initializer}
    inferred = shape_inference.infer_shapes(model).graph
    channels = {v.name: v.type.tensor_type.shape.dim[1].dim_value for v in list(inferred.value_info)
                if len(v.type.tensor_type.shape.dim) > 1}
    consumers: dict[str, list] = collections.defaultdict(list)
    for node in graph.node:
        for name in node.input:
            consumers[name].append(node)
    concat_of = {}
    for node in graph.node:
        users = consumers[node.output[0]] if node.op_type == "Concat" else []
        if len(node.input) == 2 and len(users) == 1 and users[0].op_type == "Conv" and users[0].input[1] in weights:
            concat_of[users[0].name] = node
    nodes = []
    for node in graph.node:
        if node.op_type == "Concat" and any(c is node for c in concat_of.values()):
            continue
        cat = concat_of.get(node.name)
        if cat is None:
            nodes.append(node)
            continue
        w = numpy_helper.to_array(weights[node.input[1]])
        first = channels[cat.input[0]]
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        graph.initializer.extend([numpy_helper.from_array(np.ascontiguousarray(w[:, :first]), node.name + "_wa"),
                                  numpy_helper.from_array(np.ascontiguousarray(w[:, first:]), node.name + "_wb")])
        out = node.output[0]
        nodes += [helper.make_node("Conv", [cat.input[0], node.name + "_wa", *node.input[2:]], [out + "_a"], **attrs),
                  helper.make_node("Conv", [cat.input[1], node.name + "_wb"], [out + "_b"], **attrs),
                  helper.make_node("Add", [out + "_a", out + "_b"], [out])]
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.save(model, str(dst))
    return len(concat_of)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--split-concat", type=Path)
    args = parser.parse_args()
    files = list(args.files)
    if args.split_concat:
        print(f"{args.split_concat}: {split_concat(files[0], args.split_concat)} Concat -> Conv pairs split")
        files.append(args.split_concat)
    x = np.random.default_rng(0).random((1, 1, 560, 560), dtype=np.float32)
    sessions = {path: session(path) for path in files}
    outputs = {path: s.run(None, {"x": x})[0] for path, s in sessions.items()}
    medians = round_robin_medians(sessions, x, args.rounds)
    for path in files:
        difference = float(np.abs(outputs[path] - outputs[files[0]]).max())
        print(f"{path}: {1e3 * medians[path]:.1f} ms, max |logit - first file's| {difference:.1e}")
    del sessions
    for path in files:
        s = session(path, profile=True)
        for _ in range(10):
            s.run(None, {"x": x})
        per_op: collections.Counter[str] = collections.Counter()
        trace = Path(s.end_profiling())
        events = json.loads(trace.read_text())
        trace.unlink()
        for event in events:
            if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
                per_op[event["args"]["op_name"]] += event["dur"]
        print(f"{path} (profiled, ms per run): " +
              ", ".join(f"{op} {us / 10e3:.1f}" for op, us in per_op.most_common(8)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
