"""Static int8 quantisation of the bundled ONNX network: DRIVE-test F1 and speed against float.

    python -m experiments.bench_int8        # needs onnx (test extra) and onnxruntime

Calibrates on 8 DRIVE training images (never the test set), quantises to QDQ with per-channel
int8 weights, then segments the 20 DRIVE test images with both, image by image, and prints mean
F1 (in memory, default threshold, inside the FOV) and the median segment time of each.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> int:
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    from fundus_app import Segmenter, load_image, metrics
    from fundus_app.datasets import cases
    from fundus_app.io.loader import load_mask
    from fundus_app.model.checkpoint import bundled_path
    from fundus_app.model.runtime import OnnxNetwork
    from fundus_app.preprocess import enhance, rescale

    fp32 = Segmenter.load(device="cpu", backend="onnx")
    cfg, multiple = fp32.preprocess, fp32.info.size_multiple

    def network_input(path: Path) -> dict[str, np.ndarray]:
        image = load_image(path)
        rgb, fov, _ = rescale(image.rgb, image.fov, cfg)
        x = enhance(rgb, fov, cfg)
        padded = np.pad(x, ((0, -x.shape[0] % multiple), (0, -x.shape[1] % multiple)), mode="reflect")
        return {"x": padded[None, None].astype(np.float32)}

    class Calibration(CalibrationDataReader):
        def __init__(self) -> None:
            self.items = iter([network_input(c.image) for c in cases("drive-train")[:8]])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.items, None)

    with tempfile.TemporaryDirectory() as tmp:
        pre, q8 = Path(tmp) / "pre.onnx", Path(tmp) / "int8.onnx"
        quant_pre_process(str(bundled_path().with_suffix(".onnx")), str(pre))
        quantize_static(str(pre), str(q8), Calibration(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
        int8 = Segmenter(OnnxNetwork(q8, device="cpu"), fp32.info)  # the same model, its int8 graph
        f1: dict[str, list[float]] = {"float32": [], "int8": []}
        seconds: dict[str, list[float]] = {"float32": [], "int8": []}
        for case in cases("drive-test"):
            image = load_image(case.image)
            truth, fov = load_mask(case.label), load_mask(case.fov)
            for name, seg in (("float32", fp32), ("int8", int8)):
                t = time.perf_counter()
                result = seg.segment(image)
                seconds[name].append(time.perf_counter() - t)
                f1[name].append(metrics.score(result.mask(), truth, fov, probability=result.probability).f1)
    for name in f1:
        print(
            f"{name:8s} DRIVE test F1 {np.mean(f1[name]):.4f}   "
            f"segment median {1000 * statistics.median(seconds[name]):.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
