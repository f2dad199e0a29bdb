"""Fundus Vessel Workstation: retinal vessel segmentation for review support.

Public API::

    from fundus_app import load_image, Segmenter, measure_vessels
    image = load_image("eye.dcm")
    segmenter = Segmenter.load()
    result = segmenter.segment(image)
    bio = measure_vessels(result.mask(0.5), image.fov)
    calibre = measure_calibre(result.av, result.disc, image.fov)  # CRAE, CRVE, AVR (A/V model)

``Segmenter`` is imported lazily so that ``import fundus_app`` (and the GUI)
does not pay for importing torch.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fundus_app.biomarkers import Biomarkers, measure_calibre, measure_vessels
from fundus_app.domain import Disc, FundusImage, Segmentation
from fundus_app.errors import FundusError, ImageLoadError, ModelError
from fundus_app.io import load_image

__version__ = "0.1.0"

if TYPE_CHECKING:
    from fundus_app.model.inference import Segmenter

__all__ = [
    "Biomarkers",
    "Disc",
    "FundusError",
    "FundusImage",
    "ImageLoadError",
    "ModelError",
    "Segmentation",
    "Segmenter",
    "__version__",
    "load_image",
    "measure_calibre",
    "measure_vessels",
]


def __getattr__(name: str) -> Any:
    if name == "Segmenter":
        from fundus_app.model.inference import Segmenter

        return Segmenter
    raise AttributeError(f"module 'fundus_app' has no attribute {name!r}")
