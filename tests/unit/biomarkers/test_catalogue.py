"""The biomarker catalogue: every measure named, explained and formatted once."""
from __future__ import annotations

import numpy as np

from fundus_app.biomarkers import BY_KEY, MEASURES, measure_vessels


def test_the_catalogue_names_every_measure_the_json_carries_in_its_order() -> None:
    computed = measure_vessels(np.zeros((64, 64), bool), None).as_dict()
    assert [m.key for m in MEASURES] == list(computed), "a measure without a catalogue entry, or the reverse"
    for m in MEASURES:
        assert set(m.label) == set(m.definition) == {"en", "zh"}, m.key
        assert all(m.label.values()) and all(m.definition.values()), m.key


def test_catalogue_formats_numbers_units_and_reference_ranges() -> None:
    assert BY_KEY["vessel_density"].text(0.14062) == "14.06 %"
    assert BY_KEY["branch_point_density"].text(147.04) == "147.0 1/D²"
    assert BY_KEY["branch_points"].number(115.0) == "115"
    assert BY_KEY["fractal_dimension"].text(float("nan")) == "–"
    assert BY_KEY["vessel_length_px"].in_report is False and BY_KEY["tortuosity"].in_report is True
    mean, sd = BY_KEY["branch_points"].reference
    assert BY_KEY["branch_points"].reference_text() == f"{mean:.1f} ± {sd:.1f}"  # a mean count keeps a decimal
    assert BY_KEY["vessel_length_px"].reference is None and BY_KEY["vessel_length_px"].reference_text() is None
