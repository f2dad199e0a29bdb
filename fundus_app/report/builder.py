"""Everything a report shows, computed and formatted (no reportlab here).

:func:`build_report_data` turns a FundusImage and its Segmentation into a
:class:`ReportData`: the localised strings, the three images encoded for the
PDF, the biomarkers with their reference ranges, and the provenance. The
renderer (``pdf.py``) only lays it out, so the numbers can be tested without a
PDF and the PDF cannot disagree with them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from fundus_app import __version__
from fundus_app.biomarkers import (
    BY_KEY,
    MEASURE_FOV_PX,
    REPORT_KEYS,
    Biomarkers,
    FractalFit,
    measure_vessels,
    reference_ranges,
)
from fundus_app.domain import FundusImage, Segmentation
from fundus_app.errors import FundusError
from fundus_app.outputs import final_mask
from fundus_app.postprocess import overlay
from fundus_app.preprocess.fov import fov_diameter
from fundus_app.report.strings import LANGUAGES, STRINGS

log = logging.getLogger(__name__)

#: Resolution of the embedded images at their printed size (photos as JPEG, the map as PNG).
IMAGE_DPI = 220
JPEG_QUALITY = 88


class ReportError(FundusError):
    """A report could not be made (bad argument or rendering failure)."""


@dataclass(frozen=True)
class ClinicInfo:
    """Who issues the report: printed in the header.

    name : clinic or department name (default: the application's name).
    address : one or more lines (``\\n`` separated).
    contact : telephone, e-mail or web address (optional).
    """

    name: str = ""
    address: str = ""
    contact: str = ""

    @classmethod
    def coerce(cls, value: ClinicInfo | dict[str, Any] | str | None) -> ClinicInfo:
        """A ClinicInfo from itself, a dict with (a subset of) its fields, a string (first line: the
        name, further lines: the address; as the GUI's one-line setting gives it), or None."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            name, _, address = value.strip().partition("\n")
            return cls(name.strip(), address.strip())
        if isinstance(value, dict):
            known = {f.name for f in fields(cls)}
            unknown = sorted(set(value) - known)
            if unknown:
                raise ReportError(f"Unknown clinic field(s) {', '.join(unknown)}; use {', '.join(sorted(known))}.")
            return cls(**{k: "" if v is None else str(v) for k, v in value.items()})
        raise ReportError(f"The clinic information must be a ClinicInfo, a dict or a string, not "
                          f"{type(value).__name__}.")


def format_threshold(t: float) -> str:
    """0.5 -> '0.50', 0.425 -> '0.425' (at least 2, at most 4 decimals)."""
    text = f"{t:.4f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


# --- report data --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BiomarkerRow:
    key: str
    label: str
    value: float
    value_text: str
    unit: str
    definition: str
    mean: float | None = None
    sd: float | None = None
    reference_text: str = ""


@dataclass(frozen=True)
class ReportImage:
    """An image ready for the PDF: encoded bytes, pixel size and caption."""

    data: bytes
    width: int
    height: int
    caption: str
    kind: str  # "jpeg" or "png"


@dataclass(frozen=True)
class ReportData:
    lang: str
    text: dict[str, str]
    created: dt.datetime
    app_version: str
    clinic: ClinicInfo
    patient: list[tuple[str, str]]
    images: list[ReportImage]
    biomarkers: Biomarkers
    rows: list[BiomarkerRow]
    fit: FractalFit | None
    processing: list[tuple[str, str]]
    notes: list[str]
    reference_n: dict[str, int] = field(default_factory=dict)
    measure_fov_px: float = MEASURE_FOV_PX

    def t(self, key: str, **kwargs: Any) -> str:
        s = self.text[key]
        return s.format(**kwargs) if kwargs else s


def id_hash(patient_id: str) -> str:
    """First 8 hex digits of the SHA-256 of the patient ID (unsalted: a linkage key, not anonymity)."""
    return hashlib.sha256(patient_id.strip().encode("utf-8")).hexdigest()[:8]


def _dicom_date(value: Any, *, year_only: bool = False) -> str | None:
    if not value:
        return None
    s = str(value).strip()
    if len(s) >= 8 and s[:8].isdigit():
        return s[:4] if year_only else f"{s[:4]}-{s[4:6]}-{s[6:8]}"
    return s[:4] if year_only and s[:4].isdigit() else (None if year_only else s)


def _patient_rows(meta: dict[str, Any], text: dict[str, str], anonymise: bool) -> list[tuple[str, str]]:
    na = text["not_available"]

    def get(key: str) -> str | None:
        v = meta.get(key)
        return str(v).strip() or None if v is not None else None

    sex = {"M": text["male"], "F": text["female"], "O": text["other"]}
    eye = {"R": text["right_eye"], "L": text["left_eye"], "B": text["both_eyes"]}
    pid = get("patient_id")
    camera = " ".join(p for p in (get("manufacturer"), get("model")) if p) or None
    raw_sex = get("patient_sex")
    raw_eye = get("laterality")
    rows = []
    if anonymise:
        rows.append((text["name"], text["withheld"]))
        rows.append((text["id_hash"], id_hash(pid) if pid else na))
    else:
        rows.append((text["name"], get("patient_name") or na))
        rows.append((text["patient_id"], pid or na))
    rows += [
        (text["sex"], sex.get(raw_sex.upper(), raw_sex) if raw_sex else na),
        (text["birth_date"], _dicom_date(get("patient_birth_date"), year_only=anonymise) or na),
        (text["study_date"], _dicom_date(get("study_date")) or na),
        (text["eye"], eye.get(raw_eye.upper(), raw_eye) if raw_eye else na),
        (text["camera"], camera or na),
    ]
    return rows


def _fit_size(h: int, w: int, max_w: int, max_h: int) -> tuple[int, int]:
    scale = min(1.0, max_w / w, max_h / h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def _encode(rgb_or_grey: np.ndarray, kind: str) -> bytes:
    if rgb_or_grey.ndim == 3:
        arr = cv2.cvtColor(rgb_or_grey, cv2.COLOR_RGB2BGR)
    else:
        arr = rgb_or_grey
    params = [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY] if kind == "jpeg" else [cv2.IMWRITE_PNG_COMPRESSION, 9]
    ok, buf = cv2.imencode(".jpg" if kind == "jpeg" else ".png", arr, params)
    if not ok:
        raise ReportError(f"Could not encode the {kind.upper()} image of the report.")
    return buf.tobytes()


def report_images(image: FundusImage, mask: np.ndarray, text: dict[str, str], threshold: float,
                  *, max_width_px: int, max_height_px: int) -> list[ReportImage]:
    """Original, overlay (as the GUI and CLI draw it) and binary map, shrunk to the printed size."""
    h, w = image.shape
    size = _fit_size(h, w, max_width_px, max_height_px)

    def shrink(a: np.ndarray) -> np.ndarray:
        return a if size == (w, h) else cv2.resize(a, size, interpolation=cv2.INTER_AREA)

    original = shrink(image.rgb)
    over = shrink(overlay(image.rgb, mask))
    binary = shrink(mask.astype(np.uint8) * 255)
    return [
        ReportImage(_encode(original, "jpeg"), size[0], size[1], text["original"], "jpeg"),
        ReportImage(_encode(over, "jpeg"), size[0], size[1],
                    text["overlay"].format(threshold=format_threshold(threshold)), "jpeg"),
        ReportImage(_encode(binary, "png"), size[0], size[1], text["binary"], "png"),
    ]


def biomarker_rows(bio: Biomarkers, lang: str, text: dict[str, str]) -> list[BiomarkerRow]:
    """The report's table: the catalogue's report measures, with their reference ranges."""
    values = bio.as_dict()
    rows = []
    for key in REPORT_KEYS:
        measure = BY_KEY[key]
        value = float(values[key])
        value_text = measure.number(value)
        if key == "tortuosity" and bio.tortuosity_segments == 0:
            value_text = text["no_segments"]
            value = math.nan
        mean, sd = measure.reference or (None, None)
        rows.append(BiomarkerRow(key, measure.label[lang], value, value_text, measure.unit, measure.definition[lang],
                                 mean, sd, measure.reference_text() or text["no_reference"]))
    return rows


def _processing_rows(image: FundusImage, seg: Segmentation, threshold: float, text: dict[str, str],
                     anonymise: bool, fov: np.ndarray) -> list[tuple[str, str]]:
    sha = seg.model_sha256 or ""
    total = seg.timings.get("total")
    if total is None and seg.timings:
        total = sum(seg.timings.values())
    h, w = image.shape
    size = f"{w} × {h} px"
    rows = [
        (text["model"], seg.model_name or text["not_available"]),
        (text["model_sha"], f"{sha[:16]}…" if len(sha) > 16 else (sha or text["not_available"])),
        (text["threshold"], format_threshold(threshold)),
        (text["crf"], text["on"] if seg.crf else text["off"]),
        (text["device"], seg.device or text["not_available"]),
        (text["time"], text["seconds"].format(t=f"{total:.2f}") if total is not None else text["not_available"]),
        (text["image"], size if anonymise else f"{image.name}, {size}"),
        (text["fov_diameter"], f"{fov_diameter(fov):.0f} px"),
    ]
    if seg.working_scale is not None and seg.working_fov_px is not None:  # varies per photograph: provenance
        rows.append((text["working_scale"], text["working_scale_value"].format(
            scale=f"{seg.working_scale:.2f}", d=f"{seg.working_fov_px:.0f}")))
    return rows


def normalise_language(lang: str) -> str:
    """'en', 'en_GB' -> 'en'; 'zh', 'zh_CN', 'zh-Hans' -> 'zh'; anything else is a ReportError."""
    code = str(lang).strip().lower().replace("-", "_")
    for known in LANGUAGES:
        if code == known or code.startswith(known + "_"):
            return known
    raise ReportError(f"Unknown report language '{lang}'; choose one of {', '.join(LANGUAGES)}.")


def build_report_data(image: FundusImage, segmentation: Segmentation, *, threshold: float | None = None,
                      lang: str = "en", anonymise: bool = False,
                      clinic: ClinicInfo | dict[str, Any] | str | None = None, min_speck: int = 0,
                      created: dt.datetime | None = None, max_image_px: tuple[int, int] = (560, 460)) -> ReportData:
    """Compute and format everything the report shows.

    The vessel map is ``outputs.final_mask(segmentation, threshold, min_speck)``
    and the biomarkers are ``measure_vessels(map, segmentation.fov)``: the same
    numbers ``fundus-app segment`` writes to its JSON.
    """
    lang = normalise_language(lang)
    t = segmentation.default_threshold if threshold is None else float(threshold)
    if not 0.0 <= t <= 1.0 or math.isnan(t):
        raise ReportError(f"The threshold must lie between 0 and 1, not {threshold}.")
    if segmentation.probability.shape != image.shape:
        raise ReportError(f"The segmentation ({segmentation.probability.shape}) does not match {image.name} "
                          f"({image.shape}).")
    text = STRINGS[lang]
    clinic_info = ClinicInfo.coerce(clinic)
    if not clinic_info.name:
        clinic_info = ClinicInfo(text["default_clinic"], clinic_info.address, clinic_info.contact)
    mask = final_mask(segmentation, t, min_speck)
    bio = measure_vessels(mask, segmentation.fov)
    refs = reference_ranges()
    notes = [text["reference_note"].format(n_drive=refs.n.get("DRIVE", "?"), n_stare=refs.n.get("STARE", "?"))]
    if refs.ranges and not refs.current:
        notes.append(text["stale_reference"])
    return ReportData(
        lang=lang,
        text=text,
        created=(created or dt.datetime.now()).astimezone(),
        app_version=__version__,
        clinic=clinic_info,
        patient=_patient_rows(image.meta, text, anonymise),
        images=report_images(image, mask, text, t, max_width_px=max_image_px[0], max_height_px=max_image_px[1]),
        biomarkers=bio,
        rows=biomarker_rows(bio, lang, text),
        fit=bio.fractal_fit,
        processing=_processing_rows(image, segmentation, t, text, anonymise, segmentation.fov),
        notes=notes,
        reference_n=refs.n,
    )


def default_report_name(image: FundusImage) -> str:
    """A file name for the report of ``image`` (``<stem>_report.pdf``)."""
    stem = Path(image.name).stem if image.path is not None else "fundus"
    return f"{stem}_report.pdf"
