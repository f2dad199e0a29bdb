"""One photograph from file to segmentation: the order every front end follows.

``analyse_file`` loads the file and segments it with progress and cancellation; the CLI's
``segment`` and ``report`` and the GUI's worker call it, so none of them owns the pipeline.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from fundus_app.domain import FundusImage, Segmentation
from fundus_app.io import load_image
from fundus_app.progress import CancelFn, Progress, ProgressFn, ignore, raise_if_cancelled, within

#: Share of the job done when the file is read and the model is ready (segmenting takes the rest).
LOADED, MODEL_READY = 0.10, 0.15


@runtime_checkable
class ImageSegmenter(Protocol):
    """What ``analyse_file`` needs of a model: ``model.inference.Segmenter`` (kept out of this
    module's imports, so the pipeline does not load torch)."""

    def segment(self, image: FundusImage, *, crf: bool = False, on_progress: ProgressFn | None = None,
                should_cancel: CancelFn | None = None) -> Segmentation: ...


@dataclass(frozen=True)
class Analysis:
    """A photograph and its segmentation, with the seconds each step took (``load``, ``inference``)."""

    image: FundusImage
    segmentation: Segmentation
    seconds: dict[str, float] = field(default_factory=dict)


def analyse_file(
    path: str | os.PathLike[str],
    segmenter: ImageSegmenter | Callable[[], ImageSegmenter],
    *,
    crf: bool = False,
    on_progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
    on_loaded: Callable[[FundusImage], None] | None = None,
) -> Analysis:
    """Load ``path`` and segment it.

    ``segmenter`` is a loaded Segmenter or a function returning one, called after the file has
    been read (the GUI loads the model lazily, so a bad file fails before a slow model load).
    ``on_loaded`` gets the image as soon as it is read (the window shows it while the model works).
    Raises ``ImageLoadError`` / ``ModelError`` with one sentence, ``Cancelled`` when
    ``should_cancel`` asks for it.
    """
    report = on_progress or ignore
    name = Path(path).name
    raise_if_cancelled(should_cancel)
    report(Progress(0.0, "load", item=name))
    t0 = time.perf_counter()
    image = load_image(path)
    seconds = {"load": time.perf_counter() - t0}
    if on_loaded is not None:
        on_loaded(image)
    raise_if_cancelled(should_cancel)
    report(Progress(LOADED, "model", item=name))
    model = segmenter if isinstance(segmenter, ImageSegmenter) else segmenter()
    raise_if_cancelled(should_cancel)
    t1 = time.perf_counter()
    seg = model.segment(image, crf=crf, on_progress=within(on_progress, MODEL_READY, 1.0),
                        should_cancel=should_cancel)
    seconds["inference"] = time.perf_counter() - t1
    return Analysis(image, seg, seconds)
