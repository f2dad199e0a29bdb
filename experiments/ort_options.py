"""ONNX Runtime session options against the defaults, network only, on DRIVE 01_test's input.

    python -m experiments.ort_options [--rounds 5] [--runs 20]

Each option runs in a process of its own (one session, as in the application: an idle session's
spinning threads would otherwise steal the CPU from the one running), the processes round-robin
(a busy machine slows all alike); prints the median per option and its ratio to the defaults.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import onnxruntime as ort

from fundus_app import load_image
from fundus_app.datasets import data_root
from fundus_app.model.runtime import ONNX_NAME, load_onnx
from fundus_app.preprocess import prepare
from fundus_app.resources import models_dir


def network_input() -> np.ndarray:
    """The padded FOV crop ``Segmenter.segment`` feeds the network for DRIVE 01_test."""
    _, info = load_onnx(models_dir() / ONNX_NAME, device="cpu")
    prepared = prepare(load_image(data_root() / "DRIVE" / "test" / "images" / "01_test.tif"), info.preprocess)
    ys, xs = np.nonzero(prepared.fov.any(axis=1))[0], np.nonzero(prepared.fov.any(axis=0))[0]
    x = prepared.x[max(0, ys[0] - 8):ys[-1] + 9, max(0, xs[0] - 8):xs[-1] + 9]
    h, w = x.shape
    m = info.size_multiple
    return np.pad(x, ((0, -h % m), (0, -w % m)), mode="reflect")[None, None].astype(np.float32)


def session(level: ort.GraphOptimizationLevel = ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
            config: dict[str, str] | None = None, **attributes: object) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.graph_optimization_level = level
    for key, value in (config or {}).items():
        options.add_session_config_entry(key, value)
    for key, value in attributes.items():
        setattr(options, key, value)
    return ort.InferenceSession(str(models_dir() / ONNX_NAME), options, providers=["CPUExecutionProvider"])


OPTIONS = {
    "default (as shipped)": {},
    "intra_op_num_threads 2": {"intra_op_num_threads": 2},
    "intra_op_num_threads 1": {"intra_op_num_threads": 1},
    "allow_spinning 0": {"config": {"session.intra_op.allow_spinning": "0"}},
    "ORT_ENABLE_EXTENDED": {"level": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED},
    "ORT_ENABLE_BASIC": {"level": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC},
    "enable_cpu_mem_arena False": {"enable_cpu_mem_arena": False},
}


def one_option(name: str, runs: int) -> float:
    """Median seconds of ``runs`` forward passes with option ``name`` (after one warm-up)."""
    x = network_input()
    s = session(**OPTIONS[name])  # type: ignore[arg-type]
    s.run(None, {"x": x})
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        s.run(None, {"x": x})
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    import subprocess
    import sys

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--option", help=argparse.SUPPRESS)  # the child: one option, one number
    args = parser.parse_args()
    if args.option:
        print(one_option(args.option, args.runs))
        return 0
    medians: dict[str, list[float]] = {name: [] for name in OPTIONS}
    for _ in range(args.rounds):
        for name in OPTIONS:
            out = subprocess.run([sys.executable, "-m", "experiments.ort_options", "--option", name, "--runs",
                                  str(args.runs)], capture_output=True, text=True, check=True)
            medians[name].append(float(out.stdout.strip().splitlines()[-1]))
    base = statistics.median(medians["default (as shipped)"])
    print(f"onnxruntime {ort.__version__}; median over {args.rounds} processes of {args.runs} runs each")
    for name, values in medians.items():
        median = statistics.median(values)
        print(f"{name:28s} {1000 * median:6.1f} ms  x{base / median:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
