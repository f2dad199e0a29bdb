"""The report's vessel calibre section: A/V picture with the zones, CRAE / CRVE / AVR table, method,
references and provenance, in English and Chinese.

``calibre_of`` is implemented on another branch: these tests hand the report ``Calibre`` objects
(or monkeypatch ``calibre_of``) and check what the report makes of them.
"""
from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import cv2
import numpy as np
import pypdf
import pytest
from test_report import pdf_fonts, pdf_text, synthetic_case

from fundus_app.biomarkers.calibre import Calibre, VesselSegment, zone_radii
from fundus_app.domain import Disc, FundusImage, Segmentation
from fundus_app.report import build_report_data, builder, reference, write_report
from fundus_app.report.reference import CalibreReference, PublishedRange, parse_calibre_reference
from fundus_app.report.strings import CALIBRE_REFERENCES, REFERENCES, STRINGS

H, W = 360, 480
DISC = Disc(centre=(300.0, 180.0), diameter=40.0, confidence=0.87, eye="right")
ARTERY_BAND = (slice(60, 300), slice(226, 238))  # a 12 px wide vertical artery left of the disc
VEIN_BAND = (slice(128, 142), slice(330, 420))  # a 14 px wide horizontal vein right of it
REASON = "fewer than four venules in the zone"


def av_case(*, meta: dict | None = None, disc: Disc | None = DISC, tmp: Path | None = None
            ) -> tuple[FundusImage, Segmentation]:
    """The synthetic photograph with two thick vessels: an artery and a vein, and the disc between them."""
    image, seg = synthetic_case(H, W, meta=meta, tmp=tmp)
    prob = np.zeros((H, W), np.float32)
    av = np.zeros((H, W), np.uint8)
    prob[ARTERY_BAND] = 1.0
    prob[VEIN_BAND] = 1.0
    av[ARTERY_BAND] = 1
    av[VEIN_BAND] = 2
    av[200:206, ARTERY_BAND[1]] = 3  # a few uncertain pixels
    prob[~seg.fov] = 0
    seg = dataclasses.replace(seg, probability=prob, av_class=av, disc=disc, av_model_name="av-unet-test",
                              av_model_sha256="feedbeef" * 8, disc_model_name="disc-net-test",
                              disc_model_sha256="0123456789abcdef" * 4)
    return image, seg


def segment(kind: str, x0: float, y0: float, x1: float, y1: float, width_px: float) -> VesselSegment:
    line = np.linspace((x0, y0), (x1, y1), 20).astype(np.float32)
    return VesselSegment(kind, width_px, width_px * 45.0, float(np.hypot(x1 - x0, y1 - y0)), line)


def calibres() -> dict[str, Calibre]:
    """Zone B measured (one artery and one vein segment on the bands), zone C not measurable."""
    b = Calibre("B", crae_um=151.234, crve_um=226.789, avr=151.234 / 226.789, crae_dd=0.084, crve_dd=0.126,
                um_per_px=45.0, scale_source="assumed disc diameter",
                arteries=(segment("artery", 232, 130, 232, 160, 12.0),),
                veins=(segment("vein", 350, 135, 370, 135, 14.0),), n_arteries=3, n_veins=2)
    c = Calibre("C", None, None, None, um_per_px=45.0, scale_source="assumed disc diameter", n_arteries=3,
                n_veins=2, reason=REASON)
    return {"B": b, "C": c}


@pytest.fixture(autouse=True)
def no_reference_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The packaged calibre_reference.json (when the calibre branch adds it) must not change these tests."""
    monkeypatch.setattr(builder, "calibre_reference", lambda: CalibreReference())


def decode(data: bytes) -> np.ndarray:
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def picture_xy(section: builder.CalibreSection, x: float, y: float) -> tuple[int, int]:
    """Where the photograph's pixel (x, y) lies in the A/V picture."""
    assert section.image is not None and section.box is not None
    x0, y0, x1, y1 = section.box
    assert x0 <= x < x1 and y0 <= y < y1, (x, y, section.box)
    return (round((x - x0) * section.image.width / (x1 - x0)), round((y - y0) * section.image.height / (y1 - y0)))


def flat(text: str) -> str:
    """pypdf may put spaces between CJK glyphs: compare without any."""
    return "".join(text.split())


def page_texts(path: Path) -> list[str]:
    return [page.extract_text(extraction_mode="layout") for page in pypdf.PdfReader(path).pages]


# --- the numbers --------------------------------------------------------------------------------------


def test_rows_carry_the_numbers_and_the_reasons(tmp_path: Path) -> None:
    image, seg = av_case(tmp=tmp_path)
    cal = calibres()
    data = build_report_data(image, seg, calibre=cal)
    section = data.calibre
    assert section is not None and section.message is None
    assert [(r.zone, r.key) for r in section.rows] == [(z, k) for z in "BC" for k in ("crae_um", "crve_um", "avr")]
    b = cal["B"]
    assert b.crae_um is not None and b.crve_um is not None and b.avr is not None
    assert section.row("B", "crae_um").value_text == f"{b.crae_um:.1f}" == "151.2"
    assert section.row("B", "crve_um").value_text == f"{b.crve_um:.1f}" == "226.8"
    assert section.row("B", "avr").value_text == f"{b.avr:.2f}" == "0.67"
    assert section.row("B", "avr").value == pytest.approx(151.234 / 226.789)
    for key in ("crae_um", "crve_um", "avr"):
        row = section.row("C", key)
        assert row.value is None
        assert row.value_text == f"not measurable: {REASON}"
        assert row.ours_text == row.published_text == "–"  # no reference table: a dash, no placeholder
    assert [label for label, _ in section.info] == ["Eye", "Optic disc", "Scale", "Vessels measured (zone B)"]
    info = dict(section.info)
    assert info["Eye"] == "Right eye (OD), estimated from the disc position"
    assert info["Optic disc"] == "diameter 40 px, centre (300, 180) px, confidence 0.87"
    assert info["Scale"] == "assumed disc diameter 1800 µm: micrometre values are relative (45.00 µm/px)"
    assert info["Vessels measured (zone B)"] == "1 arterioles, 1 venules (of 3 and 2 found)"
    zh = build_report_data(image, seg, calibre=cal, lang="zh").calibre
    assert zh is not None
    assert zh.row("C", "avr").value_text == f"无法测量：{REASON}"
    assert zh.row("B", "crae_um").label == "CRAE 动脉当量（µm）"


def test_a_zone_without_a_reason_and_a_missing_zone(tmp_path: Path) -> None:
    image, seg = av_case(tmp=tmp_path)
    only_b = {"B": dataclasses.replace(calibres()["B"], crae_um=None, avr=None, reason=None)}
    section = build_report_data(image, seg, calibre=only_b).calibre
    assert section is not None
    assert section.row("B", "crae_um").value_text == "not measurable"
    assert section.row("B", "crve_um").value_text == "226.8"
    assert section.row("C", "crve_um").value_text == "not measurable: zone not measured"


def test_dicom_laterality_wins_over_the_disc_estimate(tmp_path: Path) -> None:
    image, seg = av_case(meta={"laterality": "L"}, tmp=tmp_path)
    data = build_report_data(image, seg, calibre=calibres())
    assert data.calibre is not None
    assert dict(data.calibre.info)["Eye"] == "Left eye (OS)"
    assert dict(data.patient)["Eye"] == "Left eye (OS)"
    image, seg = av_case(disc=dataclasses.replace(DISC, eye=None), tmp=tmp_path)
    data = build_report_data(image, seg, calibre=calibres())
    assert data.calibre is not None and dict(data.calibre.info)["Eye"] == "not available"


def test_pixel_spacing_scale(tmp_path: Path) -> None:
    image, seg = av_case(tmp=tmp_path)
    cal = {z: dataclasses.replace(c, um_per_px=6.5, scale_source="DICOM pixel spacing")
           for z, c in calibres().items()}
    data = build_report_data(image, seg, calibre=cal)
    assert data.calibre is not None and dict(data.calibre.info)["Scale"] == "DICOM pixel spacing (6.50 µm/px)"


def test_calibre_of_measures_when_not_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    image, seg = av_case(tmp=tmp_path)
    calls = []

    def fake(im: FundusImage, s: Segmentation, threshold: float | None = None) -> dict[str, Calibre]:
        calls.append(threshold)
        return calibres()

    monkeypatch.setattr(builder, "calibre_of", fake)
    section = build_report_data(image, seg, threshold=0.4).calibre
    assert calls == [0.4]
    assert section is not None and section.row("B", "crae_um").value_text == "151.2"


def test_calibre_not_implemented_yet_is_a_reason_not_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    image, seg = av_case(tmp=tmp_path)

    def not_yet(*args: object, **kwargs: object) -> dict[str, Calibre]:
        raise NotImplementedError("being implemented on branch calibre")

    monkeypatch.setattr(builder, "calibre_of", not_yet)
    with caplog.at_level(logging.WARNING):
        section = build_report_data(image, seg).calibre
    assert section is not None and section.image is not None  # the A/V picture still shows the classification
    assert {r.value_text for r in section.rows} == {"not measurable: calibre measurement not available in this version"}
    assert "not implemented" in caplog.text


def test_provenance_rows(tmp_path: Path) -> None:
    image, seg = av_case(tmp=tmp_path)
    rows = dict(build_report_data(image, seg, calibre=calibres()).processing)
    assert rows["A/V model"] == "av-unet-test"
    assert rows["A/V model SHA-256"] == "feedbeeffeedbeef…"
    assert rows["Disc model"] == "disc-net-test, SHA-256 01234567…"
    plain = dict(build_report_data(*synthetic_case(tmp=tmp_path)).processing)
    assert "A/V model" not in plain and "Disc model" not in plain


# --- the A/V picture ------------------------------------------------------------------------------------


def test_no_av_map_no_picture_one_line(tmp_path: Path) -> None:
    image, seg = synthetic_case(tmp=tmp_path)
    assert seg.av_map() is None
    data = build_report_data(image, seg)
    assert data.calibre is not None and data.calibre.image is None and data.calibre.rows == []
    assert data.calibre.message == STRINGS["en"]["no_av"]
    assert data.references == REFERENCES  # nothing cited
    out = write_report(image, seg, tmp_path / "r.pdf")
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 1 and len(reader.pages[0].images) == 3
    text = pdf_text(out, layout=False)
    assert STRINGS["en"]["no_av"] in " ".join(text.split())
    assert "CRAE (µm)" not in text and "Knudtson" not in text


def test_av_picture_is_red_on_arteries_blue_on_veins(tmp_path: Path) -> None:
    image, seg = av_case(tmp=tmp_path)
    no_segments = {z: dataclasses.replace(c, arteries=(), veins=()) for z, c in calibres().items()}
    section = build_report_data(image, seg, calibre=no_segments).calibre
    assert section is not None and section.image is not None and section.image.kind == "jpeg"
    # cropped to zone C around the disc, within the photograph
    reach = zone_radii(DISC, "C")[1]
    x0, y0, x1, y1 = section.box or (0, 0, 0, 0)
    assert x0 <= DISC.centre[0] - reach and x1 >= min(W, DISC.centre[0] + reach) and (x1, y1) <= (W, H)
    pic = decode(section.image.data).astype(int)
    assert pic.shape == (section.image.height, section.image.width, 3)
    # points between the rings (zone B outer radius 60 px, zone C 100 px from the disc centre)
    r, g, b = pic[picture_xy(section, 232, 180)[::-1]]  # inside the artery band
    assert r > 170 and g < 90 and b < 90, (r, g, b)
    r, g, b = pic[picture_xy(section, 370, 135)[::-1]]  # inside the vein band
    assert b > 170 and r < 110 and r < b - 80, (r, g, b)
    r, g, b = pic[picture_xy(section, 232, 203)[::-1]]  # the uncertain pixels
    assert r > 170 and g > 150 and b < 100, (r, g, b)
    r, g, b = pic[picture_xy(section, 260, 240)[::-1]]  # no vessel there: the dimmed photograph, no colour
    assert r < 110 and g < 60 and b < 60, (r, g, b)
    # the measured zone B segments are outlined in white beside their centre line
    outlined = build_report_data(image, seg, calibre=calibres()).calibre
    assert outlined is not None and outlined.image is not None
    halo = decode(outlined.image.data).astype(int)
    x, y = picture_xy(outlined, 232, 145)
    beside = [halo[y, x + dx] for dx in range(-12, 13) if abs(dx) > 1]
    assert max(min(p) for p in beside) > 200  # a white pixel next to the line
    assert halo[y, x][0] > 170 and halo[y, x][2] < 110  # the line itself stays red


def test_av_picture_without_a_disc_shows_the_whole_photograph(tmp_path: Path) -> None:
    image, seg = av_case(disc=None, tmp=tmp_path)
    cal = {z: Calibre(z, None, None, None, reason="optic disc not found") for z in "BC"}
    section = build_report_data(image, seg, calibre=cal).calibre
    assert section is not None and section.box == (0, 0, W, H) and section.image is not None
    assert dict(section.info)["Optic disc"] == "not found"
    assert section.row("B", "avr").value_text == "not measurable: optic disc not found"


# --- reference table and citations ------------------------------------------------------------------------


RECORD = {
    "datasets": {"RITE": {"n": 40}, "LES-AV": {"n": 22}},
    "pooled": "RITE+LES-AV",
    "ranges": {"RITE+LES-AV": {"B": {"crae_um": {"mean": 150.04, "sd": 12.46},
                                     "avr": {"mean": 0.7, "sd": 0.061}}}},
    "published": {"B": {"crae_um": {"low": 180, "high": 140, "ref": "wong2003"},
                        "crve_um": {"low": 190, "high": 250, "ref": "nobody2099"},
                        "avr": {"low": 0.6, "high": 0.9, "citation": "Doe J. A paper. J Retina 2020;1:1-2."}}},
}


def test_reference_table_fills_the_columns_and_numbers_the_citations(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(builder, "calibre_reference", lambda: parse_calibre_reference(RECORD))
    image, seg = av_case(tmp=tmp_path)
    data = build_report_data(image, seg, calibre=calibres())
    section = data.calibre
    assert section is not None
    n = len(REFERENCES)
    assert data.references[:n] == REFERENCES
    # cited in order: Knudtson (zone B), the published ranges, then the method's Rotterdam and ARIC papers
    assert data.references[n:] == (CALIBRE_REFERENCES["knudtson2003"], CALIBRE_REFERENCES["wong2003"],
                                   "Doe J. A paper. J Retina 2020;1:1-2.", CALIBRE_REFERENCES["ikram2006"],
                                   CALIBRE_REFERENCES["wong2002"])
    assert section.zones[0][1] == f"Zone B, 0.5–1 DD from the disc margin (standard [{n + 1}])"
    assert section.row("B", "crae_um").ours_text == "150.0 ± 12.5"
    assert section.row("B", "crae_um").published_text == f"140.0–180.0 [{n + 2}]"
    assert section.row("B", "crve_um").ours_text == "–"
    assert section.row("B", "crve_um").published_text == "190.0–250.0"  # an unknown key: no marker
    assert section.row("B", "avr").ours_text == "0.70 ± 0.06"
    assert section.row("B", "avr").published_text == f"0.60–0.90 [{n + 3}]"
    assert section.row("C", "crae_um").ours_text == "–"
    method = section.notes[0]
    assert f"[{n + 1}]" in method and f"[{n + 4}]" in method and f"[{n + 5}]" in method
    assert "RITE (n = 40) + LES-AV (n = 22)" in section.notes[1]
    assert "Parr-Hubbard" in section.notes[2]


def test_reference_file_missing_or_malformed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(reference.resources, "files", lambda package: tmp_path)
    reference.calibre_reference.cache_clear()
    try:
        assert reference.calibre_reference() == CalibreReference()  # not there (yet): nothing, quietly
        (tmp_path / reference.CALIBRE_REFERENCE_FILE).write_text(json.dumps(RECORD), encoding="utf-8")
        reference.calibre_reference.cache_clear()
        read = reference.calibre_reference()
        assert read.ours[("B", "crae_um")] == (150.04, 12.46) and read.n == {"RITE": 40, "LES-AV": 22}
        assert read.published[("B", "crae_um")] == PublishedRange(140.0, 180.0, "wong2003", None)
        bad = {**RECORD, "ranges": {"RITE+LES-AV": {"B": {"avr": {"mean": "n/a", "sd": 1}}}}}
        (tmp_path / reference.CALIBRE_REFERENCE_FILE).write_text(json.dumps(bad), encoding="utf-8")
        reference.calibre_reference.cache_clear()
        with caplog.at_level(logging.WARNING):
            assert reference.calibre_reference() == CalibreReference()
        assert "calibre reference table unusable" in caplog.text
    finally:
        reference.calibre_reference.cache_clear()


# --- the PDF ------------------------------------------------------------------------------------------------


def test_english_pdf_has_the_calibre_section(tmp_path: Path) -> None:
    image, seg = av_case(tmp=tmp_path)
    out = write_report(image, seg, tmp_path / "r.pdf", calibre=calibres())
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) <= 2
    assert sum(len(page.images) for page in reader.pages) == 4
    text = pdf_text(out)
    plain = " ".join(pdf_text(out, layout=False).split())
    for s in ("Vessel calibre (arterioles and venules)", "CRAE (µm)", "CRVE (µm)", "AVR", "151.2", "226.8", "0.67",
              "Our code on", "Published", "Right eye (OD), estimated from the disc position",
              "av-unet-test", "feedbeeffeedbeef", "disc-net-test"):
        assert s in text, s
    for s in (f"not measurable: {REASON}", "assumed disc diameter 1800 µm: micrometre values are relative",
              "revised Knudtson formulas", "0.88·sqrt(w1² + w2²)", "0.95·sqrt(w1² + w2²)", "AVR = CRAE / CRVE",
              "they do not diagnose", "Curr Eye Res 2003;27(3):143-9", "JAMA 2002;287(9):1153-9",
              "Hypertension 2006;47:189-94", "Zone B, 0.5–1 DD from the disc margin (standard [6])"):
        assert s in plain, s
    # the picture and its table stay together on one page
    pages = page_texts(out)
    holding = [i for i, t in enumerate(pages) if "CRAE (µm)" in t]
    assert len(holding) == 1 and "Zone C, 0.5–2 DD" in pages[holding[0]]
    assert "Vessel calibre (arterioles and venules)" in pages[holding[0]]


def test_chinese_pdf_has_the_calibre_section_in_the_embedded_font(tmp_path: Path) -> None:
    image, seg = av_case(tmp=tmp_path)
    out = write_report(image, seg, tmp_path / "zh.pdf", calibre=calibres(), lang="zh")
    assert len(pypdf.PdfReader(out).pages) <= 2
    text = flat(pdf_text(out) + pdf_text(out, layout=False))
    zh = STRINGS["zh"]
    for key in ("calibre", "crae", "crve", "avr", "published_range", "optic_disc", "scale", "av_model",
                "disc_model"):
        assert flat(zh[key]) in text, key
    for s in ("151.2", "226.8", "0.67", f"无法测量：{REASON}", "右眼(OD)，根据视盘位置估计", "修订的Knudtson公式",
              "不作为诊断依据", "假定视盘直径1800µm"):
        assert flat(s) in text, s
    fonts = pdf_fonts(out)
    cjk = [f for f in fonts if "WenQuanYi" in str(f["name"])]
    assert cjk and all(f["embedded"] and f["subset"] and f["unicode"] for f in cjk), fonts
    assert not any("STSong" in str(f["name"]) for f in fonts)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_worst_case_with_calibre_fits_two_pages(tmp_path: Path, lang: str) -> None:
    """A square photograph, long header and patient data, and the calibre section: two pages, no more."""
    image, seg = av_case(meta={
        "patient_name": "Maximilian Alexander Montgomery-Worthington", "patient_id": "1234567890123456",
        "patient_sex": "M", "patient_birth_date": "19450101", "study_date": "20260101", "laterality": "R",
        "manufacturer": "Very Long Manufacturer Name Medical Systems", "model": "Retinal Camera Model XR-9000 Pro"},
        tmp=tmp_path)
    square = FundusImage(np.ascontiguousarray(np.pad(image.rgb, ((60, 60), (0, 0), (0, 0)))), np.pad(
        image.fov, ((60, 60), (0, 0))), image.meta, image.path)
    seg = dataclasses.replace(seg, probability=np.pad(seg.probability, ((60, 60), (0, 0))),
                              fov=square.fov, av_class=np.pad(seg.av_class, ((60, 60), (0, 0))),
                              disc=dataclasses.replace(DISC, centre=(DISC.centre[0], DISC.centre[1] + 60)))
    clinic = {"name": "Department of Ophthalmology and Visual Sciences, Example University Teaching Hospital",
              "address": "Building 3, 1 Example Road\nSample District, Sample City 100000\nCountry",
              "contact": "Tel. +86 10 0000 0000, eye@example.org"}
    long_reason = {z: dataclasses.replace(c, reason=REASON + ", and the disc lies near the edge of the photograph")
                   for z, c in calibres().items()}
    out = write_report(square, seg, tmp_path / "r.pdf", lang=lang, clinic=clinic, calibre=long_reason)
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 2
    last = reader.pages[1].extract_text()
    assert ("[1]" in last) and ("Knudtson" in last)  # the references close the report
