"""One image of a batch, start to finish: the pure function every worker runs (no Dask in here).

``process_item`` loads, segments and writes the files exactly as ``fundus-app segment`` does
(``pipeline.analyse_file`` then ``outputs.write_outputs``: atomic files, the JSON last) and
returns the image's row of the results table. A bad image is a row with its one-line reason,
never an exception, so one file cannot stop or retry a batch. An image whose JSON is already
there (a resumed batch, or a task re-run after its worker died) is not computed again: its row
is rebuilt from the JSON.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fundus_app.batch.inputs import BatchItem
from fundus_app.biomarkers import MEASURES
from fundus_app.errors import FundusError
from fundus_app.outputs import OutputPaths, write_outputs
from fundus_app.pipeline import ImageSegmenter, analyse_file
from fundus_app.report.builder import id_hash  # the report's linkage key: the table and the PDF agree


@dataclass(frozen=True)
class TaskOptions:
    """What every image of a batch is processed with (the CLI's flags)."""

    threshold: float | None = None
    min_speck: int = 0
    crf: bool = False
    anonymise: bool = False  # the table gets a hash of the DICOM patient ID (a linkage key), nothing else
    patient_data: bool = False  # the table gets the DICOM patient name and ID (asked for explicitly)


#: Columns of every row, before the manifest's pass-through columns go in after ``path``.
LEAD_COLUMNS = ("index", "path")
RESULT_COLUMNS = ("stem", "status", "error", "width", "height", "threshold", "crf", "device", "model_sha256",
                  "working_scale", "working_fov_px", "laterality", "seconds_segment", "seconds_image")
PATIENT_COLUMNS = ("patient_id_hash", "patient_name", "patient_id")
BIOMARKER_COLUMNS = tuple(m.key for m in MEASURES)
#: Optic disc, eye and calibre (zone B, the standard; zone C with a suffix), from the JSON record.
#: ("eye_side", not "eye": a screening manifest's own "eye" column passes through beside it)
DISC_COLUMNS = ("disc_x", "disc_y", "disc_diameter_px", "disc_confidence", "eye_side", "eye_side_source")
CALIBRE_COLUMNS = ("crae_um", "crve_um", "avr", "crae_dd", "crve_dd", "n_arteries", "n_veins",
                   "crae_um_zone_c", "crve_um_zone_c", "avr_zone_c", "calibre_reason")
ANATOMY_COLUMNS = DISC_COLUMNS + CALIBRE_COLUMNS


def anatomy_cells(record: dict[str, Any]) -> dict[str, Any]:
    """The table cells of ``ANATOMY_COLUMNS`` from a JSON record (empty where not measured)."""
    disc = record.get("disc") or {}
    zone_b, zone_c = record.get("calibre") or {}, record.get("calibre_zone_c") or {}
    cells = {"disc_x": disc.get("centre_x"), "disc_y": disc.get("centre_y"),
             "disc_diameter_px": disc.get("diameter_px"), "disc_confidence": disc.get("confidence"),
             "eye_side": record.get("eye"), "eye_side_source": record.get("eye_source"),
             "calibre_reason": record.get("calibre_reason")}
    cells.update({k: zone_b.get(k) for k in ("crae_um", "crve_um", "avr", "crae_dd", "crve_dd", "n_arteries",
                                             "n_veins")})
    cells.update({f"{k}_zone_c": zone_c.get(k) for k in ("crae_um", "crve_um", "avr")})
    return cells


def source_id(path: Path) -> str:
    """A key naming the input file without its name (recorded in the JSON: resume and stem clashes)."""
    return hashlib.sha256(str(path.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def read_record(path: Path) -> dict[str, Any] | None:
    """A written JSON record, or None when it is missing or unreadable (then the image is redone)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def row_from_record(item: BatchItem, stem: str, record: dict[str, Any], seconds_image: float | None) -> dict[str, Any]:
    """The table row of a finished image, from its JSON record (fresh or from an earlier run)."""
    bio = record.get("biomarkers") or {}
    row: dict[str, Any] = {"index": item.index, "path": str(item.path), **item.columns, "stem": stem,
                           "status": "ok", "error": None}
    for key in ("width", "height", "threshold", "crf", "device", "working_scale", "working_fov_px", "laterality"):
        row[key] = record.get(key)
    row["model_sha256"] = (record.get("model") or {}).get("sha256")
    row["seconds_segment"] = (record.get("timings_s") or {}).get("total")
    row["seconds_image"] = seconds_image
    for key in PATIENT_COLUMNS:
        if key in record:
            row[key] = record[key]
    row.update({key: bio.get(key) for key in BIOMARKER_COLUMNS})
    row.update(anatomy_cells(record))
    return row


def failed_row(item: BatchItem, stem: str, message: str) -> dict[str, Any]:
    """The table row of an image that could not be processed: its one-line reason."""
    return {"index": item.index, "path": str(item.path), **item.columns, "stem": stem, "status": "failed",
            "error": " ".join(message.split())}


def done_record(out_dir: Path, stem: str, source: str) -> dict[str, Any] | None:
    """The JSON record of ``stem`` when it was written for this very file, else None."""
    record = read_record(OutputPaths.for_stem(out_dir, stem).json)
    return record if record is not None and record.get("source_id") == source else None


def free_stem(out_dir: Path, base: str, source: str, taken: Mapping[str, str]) -> tuple[str, dict[str, Any] | None]:
    """The output name for the file ``source``: its stem, else stem_2, stem_3 ... (and its JSON if done).

    A name is free when no task in flight holds it (``taken``) and no JSON of another file is
    there; a JSON this same file wrote (an earlier run) returns that name with the record. The
    same inputs get the same names on every run, with no list of all names kept in memory.
    """
    base = base or "image"
    k = 1
    while True:
        stem = base if k == 1 else f"{base}_{k}"
        if stem not in taken:
            record = read_record(OutputPaths.for_stem(out_dir, stem).json)
            if record is None:
                return stem, None
            if record.get("source_id") == source:
                return stem, record
        k += 1


def process_item(item: BatchItem, stem: str, out_dir: Path, options: TaskOptions,
                 segmenter: ImageSegmenter) -> dict[str, Any]:
    """Segment one image, write its files under ``stem`` and return its row; never raises for a bad image."""
    t0 = time.perf_counter()
    source = source_id(item.path)
    earlier = done_record(out_dir, stem, source)
    if earlier is not None:  # written before (resume, or a re-run after its worker died): not computed twice
        return row_from_record(item, stem, earlier, None)
    try:
        analysis = analyse_file(item.path, segmenter, crf=options.crf)
        meta = analysis.image.meta
        extra: dict[str, Any] = {"source_id": source, "laterality": meta.get("laterality")}
        if options.anonymise and meta.get("patient_id"):
            extra["patient_id_hash"] = id_hash(str(meta["patient_id"]))
        if options.patient_data:
            extra.update(patient_name=meta.get("patient_name"), patient_id=meta.get("patient_id"))
        _, record = write_outputs(analysis.image, analysis.segmentation, out_dir, stem=stem,
                                  threshold=options.threshold, min_speck=options.min_speck, extra=extra)
    except FundusError as exc:
        return failed_row(item, stem, str(exc))
    except MemoryError:
        return failed_row(item, stem, f"Cannot open '{item.path.name}': there is not enough memory to process it.")
    return row_from_record(item, stem, record, time.perf_counter() - t0)
