"""Inference: the Segmenter turns a FundusImage into a probability map.

Images are first normalised in scale (``preprocess.prepare``), so most
inputs are ~540 px across and run in a single forward pass; anything larger
than ``tile_size`` is cut into overlapping tiles that are batched and blended
with a smooth window.
"""
from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import torch

from fundus_app.config import BACKENDS, settings
from fundus_app.domain import FundusImage, Segmentation
from fundus_app.errors import ModelError
from fundus_app.model.checkpoint import Checkpoint, bundled_path, load_checkpoint
from fundus_app.preprocess import fov_diameter, prepare
from fundus_app.progress import CancelFn, Progress, ProgressFn, ignore, raise_if_cancelled


def resolve_device(device: str = "auto") -> torch.device:
    """'auto' -> CUDA when present, else CPU; refuses 'cuda' without a GPU."""
    device = (device or "auto").lower()
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ModelError("CUDA was requested but no usable GPU was found; use --device cpu.")
    if device not in ("cpu",) and not device.startswith("cuda"):
        raise ModelError(f"Unknown device '{device}'; choose auto, cpu or cuda.")
    return torch.device(device)


def _window(size: int) -> np.ndarray:
    """2-D blending weights for overlapping tiles: high in the middle, small at the edge."""
    ramp = np.minimum(np.arange(size) + 1, np.arange(size)[::-1] + 1).astype(np.float32)
    ramp = np.minimum(ramp / (size / 4), 1.0)
    return np.outer(ramp, ramp)


def tile_layout(length: int, tile_size: int, overlap: int, multiple: int) -> tuple[int, list[int]]:
    """Tile length and start offsets covering ``length`` with at most ``tile_size`` per tile.

    As few tiles as fit with ``overlap`` between neighbours, all of one length (a multiple of
    ``multiple``) and spread evenly, so no tile is mostly padding: a 778-px side takes two 432-px
    tiles, not two of 768 (half the pixels through the network).
    """
    if length <= tile_size:
        return math.ceil(length / multiple) * multiple, [0]
    count = math.ceil((length - overlap) / (tile_size - overlap))  # >= 2
    tile = math.ceil((length + (count - 1) * overlap) / count / multiple) * multiple  # neighbours overlap >= overlap
    return tile, sorted({round(i * (length - tile) / (count - 1)) for i in range(count)})


def predict_logits_to_prob(model: Callable[[torch.Tensor], torch.Tensor], x: np.ndarray, *, multiple: int,
                           device: torch.device, tile_size: int = 768, overlap: int = 64, batch_size: int = 4,
                           flips: bool = False, should_cancel: CancelFn | None = None) -> np.ndarray:
    """Vessel probability for a (h, w) float32 network input; returns (h, w) float32.

    Pads to a multiple of the network's stride (reflect), tiles large inputs
    with ``overlap`` pixels of blending, batches the tiles, and optionally
    averages over horizontal/vertical flips (test-time augmentation).
    """
    h, w = x.shape
    (tile_h, starts_y), (tile_w, starts_x) = (tile_layout(n, tile_size, overlap, multiple) for n in (h, w))
    ph, pw = max(tile_h, h), max(tile_w, w)
    padded = np.pad(x, ((0, ph - h), (0, pw - w)), mode="reflect" if (ph - h < h and pw - w < w) else "constant")
    boxes = [(y, x0) for y in starts_y for x0 in starts_x]
    weight = (
        _window(tile_h)[:, :1] * _window(tile_w)[:1, :] if len(boxes) > 1 else np.ones((tile_h, tile_w), np.float32)
    )
    acc = np.zeros((ph, pw), np.float32)
    norm = np.zeros((ph, pw), np.float32)
    with torch.inference_mode():
        for i in range(0, len(boxes), batch_size):
            raise_if_cancelled(should_cancel)
            chunk = boxes[i:i + batch_size]
            batch = np.stack([padded[y:y + tile_h, x0:x0 + tile_w] for y, x0 in chunk])[:, None]
            t = torch.from_numpy(batch).to(device)
            prob = torch.sigmoid(model(t))
            if flips:
                prob = prob + torch.sigmoid(model(t.flip(-1))).flip(-1)
                prob = prob + torch.sigmoid(model(t.flip(-2))).flip(-2)
                prob = prob / 3
            prob_np = prob[:, 0].float().cpu().numpy()
            for (y, x0), p in zip(chunk, prob_np, strict=True):
                acc[y:y + tile_h, x0:x0 + tile_w] += p * weight
                norm[y:y + tile_h, x0:x0 + tile_w] += weight
    return (acc / np.maximum(norm, 1e-6))[:h, :w]


class Segmenter:
    """A loaded model ready to segment images. Create with ``Segmenter.load()``."""

    def __init__(self, checkpoint: Checkpoint, device: str = "auto", *, flips: bool = False,
                 backend: str | None = None, onnx_path: Path | None = None, onnx_verify_manifest: bool = True,
                 threads: int | None = None) -> None:
        """``backend``: "torch", "onnx" (ONNX Runtime, CPU) or "auto" (ONNX when usable on CPU, else torch);
        ``threads``: CPU inference threads (0: the library's choice). None: ``config.settings()``'s."""
        self.checkpoint = checkpoint
        self.device = resolve_device(device)
        self.model = checkpoint.build_model().to(self.device)
        self.flips = flips
        config = settings()
        threads = config.threads if threads is None else threads
        if self.device.type == "cpu" and threads:
            torch.set_num_threads(threads)
        if self.device.type == "cpu":
            # NHWC lets oneDNN pick its fast convolution kernels: 1.4-1.7x on the bundled net, same
            # output (experiments/bench_levers.py). Inputs may stay NCHW; torch converts once.
            self.model = self.model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # stubs lack it
        backend = (backend or config.backend).lower()
        if backend not in BACKENDS:
            raise ModelError(f"Unknown backend '{backend}'; choose auto, torch or onnx.")
        self.backend = "torch"
        self._forward: Callable[[torch.Tensor], torch.Tensor] = self.model
        if backend != "torch" and self.device.type == "cpu" and onnx_path is not None:
            from fundus_app.model import onnx_backend

            runner = onnx_backend.load_runner(checkpoint, onnx_path, verify_manifest=onnx_verify_manifest)
            if runner is not None:
                self._forward, self.backend = runner, "onnx"
        if backend == "onnx" and self.backend != "onnx":
            raise ModelError("The ONNX backend was requested but is not usable here (onnxruntime missing, "
                             "or no matching .onnx file beside the checkpoint); use --backend torch.")

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, device: str = "auto", *, flips: bool = False,
             backend: str | None = None, threads: int | None = None) -> Segmenter:
        """Load the bundled checkpoint (``path=None``) or a compatible one from ``path``.

        The bundled checkpoint must match the SHA-256 in ``models/manifest.json``. An ONNX
        export beside the checkpoint (same name, ``.onnx``) is used on CPU when onnxruntime is
        installed and the file belongs to this checkpoint (see ``onnx_backend``).
        """
        if path is None:
            p = bundled_path()
            from fundus_app.model.manifest import MANIFEST_NAME, manifest_sha256

            expected = manifest_sha256(p)
            if expected is None:
                raise ModelError(f"The bundled model's manifest ({MANIFEST_NAME}) does not list a SHA-256 for "
                                 f"{p.name}; the installation is incomplete.")
            return cls(load_checkpoint(p, expected), device, flips=flips, backend=backend,
                       onnx_path=p.with_suffix(".onnx"), threads=threads)
        p = Path(path)
        return cls(load_checkpoint(p), device, flips=flips, backend=backend, onnx_path=p.with_suffix(".onnx"),
                   onnx_verify_manifest=False, threads=threads)

    @property
    def device_label(self) -> str:
        """'cpu', 'cuda:0' or 'cpu (onnxruntime)': what ran the network, for JSON, report and status bar."""
        return f"{self.device} (onnxruntime)" if self.backend == "onnx" else str(self.device)

    @property
    def threshold(self) -> float:
        return self.checkpoint.threshold

    @property
    def name(self) -> str:
        return self.checkpoint.name

    def _predict_in_fov(self, x: np.ndarray, fov: np.ndarray, should_cancel: CancelFn | None) -> np.ndarray:
        """Run the network on the FOV's bounding box only (plus a margin): fewer pixels, same result.

        On a CPU the tiles of a large photograph go one at a time: as fast as in batches of 4
        and less peak memory (3504x2336 at a 1080-px working FOV: 636 vs 852 MB with ONNX Runtime).
        """
        out = np.zeros(x.shape, np.float32)
        ys, xs = np.nonzero(fov.any(axis=1))[0], np.nonzero(fov.any(axis=0))[0]
        if len(ys) == 0:
            return out
        m = 8
        y0, y1 = max(0, ys[0] - m), min(x.shape[0], ys[-1] + 1 + m)
        x0, x1 = max(0, xs[0] - m), min(x.shape[1], xs[-1] + 1 + m)
        out[y0:y1, x0:x1] = predict_logits_to_prob(self._forward, np.ascontiguousarray(x[y0:y1, x0:x1]),
                                                   multiple=self.checkpoint.model_config.size_multiple,
                                                   device=self.device, flips=self.flips, should_cancel=should_cancel,
                                                   batch_size=4 if self.device.type == "cuda" else 1)
        return out

    def segment(self, image: FundusImage, *, crf: bool = False, on_progress: ProgressFn | None = None,
                should_cancel: CancelFn | None = None) -> Segmentation:
        """Vessel probability at the input resolution (0 outside the FOV).

        ``on_progress`` and ``should_cancel`` let a caller follow the stages and stop
        early (``Cancelled`` is raised).
        """
        timings: dict[str, float] = {}
        report = on_progress or ignore
        t0 = time.perf_counter()
        report(Progress(0.05, "preprocess"))
        prepared = prepare(image, self.checkpoint.preprocess)
        t1 = time.perf_counter()
        timings["preprocess"] = t1 - t0
        report(Progress(0.2, "network"))
        prob_small = self._predict_in_fov(prepared.x, prepared.fov, should_cancel)
        t2 = time.perf_counter()
        timings["network"] = t2 - t1
        if crf:
            # The CRF runs at the normalised scale too: its kernels are tuned to vessel widths there,
            # and a 3504x2336 image would otherwise take tens of seconds.
            raise_if_cancelled(should_cancel)
            from fundus_app.postprocess import dense_crf

            report(Progress(0.85, "crf"))
            prob_small = dense_crf(prepared.rgb, prob_small, prepared.fov)
            t3 = time.perf_counter()
            timings["crf"] = t3 - t2
            t2 = t3
        report(Progress(0.95, "postprocess"))
        H, W = image.shape
        prob = (
            prob_small if prob_small.shape == (H, W) else cv2.resize(prob_small, (W, H), interpolation=cv2.INTER_LINEAR)
        )
        prob = np.clip(prob, 0.0, 1.0, out=prob)
        prob[~image.fov] = 0.0
        timings["postprocess"] = time.perf_counter() - t2
        timings["total"] = time.perf_counter() - t0
        report(Progress(1.0, "done"))
        return Segmentation(probability=prob.astype(np.float32, copy=False), fov=image.fov, timings=timings,
                            default_threshold=self.threshold, model_name=self.name,
                            model_sha256=self.checkpoint.sha256, device=self.device_label, crf=crf,
                            working_scale=prepared.scale, working_fov_px=fov_diameter(prepared.fov))
