"""The review batch without Qt: items, folder expansion and the biomarker CSV."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def image_suffixes() -> tuple[str, ...]:
    from fundus_app.io.loader import SUPPORTED_SUFFIXES

    return tuple(SUPPORTED_SUFFIXES)


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given; the supported image files inside folders (sorted, not recursive)."""
    suffixes = image_suffixes()
    out: list[str] = []
    for item in paths:
        p = Path(item)
        if p.is_dir():
            try:
                out.extend(str(f) for f in sorted(p.iterdir()) if f.is_file() and f.suffix.lower() in suffixes)
            except OSError:
                continue
        else:
            out.append(str(p))
    seen: set[str] = set()
    return [p for p in out if not (p in seen or seen.add(p))]


@dataclass
class ReviewItem:
    """One image of the session and what we know about it."""

    path: str
    status: str = "queued"  # queued, processing, done, failed, cancelled
    message: str = ""
    job_id: int | None = None
    threshold: float | None = None  # the reviewer's threshold for this image
    biomarkers: dict[str, Any] = field(default_factory=dict)
    biomarker_threshold: float | None = None
    crf: bool = False
    model_name: str = ""
    model_sha256: str = ""
    device: str = ""
    seconds: float = 0.0
    requeue: bool = False  # cancelled only to let another image go first


def csv_safe(value: Any) -> Any:
    """Keep spreadsheet programs from reading a file name as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def biomarker_csv(items: list[ReviewItem]) -> str:
    """CSV text of the processed images' biomarkers (one row each, a column per biomarker)."""
    keys: list[str] = []
    for it in items:
        for k in it.biomarkers:
            if k not in keys:
                keys.append(k)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["file", "folder", "threshold", "crf", *keys, "model", "model_sha256", "device", "inference_s"])
    for it in items:
        p = Path(it.path)
        row = [csv_safe(p.name), csv_safe(str(p.parent)), f"{it.biomarker_threshold:.4g}", int(it.crf)]
        for k in keys:
            v = it.biomarkers.get(k, "")
            row.append(repr(v) if isinstance(v, float) else v)
        row += [it.model_name, it.model_sha256, it.device, f"{it.seconds:.3f}"]
        w.writerow(row)
    return buf.getvalue()
