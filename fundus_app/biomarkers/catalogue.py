"""The catalogue of vessel measures: the one place that names, formats and explains each of them.

The window's biomarker panel, the PDF report, the CSV export and the segment JSON read it:
key (as in ``Biomarkers.as_dict()``), label and definition in each language, unit, printed
scale and decimals, and the reference range measured on expert annotations
(``reference_ranges.json``, written by ``scripts/measure_reference_ranges.py``).
"""
from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from fundus_app.biomarkers.measure import measurement_parameters

log = logging.getLogger(__name__)

LANGUAGES = ("en", "zh")
REFERENCE_FILE = "reference_ranges.json"


@dataclass(frozen=True)
class Measure:
    """One vessel measure.

    label, definition : text per language (``LANGUAGES``); definitions cite the report's
        references as [n].
    unit : printed after the number ("" for none).
    scale, decimals : the printed number is ``value * scale`` with this many decimals.
    in_report : a row of the report's biomarker table (the supporting counts are not).
    """

    key: str
    label: Mapping[str, str]
    definition: Mapping[str, str]
    unit: str = ""
    scale: float = 1.0
    decimals: int = 3
    in_report: bool = True

    def number(self, value: float, decimals: int | None = None) -> str:
        """The printed number, without unit; "–" for a missing (NaN) value."""
        if math.isnan(value):
            return "–"
        return f"{value * self.scale:.{self.decimals if decimals is None else decimals}f}"

    def text(self, value: float) -> str:
        """The printed number with its unit."""
        number = self.number(value)
        return f"{number} {self.unit}" if self.unit and number != "–" else number

    @property
    def reference(self) -> tuple[float, float] | None:
        """Mean and SD on the expert annotations (``reference_ranges()``), or None."""
        return reference_ranges().ranges.get(self.key)

    def reference_text(self) -> str | None:
        """"mean ± SD" as printed (a mean count keeps one decimal), or None without a range."""
        if self.reference is None:
            return None
        decimals = max(self.decimals, 1)
        mean, sd = self.reference
        return f"{self.number(mean, decimals)} ± {self.number(sd, decimals)}"


MEASURES: tuple[Measure, ...] = (
    Measure("vessel_density",
            {"en": "Vessel density", "zh": "血管密度"},
            {"en": "Vessel pixels as a share of the field-of-view (FOV) area [1].",
             "zh": "视野（FOV）内血管像素所占的比例 [1]。"},
            unit="%", scale=100.0, decimals=2),
    Measure("fractal_dimension",
            {"en": "Fractal dimension", "zh": "分形维数"},
            {"en": "Box-counting dimension of the vessel map (minus the slope of log N vs log box size); "
                   "higher = more complex branching [2].",
             "zh": "血管图的盒计数维数（log N 对 log 盒尺寸斜率的相反数）；数值越高，分支结构越复杂、越密集 [2]。"}),
    Measure("fractal_r_squared",
            {"en": "Fractal fit R²", "zh": "分形拟合 R²"},
            {"en": "Goodness of the log-log box-counting fit (1 = perfect power law): a quality check of the "
                   "fractal dimension.",
             "zh": "盒计数双对数拟合的优度（1 = 完全符合幂律），用于检验分形维数的可靠性。"}),
    Measure("vessel_length_density",
            {"en": "Vessel length density", "zh": "血管长度密度"},
            {"en": "Centre-line (skeleton) length per FOV area, lengths in FOV diameters D [1].",
             "zh": "血管中心线（骨架）总长度除以视野面积，长度以视野直径 D 为单位 [1]。"},
            unit="1/D", decimals=2),
    Measure("vessel_length_px",
            {"en": "Centre-line length", "zh": "中心线长度"},
            {"en": "Length of the vessel centre lines in pixels of the image.",
             "zh": "血管中心线的总长度（图像像素）。"},
            unit="px", decimals=0, in_report=False),
    Measure("tortuosity",
            {"en": "Mean tortuosity", "zh": "平均迂曲度"},
            {"en": "Arc/chord length ratio of centre-line segments between branch and end points, "
                   "length-weighted mean (1 = straight) [3].",
             "zh": "分支点或端点之间中心线段的弧长与弦长之比，按长度加权平均（1 = 笔直）[3]。"}),
    Measure("tortuosity_segments",
            {"en": "Segments measured", "zh": "测量的血管段数"},
            {"en": "Number of vessel segments the tortuosity averages.",
             "zh": "迂曲度所平均的血管段数量。"},
            decimals=0, in_report=False),
    Measure("branch_points",
            {"en": "Branch points", "zh": "分支点数"},
            {"en": "Number of bifurcations and crossings of the vessel centre line [4].",
             "zh": "血管中心线的分叉点与交叉点数目 [4]。"},
            decimals=0),
    Measure("branch_point_density",
            {"en": "Branch-point density", "zh": "分支点密度"},
            {"en": "Branch points per FOV area of D² [4].", "zh": "每 D² 视野面积内的分支点数 [4]。"},
            unit="1/D²", decimals=1),
)
BY_KEY: dict[str, Measure] = {m.key: m for m in MEASURES}
#: The rows of the report's biomarker table, in order.
REPORT_KEYS = tuple(m.key for m in MEASURES if m.in_report)


@dataclass(frozen=True)
class ReferenceRanges:
    """Mean and SD per measure (pooled DRIVE + STARE annotations), from ``reference_ranges.json``.

    n : images per dataset; current : measured with this version's biomarker parameters.
    """

    ranges: dict[str, tuple[float, float]]
    n: dict[str, int]
    current: bool


@lru_cache(maxsize=1)
def reference_ranges() -> ReferenceRanges:
    """Read the packaged reference ranges; empty (with a warning) if the file is missing or bad."""
    try:
        text = resources.files("fundus_app.biomarkers").joinpath(REFERENCE_FILE).read_text(encoding="utf-8")
        record = json.loads(text)
        pooled = record["ranges"][record.get("pooled", "DRIVE+STARE")]
        ranges = {k: (float(v["mean"]), float(v["sd"])) for k, v in pooled.items()}
        n = {name: int(info["n"]) for name, info in record.get("datasets", {}).items()}
        current = record.get("method") == measurement_parameters()
        if not current:
            log.warning("reference ranges in %s were measured with other biomarker parameters", REFERENCE_FILE)
        return ReferenceRanges(ranges, n, current)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("reference ranges unavailable (%s)", exc)
        return ReferenceRanges({}, {}, False)
