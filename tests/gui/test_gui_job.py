"""The review job without Qt: ``run_review_job`` called with plain callables, as the worker calls it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from fundus_app.biomarkers import measure_vessels
from fundus_app.domain import FundusImage, Segmentation
from fundus_app.errors import Cancelled, ImageLoadError
from fundus_app.gui.job import Job, run_review_job
from fundus_app.gui.render import DEFAULT_COLOUR, display_to_rgb
from fundus_app.postprocess import overlay
from fundus_app.preprocess import PreprocessConfig
from fundus_app.progress import Progress

REPO = Path(__file__).resolve().parents[2]


class FakeSegmenter:
    """Stands in for ``model.inference.Segmenter``: a smooth map darker where the green channel is dark."""

    def __init__(self, cancel_after: int | None = None) -> None:
        self.preprocess = PreprocessConfig(clahe_clip=3.0, clahe_tile=4)
        self.cancel_after = cancel_after

    def segment(self, image: FundusImage, *, crf: bool = False, on_progress=None,
                should_cancel=None) -> Segmentation:
        for i, stage in enumerate(("preprocess", "network", "postprocess")):
            if should_cancel is not None and should_cancel():
                raise Cancelled()
            if on_progress is not None:
                on_progress(Progress(i / 3, stage))
        prob = 1.0 - cv2.GaussianBlur(image.rgb[..., 1].astype(np.float32) / 255, (0, 0), 2.0)
        prob[~image.fov] = 0.0
        return Segmentation(probability=prob.astype(np.float32), fov=image.fov, default_threshold=0.55, crf=crf,
                            model_name="fake")


@pytest.fixture()
def fundus_file(tmp_path: Path, synthetic_fundus: np.ndarray) -> Path:
    path = tmp_path / "eye.png"
    cv2.imwrite(str(path), cv2.cvtColor(synthetic_fundus, cv2.COLOR_RGB2BGR))
    return path


def test_progress_rises_to_one_and_the_result_matches_the_core(fundus_file: Path) -> None:
    reports: list[Progress] = []
    calls: list[str] = []

    def provider() -> FakeSegmenter:
        calls.append("model")
        return FakeSegmenter()

    result = run_review_job(Job(7, fundus_file, opacity=0.5, edge_strength=0.3), provider, reports.append,
                            lambda: False)
    fractions = [p.fraction for p in reports]
    assert fractions == sorted(fractions) and fractions[0] >= 0.0 and fractions[-1] == 1.0
    stages = [p.stage for p in reports]
    assert stages[0] == "load" and stages[-2:] == ["display", "done"] and "network" in stages
    assert calls == ["model"]
    assert result.job_id == 7 and result.path == fundus_file
    assert result.preprocess == PreprocessConfig(clahe_clip=3.0, clahe_tile=4), "the model's parameters travel"
    seg, t = result.segmentation, result.biomarker_threshold
    assert t == pytest.approx(0.55)
    assert result.biomarkers == measure_vessels(seg.mask(t), result.image.fov).as_dict()
    want = overlay(result.image.rgb, seg.mask(t), colour=DEFAULT_COLOUR, opacity=0.5, edge_strength=0.3)
    assert np.array_equal(display_to_rgb(result.renderer.out), want)
    assert set(result.seconds) >= {"load", "inference", "prepare"}


def test_the_photograph_is_previewed_before_the_model_runs(fundus_file: Path) -> None:
    events: list[str] = []
    previews = []

    def provider() -> FakeSegmenter:
        events.append("model")
        return FakeSegmenter()

    def on_preview(preview) -> None:
        events.append("preview")
        previews.append(preview)

    result = run_review_job(Job(3, fundus_file), provider, None, lambda: False, on_preview=on_preview)
    assert events == ["preview", "model"], "the window can show the photograph while the model loads and runs"
    (preview,) = previews
    assert (preview.job_id, preview.path, preview.shape) == (3, fundus_file, result.image.shape)
    assert np.array_equal(display_to_rgb(preview.base), result.image.rgb)
    assert result.base is preview.base and result.base_pyramid is preview.base_pyramid  # built once


def test_a_bad_file_fails_with_one_sentence_before_the_model_loads(tmp_path: Path) -> None:
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    called: list[bool] = []
    with pytest.raises(ImageLoadError) as info:
        run_review_job(Job(1, bad), lambda: called.append(True) or FakeSegmenter())
    message = str(info.value)
    assert "broken.jpg" in message and "\n" not in message and message.endswith(".")
    assert not called, "the model must not be loaded for a file that cannot be read"


@pytest.mark.parametrize("cancel_at", ["load", "model", "network", "postprocess"])
def test_cancellation_midway_stops_the_job(fundus_file: Path, cancel_at: str) -> None:
    seen: list[str] = []
    stop = {"now": False}

    def progressed(p: Progress) -> None:
        seen.append(p.stage)
        if p.stage == cancel_at:
            stop["now"] = True

    with pytest.raises(Cancelled):
        run_review_job(Job(1, fundus_file), FakeSegmenter, progressed, lambda: stop["now"])
    assert cancel_at in seen and "display" not in seen, "nothing is prepared for a cancelled job"


def test_cancelled_before_it_starts(fundus_file: Path) -> None:
    with pytest.raises(Cancelled):
        run_review_job(Job(1, fundus_file), FakeSegmenter, None, lambda: True)


def test_the_job_module_imports_neither_qt_nor_torch() -> None:
    code = ("import sys, fundus_app.gui.job; "
            "bad = [m for m in ('PyQt5', 'torch') if m in sys.modules]; "
            "sys.exit(f'imported {bad}' if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr or done.stdout


class TwoPartSegmenter(FakeSegmenter):
    """A model that can leave the arteries, veins and disc for later (``add_anatomy``), as the real one."""

    def __init__(self, cancel_anatomy: bool = False) -> None:
        super().__init__()
        self.cancel_anatomy = cancel_anatomy
        self.anatomy_flags: list[bool] = []

    def segment(self, image: FundusImage, *, anatomy: bool = True, **kwargs: object) -> Segmentation:
        self.anatomy_flags.append(anatomy)
        return super().segment(image, **kwargs)

    def add_anatomy(self, image: FundusImage, seg: Segmentation, *, should_cancel: object = None) -> Segmentation:
        if self.cancel_anatomy:
            raise Cancelled("stop")
        from dataclasses import replace

        from fundus_app.domain import Disc

        classes = np.where(np.arange(image.shape[1])[None, :] < image.shape[1] // 2, 1, 2).astype(np.uint8)
        return replace(seg, av_class=np.broadcast_to(classes, image.shape).copy(),
                       disc=Disc(centre=(10.0, 10.0), diameter=8.0))


def test_the_vessels_are_ready_before_the_arteries_veins_and_disc(fundus_file: Path) -> None:
    model = TwoPartSegmenter()
    first: list = []
    result = run_review_job(Job(1, fundus_file), lambda: model, on_vessels=first.append)
    assert model.anatomy_flags == [False]  # the vessel network alone ran first
    assert len(first) == 1 and first[0].anatomy_pending and first[0].segmentation.av is None
    assert first[0].calibre is None  # no calibre without an A/V map yet
    assert not result.anatomy_pending and result.segmentation.av is not None and result.segmentation.disc is not None
    assert result.renderer is first[0].renderer and result.levels is first[0].levels  # the vessels are not redone
    assert result.calibre is not None and "anatomy" in result.seconds
    np.testing.assert_array_equal(result.segmentation.probability, first[0].segmentation.probability)


def test_without_on_vessels_or_add_anatomy_the_job_is_one_part(fundus_file: Path) -> None:
    model = TwoPartSegmenter()
    result = run_review_job(Job(1, fundus_file), lambda: model)
    assert model.anatomy_flags == [True] and not result.anatomy_pending
    seen: list = []
    run_review_job(Job(2, fundus_file), lambda: FakeSegmenter(), on_vessels=seen.append)
    assert seen == []  # a model without add_anatomy: one result, as before


def test_a_cancel_while_finding_arteries_keeps_the_vessels(fundus_file: Path) -> None:
    result = run_review_job(Job(1, fundus_file), lambda: TwoPartSegmenter(cancel_anatomy=True),
                            on_vessels=lambda _p: None)
    assert not result.anatomy_pending and result.segmentation.av is None
    assert result.biomarkers["vessel_density"] > 0
