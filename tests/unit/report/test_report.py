"""The PDF report: content (read back with pypdf), languages, patient data, atomic writing.

Numbers are never hard-coded: each test computes the expected values from the
same inputs (``measure_vessels`` / the segment JSON) and formats them as the
report promises to (density in % with 2 decimals, FD with 3 ...).
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pypdf
import pytest

from fundus_app import load_image, measure_vessels
from fundus_app.atomic import OutputError
from fundus_app.biomarkers import BY_KEY, REPORT_KEYS, reference_ranges
from fundus_app.domain import FundusImage, Segmentation
from fundus_app.errors import FundusError
from fundus_app.outputs import write_outputs
from fundus_app.report import ClinicInfo, ReportError, build_report_data, builder, pdf, write_report
from fundus_app.report.strings import DISCLAIMER_EN, DISCLAIMER_ZH, STRINGS

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "resources" / "samples" / "hrf_01_h.jpg"

def pdf_text(path: Path, *, layout: bool = True) -> str:
    """The PDF's text as a reader sees it (pypdf: pure Python, so the check runs on every machine)."""
    reader = pypdf.PdfReader(path)
    mode = "layout" if layout else "plain"
    return "\n".join(page.extract_text(extraction_mode=mode) for page in reader.pages)


def pdf_info(path: Path) -> dict[str, str]:
    reader = pypdf.PdfReader(path)
    info = {k.lstrip("/"): str(v) for k, v in (reader.metadata or {}).items()}
    box = reader.pages[0].mediabox
    return {**info, "Pages": str(len(reader.pages)), "Page size": f"{float(box.width)} x {float(box.height)} pts"}


def pdf_fonts(path: Path) -> list[dict[str, object]]:
    """Each font a page uses: its name and whether it is embedded, subset and mapped to Unicode."""
    fonts = []
    for page in pypdf.PdfReader(path).pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described["/FontDescriptor"].get_object() if "/FontDescriptor" in described else {}
            name = str(font["/BaseFont"]).lstrip("/")
            fonts.append({"name": name, "subset": re.match(r"[A-Z]{6}\+", name) is not None,
                          "embedded": any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")),
                          "unicode": "/ToUnicode" in font})
    return fonts


def pdf_images(path: Path) -> list[dict[str, float | str]]:
    """Each image drawn on page 1: encoding, pixel size and the resolution it is drawn at (ppi)."""
    page = pypdf.PdfReader(path).pages[0]
    placements: list[tuple[str, list[float]]] = []
    page.extract_text(visitor_operand_before=lambda op, args, cm, tm: placements.append((args[0], cm))
                      if op == b"Do" else None)
    xobjects = page["/Resources"]["/XObject"]
    images = []
    for name, cm in placements:
        obj = xobjects[name].get_object()
        if obj.get("/Subtype") != "/Image":
            continue
        filters = obj.get("/Filter", [])
        filters = [filters] if isinstance(filters, str) else list(filters)
        w, h = int(obj["/Width"]), int(obj["/Height"])
        images.append({"encoding": "jpeg" if "/DCTDecode" in filters else "image", "width": w, "height": h,
                       "xppi": w / (cm[0] / 72), "yppi": h / (cm[3] / 72)})  # drawn unrotated: cm = a 0 0 d e f
    return images


def expected_numbers(bio: dict) -> dict[str, str]:
    """The report's formats, written out independently of the report code."""
    return {
        "vessel_density": f"{100 * bio['vessel_density']:.2f}",
        "fractal_dimension": f"{bio['fractal_dimension']:.3f}",
        "fractal_r_squared": f"{bio['fractal_r_squared']:.3f}",
        "vessel_length_density": f"{bio['vessel_length_density']:.2f}",
        "tortuosity": f"{bio['tortuosity']:.3f}",
        "branch_points": f"{bio['branch_points']:d}",
        "branch_point_density": f"{bio['branch_point_density']:.1f}",
    }


def row_value(text: str, label: str) -> str:
    """The value printed right after ``label`` on its table line (layout-mode text)."""
    for line in text.splitlines():
        m = re.match(rf"\s*{re.escape(label)}\s{{2,}}(\S+)", line)
        if m:
            return m.group(1)
    raise AssertionError(f"no table row {label!r} in:\n{text}")


# --- synthetic inputs ------------------------------------------------------------------------------


def synthetic_case(h: int = 360, w: int = 480, *, meta: dict | None = None, name: str = "eye.png",
                   tmp: Path | None = None) -> tuple[FundusImage, Segmentation]:
    """A fundus-like disc with a branching vessel tree, and a smooth probability map of the tree."""
    yy, xx = np.mgrid[:h, :w]
    r = min(h, w) * 0.46
    fov = (yy - h / 2) ** 2 + (xx - w / 2) ** 2 < r**2
    rgb = np.zeros((h, w, 3), np.uint8)
    rgb[fov] = (190, 80, 35)
    vessels = np.zeros((h, w), np.uint8)
    cx, cy = int(w * 0.62), int(h * 0.5)
    rng = np.random.default_rng(7)
    for k in range(9):
        angle = 2 * math.pi * k / 9
        pts = [(cx, cy)]
        for step in range(1, 6):
            a = angle + 0.25 * math.sin(step + k)
            pts.append((int(cx + step * r * 0.2 * math.cos(a)), int(cy + step * r * 0.2 * math.sin(a))))
        cv2.polylines(vessels, [np.array(pts, np.int32)], False, 255, int(rng.integers(2, 5)))
        mid = pts[3]
        cv2.line(vessels, mid, (int(mid[0] + 40 * math.cos(angle + 0.8)), int(mid[1] + 40 * math.sin(angle + 0.8))),
                 255, 2)
    rgb[(vessels > 0) & fov] = (120, 40, 20)
    prob = cv2.GaussianBlur((vessels > 0).astype(np.float32), (0, 0), 1.2)
    prob = np.clip(0.05 + 0.95 * prob, 0, 1).astype(np.float32)
    prob[~fov] = 0
    path = (tmp / name) if tmp is not None else Path(name)
    image = FundusImage(rgb=rgb, fov=fov, meta=dict(meta or {}), path=path)
    seg = Segmentation(probability=prob, fov=fov, timings={"preprocess": 0.1, "network": 1.0, "total": 1.234},
                       default_threshold=0.5, model_name="synthetic-unet", model_sha256="ab12" * 16, device="cpu",
                       crf=False, working_scale=0.81, working_fov_px=268.0)
    return image, seg


def write_dicom(path: Path, rgb: np.ndarray, *, name: str = "Doe^Jane", charset: str | None = None) -> None:
    """An uncompressed RGB ophthalmic photograph with patient and study data."""
    from dicom_factory import DOE_JANE, dicom_bytes

    path.write_bytes(dicom_bytes(rgb, patient={**DOE_JANE, "PatientName": name, "PatientBirthDate": "19600131"},
                                 charset=charset))


def dicom_case(tmp_path: Path, *, name: str = "Doe^Jane", charset: str | None = None,
               file_name: str = "Doe_Jane_left.dcm") -> tuple[FundusImage, Segmentation]:
    raster, seg = synthetic_case()
    path = tmp_path / file_name
    write_dicom(path, raster.rgb, name=name, charset=charset)
    image = load_image(path)
    assert image.meta["patient_id"] == "PID-12345" and image.shape == seg.fov.shape
    return image, seg


# --- content -----------------------------------------------------------------------------------------


def test_english_report_has_labels_and_the_segment_json_numbers(tmp_path: Path) -> None:
    image, seg = synthetic_case(tmp=tmp_path)
    _, record = write_outputs(image, seg, tmp_path / "seg", threshold=0.5)  # what `fundus-app segment` writes
    bio = record["biomarkers"]
    assert bio == measure_vessels(seg.mask(0.5), seg.fov).as_dict()
    out = write_report(image, seg, tmp_path / "r.pdf", threshold=0.5)
    assert out == tmp_path / "r.pdf"
    text = pdf_text(out)
    for label in ("Retinal Vessel Analysis Report", "Patient and study", "Vessel biomarkers", "Processing",
                  "Original photograph", "Vessel overlay (threshold 0.50)", "Binary vessel map",
                  DISCLAIMER_EN, DISCLAIMER_ZH, "Page 1 of 1", "synthetic-unet", "ab12ab12ab12ab12",
                  "not available", "eye.png", "1.23 s"):
        assert label in text, label
    want = expected_numbers(bio)
    for key, value in want.items():
        assert row_value(text, BY_KEY[key].label["en"]) == value, key
        assert BY_KEY[key].number(bio[key]) == value
    assert f"{want['vessel_density']} %" in text
    # the scale the network worked at, which varies per photograph, with the FOV diameter it gave
    working = "0.81× (FOV 268 px)"
    assert re.search(rf"Segmented at\s{{2,}}{re.escape(working)}", text), text
    assert record["working_scale"] == 0.81 and record["working_fov_px"] == 268
    # the fit's numbers also label the plot
    assert f"FD = {want['fractal_dimension']}, R² = {want['fractal_r_squared']}" in pdf_text(out, layout=False)
    info = pdf_info(out)
    assert info["Pages"] == "1" and info["Page size"].startswith("595.2")  # A4 portrait
    assert info["Title"] == "Retinal Vessel Analysis Report"


def test_threshold_and_clinic_are_used(tmp_path: Path) -> None:
    image, seg = synthetic_case(tmp=tmp_path)
    clinic = {"name": "Example Eye Centre", "address": "12 Harbour Road\nWanchai", "contact": "+852 0000 0000"}
    out = write_report(image, seg, tmp_path / "r.pdf", threshold=0.3, clinic=clinic)
    text = pdf_text(out)
    for s in ("Example Eye Centre", "12 Harbour Road", "Wanchai", "+852 0000 0000", "(threshold 0.30)"):
        assert s in text
    want = expected_numbers(measure_vessels(seg.mask(0.3), seg.fov).as_dict())
    assert row_value(text, "Vessel density") == want["vessel_density"]
    assert row_value(text, "Threshold") == "0.30"
    # default clinic: the neutral application name
    assert "Fundus Vessel Workstation" in pdf_text(write_report(image, seg, tmp_path / "d.pdf"))


def test_chinese_report_has_chinese_labels_and_embeds_its_font(tmp_path: Path) -> None:
    image, seg = synthetic_case(tmp=tmp_path)
    out = write_report(image, seg, tmp_path / "zh.pdf", lang="zh")
    text = pdf_text(out)
    zh = STRINGS["zh"]
    for key in ("title", "patient_study", "biomarkers", "processing", "original", "binary", "not_available",
                "working_scale"):
        assert zh[key] in text, key
    for key in REPORT_KEYS:
        assert BY_KEY[key].label["zh"] in text, key
    assert DISCLAIMER_ZH in text and "第 1 页，共 1 页" in text
    want = expected_numbers(measure_vessels(seg.mask(), seg.fov).as_dict())
    for key, value in want.items():
        assert row_value(text, BY_KEY[key].label["zh"]) == value, key
    fonts = pdf_fonts(out)
    cjk = [f for f in fonts if "WenQuanYi" in str(f["name"])]
    assert cjk and all(f["embedded"] and f["subset"] and f["unicode"] for f in cjk), fonts
    assert not any("STSong" in str(f["name"]) for f in fonts)
    assert pdf_info(out)["Pages"] == "1"


def test_both_languages_have_the_same_strings() -> None:
    assert set(STRINGS["en"]) == set(STRINGS["zh"])
    for key in STRINGS["en"]:
        assert re.findall(r"{\w+}", STRINGS["en"][key]) == re.findall(r"{\w+}", STRINGS["zh"][key]), key


# --- patient data ------------------------------------------------------------------------------------


def test_dicom_patient_data_shown(tmp_path: Path) -> None:
    image, seg = dicom_case(tmp_path)
    text = pdf_text(write_report(image, seg, tmp_path / "r.pdf"))
    for s in ("Doe Jane", "PID-12345", "Female", "1960-01-31", "2026-01-02", "Left eye (OS)", "Acme Fundus 3000",
              "Doe_Jane_left.dcm"):
        assert s in text, s


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_anonymised_report_omits_name_and_id(tmp_path: Path, lang: str) -> None:
    image, seg = dicom_case(tmp_path)
    out = write_report(image, seg, tmp_path / "anon.pdf", anonymise=True, lang=lang)
    text = pdf_text(out) + pdf_text(out, layout=False)
    for secret in ("Doe", "Jane", "PID-12345", "12345", "1960-01-31", "19600131"):
        assert secret not in text, secret
    assert hashlib.sha256(b"PID-12345").hexdigest()[:8] in text
    assert "1960" in text  # birth year only
    metadata = json.dumps(pdf_info(out))
    assert "Doe" not in metadata and "12345" not in metadata
    assert b"Doe" not in out.read_bytes() and b"12345" not in out.read_bytes()


def test_chinese_patient_name_in_an_english_report(tmp_path: Path) -> None:
    """Helvetica cannot show it: the name goes into the embedded CJK font instead of turning into boxes."""
    image, seg = dicom_case(tmp_path, name="张^三", charset="ISO_IR 192", file_name="eye.dcm")
    assert image.meta["patient_name"] == "张 三"
    out = write_report(image, seg, tmp_path / "r.pdf")
    assert "张三" in pdf_text(out).replace(" ", "")  # text extraction may put spaces between CJK glyphs


def test_language_codes_are_normalised() -> None:
    assert [builder.normalise_language(c) for c in ("en", "EN_gb", "zh", "zh_CN", "zh-Hans")] == \
        ["en", "en", "zh", "zh", "zh"]
    with pytest.raises(ReportError):
        builder.normalise_language("english")


def test_id_hash_is_sha256_prefix() -> None:
    assert builder.id_hash(" PID-12345 ") == hashlib.sha256(b"PID-12345").hexdigest()[:8]


# --- images ------------------------------------------------------------------------------------------


def test_images_keep_their_aspect_and_are_compact(tmp_path: Path) -> None:
    image, seg = synthetic_case(300, 700, tmp=tmp_path)  # a wide image
    out = write_report(image, seg, tmp_path / "r.pdf")
    images = pdf_images(out)
    assert [im["encoding"] for im in images] == ["jpeg", "jpeg", "image"]  # photos as JPEG, the binary map lossless
    for im in images:
        assert im["width"] / im["height"] == pytest.approx(700 / 300, rel=0.01)
        assert im["xppi"] == pytest.approx(im["yppi"], rel=0.01)  # drawn without distortion


def test_full_size_sample_report(tmp_path: Path) -> None:
    """The HRF sample (3504x2336) with the bundled networks: two pages (the calibre section with its
    A/V picture on the second), a small file, the JSON's numbers."""
    from fundus_app.model.inference import Segmenter

    image = load_image(SAMPLE)
    seg = Segmenter.load(device="cpu").segment(image, crf=False)
    out = write_report(image, seg, tmp_path / "hrf.pdf")
    assert out.stat().st_size < 600_000
    assert pdf_info(out)["Pages"] == "2"
    text = pdf_text(out)
    bio = measure_vessels(seg.mask(), seg.fov).as_dict()
    for key, value in expected_numbers(bio).items():
        assert row_value(text, BY_KEY[key].label["en"]) == value, key
    ppi = [im["xppi"] for im in pdf_images(out)]
    assert len(ppi) == 3 and all(150 <= p <= 300 for p in ppi)  # downscaled to a print resolution


def test_empty_vessel_map_still_reports(tmp_path: Path) -> None:
    image, seg = synthetic_case(tmp=tmp_path)
    seg = Segmentation(np.zeros_like(seg.probability), seg.fov, default_threshold=0.5)  # no provenance either
    data = build_report_data(image, seg, threshold=1.0)
    rows = {r.key: r for r in data.rows}
    assert rows["vessel_density"].value_text == "0.00"
    assert rows["tortuosity"].value_text == "n/a"
    assert write_report(image, seg, tmp_path / "empty.pdf", threshold=1.0, lang="zh").is_file()


# --- reference ranges ----------------------------------------------------------------------------------


def test_reference_ranges_are_packaged_and_current() -> None:
    refs = reference_ranges()
    assert refs.current, "biomarker parameters changed: re-run scripts/measure_reference_ranges.py"
    assert refs.n == {"DRIVE": 40, "STARE": 20}
    for key in REPORT_KEYS:
        mean, sd = refs.ranges[key]
        assert math.isfinite(mean) and sd > 0, key
    assert 0.05 < refs.ranges["vessel_density"][0] < 0.2 and 1.2 < refs.ranges["fractal_dimension"][0] < 1.8
    assert 1.0 < refs.ranges["tortuosity"][0] < 1.3


def test_rows_carry_the_reference_ranges(tmp_path: Path) -> None:
    image, seg = synthetic_case(tmp=tmp_path)
    data = build_report_data(image, seg)
    refs = reference_ranges()
    for row in data.rows:
        mean, sd = refs.ranges[row.key]
        assert (row.mean, row.sd) == (mean, sd)
        assert "±" in row.reference_text


# --- writing: atomic, no overwrite, errors ---------------------------------------------------------------


def test_refuses_to_overwrite_without_permission(tmp_path: Path) -> None:
    image, seg = synthetic_case(tmp=tmp_path)
    target = tmp_path / "r.pdf"
    target.write_bytes(b"keep me")
    with pytest.raises(OutputError, match="already exists"):
        write_report(image, seg, target)
    assert target.read_bytes() == b"keep me"
    write_report(image, seg, target, overwrite=True)
    assert target.read_bytes().startswith(b"%PDF-")


def _no_leftovers(folder: Path) -> None:
    assert not [p for p in folder.iterdir() if p.name.startswith(".") or ".part" in p.name]


def test_failing_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    image, seg = synthetic_case(tmp=tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "r.pdf"

    def broken_replace(src: str, dst: str) -> None:  # the disk fails at the last step
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("fundus_app.atomic.os.replace", broken_replace)
    with pytest.raises(OutputError, match="Cannot write"):
        write_report(image, seg, target)
    assert not target.exists()
    _no_leftovers(out_dir)
    # an existing report survives a failed overwrite unchanged
    target.write_bytes(b"old report")
    with pytest.raises(OutputError):
        write_report(image, seg, target, overwrite=True)
    assert target.read_bytes() == b"old report"
    _no_leftovers(out_dir)


def test_failing_layout_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    image, seg = synthetic_case(tmp=tmp_path)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("renderer exploded half way")

    monkeypatch.setattr(pdf, "_lower", boom)  # the story is half built when this runs
    with pytest.raises(ReportError, match="could not be laid out") as err:
        write_report(image, seg, tmp_path / "r.pdf")
    assert "\n" not in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_folder_is_one_clear_error(tmp_path: Path) -> None:
    image, seg = synthetic_case(tmp=tmp_path)
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder")
    with pytest.raises(OutputError) as err:
        write_report(image, seg, blocker / "r.pdf")
    assert str(blocker) in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder(tmp_path: Path) -> None:
    image, seg = synthetic_case(tmp=tmp_path)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(OutputError):
            write_report(image, seg, ro / "r.pdf")
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"lang": "fr"}, "Unknown report language"),
    ({"threshold": 1.5}, "between 0 and 1"),
    ({"clinic": {"name": "X", "fax": "1"}}, "Unknown clinic field"),
    ({"clinic": 42}, "ClinicInfo, a dict or a string"),
])
def test_bad_arguments_are_fundus_errors(tmp_path: Path, kwargs: dict, message: str) -> None:
    image, seg = synthetic_case(tmp=tmp_path)
    with pytest.raises(FundusError, match=message):
        write_report(image, seg, tmp_path / "r.pdf", **kwargs)
    assert not (tmp_path / "r.pdf").exists()


def test_clinic_info_coercion() -> None:
    assert ClinicInfo.coerce(None) == ClinicInfo() == ClinicInfo.coerce("  ")
    assert ClinicInfo.coerce("Eye Clinic\n1 Road\nCity") == ClinicInfo("Eye Clinic", "1 Road\nCity")
    assert ClinicInfo.coerce({"name": "A", "address": None}) == ClinicInfo("A", "", "")
    info = ClinicInfo("B", "x")
    assert ClinicInfo.coerce(info) is info


def test_report_package_imports_no_qt() -> None:
    code = ("import sys, fundus_app.report, fundus_app.report.pdf; "
            "print(any(m.split('.')[0] in ('PyQt5', 'PySide2', 'PyQt6', 'PySide6') for m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert res.stdout.strip() == "False"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_worst_case_layout_stays_on_one_page(tmp_path: Path, lang: str) -> None:
    """A square image (the tallest image row), a long clinic header and full patient data: still one page."""
    image, seg = synthetic_case(520, 500, tmp=tmp_path, meta={
        "patient_name": "Maximilian Alexander Montgomery-Worthington", "patient_id": "1234567890123456",
        "patient_sex": "M", "patient_birth_date": "19450101", "study_date": "20260101", "laterality": "R",
        "manufacturer": "Very Long Manufacturer Name Medical Systems", "model": "Retinal Camera Model XR-9000 Pro"})
    clinic = {"name": "Department of Ophthalmology and Visual Sciences, Example University Teaching Hospital",
              "address": "Building 3, 1 Example Road\nSample District, Sample City 100000\nCountry",
              "contact": "Tel. +86 10 0000 0000, eye@example.org"}
    out = write_report(image, seg, tmp_path / "r.pdf", lang=lang, clinic=clinic)
    assert pdf_info(out)["Pages"] == "1"
