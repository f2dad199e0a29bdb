"""The workstation window, driven as a user would through the facade: drops, sliders, bad files,
languages, exports, closing. No test reads the window's private state or a clock."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from PyQt5.QtCore import QPoint, QPointF, Qt, QTimer
from PyQt5.QtWidgets import QApplication

from fundus_app.biomarkers import BY_KEY

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "hrf_01_h.jpg"


def test_dropping_a_file_on_a_pane_shows_its_result(driver, small_image) -> None:
    driver.drop(small_image, on="right")
    driver.wait_for_result(small_image)
    shown = driver.shown()
    assert driver.original_rgb().shape[:2] == driver.overlay_rgb().shape[:2] == shown.image.shape
    assert np.array_equal(driver.overlay_rgb(), driver.core_overlay()), "GUI overlay differs from the core's"
    assert driver.threshold == pytest.approx(shown.segmentation.default_threshold)
    assert driver.biomarker_values() == driver.core_biomarkers()
    assert driver.review_status(small_image) == "done"
    assert driver.model_text().endswith(shown.segmentation.model_name)
    assert shown.segmentation.device in driver.device_text()
    assert "s" in driver.time_text() and any(ch.isdigit() for ch in driver.time_text())
    assert "not a diagnosis" in driver.banner_text() and driver.banner_visible()
    assert driver.title().startswith(small_image.name)


def test_both_sliders_change_overlay_and_biomarkers(driver, small_image) -> None:
    driver.drop(small_image)  # onto the window itself this time
    driver.wait_for_result(small_image)
    before_px, before = driver.overlay_rgb(), driver.biomarker_values()
    slider = driver.threshold_slider
    start = slider.value()

    # threshold up with the keyboard, as a user would: fewer vessel pixels, lower density
    with driver.biomarkers_final():
        driver.press_threshold_key(Qt.Key_PageUp, times=3)
    assert slider.value() == start + 3 * slider.pageStep()
    higher_px, higher = driver.overlay_rgb(), driver.biomarker_values()
    assert not np.array_equal(higher_px, before_px)
    assert np.array_equal(higher_px, driver.core_overlay())
    assert higher["vessel_density"] < before["vessel_density"]
    assert higher == driver.core_biomarkers()
    assert driver.biomarker_text("vessel_density") == f"{100 * higher['vessel_density']:.2f} %"
    assert driver.biomarker_text("branch_point_density") == BY_KEY["branch_point_density"].text(
        higher["branch_point_density"])

    # threshold down below the start: more vessels
    with driver.biomarkers_final():
        driver.move_threshold(start - 10)
    assert driver.biomarker_values()["vessel_density"] > before["vessel_density"]

    # edge strength: yellow boundaries appear over the overlay; biomarkers do not change
    no_edges, values = driver.overlay_rgb(), driver.biomarker_values()
    driver.move_edges(80)
    assert driver.edge_strength == pytest.approx(0.8)
    with_edges = driver.overlay_rgb()
    changed = np.any(with_edges != no_edges, axis=2)
    assert changed.sum() > 100
    assert np.array_equal(with_edges, driver.core_overlay())
    yellowish = with_edges[changed].astype(int)
    assert (yellowish[:, 0] > yellowish[:, 2]).mean() > 0.9 and (yellowish[:, 1] > yellowish[:, 2]).mean() > 0.9
    assert driver.biomarker_values() == values
    driver.move_edges(0)
    assert np.array_equal(driver.overlay_rgb(), no_edges)


def test_overlay_toggle_and_style_follow_the_core(driver, small_image) -> None:
    driver.open(small_image)
    driver.wait_for_result(small_image)
    driver.set_style(colour=(0, 200, 255), opacity=0.35)
    assert np.array_equal(driver.overlay_rgb(), driver.core_overlay())
    driver.action("overlay").trigger()  # V: the original on the right too
    assert driver.captions()[1] == "Original (overlay hidden)"
    assert np.array_equal(driver.overlay_rgb(), driver.shown().image.rgb)
    driver.action("overlay").trigger()
    assert np.array_equal(driver.overlay_rgb(), driver.core_overlay())


def test_enhanced_view_is_the_networks_clahe_black_outside_the_fov(driver, small_image) -> None:
    from fundus_app.model.checkpoint import bundled_path, load_checkpoint
    from fundus_app.preprocess import clahe_green

    driver.open(small_image)
    driver.wait_for_result(small_image)
    shown = driver.shown()
    cfg = load_checkpoint(bundled_path()).preprocess
    assert shown.preprocess == cfg, "the result carries the checkpoint's preprocessing parameters"
    want = clahe_green(shown.image.rgb, shown.image.fov, cfg)
    want[~shown.image.fov] = 0
    driver.set_enhanced(True)
    assert driver.captions()[0] == "CLAHE-enhanced (green channel)"
    driver.qtbot.waitUntil(lambda: np.array_equal(driver.original_rgb()[..., 1], want), timeout=30_000)
    grey = driver.original_rgb()
    assert np.array_equal(grey[..., 0], grey[..., 2]) and not grey[~shown.image.fov].any()
    driver.set_enhanced(False)
    assert np.array_equal(driver.original_rgb(), shown.image.rgb)


def test_corrupt_file_shows_a_dialog_and_the_window_keeps_working(driver, small_image,
                                                                  tmp_path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    driver.drop(bad, on="left")
    text = driver.wait_for_error()
    assert QApplication.activeModalWidget() is driver.error_box()
    assert "bad.png" in text
    assert driver.review_status(bad) == "failed"
    driver.dismiss_error()

    driver.drop(small_image, on="right")
    driver.wait_for_result(small_image)
    assert driver.review_status(small_image) == "done"
    assert driver.biomarker_values()["vessel_density"] > 0


@pytest.mark.slow
def test_event_loop_runs_while_the_worker_processes_a_large_image(driver) -> None:
    """3504x2336: the job runs on the worker thread, and the UI thread keeps handling timer events meanwhile
    (how long its gaps are is measured by benchmarks/bench_gui.py, not asserted here)."""
    driver.wait_for_model(timeout=60_000)  # the one-off torch import (in the worker) is not part of this
    ui_thread, job_threads, ticks = threading.get_ident(), [], {"during": 0}
    busy = {"on": False}
    driver.worker.job_started.connect(lambda _id: job_threads.append(threading.get_ident()), Qt.DirectConnection)
    driver.worker.job_started.connect(lambda _id: busy.update(on=True))
    driver.worker.job_finished.connect(lambda *_: busy.update(on=False))
    timer = QTimer()
    timer.setInterval(15)
    timer.timeout.connect(lambda: ticks.update(during=ticks["during"] + busy["on"]))
    timer.start()
    driver.open(SAMPLE)
    driver.wait_for_result(SAMPLE, timeout=120_000)
    timer.stop()
    assert job_threads and all(t != ui_thread for t in job_threads), "the job ran on the UI thread"
    assert ticks["during"] > 0, "no timer event was handled on the UI thread while the worker processed"


def test_language_switch_changes_visible_text(driver, small_image) -> None:
    driver.open(small_image)
    driver.wait_for_result(small_image)
    assert driver.menu_title("file") == "&File"
    assert driver.biomarker_label("vessel_density") == BY_KEY["vessel_density"].label["en"]
    driver.set_language("zh_CN", file_menu="文件(&F)")
    assert "不构成诊断" in driver.banner_text()
    assert driver.threshold_label() == "阈值"
    assert driver.action("open").text() == "打开(&O)…" and driver.action("open").iconText() == "打开"
    for key in ("vessel_density", "branch_point_density", "tortuosity"):  # the core catalogue's Chinese
        assert driver.biomarker_label(key) == BY_KEY[key].label["zh"]
    assert driver.prefs().language == "zh_CN"
    driver.set_language("en", file_menu="&File")
    assert driver.threshold_label() == "Threshold"
    assert driver.biomarker_label("vessel_density") == "Vessel density"


def test_folder_drop_fills_the_review_list_and_exports_csv(driver, small_image, tmp_path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    a, b = folder / f"a_eye{small_image.suffix}", folder / f"b_eye{small_image.suffix}"
    shutil.copy(small_image, a)
    shutil.copy(small_image, b)
    (folder / "c_broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not an image")
    (folder / "notes.txt").write_text("not an image either")
    driver.drop(folder, on="list")
    assert driver.review_paths() == [str(a), str(b), str(folder / "c_broken.png")]
    driver.wait_for_statuses(["done", "done", "failed"])
    assert not driver.error_visible(), "a background image failing must not interrupt the review with a dialog"
    driver.wait_for_result(a)

    assert "c_broken.png" in driver.status_text()
    driver.select_row(1)  # select the second image: it is shown
    driver.wait_for_result(b)
    assert "c_broken.png" not in driver.status_text(), "the status bar still spoke of another image"
    with driver.biomarkers_final():
        driver.move_threshold(driver.threshold_slider.value() + 10)
    rows = driver.export_csv(tmp_path / "out" / "biomarkers.csv")
    assert [r["file"] for r in rows] == [a.name, b.name]
    assert float(rows[1]["threshold"]) == pytest.approx(driver.threshold)
    assert float(rows[1]["vessel_density"]) == driver.biomarker_values()["vessel_density"]
    assert float(rows[0]["vessel_density"]) > float(rows[1]["vessel_density"])  # a kept the default threshold
    assert list(rows[0])[4:13] == [m.key for m in BY_KEY.values()], "columns in the catalogue's order"
    assert not list((tmp_path / "out").glob(".*part*")), "atomic write left a temporary file"


def test_csv_export_finishes_pending_biomarkers_in_the_background(driver, small_image,
                                                                  tmp_path) -> None:
    driver.open(small_image)
    driver.wait_for_result(small_image)
    driver.move_threshold(driver.threshold_slider.value() + 7)
    assert driver.biomarkers_pending(), "the slider just moved: the slow measures are still coming"
    target = tmp_path / "pending.csv"
    driver.start_csv_export(target)
    assert not target.exists(), "the export waits for the numbers off the UI thread instead of blocking it"
    driver.qtbot.waitUntil(target.is_file, timeout=30_000)
    rows = driver.export_csv(target)  # written again, now with nothing pending
    assert float(rows[0]["threshold"]) == pytest.approx(driver.threshold)
    want = driver.core_biomarkers()
    assert {k: float(rows[0][k]) for k in want} == {k: float(v) for k, v in want.items()}
    assert driver.biomarker_values() == want


def test_an_unprocessed_image_and_clear_empty_the_panels(driver, small_image, tmp_path) -> None:
    driver.open(small_image)
    driver.wait_for_result(small_image)
    other = tmp_path / f"other{small_image.suffix}"
    shutil.copy(small_image, other)
    driver.open(other)  # not processed yet: panes and biomarkers are empty until it is
    assert driver.shown() is None and driver.biomarker_values() == {}
    assert driver.pane_hint() == f"Processing {other.name}..."
    assert driver.biomarker_caption() == "Open an image to see its vessel measures."
    driver.wait_for_result(other)
    driver.click_clear()
    assert driver.review_paths() == [] and driver.shown() is None and driver.biomarker_values() == {}
    assert driver.pane_hint().startswith("Drop fundus images")
    assert driver.title() == "Fundus Vessel Workstation"


@pytest.mark.slow
def test_closing_during_inference_ends_the_worker(driver) -> None:
    driver.open(SAMPLE)
    driver.wait_for_status(SAMPLE, "processing")
    driver.close()
    assert not driver.worker_running()


def test_settings_are_remembered(driver, small_image) -> None:
    from fundus_app.gui.settings import Preferences

    driver.open(small_image)
    driver.wait_for_result(small_image)
    driver.set_style(colour=(0, 200, 255), opacity=0.4)
    driver.move_threshold(driver.threshold_slider.value() + 5)
    driver.save_default_threshold()
    driver.set_device("cpu")
    driver.set_language("en")
    again = Preferences(driver.prefs().store)
    assert again.overlay_colour == (0, 200, 255) and again.overlay_opacity == pytest.approx(0.4)
    assert again.default_threshold(driver.shown().segmentation.model_sha256) == pytest.approx(driver.threshold)
    assert again.default_threshold("another model") is None
    assert again.device == "cpu" and again.language == "en"
    assert again.recent[0] == str(small_image.resolve())
    assert again.last_folder == str(small_image.parent)
    assert "threshold" in driver.status_text() or "cpu" in driver.status_text()


def test_pdf_action_follows_the_report_module(driver) -> None:
    works = driver.wait_for_report_probe()
    try:
        from fundus_app.report import write_report  # noqa: F401

        importable = True
    except ImportError:
        importable = False
    assert works == importable == driver.action("export_pdf").isEnabled()
    if not importable:
        assert "not available" in driver.action("export_pdf").toolTip()


def test_pdf_report_is_written_and_not_overwritten_unasked(driver, small_image, tmp_path) -> None:
    pytest.importorskip("fundus_app.report")
    assert driver.wait_for_report_probe()
    driver.open(small_image)
    driver.wait_for_result(small_image)
    pdf = tmp_path / "report.pdf"
    driver.export_pdf(pdf, lang="zh", clinic="Eye Clinic\nMain Street 1")
    driver.wait_for_pdf(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    first = pdf.stat().st_mtime_ns
    driver.export_pdf(pdf)  # exists and overwrite was not confirmed: refused with a message
    assert "already exists" in driver.wait_for_error(timeout=60_000)
    assert pdf.stat().st_mtime_ns == first
    driver.dismiss_error()


def test_wheel_zooms_around_the_cursor_and_drag_pans_both_panes(driver, small_image) -> None:
    driver.open(small_image)
    driver.wait_for_result(small_image)
    vp = driver.pane("left").viewport()
    pos = QPointF(vp.width() * 0.3, vp.height() * 0.4)
    under_cursor = driver.scene_point("left", pos.toPoint())
    scale = driver.view_scale
    driver.wheel("left", pos, 240)
    assert driver.view_scale == pytest.approx(scale * 1.0015**240)
    after = driver.scene_point("left", pos.toPoint())
    assert abs(after.x() - under_cursor.x()) < 2 / driver.view_scale + 1
    assert abs(after.y() - under_cursor.y()) < 2 / driver.view_scale + 1
    assert driver.pane("left").transform() == driver.pane("right").transform()
    centre = QPoint(vp.width() // 2, vp.height() // 2)
    assert driver.scene_point("left", centre) == driver.scene_point("right", centre)

    before = driver.scene_point("right", centre)  # drag on the right pane: the left one follows
    driver.drag("right", centre, centre + QPoint(60, 30))
    moved = driver.scene_point("right", centre)
    assert moved.x() < before.x() and moved.y() < before.y()
    assert driver.scene_point("left", centre) == moved
    driver.fit()
    assert driver.view_scale == pytest.approx(scale)


def test_dense_crf_checkbox_reruns_the_image(driver, small_image) -> None:
    pytest.importorskip("pydensecrf.densecrf")
    driver.open(small_image)
    driver.wait_for_result(small_image)
    first = driver.shown()
    assert not first.segmentation.crf
    driver.set_crf(True)
    driver.qtbot.waitUntil(lambda: driver.shown() is not first and driver.shown().segmentation.crf
                           and not driver.biomarkers_pending() and not driver.anatomy_pending(), timeout=60_000)
    assert "CRF" in driver.info_text()
    seg = driver.shown().segmentation  # the working scale is shown with the image, as in the report
    assert f"Segmented at {seg.working_scale:.2f}x (FOV {seg.working_fov_px:.0f} px)" in driver.info_text()
    assert driver.review_status(small_image) == "done"


def test_log_redaction_removes_file_and_patient_names() -> None:
    import logging

    from fundus_app.gui.privacy import RedactingFilter

    f = RedactingFilter()
    f.add_path("/data/ZHANG_San_12345/ZHANG_San_12345_OD.dcm")
    f.add("Zhang San", "12345")
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "cannot open %s for %s (ID %s)",
                               ("/data/ZHANG_San_12345/ZHANG_San_12345_OD.dcm", "Zhang San", "12345"), None)
    assert f.filter(record)
    text = record.getMessage()
    assert "ZHANG" not in text and "Zhang" not in text and "12345" not in text and "<redacted>" in text


@pytest.mark.slow
def test_the_photograph_shows_at_once_and_the_overlay_follows(driver) -> None:
    from fundus_app import load_image

    driver.wait_for_model()
    driver.open(SAMPLE)  # 3504x2336: about a second of network on this CPU
    driver.wait_for_preview(SAMPLE)
    rgb = load_image(SAMPLE).rgb
    if driver.shown() is None:  # the network is still running: the photograph is on both panes
        assert driver.captions() == ("Original", "Segmenting the vessels...")
        assert np.array_equal(driver.original_rgb(), rgb) and np.array_equal(driver.overlay_rgb(), rgb)
        assert driver.pane_hint() == ""
    driver.wait_for_result(SAMPLE, timeout=120_000)
    assert driver.captions()[1] == "Vessel overlay"
    assert np.array_equal(driver.overlay_rgb(), driver.core_overlay())
