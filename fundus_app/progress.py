"""Progress and cancellation of long jobs: one callback type for inference, evaluation and training.

A long core function takes ``on_progress: ProgressFn | None`` and ``should_cancel: CancelFn | None``
and knows nothing of who listens: the CLI draws a progress bar, the GUI worker forwards each
:class:`Progress` to a Qt signal, a test appends them to a list.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from fundus_app.errors import Cancelled


@dataclass(frozen=True)
class Progress:
    """Where a job stands.

    fraction : share of the whole job done, 0..1.
    stage : what runs now ("load", "preprocess", "network", "crf", "postprocess", "done" for one
        image; "image" for a dataset; "train" for a training run).
    done, total : units finished and in all (images, training steps); 0 when not counted.
    item : the unit being worked on (an image's name), or "".
    values : figures of the moment (training: epoch, loss, lr).
    """

    fraction: float
    stage: str
    done: int = 0
    total: int = 0
    item: str = ""
    values: Mapping[str, float] = field(default_factory=dict)


ProgressFn = Callable[[Progress], None]
CancelFn = Callable[[], bool]


def ignore(_progress: Progress) -> None:
    """A ProgressFn that drops every report."""


def within(on_progress: ProgressFn | None, start: float, end: float) -> ProgressFn:
    """A sub-job's reports as part of a larger job: its fraction mapped into [start, end]."""
    if on_progress is None:
        return ignore
    forward = on_progress  # bound here: the closure must not see a later rebinding

    def report(progress: Progress) -> None:
        forward(replace(progress, fraction=start + (end - start) * progress.fraction))

    return report


def raise_if_cancelled(should_cancel: CancelFn | None) -> None:
    """Raise :class:`Cancelled` when the caller has asked the job to stop."""
    if should_cancel is not None and should_cancel():
        raise Cancelled()
