"""The results table of a batch, streamed to disk: CSV, or Parquet through pyarrow.

Rows are written as they arrive (Parquet in row groups), so the table of a million images never
sits in memory; the file appears under its name only when it is complete (``atomic_path``).
"""
from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from fundus_app.atomic import atomic_path
from fundus_app.batch.task import (
    ANATOMY_COLUMNS,
    BIOMARKER_COLUMNS,
    CALIBRE_COLUMNS,
    DISC_COLUMNS,
    LEAD_COLUMNS,
    PATIENT_COLUMNS,
    RESULT_COLUMNS,
)
from fundus_app.biomarkers import Biomarkers
from fundus_app.errors import FundusError

ROW_GROUP = 4096  # Parquet rows buffered per write: a few MB whatever the batch's size

_INTEGER_COLUMNS = {"index", "width", "height", "n_arteries", "n_veins"} | {k for k in BIOMARKER_COLUMNS
                                                   if Biomarkers.__dataclass_fields__[k].type == "int"}
_FLOAT_COLUMNS = {"threshold", "working_scale", "working_fov_px", "seconds_segment", "seconds_image"} | {
    k for k in BIOMARKER_COLUMNS if Biomarkers.__dataclass_fields__[k].type == "float"} | {
    k for k in DISC_COLUMNS + CALIBRE_COLUMNS if k not in ("eye_side", "eye_side_source", "calibre_reason",
                                                           "n_arteries", "n_veins")}


def table_columns(passthrough: Sequence[str], *, patient_columns: Sequence[str] = ()) -> list[str]:
    """Column order: index, path, the manifest's columns, the results, patient fields asked for, biomarkers,
    optic disc and calibre."""
    taken = {*LEAD_COLUMNS, *RESULT_COLUMNS, *PATIENT_COLUMNS, *BIOMARKER_COLUMNS, *ANATOMY_COLUMNS}
    clash = sorted(set(passthrough) & taken)
    if clash:
        raise FundusError(f"Manifest column(s) {', '.join(clash)} clash with the results table's own; rename them.")
    return [*LEAD_COLUMNS, *passthrough, *RESULT_COLUMNS, *patient_columns, *BIOMARKER_COLUMNS, *ANATOMY_COLUMNS]


class TableWriter(Protocol):
    def write(self, row: dict[str, Any]) -> None: ...


class _CsvWriter:
    def __init__(self, fh: Any, columns: Sequence[str]) -> None:
        self._writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        self._writer.writeheader()

    def write(self, row: dict[str, Any]) -> None:
        self._writer.writerow({k: csv_safe(v) for k, v in row.items()})  # DictWriter writes None as ""


def csv_safe(value: Any) -> Any:
    """Keep spreadsheet programs from reading a path, file name or manifest value as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


class _ParquetWriter:
    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        def kind(column: str) -> Any:
            if column in _INTEGER_COLUMNS:
                return pa.int64()
            if column in _FLOAT_COLUMNS:
                return pa.float64()
            return pa.bool_() if column == "crf" else pa.string()

        self._pa = pa
        self._schema = pa.schema([(c, kind(c)) for c in columns])
        self._writer = pq.ParquetWriter(str(path), self._schema)
        self._rows: list[dict[str, Any]] = []

    def write(self, row: dict[str, Any]) -> None:
        self._rows.append(row)
        if len(self._rows) >= ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            columns = {f.name: [_typed(r.get(f.name), f.type, self._pa) for r in self._rows] for f in self._schema}
            self._writer.write_table(self._pa.table(columns, schema=self._schema))
            self._rows.clear()

    def close(self) -> None:
        self.flush()
        self._writer.close()


def _typed(value: Any, kind: Any, pa: Any) -> Any:
    if value is None or kind == pa.string():
        return None if value is None else str(value)
    return value


@contextlib.contextmanager
def open_table(path: str | Path, columns: Sequence[str]) -> Iterator[TableWriter]:
    """A writer for the table at ``path`` (``.parquet`` or ``.csv``); the file appears complete or not at all."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise FundusError(f"The table {target.name} must end in .csv or .parquet.")
    if suffix == ".parquet":
        try:
            import pyarrow.parquet  # noqa: F401
        except ImportError:
            raise FundusError("A Parquet table needs pyarrow (pip install \"fundus-app[cluster]\"); "
                              "or name a .csv table.") from None
    with atomic_path(target) as tmp:
        if suffix == ".csv":
            with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:  # BOM: Excel reads UTF-8 correctly
                yield _CsvWriter(fh, columns)
        else:
            writer = _ParquetWriter(tmp, columns)
            try:
                yield writer
            finally:
                writer.close()
