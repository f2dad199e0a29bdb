"""Vessel biomarkers of a binary vessel map, and the catalogue that names and formats them.

``measure_vessels`` computes them (``measure``, with ``fractal`` and ``skeleton``); ``calibre`` measures
CRAE, CRVE and AVR of an artery/vein map around the optic disc; ``catalogue``
says what each one is, how it is printed and its reference range.
"""
from fundus_app.biomarkers.calibre import Calibre, VesselSegment, calibre_of, measure_calibre, zone_radii
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
    "Calibre",
    "FractalFit",
    "Measure",
    "ReferenceRanges",
    "SkeletonGraph",
    "VesselSegment",
    "box_counting",
    "calibre_of",
    "measure_calibre",
    "measure_scale",
    "measure_vessels",
    "measurement_parameters",
    "reference_ranges",
    "skeleton_graph",
    "zone_radii",
]
