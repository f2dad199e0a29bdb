"""Privacy (issue #8): patient name, ID and birth date never reach stdout, stderr, logs, warnings,
error messages or output files, and no temporary file is left behind.
"""
from __future__ import annotations

import importlib.util
import json
import logging
import os
import struct
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from dicom_factory import dicom_bytes
from PIL import Image, TiffImagePlugin
from pydicom.encaps import encapsulate
from pydicom.uid import JPEGBaseline8Bit

from fundus_app import FundusImage, ImageLoadError, load_image

REPO = Path(__file__).resolve().parents[2]
PATIENT = {"PatientName": "Qian^Meiling", "PatientID": "MRN-4471902", "PatientBirthDate": "19580314"}
#: Every form in which the three fields could show up.
SECRETS = ("Qian", "Meiling", "MRN-4471902", "4471902", "19580314", "1958-03-14", "14.03.1958", "03/14/1958")


def leaked(text: str | bytes) -> list[str]:
    """The secrets found in ``text``, in any letter case.

    In binary files (compressed PNG data) only the secrets of 7+ characters, case-sensitive: a
    4-byte name turns up by chance in a megabyte of compressed pixels once in a few hundred runs.
    """
    if isinstance(text, bytes):
        return [s for s in SECRETS if len(s) >= 7 and s.encode() in text]
    return [s for s in SECRETS if s.lower() in text.lower()]


def fundus(h: int = 200, w: int = 220) -> np.ndarray:
    yy, xx = np.mgrid[:h, :w]
    disc = (yy - h / 2) ** 2 + (xx - w / 2) ** 2 < (0.45 * min(h, w)) ** 2
    rgb = np.zeros((h, w, 3), np.uint8)
    rgb[disc] = (170, 80, 35)
    rgb[disc & (np.abs(yy - xx) < 3)] = (110, 45, 20)
    return rgb


def dicom(rgb: np.ndarray, patient: dict[str, str] = PATIENT, **kwargs: object) -> bytes:
    return dicom_bytes(rgb, patient=patient, **kwargs)


def stretch_length(data: bytes, group: int, element: int, new_length: int) -> bytes:
    """Corrupt an element's length so that its value swallows the elements after it (patient data)."""
    i = data.index(struct.pack("<HH", group, element))
    return data[:i + 6] + struct.pack("<H", new_length) + data[i + 8:]


def malformed_values(rgb: np.ndarray) -> bytes:
    """Patient fields that break their VR's rules: pydicom's validation quotes such values."""
    bad = {"PatientName": "Qian^Meiling^" + "x" * 70, "PatientID": "MRN-4471902" + "9" * 60,
           "PatientBirthDate": "1958-03-14 approx."}
    import pydicom.config

    mode = pydicom.config.settings.writing_validation_mode
    pydicom.config.settings.writing_validation_mode = pydicom.config.IGNORE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pydicom warns while we build the file; not the subject here
            return dicom(rgb, bad)
    finally:
        pydicom.config.settings.writing_validation_mode = mode


CORRUPT = {
    "truncated.dcm": lambda rgb: dicom(rgb)[:-5000],
    "no_pixels.dcm": lambda rgb: dicom(rgb)[: dicom(rgb).index(b"\xe0\x7f\x10\x00")],
    "bad_syntax.dcm": lambda rgb: dicom(rgb, syntax="1.2.840.10008.1.2.4.100", pixel_data=encapsulate([b"\0" * 64])),
    "jpeg_garbage.dcm": lambda rgb: dicom(rgb, syntax=JPEGBaseline8Bit,
                                          pixel_data=encapsulate([b"\xff\xd8" + b"\1" * 99])),
    "syntax_swallows_header.dcm": lambda rgb: stretch_length(dicom(rgb), 0x0002, 0x0010, 0x200),
    "modality_swallows_patient.dcm": lambda rgb: stretch_length(dicom(rgb), 0x0008, 0x0060, 0x40),
    "name_swallows_rest.dcm": lambda rgb: stretch_length(dicom(rgb), 0x0010, 0x0010, 0x7000),
    "photometric_garbage.dcm": lambda rgb: dicom(rgb, photometric="Qian Meiling"),
}


def _capture_everything(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str],
                        action) -> str:
    """Run ``action`` with the application logging at DEBUG (as the GUI's log file may) and warnings
    always shown; return everything that came out: stdout/stderr at the descriptor level, log records
    (pytest 9's caplog also hooks loggers that do not propagate) and warnings.
    """
    caplog.set_level(logging.DEBUG)  # the root, where the application's handlers (GUI log file) sit
    caplog.set_level(logging.DEBUG, logger="fundus_app")
    caplog.clear()  # only what the action logs: building the test files logs too
    capfd.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = action()
    out, err = capfd.readouterr()
    texts = [out, err, caplog.text, *(r.getMessage() for r in caplog.records), *(str(w.message) for w in caught),
             str(result)]
    return "\n".join(texts)


def test_loading_logs_and_warns_nothing_about_the_patient(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                          capfd: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.dcm"
    good.write_bytes(dicom(fundus()))
    odd = tmp_path / "malformed_values.dcm"
    odd.write_bytes(malformed_values(fundus()))

    def load_both() -> list[FundusImage]:
        return [load_image(good), load_image(odd)]

    text = _capture_everything(caplog, capfd, lambda: [(i.shape, i.meta.get("warning")) for i in load_both()])
    assert not leaked(text), text
    image = load_image(odd)  # the fields are still there, for the report
    assert "Qian" in image.meta["patient_name"] and image.meta["patient_id"].startswith("MRN-4471902")


@pytest.mark.parametrize("name", sorted(CORRUPT))
def test_errors_about_corrupt_dicom_never_quote_patient_data(name: str, tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture,
                                                             capfd: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / name
    path.write_bytes(CORRUPT[name](fundus()))
    assert not leaked(path.name)

    def load() -> str:
        try:
            image = load_image(path)
        except ImageLoadError as exc:
            return str(exc)
        return f"loaded, warning: {image.meta.get('warning')}, meta keys: {sorted(image.meta)}"

    text = _capture_everything(caplog, capfd, load)
    assert not leaked(text), text
    assert name in text  # the outcome (an error naming the file, or a load) was captured


def test_tiff_description_with_patient_data_is_not_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                          capfd: pytest.CaptureFixture[str]) -> None:
    """Pillow logs TIFF tag values at DEBUG; cameras write the patient into ImageDescription."""
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[270] = "Qian^Meiling MRN-4471902 19580314"
    info[315] = "Qian Meiling"
    path = tmp_path / "camera.tif"
    Image.fromarray(fundus()).save(path, tiffinfo=info)
    text = _capture_everything(caplog, capfd, lambda: load_image(path).shape)
    assert not leaked(text), text


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _ours(folder: Path, stems: list[str]) -> set[str]:
    """Entries in ``folder`` that this application could have created (temporaries included)."""
    prefixes = tuple(f".{s}" for s in stems) + ("fundus", ".fundus", "tmp_fundus")
    return {p.name for p in folder.iterdir() if p.name.startswith(prefixes)}


def test_segment_outputs_and_messages_carry_no_patient_data(drive_test_image: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    rgb = np.asarray(Image.open(drive_test_image).convert("RGB"))
    (folder / "study_0001.dcm").write_bytes(dicom(rgb))
    (folder / "study_0002.dcm").write_bytes(CORRUPT["truncated.dcm"](rgb))
    (folder / "study_0003.dcm").write_bytes(CORRUPT["syntax_swallows_header.dcm"](rgb))
    (folder / "study_0004.dcm").write_bytes(CORRUPT["jpeg_garbage.dcm"](rgb))
    stems = [p.stem for p in folder.iterdir()]
    out = tmp_path / "out"
    temp_root = Path(tempfile.gettempdir())
    before = _ours(temp_root, stems)
    res = subprocess.run([sys.executable, "-m", "fundus_app", "segment", str(folder), "--out", str(out),
                          "--device", "cpu"], capture_output=True, text=True, timeout=300, cwd=REPO, env=_env())
    assert res.returncode == 1  # three of the four are corrupt
    assert len(res.stderr.strip().splitlines()) == 3 and "Traceback" not in res.stderr, res.stderr
    assert "study_0001.dcm" in res.stdout
    assert not leaked(res.stdout) and not leaked(res.stderr), (res.stdout, res.stderr)
    record = json.loads((out / "study_0001.json").read_text())
    assert record["file"] == "study_0001.dcm" and not leaked(json.dumps(record))
    for path in out.iterdir():
        assert not leaked(path.read_bytes()), path.name  # PNG text chunks included
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"study_0001{s}" for s in ("_prob.png", "_mask.png", "_overlay.png", "_av.png", ".json"))  # no temporaries
    assert _ours(temp_root, stems) == before  # nothing of ours left in the system temp folder


class _FakeSegmenter:
    def segment(self, image: FundusImage, *, crf: bool = False, on_progress=None, should_cancel=None):
        from fundus_app.domain import Segmentation

        prob = np.zeros(image.shape, np.float32)
        prob[image.shape[0] // 2, :] = 0.9  # one horizontal 'vessel'
        return Segmentation(probability=prob, fov=image.fov, timings={"total": 0.0}, model_name="fake",
                            model_sha256="0" * 64)


@pytest.mark.skipif(importlib.util.find_spec("fundus_app.report") is None, reason="fundus_app.report not built yet")
def test_report_command_prints_no_patient_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capfd: pytest.CaptureFixture[str]) -> None:
    """``report`` on a DICOM with patient data: stdout/stderr clean, no temporaries (network stood in)."""
    from fundus_app import cli

    src = tmp_path / "study_0001.dcm"
    src.write_bytes(dicom(fundus(400, 440)))
    monkeypatch.setattr(cli, "_segmenter", lambda _args: _FakeSegmenter())
    temp_root = Path(tempfile.gettempdir())
    before = _ours(temp_root, ["report", "study_0001"])
    outputs = {}
    for anonymise in (False, True):
        pdf = tmp_path / f"report_{anonymise}.pdf"
        code = cli.main(["report", str(src), "--out", str(pdf), *(["--anonymise"] if anonymise else [])])
        out, err = capfd.readouterr()
        assert code == 0, err
        assert not leaked(out) and not leaked(err), (out, err)
        outputs[anonymise] = pdf
    assert all(p.is_file() and p.read_bytes().startswith(b"%PDF") for p in outputs.values())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([src.name, *(p.name for p in outputs.values())])
    assert _ours(temp_root, ["report", "study_0001"]) == before
