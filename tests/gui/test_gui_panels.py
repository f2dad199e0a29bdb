"""Side panels on their own: the biomarker panel's rows and caption."""
from __future__ import annotations

from fundus_app.gui.panels import BiomarkerPanel


def test_biomarker_panel_shows_clears_and_shows_again(qtbot) -> None:
    panel = BiomarkerPanel()
    qtbot.addWidget(panel)
    assert panel.caption.isVisibleTo(panel), "the hint to open an image is shown before any image"
    assert panel.caption.text() == "Open an image to see its vessel measures."
    panel.set_values({"vessel_density": 0.1, "branch_points": 3}, 0.5)
    assert panel.text_of("vessel_density") == "10.00 %" and panel.text_of("branch_points") == "3"
    assert panel.caption.text() == "At threshold 0.50, inside the field of view"
    panel.set_values(None)  # another image is being processed, or the review was cleared
    assert panel.text_of("vessel_density") == "" and panel.caption.isVisibleTo(panel)
    assert panel.caption.text() == "Open an image to see its vessel measures."
    panel.set_values({"vessel_density": 0.2}, 0.6, pending=True)
    assert panel.text_of("vessel_density") == "20.00 %"
    assert panel.caption.text() == "At threshold 0.60 (updating...)"
