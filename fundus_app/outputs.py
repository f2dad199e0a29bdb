"""The files ``fundus-app segment`` writes for one image, and reading them back.

Per input ``<stem>``: ``_prob.png`` (16-bit grey, probability x 65535),
``_mask.png`` (0/255 at the threshold), ``_overlay.png``, ``_av.png`` (uint8 in the RITE
coding: 0 background, 1 artery, 2 vein, 3 uncertain; when an A/V model ran) and ``.json``
(biomarkers, optic disc, eye, calibre, threshold, models, device, timings). The JSON is written last,
so its presence marks a finished image (a resumed batch skips it).
Every file is written atomically; patient data never goes into them.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from fundus_app import __version__
from fundus_app.atomic import OutputError, write_bytes
from fundus_app.biomarkers import measure_vessels
from fundus_app.biomarkers.calibre import Calibre, calibre_of
from fundus_app.domain import FundusImage, Segmentation, eye_of
from fundus_app.postprocess import overlay, remove_specks

PROB_SCALE = 65535


@dataclass(frozen=True)
class OutputPaths:
    prob: Path
    mask: Path
    overlay: Path
    json: Path
    av: Path

    @classmethod
    def for_stem(cls, out_dir: Path, stem: str) -> OutputPaths:
        return cls(out_dir / f"{stem}_prob.png", out_dir / f"{stem}_mask.png",
                   out_dir / f"{stem}_overlay.png", out_dir / f"{stem}.json", out_dir / f"{stem}_av.png")


def encode_png(array: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", array)
    if not ok:
        raise OutputError("PNG encoding failed.")
    return buf.tobytes()


def final_mask(segmentation: Segmentation, threshold: float, min_speck: int = 0) -> np.ndarray:
    """The binary vessel map every output (files, report, GUI) derives from."""
    return remove_specks(segmentation.mask(threshold), min_speck)


def write_outputs(image: FundusImage, segmentation: Segmentation, out_dir: str | Path, *, stem: str | None = None,
                  threshold: float | None = None, min_speck: int = 0,
                  extra: Mapping[str, Any] | None = None) -> tuple[OutputPaths, dict[str, Any]]:
    """Write the four output files; returns their paths and the JSON record.

    ``extra``: more fields for the JSON record (a batch's source key; patient fields only when
    the user asked for them).
    """
    out_dir = Path(out_dir)
    stem = stem or (image.path.stem if image.path else "image")
    t = segmentation.default_threshold if threshold is None else float(threshold)
    mask = final_mask(segmentation, t, min_speck)
    paths = OutputPaths.for_stem(out_dir, stem)
    prob16 = np.round(np.clip(segmentation.probability, 0, 1) * PROB_SCALE).astype(np.uint16)
    write_bytes(paths.prob, encode_png(prob16))
    write_bytes(paths.mask, encode_png(mask.astype(np.uint8) * 255))
    ov = overlay(image.rgb, mask)
    write_bytes(paths.overlay, encode_png(cv2.cvtColor(ov, cv2.COLOR_RGB2BGR)))
    av = segmentation.av_map(t)
    if av is not None:
        av[~mask] = 0  # the same vessels as _mask.png (specks removed)
        write_bytes(paths.av, encode_png(av))
    eye, eye_source = eye_of(image.meta, segmentation.disc)
    record: dict[str, Any] = {
        "file": image.name,
        "width": image.shape[1],
        "height": image.shape[0],
        "threshold": t,
        "min_speck": min_speck,
        "crf": segmentation.crf,
        "model": {"name": segmentation.model_name, "sha256": segmentation.model_sha256},
        "av_model": ({"name": segmentation.av_model_name, "sha256": segmentation.av_model_sha256}
                     if segmentation.av_model_name else None),
        "disc_model": ({"name": segmentation.disc_model_name, "sha256": segmentation.disc_model_sha256}
                       if segmentation.disc_model_name else None),
        "device": segmentation.device,
        "working_scale": None if segmentation.working_scale is None else round(segmentation.working_scale, 4),
        "working_fov_px": None if segmentation.working_fov_px is None else round(segmentation.working_fov_px),
        "timings_s": {k: round(v, 4) for k, v in segmentation.timings.items()},
        "biomarkers": measure_vessels(mask, segmentation.fov).as_dict(),
        "disc": None if segmentation.disc is None else segmentation.disc.as_dict(),
        "eye": eye,
        "eye_source": eye_source,
        **calibre_fields(calibre_of(image, segmentation, t, av=av)),
        "warning": image.meta.get("warning"),
        **(extra or {}),
        "app_version": __version__,
        "intended_use": "For research and review support; not a diagnosis.",
    }
    write_bytes(paths.json, (json.dumps(record, indent=2) + "\n").encode("utf-8"))
    return paths, record


def calibre_fields(calibres: dict[str, Calibre]) -> dict[str, Any]:
    """The JSON fields of the calibres: ``calibre`` (zone B, the standard) and ``calibre_zone_c``, each
    null when nothing could be measured, and ``calibre_reason`` saying why a value is missing."""
    b, c = calibres["B"], calibres["C"]

    def block(cal: Calibre) -> dict[str, Any] | None:
        return None if cal.crae_um is None and cal.crve_um is None else cal.as_dict()

    return {"calibre": block(b), "calibre_zone_c": block(c), "calibre_reason": b.reason}


def read_probability(path: str | Path) -> np.ndarray:
    """A written ``_prob.png`` back as float32 in [0, 1]."""
    data = cv2.imdecode(np.fromfile(str(path), np.uint8), cv2.IMREAD_UNCHANGED)
    if data is None or data.dtype != np.uint16:
        raise OutputError(f"{path} is not a 16-bit probability map.")
    return data.astype(np.float32) / PROB_SCALE


def read_mask(path: str | Path) -> np.ndarray:
    """A written ``_mask.png`` back as bool."""
    data = cv2.imdecode(np.fromfile(str(path), np.uint8), cv2.IMREAD_GRAYSCALE)
    if data is None:
        raise OutputError(f"{path} is not a readable mask.")
    return data > 127
