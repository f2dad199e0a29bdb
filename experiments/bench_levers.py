"""CPU inference levers for the bundled network, measured side by side in one run.

    python -m experiments.bench_levers [--repeats 15]

Each variant runs the network on the DRIVE 01_test input exactly as ``Segmenter``
prepares it (normalised scale, FOV bounding box, padded to the stride); it prints the
median forward time (min-max), the ratio to eager float32 and the share of mask pixels
that differ from eager at the model's threshold (a backend must stay within 0.1%).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
import torch


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    from fundus_app import Segmenter, load_image
    from fundus_app.datasets import data_root
    from fundus_app.model.checkpoint import bundled_path, load_checkpoint
    from fundus_app.preprocess import enhance, rescale

    checkpoint = load_checkpoint(bundled_path())
    seg = Segmenter.from_checkpoint(checkpoint, device="cpu")
    image = load_image(data_root() / "DRIVE" / "test" / "images" / "01_test.tif")
    cfg = checkpoint.preprocess
    rgb, fov, _ = rescale(image.rgb, image.fov, cfg)
    x = enhance(rgb, fov, cfg)
    ys, xs = np.nonzero(fov.any(axis=1))[0], np.nonzero(fov.any(axis=0))[0]
    crop = x[max(0, ys[0] - 8):ys[-1] + 9, max(0, xs[0] - 8):xs[-1] + 9]
    m = checkpoint.model_config.size_multiple
    h, w = crop.shape
    padded = np.pad(crop, ((0, -h % m), (0, -w % m)), mode="reflect")
    inp = torch.from_numpy(np.ascontiguousarray(padded))[None, None]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; network input {tuple(inp.shape[2:])}")

    eager = checkpoint.build_model().eval()  # plain NCHW: the torch backend's model is channels_last
    with torch.inference_mode():
        reference = torch.sigmoid(eager(inp))[0, 0].numpy()
    variants: dict[str, Callable[[], Callable[[torch.Tensor], torch.Tensor]]] = {}
    variants["eager float32"] = lambda: eager
    variants["channels_last"] = lambda: checkpoint.build_model().eval().to(memory_format=torch.channels_last)

    def traced_frozen() -> Callable[[torch.Tensor], torch.Tensor]:
        model = checkpoint.build_model().eval()
        with torch.inference_mode():
            return torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.trace(model, inp)))
    variants["TorchScript trace+freeze"] = traced_frozen

    def autocast_bf16() -> Callable[[torch.Tensor], torch.Tensor]:
        return torch.autocast("cpu", torch.bfloat16)(checkpoint.build_model().eval())
    variants["autocast bfloat16"] = autocast_bf16

    def compiled() -> Callable[[torch.Tensor], torch.Tensor]:
        model = checkpoint.build_model().eval()
        return torch.compile(model, dynamic=False)
    variants["torch.compile"] = compiled

    def onnxruntime_backend() -> Callable[[torch.Tensor], torch.Tensor]:
        from fundus_app.model.runtime import load_onnx

        network, _ = load_onnx(bundled_path().with_suffix(".onnx"), device="cpu")
        return lambda t: torch.from_numpy(network(t.numpy()))
    variants["ONNX Runtime (--backend onnx)"] = onnxruntime_backend

    base_median = None
    for name, build in variants.items():
        try:
            model = build()
            x_in = inp.contiguous(memory_format=torch.channels_last) if name == "channels_last" else inp
            with torch.inference_mode():
                model(x_in)  # warm-up / compile
                model(x_in)
                times = []
                for _ in range(args.repeats):
                    t = time.perf_counter()
                    out = model(x_in)
                    times.append(time.perf_counter() - t)
                prob = torch.sigmoid(out.float())[0, 0].numpy()
        except Exception as exc:
            print(f"  {name:28s} n/a: {type(exc).__name__}: {str(exc).splitlines()[0][:90]}")
            continue
        med = statistics.median(times) * 1000
        base_median = base_median or med
        diff = np.mean((prob > seg.threshold) != (reference > seg.threshold)) * 100
        print(f"  {name:28s}{med:8.1f} ms ({1000 * min(times):.1f}-{1000 * max(times):.1f})  "
              f"x{base_median / med:.2f}  mask differs {diff:.3f}% of pixels")
    for threads in (1, 2):
        torch.set_num_threads(threads)
        with torch.inference_mode():
            eager(inp)
            times = []
            for _ in range(args.repeats):
                t = time.perf_counter()
                eager(inp)
                times.append(time.perf_counter() - t)
        print(f"  eager, {threads} thread(s)          {1000 * statistics.median(times):8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
