"""Everything a report shows, computed and formatted (no reportlab here).

:func:`build_report_data` turns a FundusImage and its Segmentation into a
:class:`ReportData`: the localised strings, the three images encoded for the
PDF, the biomarkers with their reference ranges, the vessel calibre section
(A/V picture with the zones, CRAE / CRVE / AVR per zone, their references), and
the provenance. The
renderer (``pdf.py``) only lays it out, so the numbers can be tested without a
PDF and the PDF cannot disagree with them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
from collections.abc import Mapping
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
from fundus_app.biomarkers.calibre import ASSUMED_DISC_DIAMETER_UM, Calibre, calibre_of, zone_radii
from fundus_app.domain import ARTERY, UNCERTAIN, VEIN, Disc, FundusImage, Segmentation, eye_of
from fundus_app.errors import FundusError
from fundus_app.outputs import final_mask
from fundus_app.postprocess import AV_COLOURS, AV_DIM, DISC_COLOUR, overlay
from fundus_app.preprocess.fov import fov_diameter
from fundus_app.report.reference import CALIBRE_KEYS, CalibreReference, calibre_reference
from fundus_app.report.strings import CALIBRE_REFERENCES, LANGUAGES, REFERENCES, STRINGS

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
class CalibreRow:
    """One row of the calibre table: a measure (``crae_um``, ``crve_um``, ``avr``) in one zone.

    value : None when not measurable; value_text then says why.
    ours_text : this software's mean ± SD on expert labels, "–" without one.
    published_text : the published population range with its citation marker, "–" without one.
    """

    zone: str
    key: str
    label: str
    value: float | None
    value_text: str
    ours_text: str = "–"
    published_text: str = "–"


@dataclass(frozen=True)
class CalibreSection:
    """The report's vessel calibre section.

    image : the A/V picture with the zones, None without an A/V map (``message`` then says so).
    box : the part of the photograph it shows, (x0, y0, x1, y1) pixels.
    zones : (zone, title) in order; rows : the table, zone by zone; info : eye, disc, scale, counts.
    notes : the method in words and where the reference figures come from.
    """

    image: ReportImage | None = None
    box: tuple[int, int, int, int] | None = None
    zones: list[tuple[str, str]] = field(default_factory=list)
    rows: list[CalibreRow] = field(default_factory=list)
    info: list[tuple[str, str]] = field(default_factory=list)
    message: str | None = None
    notes: list[str] = field(default_factory=list)

    def row(self, zone: str, key: str) -> CalibreRow:
        return next(r for r in self.rows if r.zone == zone and r.key == key)


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
    calibre: CalibreSection | None = None
    references: tuple[str, ...] = REFERENCES

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


def _patient_rows(meta: dict[str, Any], text: dict[str, str], anonymise: bool,
                  disc: Disc | None = None) -> list[tuple[str, str]]:
    na = text["not_available"]

    def get(key: str) -> str | None:
        v = meta.get(key)
        return str(v).strip() or None if v is not None else None

    sex = {"M": text["male"], "F": text["female"], "O": text["other"]}
    pid = get("patient_id")
    camera = " ".join(p for p in (get("manufacturer"), get("model")) if p) or None
    raw_sex = get("patient_sex")
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
        (text["eye"], _eye_text(meta, disc, text)),
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
    na = text["not_available"]
    if seg.av_class is not None or seg.av_model_name:
        rows.append((text["av_model"], seg.av_model_name or na))
        rows.append((text["av_model_sha"], _sha_prefix(seg.av_model_sha256, 16) or na))
    if seg.disc is not None or seg.disc_model_name:
        name = seg.disc_model_name or na
        sha = _sha_prefix(seg.disc_model_sha256, 8)
        rows.append((text["disc_model"], text["disc_model_value"].format(name=name, sha=sha) if sha else name))
    return rows


def _sha_prefix(sha: str, n: int) -> str:
    return f"{sha[:n]}…" if len(sha) > n else sha


# --- vessel calibre ---------------------------------------------------------------------------------

#: Drawing colours of the A/V picture (RGB).
CALIBRE_DECIMALS = {"crae_um": 1, "crve_um": 1, "avr": 2}
CALIBRE_LABEL_KEYS = {"crae_um": "crae", "crve_um": "crve", "avr": "avr"}


def av_image(image: FundusImage, av: np.ndarray, disc: Disc | None, measured: Calibre | None, caption: str, *,
             max_width_px: int, max_height_px: int) -> tuple[ReportImage, tuple[int, int, int, int]]:
    """The dimmed photograph with arteries red, veins blue and uncertain pixels yellow (each coloured by
    the share of its class under the printed pixel, so thin vessels survive the shrinking), the disc,
    zone B (shaded) and zone C rings, and the centre lines of the ``measured`` segments outlined.

    Cropped to zone C (``av_crop``) when the disc is known; returns the picture and the crop box
    (x0, y0, x1, y1) in pixels of the photograph."""
    x0, y0, x1, y1 = box = av_crop(image.shape, disc)
    h, w = y1 - y0, x1 - x0
    size = _fit_size(h, w, max_width_px, max_height_px)
    sx, sy = size[0] / w, size[1] / h

    def shrink(a: np.ndarray) -> np.ndarray:
        a = a[y0:y1, x0:x1]
        return a if size == (w, h) else cv2.resize(a, size, interpolation=cv2.INTER_AREA)

    out = shrink(image.rgb).astype(np.float32) * AV_DIM
    for cls in (UNCERTAIN, VEIN, ARTERY):  # arteries on top
        share = shrink((av == cls).astype(np.float32))
        alpha = np.clip(share * 2.5, 0.0, 1.0)[..., None]
        out = out * (1.0 - alpha) + np.asarray(AV_COLOURS[cls], np.float32) * alpha
    if disc is not None:
        shift = 4  # sub-pixel circles: coordinates in 1/16 px
        scale = (sx + sy) / 2

        def fixed(v: float) -> int:
            return round(v * (1 << shift))

        cx, cy = (disc.centre[0] - x0) * sx, (disc.centre[1] - y0) * sy
        centre = (fixed(cx), fixed(cy))
        b_in, b_out = zone_radii(disc, "B")
        _, c_out = zone_radii(disc, "C")
        band = np.zeros(out.shape[:2], np.uint8)
        cv2.circle(band, centre, fixed(b_out * scale), 255, -1, cv2.LINE_AA, shift)
        cv2.circle(band, centre, fixed(b_in * scale), 0, -1, cv2.LINE_AA, shift)
        tint = band.astype(np.float32)[..., None] / 255.0 * 0.18
        out = out * (1.0 - tint) + 255.0 * tint
        canvas = np.clip(out, 0, 255).astype(np.uint8)
        ring = (255, 255, 255)
        cv2.circle(canvas, centre, fixed(disc.radius * scale), DISC_COLOUR, 1, cv2.LINE_AA, shift)
        for r in (b_in, b_out, c_out):
            cv2.circle(canvas, centre, fixed(r * scale), ring, 1, cv2.LINE_AA, shift)
        font_scale = max(0.35, size[0] / 1300)
        for label, r in (("B", b_out), ("C", c_out)):
            x, y = cx + r * scale * 0.707 + 2, cy - r * scale * 0.707 - 2
            if 0 <= x < size[0] - 10 and 10 <= y < size[1]:
                cv2.putText(canvas, label, (round(x), round(y)), cv2.FONT_HERSHEY_SIMPLEX, font_scale, ring, 1,
                            cv2.LINE_AA)
    else:
        canvas = np.clip(out, 0, 255).astype(np.uint8)
    if measured is not None:
        halo = max(3, round(size[0] / 200))
        for seg in (*measured.arteries, *measured.veins):
            line = np.asarray(seg.centreline, np.float64).reshape(-1, 2)
            if len(line) < 2:
                continue
            pts = np.round((line - (x0, y0)) * (sx, sy) * 16).astype(np.int32).reshape(-1, 1, 2)
            colour = AV_COLOURS[ARTERY if seg.kind == "artery" else VEIN]
            cv2.polylines(canvas, [pts], False, (255, 255, 255), halo + 2, cv2.LINE_AA, 4)
            cv2.polylines(canvas, [pts], False, colour, max(1, halo - 1), cv2.LINE_AA, 4)
    return ReportImage(_encode(canvas, "jpeg"), size[0], size[1], caption, "jpeg"), box


def av_crop(shape: tuple[int, int], disc: Disc | None, margin: float = 0.06) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) the A/V picture shows: zone C around the disc and a margin, within the
    photograph; the whole photograph without a disc."""
    h, w = shape
    if disc is None:
        return 0, 0, w, h
    reach = zone_radii(disc, "C")[1] * (1 + margin)
    x0, x1 = max(0, math.floor(disc.centre[0] - reach)), min(w, math.ceil(disc.centre[0] + reach))
    y0, y1 = max(0, math.floor(disc.centre[1] - reach)), min(h, math.ceil(disc.centre[1] + reach))
    if x1 - x0 < 2 or y1 - y0 < 2:  # a disc outside the photograph
        return 0, 0, w, h
    return x0, y0, x1, y1


class _Citations:
    """Numbers the calibre literature after :data:`REFERENCES`, in the order the report cites it."""

    def __init__(self) -> None:
        self.extra: list[str] = []

    def cite(self, ref: str | None, citation: str | None = None) -> int | None:
        full = citation or CALIBRE_REFERENCES.get(ref or "")
        if not full:
            if ref:
                log.warning("calibre reference %r is not in the report's literature list; printed without it", ref)
            return None
        if full not in self.extra:
            self.extra.append(full)
        return len(REFERENCES) + self.extra.index(full) + 1

    @property
    def references(self) -> tuple[str, ...]:
        return REFERENCES + tuple(self.extra)


def _eye_text(meta: Mapping[str, Any], disc: Disc | None, text: dict[str, str]) -> str:
    names = {"right": text["right_eye"], "left": text["left_eye"]}
    eye, source = eye_of(dict(meta), disc)
    raw = str(meta.get("laterality") or "").strip()
    if eye is None and raw:  # a code eye_of does not name ("B": both eyes)
        return text["both_eyes"] if raw.upper() == "B" else raw
    if eye is None:
        return text["not_available"]
    return names[eye] if source == "dicom" else text["eye_estimated"].format(eye=names[eye])


def _scale_text(calibre: Mapping[str, Calibre], text: dict[str, str]) -> str:
    known = [c for c in calibre.values() if c.um_per_px]
    if not known:
        return text["not_available"]
    c = known[0]
    s = f"{c.um_per_px:.2f}"
    if "spacing" in c.scale_source.lower():
        return text["scale_spacing"].format(s=s)
    return text["scale_assumed"].format(d=f"{ASSUMED_DISC_DIAMETER_UM:.0f}", s=s)


def _mean_sd(mean: float, sd: float, decimals: int) -> str:
    return f"{mean:.{decimals}f} ± {sd:.{decimals}f}"


def calibre_rows(calibre: Mapping[str, Calibre], text: dict[str, str], reference: CalibreReference,
                 citations: _Citations, *, unavailable: str | None = None) -> list[CalibreRow]:
    """The calibre table, zone B then zone C: the number, or "not measurable: <reason>"."""
    rows = []
    for zone in ("B", "C"):
        c = calibre.get(zone)
        for key in CALIBRE_KEYS:
            decimals = CALIBRE_DECIMALS[key]
            value = getattr(c, key) if c is not None else None
            if value is not None and math.isfinite(value):
                value_text = f"{value:.{decimals}f}"
            else:
                value = None
                reason = unavailable or (c.reason if c is not None else text["zone_missing"])
                value_text = text["not_measurable"].format(reason=reason) if reason else \
                    text["not_measurable_plain"]
            ours = reference.ours.get((zone, key))
            pub = reference.published.get((zone, key))
            published = "–"
            if pub is not None:
                published = f"{pub.low:.{decimals}f}–{pub.high:.{decimals}f}"
                number = citations.cite(pub.ref, pub.citation)
                if number is not None:
                    published += f" [{number}]"
            rows.append(CalibreRow(zone, key, text[CALIBRE_LABEL_KEYS[key]], value, value_text,
                                   _mean_sd(*ours, decimals) if ours else "–", published))
    return rows


def calibre_section(image: FundusImage, segmentation: Segmentation, mask: np.ndarray, threshold: float,
                    text: dict[str, str], citations: _Citations, *, calibre: Mapping[str, Calibre] | None,
                    max_width_px: int, max_height_px: int) -> CalibreSection:
    """The calibre section with its notes (method; where the reference figures come from)."""
    av = segmentation.av_map(threshold)
    if av is None:
        return CalibreSection(message=text["no_av"])
    av = np.where(mask, av, np.uint8(0))  # the report's vessel map (after min_speck)
    unavailable = None
    if calibre is None:
        try:
            calibre = calibre_of(image, segmentation, threshold)
        except NotImplementedError:
            log.warning("calibre measurement not implemented in this version; the report shows none")
            calibre, unavailable = {}, text["calibre_unavailable"]
        except FundusError as exc:  # the message may name the file: log only its type
            log.warning("calibre measurement failed (%s)", type(exc).__name__)
            calibre, unavailable = {}, text["calibre_failed"]
    disc = segmentation.disc
    knudtson = citations.cite("knudtson2003")
    zones = [("B", text["zone_b"].format(knudtson=knudtson)), ("C", text["zone_c"])]
    reference = calibre_reference()
    rows = calibre_rows(calibre, text, reference, citations, unavailable=unavailable)
    b = calibre.get("B")
    info = [(text["eye"], _eye_text(image.meta, disc, text))]
    if disc is not None:
        info.append((text["optic_disc"], text["disc_value"].format(
            d=f"{disc.diameter:.0f}", x=f"{disc.centre[0]:.0f}", y=f"{disc.centre[1]:.0f}",
            c=f"{disc.confidence:.2f}")))
    else:
        info.append((text["optic_disc"], text["disc_not_found"]))
    info.append((text["scale"], _scale_text(calibre, text)))
    if b is not None:
        info.append((text["segments"], text["segments_value"].format(
            a=len(b.arteries), v=len(b.veins), na=b.n_arteries, nv=b.n_veins)))
    picture, box = av_image(image, av, disc, b, text["av_image"], max_width_px=max_width_px,
                            max_height_px=max_height_px)
    notes = [text["calibre_method"].format(knudtson=knudtson, ikram=citations.cite("ikram2006"),
                                           wong=citations.cite("wong2002"),
                                           disc_um=f"{ASSUMED_DISC_DIAMETER_UM:.0f}")]
    if reference.ours:
        datasets = " + ".join(f"{name} (n = {n})" for name, n in reference.n.items()) or "?"
        notes.append(text["calibre_ours_note"].format(datasets=datasets))
    if reference.published:
        notes.append(text["calibre_published_note"])
    return CalibreSection(picture, box, zones, rows, info, notes=notes)


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
                      created: dt.datetime | None = None, max_image_px: tuple[int, int] = (560, 460),
                      max_av_px: tuple[int, int] = (610, 520),
                      calibre: Mapping[str, Calibre] | None = None) -> ReportData:
    """Compute and format everything the report shows.

    The vessel map is ``outputs.final_mask(segmentation, threshold, min_speck)``
    and the biomarkers are ``measure_vessels(map, segmentation.fov)``: the same
    numbers ``fundus-app segment`` writes to its JSON.

    With an A/V map (``segmentation.av_map``) the calibre section shows ``calibre``
    ({"B": Calibre, "C": Calibre}, e.g. what the window already measured) or, when None,
    ``biomarkers.calibre.calibre_of(image, segmentation, threshold)``.
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
    citations = _Citations()
    section = calibre_section(image, segmentation, mask, t, text, citations, calibre=calibre,
                              max_width_px=max_av_px[0], max_height_px=max_av_px[1])
    return ReportData(
        lang=lang,
        text=text,
        created=(created or dt.datetime.now()).astimezone(),
        app_version=__version__,
        clinic=clinic_info,
        patient=_patient_rows(image.meta, text, anonymise, segmentation.disc),
        images=report_images(image, mask, text, t, max_width_px=max_image_px[0], max_height_px=max_image_px[1]),
        biomarkers=bio,
        rows=biomarker_rows(bio, lang, text),
        fit=bio.fractal_fit,
        processing=_processing_rows(image, segmentation, t, text, anonymise, segmentation.fov),
        notes=notes,
        reference_n=refs.n,
        calibre=section,
        references=citations.references,
    )


def default_report_name(image: FundusImage) -> str:
    """A file name for the report of ``image`` (``<stem>_report.pdf``)."""
    stem = Path(image.name).stem if image.path is not None else "fundus"
    return f"{stem}_report.pdf"
