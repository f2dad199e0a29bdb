"""Vessel biomarkers of a binary vessel map, and the catalogue that names and formats them.

``measure_vessels`` computes them (``measure``, with ``fractal`` and ``skeleton``); ``catalogue``
says what each one is, how it is printed and its reference range.
"""
from fundus_app.biomarkers.catalogue import BY_KEY, MEASURES, REPORT_KEYS, Measure, ReferenceRanges, reference_ranges
from fundus_app.biomarkers.fractal import FractalFit, box_counting
from fundus_app.biomarkers.measure import (
    MEASURE_FOV_PX,
    Biomarkers,
    measure_scale,
    measure_vessels,
    measurement_parameters,
)
from fundus_app.biomarkers.skeleton import SkeletonGraph, skeleton_graph

__all__ = [
    "BY_KEY",
    "MEASURES",
    "MEASURE_FOV_PX",
    "REPORT_KEYS",
    "Biomarkers",
    "FractalFit",
    "Measure",
    "ReferenceRanges",
    "SkeletonGraph",
    "box_counting",
    "measure_scale",
    "measure_vessels",
    "measurement_parameters",
    "reference_ranges",
    "skeleton_graph",
]
