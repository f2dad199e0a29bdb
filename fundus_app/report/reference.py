"""The calibre reference table of the report: our figures on expert labels and published ranges.

Read from ``fundus_app/biomarkers/calibre_reference.json`` when it is there (written by the
calibre measurement's author); without the file every reference cell of the report prints "–".
The expected layout (keys per zone "B" / "C", measures ``crae_um``, ``crve_um``, ``avr``)::

    {
      "datasets": {"RITE": {"n": 40}, "LES-AV": {"n": 22}},
      "pooled": "RITE+LES-AV",
      "ranges": {"RITE+LES-AV": {"B": {"crae_um": {"mean": 0.0, "sd": 0.0}, ...}, "C": {...}}},
      "published": {"B": {"crae_um": {"low": 0.0, "high": 0.0, "ref": "knudtson2003",
                                      "citation": "full citation, only for a paper not in strings.py"}}}
    }

``ranges`` is this software's mean and SD on the expert A/V labels; ``published`` a population
range (``low``-``high``) with the paper it comes from: ``ref`` is a key of
``strings.CALIBRE_REFERENCES`` or, with ``citation``, any other paper. Parts that are missing
are simply not shown; a malformed file is logged and ignored, never a failed report.
"""
from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

log = logging.getLogger(__name__)

CALIBRE_REFERENCE_PACKAGE = "fundus_app.biomarkers"
CALIBRE_REFERENCE_FILE = "calibre_reference.json"
CALIBRE_KEYS = ("crae_um", "crve_um", "avr")
ZONE_KEYS = ("B", "C")


@dataclass(frozen=True)
class PublishedRange:
    """A population range from the literature: ``low``-``high``, cited as ``ref`` (a key of
    ``strings.CALIBRE_REFERENCES``) or by its full ``citation``."""

    low: float
    high: float
    ref: str | None = None
    citation: str | None = None


@dataclass(frozen=True)
class CalibreReference:
    """ours[(zone, key)] = (mean, sd) of this software on expert labels; published[(zone, key)];
    n = images per dataset the means come from."""

    ours: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    published: dict[tuple[str, str], PublishedRange] = field(default_factory=dict)
    n: dict[str, int] = field(default_factory=dict)


def _number(value: Any) -> float:
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"not a finite number: {value!r}")
    return x


def parse_calibre_reference(record: dict[str, Any]) -> CalibreReference:
    """A :class:`CalibreReference` from the JSON record (see the module's docstring)."""
    datasets = record.get("datasets", {})
    n = {str(name): int(info["n"]) for name, info in datasets.items()}
    ranges = record.get("ranges", {})
    pooled = ranges.get(record.get("pooled", "+".join(datasets)), {}) if ranges else {}
    ours: dict[tuple[str, str], tuple[float, float]] = {}
    published: dict[tuple[str, str], PublishedRange] = {}
    for zone in ZONE_KEYS:
        for key in CALIBRE_KEYS:
            entry = pooled.get(zone, {}).get(key)
            if entry is not None:
                ours[(zone, key)] = (_number(entry["mean"]), _number(entry["sd"]))
            pub = record.get("published", {}).get(zone, {}).get(key)
            if pub is not None:
                low, high = _number(pub["low"]), _number(pub["high"])
                published[(zone, key)] = PublishedRange(min(low, high), max(low, high), pub.get("ref"),
                                                        pub.get("citation"))
    return CalibreReference(ours, published, n)


@lru_cache(maxsize=1)
def calibre_reference() -> CalibreReference:
    """The packaged calibre reference table; empty when the file is not there (yet) or unreadable."""
    try:
        source = resources.files(CALIBRE_REFERENCE_PACKAGE).joinpath(CALIBRE_REFERENCE_FILE)
        if not source.is_file():
            log.debug("no %s: the report's calibre reference cells stay empty", CALIBRE_REFERENCE_FILE)
            return CalibreReference()
        return parse_calibre_reference(json.loads(source.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("calibre reference table unusable (%s); the report shows none", exc)
        return CalibreReference()
