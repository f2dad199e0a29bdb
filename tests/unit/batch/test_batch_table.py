"""The results table: streamed CSV or Parquet, complete or absent."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from fundus_app.batch.table import open_table, table_columns
from fundus_app.batch.task import ANATOMY_COLUMNS
from fundus_app.biomarkers import MEASURES
from fundus_app.errors import FundusError


def _row(i: int, status: str = "ok") -> dict:
    row = {"index": i, "path": f"/data/{i}.png", "subject": "=cmd()", "stem": str(i), "status": status,
           "error": None if status == "ok" else "Cannot open '1.png': bad.", "width": 565, "height": 584,
           "threshold": 0.7, "crf": False}
    if status == "ok":
        row.update({m.key: 1.5 for m in MEASURES} | {"branch_points": 7, "tortuosity_segments": 3})
    return row


def test_columns_follow_the_catalogue_and_refuse_a_clash() -> None:
    columns = table_columns(["subject", "eye"], patient_columns=("patient_id_hash",))
    assert columns[:4] == ["index", "path", "subject", "eye"]
    assert columns[-len(ANATOMY_COLUMNS) - len(MEASURES):-len(ANATOMY_COLUMNS)] == [m.key for m in MEASURES]
    assert "patient_id_hash" in columns and "patient_name" not in columns
    with pytest.raises(FundusError, match="status"):
        table_columns(["status"])


def test_csv_table(tmp_path: Path) -> None:
    target = tmp_path / "t.csv"
    with open_table(target, table_columns(["subject"])) as table:
        table.write(_row(0))
        table.write(_row(1, "failed"))
    rows = list(csv.DictReader(target.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["status"] for r in rows] == ["ok", "failed"]
    assert rows[0]["subject"] == "'=cmd()", "a value a spreadsheet would run as a formula"
    assert rows[1]["vessel_density"] == "" and rows[1]["error"].startswith("Cannot open")


def test_parquet_table_has_typed_columns(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "t.parquet"
    with open_table(target, table_columns(["subject"])) as table:
        for i in range(5000):  # more than one row group
            table.write(_row(i, "failed" if i == 3 else "ok"))
    t = pq.read_table(target)
    assert t.num_rows == 5000
    assert str(t.schema.field("branch_points").type) == "int64"
    assert str(t.schema.field("vessel_density").type) == "double"
    assert t.column("vessel_density")[3].as_py() is None and t.column("status")[3].as_py() == "failed"


def test_an_interrupted_table_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "t.csv"
    with pytest.raises(RuntimeError), open_table(target, table_columns([])) as table:
        table.write(_row(0))
        raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FundusError, match=r"must end in \.csv or \.parquet"):
        with open_table(tmp_path / "t.xlsx", []):
            pass
