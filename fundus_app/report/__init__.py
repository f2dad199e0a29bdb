"""PDF report of a segmented fundus photograph (one page; a second for the calibre section), EN or ZH.

    from fundus_app.report import write_report
    write_report(image, segmentation, "report.pdf", lang="zh", anonymise=True)

``builder`` computes and formats the content (no reportlab), ``pdf`` lays it
out with reportlab; this package is the only place that imports reportlab and
it never imports Qt.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fundus_app.atomic import OutputError, write_bytes
from fundus_app.biomarkers.calibre import Calibre
from fundus_app.domain import FundusImage, Segmentation
from fundus_app.errors import FundusError
from fundus_app.report.builder import (
    ClinicInfo,
    ReportData,
    ReportError,
    build_report_data,
    default_report_name,
)
from fundus_app.report.strings import LANGUAGES

__all__ = [
    "LANGUAGES",
    "ClinicInfo",
    "OutputError",
    "ReportData",
    "ReportError",
    "build_report_data",
    "default_report_name",
    "render_report",
    "write_report",
]


def render_report(image: FundusImage, segmentation: Segmentation, *, threshold: float | None = None,
                  lang: str = "en", anonymise: bool = False, clinic: ClinicInfo | dict[str, Any] | str | None = None,
                  min_speck: int = 0, created: dt.datetime | None = None,
                  calibre: Mapping[str, Calibre] | None = None) -> bytes:
    """The report as PDF bytes (see :func:`write_report` for the arguments)."""
    from fundus_app.report.pdf import av_image_box_px, image_box_px, render_pdf

    data = build_report_data(image, segmentation, threshold=threshold, lang=lang, anonymise=anonymise,
                             clinic=clinic, min_speck=min_speck, created=created, max_image_px=image_box_px(),
                             max_av_px=av_image_box_px(), calibre=calibre)
    try:
        return render_pdf(data)
    except FundusError:
        raise
    except Exception as exc:  # a reportlab failure becomes one sentence; the cause stays chained for the log
        raise ReportError(f"The PDF report of {image.name} could not be laid out ({type(exc).__name__}: {exc}).") \
            from exc


def write_report(image: FundusImage, segmentation: Segmentation, path: str | os.PathLike[str], *,
                 threshold: float | None = None, lang: str = "en", anonymise: bool = False,
                 clinic: ClinicInfo | dict[str, Any] | str | None = None, overwrite: bool = False,
                 min_speck: int = 0, calibre: Mapping[str, Calibre] | None = None) -> Path:
    """Write an A4 PDF report of ``image`` and its ``segmentation`` (one page; two with the calibre
    section of an A/V map when they do not fit on one).

    Parameters
    ----------
    image : the photograph (its ``meta`` supplies the DICOM patient and study fields).
    segmentation : the network's output for ``image`` (same shape).
    path : the PDF to write.
    threshold : vessel threshold in [0, 1]; default ``segmentation.default_threshold``.
    lang : ``"en"`` or ``"zh"`` (Simplified Chinese; the Chinese font is embedded); ``"zh_CN"``
        and the like are accepted.
    anonymise : omit patient name and ID (the ID is replaced by the first 8 hex
        digits of its SHA-256, a linkage key, not anonymity against someone who
        can guess IDs), reduce the birth date to the year, and leave out the
        image's file name (it may contain the name).
    clinic : :class:`ClinicInfo`, a dict with ``name``, ``address`` (lines
        separated by ``\\n``) and ``contact``, or a string (first line the name,
        further lines the address); the application's name when None or empty.
    overwrite : replace an existing file; otherwise an existing ``path`` is an error.
    min_speck : drop vessel fragments smaller than this many pixels, as
        ``fundus-app segment --min-speck`` does.
    calibre : {"B": Calibre, "C": Calibre} already measured (the window's); None measures them
        with ``biomarkers.calibre.calibre_of`` when the segmentation has an A/V map.

    The vessel map is ``fundus_app.outputs.final_mask(segmentation, threshold,
    min_speck)`` and the numbers are ``measure_vessels(map, segmentation.fov)``,
    exactly what ``fundus-app segment`` writes to its JSON, printed with
    the catalogue's formats (``fundus_app.biomarkers.catalogue``).

    Returns
    -------
    The path written.

    Raises
    ------
    OutputError : ``path`` exists and ``overwrite`` is False, or it cannot be written.
    ReportError : a bad argument, or the PDF could not be laid out.

    The PDF is built in memory, then written to a temporary file in the target
    folder and renamed: a failure never leaves a partial PDF under ``path``.
    """
    target = Path(path)
    if not overwrite and target.exists():  # fail before the work; atomic_path checks again when writing
        raise OutputError(f"{target} already exists; choose another name or allow overwriting.")
    pdf = render_report(image, segmentation, threshold=threshold, lang=lang, anonymise=anonymise, clinic=clinic,
                        min_speck=min_speck, calibre=calibre)
    return write_bytes(target, pdf, overwrite=overwrite)
