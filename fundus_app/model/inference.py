"""Inference: the Segmenter turns a FundusImage into a probability map.

Images are first normalised in scale (``preprocess.prepare``), so most inputs are ~540 px
across and run in a single forward pass; anything larger is cut into overlapping tiles
(``model.tiling``). The network is ONNX Runtime's (``model.runtime``: no torch) unless the torch
backend is asked for (``model.torch_backend``, training's validation and ``--backend torch``),
which is imported only then.
"""
from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import cv2
import numpy as np

from fundus_app.config import BACKENDS, settings
from fundus_app.domain import Disc, FundusImage, Segmentation
from fundus_app.errors import ModelError
from fundus_app.model.arteryvein import av_probabilities, label_map, vote_by_segment
from fundus_app.model.manifest import manifest_entry, manifest_sha256, sha256_of
from fundus_app.model.runtime import AV_ONNX_NAME, ONNX_NAME, ModelInfo, load_onnx
from fundus_app.model.tiling import predict_in_fov
from fundus_app.preprocess import PreparedImage, PreprocessConfig, enhance_colour, fov_diameter, prepare
from fundus_app.progress import CancelFn, Progress, ProgressFn, ignore, raise_if_cancelled
from fundus_app.resources import models_dir

if TYPE_CHECKING:  # torch stays out of the run time: the torch backend is imported only when asked for
    from fundus_app.model.checkpoint import Checkpoint

BUNDLED_CHECKPOINT = "vessel_unet.pt"
TORCH_HINT = 'The torch backend needs PyTorch: pip install "fundus-app[train]" (the default ONNX backend does not).'


class Network(Protocol):
    """What the Segmenter runs: logits for a (N, 1, h, w) float32 batch, and what ran them."""

    device_label: str
    batch_size: int

    def __call__(self, batch: np.ndarray) -> np.ndarray: ...


class DiscFinder(Protocol):
    """What the Segmenter asks for the optic disc (``model.disc.DiscLocator``)."""

    @property
    def name(self) -> str: ...

    @property
    def sha256(self) -> str: ...

    def locate(self, rgb: np.ndarray, fov: np.ndarray) -> Disc | None: ...


class ArteryVeinModel:
    """The artery/vein network with its metadata (``model.arteryvein``)."""

    def __init__(self, network: Network, info: ModelInfo) -> None:
        self.network, self.info = network, info

    @classmethod
    def load(cls, path: Path | None = None, device: str = "auto", threads: int = 0) -> ArteryVeinModel | None:
        """The bundled A/V model (None when this installation has none), or the ONNX file ``path``."""
        path = path or models_dir() / AV_ONNX_NAME
        if not path.is_file() and path.parent == models_dir():
            return None
        return cls(*load_onnx(path, device=device, threads=threads))


def _paired_onnx(checkpoint: Path) -> Path | None:
    """The ONNX file beside a checkpoint that a manifest says was exported from it, else None."""
    onnx = checkpoint.with_suffix(".onnx")
    entry = manifest_entry(onnx) if onnx.is_file() else None
    if entry is None or not entry.get("source_sha256"):
        return None
    return onnx if str(entry["source_sha256"]).lower() == sha256_of(checkpoint) else None


class Segmenter:
    """A loaded model ready to segment images. Create with ``Segmenter.load()``."""

    def __init__(self, network: Network, info: ModelInfo, *, flips: bool = False, backend: str = "onnx",
                 av_model: ArteryVeinModel | None = None, disc_finder: DiscFinder | None = None) -> None:
        self.network = network
        self.info = info
        self.flips = flips
        self.backend = backend
        self.av_model = av_model
        self.disc_finder = disc_finder

    def with_anatomy(self, device: str = "auto", threads: int = 0) -> Segmenter:
        """Add the bundled artery/vein and optic-disc models (those this installation has)."""
        if self.av_model is None:
            self.av_model = ArteryVeinModel.load(device=device, threads=threads)
        if self.disc_finder is None:
            self.disc_finder = _bundled_disc_finder(device, threads)
        return self

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, device: str = "auto", *, flips: bool = False,
             backend: str | None = None, threads: int | None = None, anatomy: bool = True) -> Segmenter:
        """The bundled model (``path=None``), an ONNX model (``.onnx`` listed in a manifest beside
        it) or a checkpoint (``.pt``; its ONNX export is used when a manifest pairs them).

        ``backend``: "onnx" (ONNX Runtime), "torch" (needs the train extra) or "auto" (ONNX when
        the model has an ONNX file, else torch); ``threads``: CPU inference threads (0: the
        library's choice). None takes ``config.settings()``'s. Every file is checked against its
        manifest's SHA-256 (the bundled ones must be listed). ``anatomy``: also the bundled
        artery/vein and optic-disc models (``with_anatomy``).
        """
        config = settings()
        backend = (backend or config.backend).lower()
        if backend not in BACKENDS:
            raise ModelError(f"Unknown backend '{backend}'; choose auto, torch or onnx.")
        threads = config.threads if threads is None else threads
        p = Path(path) if path is not None else None
        if p is None:
            onnx: Path | None = models_dir() / ONNX_NAME
            checkpoint: Path | None = models_dir() / BUNDLED_CHECKPOINT
        elif p.suffix.lower() == ".onnx":
            onnx, checkpoint = p, None
        else:
            if not p.is_file():
                raise ModelError(f"Model file {p} does not exist.")
            onnx, checkpoint = (_paired_onnx(p) if backend != "torch" else None), p
        if backend != "torch" and onnx is not None:
            network, info = load_onnx(onnx, device=device, threads=threads)
            segmenter = cls(network, info, flips=flips, backend="onnx")
        elif backend == "onnx" or checkpoint is None:
            raise ModelError("The ONNX backend was requested but the model has no ONNX file listed in a manifest "
                             "beside it (scripts/export_onnx.py makes one); use --backend torch.")
        else:
            segmenter = cls.from_checkpoint_file(checkpoint, device, flips=flips, threads=threads, bundled=p is None)
        return segmenter.with_anatomy(device, threads) if anatomy else segmenter

    @classmethod
    def from_checkpoint_file(cls, path: Path, device: str = "auto", *, flips: bool = False, threads: int = 0,
                             bundled: bool = False) -> Segmenter:
        """A checkpoint run by torch; a bundled one must match its manifest's SHA-256."""
        try:
            from fundus_app.model.checkpoint import load_checkpoint
        except ImportError:
            raise ModelError(TORCH_HINT) from None
        expected = manifest_sha256(path) if bundled else None
        if bundled and expected is None:
            raise ModelError(f"The bundled model's manifest does not list a SHA-256 for {path.name}; "
                             "the installation is incomplete.")
        return cls.from_checkpoint(load_checkpoint(path, expected), device, flips=flips, threads=threads)

    @classmethod
    def from_checkpoint(cls, checkpoint: Checkpoint, device: str = "auto", *, flips: bool = False,
                        threads: int = 0) -> Segmenter:
        """A loaded checkpoint run by torch (training's validation, probes, ``--backend torch``)."""
        try:
            from fundus_app.model.torch_backend import TorchNetwork, checkpoint_info
        except ImportError:
            raise ModelError(TORCH_HINT) from None
        return cls(TorchNetwork(checkpoint, device, threads), checkpoint_info(checkpoint), flips=flips,
                   backend="torch")

    @property
    def device_label(self) -> str:
        """What ran the network, for JSON, report and status bar: 'cpu (onnxruntime CPUExecutionProvider)',
        'cuda (onnxruntime CUDAExecutionProvider)', or torch's 'cpu' / 'cuda:0'."""
        return self.network.device_label

    @property
    def threshold(self) -> float:
        return self.info.threshold

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def sha256(self) -> str:
        """The model's identity (its checkpoint's SHA-256), as outputs and reports cite it."""
        return self.info.sha256

    @property
    def preprocess(self) -> PreprocessConfig:
        return self.info.preprocess

    def _predict_in_fov(self, x: np.ndarray, fov: np.ndarray, should_cancel: CancelFn | None) -> np.ndarray:
        """Run the network on the FOV's bounding box only (plus a margin): fewer pixels, same result.

        On a CPU the tiles of a large photograph go one at a time: as fast as in batches of 4
        and less peak memory (3504x2336 at a 1080-px working FOV: 636 vs 852 MB with ONNX Runtime).
        """
        return predict_in_fov(self.network, x, fov, np.zeros(x.shape, np.float32), multiple=self.info.size_multiple,
                              batch_size=self.network.batch_size, flips=self.flips, should_cancel=should_cancel)

    def segment(self, image: FundusImage, *, crf: bool = False, on_progress: ProgressFn | None = None,
                should_cancel: CancelFn | None = None, anatomy: bool = True) -> Segmentation:
        """Vessel probability at the input resolution (0 outside the FOV).

        ``on_progress`` and ``should_cancel`` let a caller follow the stages and stop
        early (``Cancelled`` is raised).
        """
        timings: dict[str, float] = {}
        report = on_progress or ignore
        t0 = time.perf_counter()
        report(Progress(0.05, "preprocess"))
        prepared = prepare(image, self.info.preprocess)
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
        report(Progress(0.8, "postprocess"))
        H, W = image.shape
        prob = (
            prob_small if prob_small.shape == (H, W) else cv2.resize(prob_small, (W, H), interpolation=cv2.INTER_LINEAR)
        )
        prob = np.clip(prob, 0.0, 1.0, out=prob)
        prob[~image.fov] = 0.0
        t3 = time.perf_counter()
        timings["postprocess"] = t3 - t2
        seg = Segmentation(probability=prob.astype(np.float32, copy=False), fov=image.fov, timings=timings,
                           default_threshold=self.threshold, model_name=self.name,
                           model_sha256=self.sha256, device=self.device_label, crf=crf,
                           working_scale=prepared.scale, working_fov_px=fov_diameter(prepared.fov),
                           working_probability=prob_small)
        if anatomy:
            seg = self._add_anatomy(image, seg, prepared, should_cancel, report)
        seg.timings["total"] = time.perf_counter() - t0
        report(Progress(1.0, "done"))
        return seg

    def add_anatomy(self, image: FundusImage, segmentation: Segmentation, *,
                    should_cancel: CancelFn | None = None) -> Segmentation:
        """``segmentation`` (from ``segment(..., anatomy=False)``) with the artery/vein map and the optic
        disc added: the window shows the vessels first and these a moment later. The same result as
        ``segment(image)`` in one call."""
        t0 = time.perf_counter()
        seg = self._add_anatomy(image, segmentation, prepare(image, self.info.preprocess), should_cancel, ignore)
        seg.timings["total"] = segmentation.timings.get("total", 0.0) + time.perf_counter() - t0
        return seg

    def _add_anatomy(self, image: FundusImage, seg: Segmentation, prepared: PreparedImage,
                     should_cancel: CancelFn | None, report: ProgressFn) -> Segmentation:
        timings = dict(seg.timings)
        av_class = None
        if self.av_model is not None:
            raise_if_cancelled(should_cancel)
            report(Progress(0.85, "arteries and veins"))
            t0 = time.perf_counter()
            vessel_prob = seg.working_probability
            if vessel_prob is None or vessel_prob.shape != prepared.fov.shape:
                vessel_prob = cv2.resize(seg.probability, prepared.fov.shape[::-1], interpolation=cv2.INTER_AREA)
            av_class = self._classify_vessels(image, prepared, vessel_prob, should_cancel)
            timings["av"] = time.perf_counter() - t0
        disc = None
        if self.disc_finder is not None:
            raise_if_cancelled(should_cancel)
            report(Progress(0.95, "optic disc"))
            t0 = time.perf_counter()
            disc = self.disc_finder.locate(image.rgb, image.fov)
            timings["disc"] = time.perf_counter() - t0
        av, finder = self.av_model, self.disc_finder
        return replace(seg, timings=timings, av_class=av_class, disc=disc,
                       av_model_name=av.info.name if av else "", av_model_sha256=av.info.sha256 if av else "",
                       disc_model_name=finder.name if finder else "",
                       disc_model_sha256=finder.sha256 if finder else "")

    def _classify_vessels(self, image: FundusImage, prepared: PreparedImage, vessel_prob: np.ndarray,
                          should_cancel: CancelFn | None) -> np.ndarray:
        """The A/V network's class for every FOV pixel at the input resolution (``Segmentation.av_class``),
        averaged along the vessel segments of the default-threshold mask (``vote_by_segment``: +0.017 A/V
        F1 on the A/V validation images, experiments/LOG.md)."""
        assert self.av_model is not None
        cfg = self.av_model.info.preprocess
        if cfg != self.info.preprocess:  # another vessel model: the A/V network keeps its own working scale
            prepared = prepare(image, cfg)
            vessel_prob = cv2.resize(vessel_prob, prepared.fov.shape[::-1], interpolation=cv2.INTER_LINEAR)
        x = enhance_colour(prepared.rgb, prepared.fov, cfg)
        probs = av_probabilities(self.av_model.network, x, prepared.fov, multiple=self.av_model.info.size_multiple,
                                 batch_size=self.av_model.network.batch_size, should_cancel=should_cancel)
        probs = vote_by_segment(probs, (vessel_prob >= self.threshold) & prepared.fov)
        return label_map(probs, image.fov)


def _bundled_disc_finder(device: str, threads: int) -> DiscFinder | None:
    """The bundled optic-disc locator, or None when this installation has none."""
    from fundus_app.model.disc import ONNX_NAME as DISC_ONNX_NAME
    from fundus_app.model.disc import DiscLocator

    if not (models_dir() / DISC_ONNX_NAME).is_file():
        return None
    return DiscLocator.load(device=device, threads=threads)
