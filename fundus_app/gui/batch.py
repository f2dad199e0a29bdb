"""The review batch without Qt: items, the result cache, folder expansion and the biomarker CSV."""
from __future__ import annotations

import csv
import io
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from fundus_app.batch.table import csv_safe
from fundus_app.biomarkers import MEASURES

T = TypeVar("T")


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
    calibre: Any = None  # av_render.CalibreResult at biomarker_threshold
    crf: bool = False
    model_name: str = ""
    model_sha256: str = ""
    device: str = ""
    seconds: float = 0.0
    requeue: bool = False  # cancelled only to let another image go first


class ResultCache(Generic[T]):
    """The last few results by path, least recently used first out; the pinned one (the image on
    screen) is never evicted. A 3504x2336 result holds about 150 MB, so only a few are kept."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("a result cache holds at least one result")
        self.capacity = int(capacity)
        self.pinned: str | None = None
        self._items: OrderedDict[str, T] = OrderedDict()

    def get(self, path: str) -> T | None:
        """The result of ``path`` (now the most recently used), or None."""
        value = self._items.get(path)
        if value is not None:
            self._items.move_to_end(path)
        return value

    def put(self, path: str, value: T) -> list[str]:
        """Keep ``value`` as the newest result; returns the paths evicted to stay within capacity."""
        self._items[path] = value
        self._items.move_to_end(path)
        evicted = []
        for old in list(self._items):
            if len(self._items) <= self.capacity:
                break
            if old != self.pinned:
                del self._items[old]
                evicted.append(old)
        return evicted

    def pop(self, path: str) -> T | None:
        return self._items.pop(path, None)

    def clear(self) -> None:
        self._items.clear()

    def __contains__(self, path: object) -> bool:
        return path in self._items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[str]:
        """Paths, least recently used first."""
        return iter(list(self._items))


def biomarker_csv(items: list[ReviewItem]) -> str:
    """CSV text of the processed images' biomarkers (one row each, a column per biomarker).

    Columns follow the core's catalogue (``fundus_app.biomarkers.MEASURES``); a key it does not
    list yet comes after them, so no number is ever dropped.
    """
    present = {k for it in items for k in it.biomarkers}
    keys = [m.key for m in MEASURES if m.key in present]
    for it in items:
        keys += [k for k in it.biomarkers if k not in keys]
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
