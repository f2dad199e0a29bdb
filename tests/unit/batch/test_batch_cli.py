"""``fundus-app batch`` as a user runs it: local workers, manifests, privacy, resume, bad addresses."""
from __future__ import annotations

import csv
import socket
import sys
from dataclasses import fields
from pathlib import Path

import pytest
from cli_runner import run_cli
from dicom_factory import dicom_bytes

from fundus_app.outputs import OutputPaths

pytest.importorskip("distributed", reason="the cluster extra is not installed")


def _table(path: Path) -> list[dict[str, str]]:
    return sorted(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()), key=lambda r: int(r["index"]))


@pytest.mark.slow
def test_an_unreachable_scheduler_is_one_line(tmp_path: Path, drive_test_image: Path) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run_cli("batch", str(drive_test_image), "--out", str(tmp_path / "out"), "--scheduler",
                     f"tcp://127.0.0.1:{port}", "--connect-timeout", "2", timeout=120)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"fundus-app: error: Cannot reach the Dask scheduler at tcp://127.0.0.1:{port}")


def test_without_dask_batch_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                 drive_test_image: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from fundus_app import cli

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    monkeypatch.delitem(sys.modules, "fundus_app.batch.cluster", raising=False)
    assert cli.main(["batch", str(drive_test_image), "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == ('fundus-app: error: Batches on a cluster need Dask: '
                                              'pip install "fundus-app[cluster]".')


@pytest.mark.slow
def test_manifest_columns_pass_through_and_patient_data_stays_out(tmp_path: Path, drive_test_image: Path) -> None:
    from fundus_app import load_image

    rgb = load_image(drive_test_image).rgb
    (tmp_path / "study.dcm").write_bytes(dicom_bytes(rgb, patient={"PatientName": "ZHANG^San", "PatientID": "PID-777"}))
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path,subject,eye\nstudy.dcm,S-01,OD\n{drive_test_image},S-02,OS\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("batch", str(manifest), "--out", str(out), "--workers", "1", "--anonymise", "--quiet")
    assert result.returncode == 0, result.stderr
    text = (out / "batch.csv").read_text(encoding="utf-8-sig")
    rows = _table(out / "batch.csv")
    assert [(r["subject"], r["eye"], r["status"]) for r in rows] == [("S-01", "OD", "ok"), ("S-02", "OS", "ok")]
    assert rows[0]["patient_id_hash"] and rows[0]["patient_id_hash"] != "PID-777" and rows[1]["patient_id_hash"] == ""
    everything = text + result.stdout + result.stderr + "".join(p.read_text() for p in out.glob("*.json"))
    assert "ZHANG" not in everything and "PID-777" not in everything
    asked = run_cli("batch", str(manifest), "--out", str(tmp_path / "asked"), "--workers", "1", "--patient-data",
                    "--quiet", "--table", str(tmp_path / "asked.csv"))
    assert asked.returncode == 0, asked.stderr
    assert _table(tmp_path / "asked.csv")[0]["patient_id"] == "PID-777"


@pytest.mark.slow
def test_resume_after_an_interrupted_run_computes_only_the_missing_images(tmp_path: Path, data: Path) -> None:
    from fundus_app.batch.cluster import ModelOptions, connect, load_model_on_workers, run_batch
    from fundus_app.batch.inputs import iter_items
    from fundus_app.batch.task import TaskOptions

    images = sorted((data / "DRIVE" / "test" / "images").glob("*.tif"))[:5]
    out = tmp_path / "out"
    out.mkdir()
    seen: list[dict] = []

    def stop_after_two(row: dict) -> None:
        seen.append(row)
        if len(seen) == 2:
            raise KeyboardInterrupt  # as Ctrl-C would, mid-batch

    with connect(workers=1, dashboard=False) as client:  # closed after Ctrl-C, as the CLI does
        load_model_on_workers(client, ModelOptions(threads=1))
        first = run_batch(client, iter_items(images), out, TaskOptions(), on_row=stop_after_two, min_in_flight=1)
    assert first.interrupted and first.done == 2
    finished = {p.name: p.stat().st_mtime_ns for p in out.glob("*") if not p.name.startswith(".")}
    done_before = len([name for name in finished if name.endswith(".json")])
    per_image = len(fields(OutputPaths))  # prob, mask, overlay, json and the A/V map
    assert done_before >= 2 and len(finished) == per_image * done_before, "an image was left half written"
    rows: list[dict] = []
    with connect(workers=1, dashboard=False) as client:
        load_model_on_workers(client, ModelOptions(threads=1))
        second = run_batch(client, iter_items(images), out, TaskOptions(), on_row=rows.append)
    assert (second.skipped, second.done, second.failed) == (done_before, 5 - done_before, 0)
    assert sorted(r["index"] for r in rows) == list(range(5))
    assert {name: (out / name).stat().st_mtime_ns for name in finished} == finished, (
        "a finished image was written again"
    )
    assert len(list(out.glob("*.json"))) == 5
