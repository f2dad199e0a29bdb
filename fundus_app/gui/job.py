"""One review job, from file to what the panes show, without Qt.

``run_review_job`` owns the order of the work (the core's ``analyse_file``: load, then the
model, then segmentation; then ``prepare_result``: quantised levels, the first overlay,
display buffers and biomarkers). It reports :class:`~fundus_app.progress.Progress` and
stops when ``should_cancel`` says so, and knows nothing of threads or signals:
``InferenceWorker`` adapts it to Qt, tests call it with plain callables.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from fundus_app.biomarkers import measure_vessels
from fundus_app.domain import FundusImage, Segmentation
from fundus_app.errors import Cancelled
from fundus_app.gui import render
from fundus_app.gui.av_render import CalibreResult, calibre_at
from fundus_app.gui.levels import EdgeIndex, LevelIndex, ThresholdGrid
from fundus_app.pipeline import ImageSegmenter, analyse_file
from fundus_app.preprocess import PreprocessConfig
from fundus_app.progress import CancelFn, Progress, ProgressFn, ignore, raise_if_cancelled, within

#: Share of the job done when the segmentation is ready (building the display takes the rest).
SEGMENTED, DISPLAY, ANATOMY = 0.90, 0.92, 0.95


@dataclass
class Job:
    """One image to load and segment."""

    id: int
    path: Path
    crf: bool = False
    device: str = "auto"
    #: thresholds to put on the slider grid besides the model's default (the user's default)
    extra_thresholds: tuple[float, ...] = ()
    #: threshold for the first biomarkers and overlay (None: the model's default)
    threshold: float | None = None
    #: overlay style to draw the first overlay with (the window may restyle it later)
    colour: tuple[int, int, int] = render.DEFAULT_COLOUR
    opacity: float = 0.6
    edge_strength: float = 0.0


@dataclass
class Prepared:
    """A segmented image with everything the panes need, built off the UI thread."""

    job_id: int
    path: Path
    image: FundusImage
    segmentation: Segmentation
    grid: ThresholdGrid
    levels: np.ndarray
    level_index: LevelIndex
    edge_index: EdgeIndex
    base: np.ndarray  # display pixels of the image
    base_pyramid: list[np.ndarray]
    renderer: render.OverlayRenderer  # with the first overlay already drawn
    overlay_pyramid: list[np.ndarray]  # zoomed-out levels of that overlay
    overlay_version: int  # the renderer's version those levels belong to
    biomarkers: dict[str, float]
    biomarker_threshold: float
    #: CRAE, CRVE and AVR at ``biomarker_threshold`` (None: not measured)
    calibre: CalibreResult | None = None
    #: the checkpoint's preprocessing parameters: the enhanced view uses the network's own CLAHE
    preprocess: PreprocessConfig = field(default_factory=PreprocessConfig)
    #: True while the arteries, veins and optic disc are still being found (the vessels are shown first)
    anatomy_pending: bool = False
    seconds: dict[str, float] = field(default_factory=dict)  # load, inference, prepare


@dataclass(frozen=True)
class Preview:
    """A job's photograph ready for the panes, before its segmentation: shown while the model works."""

    job_id: int
    path: Path
    base: np.ndarray  # display pixels
    base_pyramid: list[np.ndarray]
    shape: tuple[int, int]


def prepare_result(job_id: int, path: Path, image: FundusImage, seg: Segmentation,
                   extra_thresholds: tuple[float, ...] = (), threshold: float | None = None,
                   colour: tuple[int, int, int] = render.DEFAULT_COLOUR, opacity: float = 0.6,
                   edge_strength: float = 0.0, preprocess: PreprocessConfig | None = None,
                   preview: Preview | None = None, anatomy_pending: bool = False) -> Prepared:
    """Quantise the probability map, draw the first overlay and build the display buffers.

    Everything heavy happens here, off the UI thread: the window only wraps the arrays.
    """
    grid = ThresholdGrid.build([seg.default_threshold, *extra_thresholds])
    levels = grid.quantise(seg.probability, seg.fov)
    level_index = LevelIndex.build(levels, seg.fov, len(grid))
    edge_index = EdgeIndex.build(levels, len(grid))
    base = preview.base if preview is not None else render.to_display(image.rgb)
    index = grid.index_of(seg.default_threshold if threshold is None else threshold)
    renderer = render.OverlayRenderer(image.rgb, levels, base=base, index=level_index, edges=edge_index,
                                      n_thresholds=len(grid))
    renderer.set_style(colour, opacity)
    out = renderer.render(index, edge_strength)
    t = grid.values[index]
    bio = measure_vessels(seg.mask(t), image.fov).as_dict()
    calibre = None if anatomy_pending else calibre_at(image, seg, t)
    return Prepared(job_id=job_id, path=path, image=image, segmentation=seg, grid=grid, levels=levels,
                    level_index=level_index, edge_index=edge_index, base=base,
                    base_pyramid=preview.base_pyramid if preview is not None else render.pyramid(base),
                    renderer=renderer, overlay_pyramid=render.pyramid(out), overlay_version=renderer.version,
                    biomarkers=bio, biomarker_threshold=t, calibre=calibre, preprocess=preprocess or PreprocessConfig(),
                    anatomy_pending=anatomy_pending)


def preprocess_of(segmenter: Any) -> PreprocessConfig:
    """The preprocessing parameters a segmenter's model carries (defaults for a stand-in)."""
    cfg = getattr(segmenter, "preprocess", None)
    return cfg if isinstance(cfg, PreprocessConfig) else PreprocessConfig()


class _VesselsFirst:
    """A segmenter's ``segment`` without the artery/vein and disc networks (``add_anatomy`` adds them)."""

    def __init__(self, segmenter: Any) -> None:
        self.segmenter = segmenter

    def segment(self, image: FundusImage, **kwargs: Any) -> Segmentation:
        return self.segmenter.segment(image, anatomy=False, **kwargs)


def run_review_job(job: Job, segmenter_provider: Callable[[], ImageSegmenter],
                   on_progress: ProgressFn | None = None, should_cancel: CancelFn | None = None,
                   on_preview: Callable[[Preview], None] | None = None,
                   on_vessels: Callable[[Prepared], None] | None = None) -> Prepared:
    """Load, segment and prepare ``job``'s image for the panes.

    ``segmenter_provider`` is called once the file has been read (the model loads lazily, so a
    bad file fails before a slow model load). Progress rises from 0 to 1 (``"done"``).
    Raises ``ImageLoadError`` / ``ModelError`` with one sentence, ``Cancelled`` when
    ``should_cancel`` asks for it. ``on_preview`` gets the photograph's display pixels as soon as
    it is read, before the model runs (the same buffers then serve the result). With ``on_vessels``
    and a segmenter that has ``add_anatomy``, the vessels come first: ``on_vessels`` gets them ready
    for the panes (``anatomy_pending``), then the arteries, veins, disc and calibre are added to the
    same buffers (the vessel overlay of a 3504x2336 photograph is up about a second sooner); a
    cancellation in that second part keeps the vessels.
    """
    report = on_progress or ignore
    used: list[ImageSegmenter] = []
    previews: list[Preview] = []

    def loaded(image: FundusImage) -> None:
        if on_preview is not None:
            base = render.to_display(image.rgb)
            previews.append(Preview(job.id, job.path, base, render.pyramid(base), image.shape))
            on_preview(previews[-1])

    def provide() -> ImageSegmenter:
        used.append(segmenter_provider())
        return _VesselsFirst(used[-1]) if vessels_first(used[-1]) else used[-1]

    def vessels_first(segmenter: Any) -> bool:
        return on_vessels is not None and callable(getattr(segmenter, "add_anatomy", None))

    analysis = analyse_file(job.path, provide, crf=job.crf, on_progress=within(on_progress, 0.0, SEGMENTED),
                            should_cancel=should_cancel, on_loaded=loaded)
    raise_if_cancelled(should_cancel)
    report(Progress(DISPLAY, "display", item=job.path.name))
    t0 = time.perf_counter()
    two_parts = bool(used) and vessels_first(used[-1])
    result = prepare_result(job.id, job.path, analysis.image, analysis.segmentation, job.extra_thresholds,
                            job.threshold, job.colour, job.opacity, job.edge_strength,
                            preprocess=preprocess_of(used[-1] if used else None),
                            preview=previews[-1] if previews else None, anatomy_pending=two_parts)
    result.seconds = {**analysis.seconds, "prepare": time.perf_counter() - t0}
    if two_parts and on_vessels is not None:
        on_vessels(result)
        report(Progress(ANATOMY, "arteries and veins", item=job.path.name))
        t1 = time.perf_counter()
        try:
            seg = used[-1].add_anatomy(analysis.image, analysis.segmentation,  # type: ignore[attr-defined]
                                       should_cancel=should_cancel)
        except Cancelled:
            result.anatomy_pending = False
            return result  # the vessels stay on screen; no A/V map
        calibre = calibre_at(analysis.image, seg, result.biomarker_threshold)
        result = replace(result, segmentation=seg, calibre=calibre, anatomy_pending=False,
                         seconds={**result.seconds, "anatomy": time.perf_counter() - t1})
    report(Progress(1.0, "done", item=job.path.name))
    return result
