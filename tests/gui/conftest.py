"""pytest-qt fixtures for the workstation window: offscreen Qt, settings in a temporary folder."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import cv2
import pytest
from PyQt5.QtCore import QSettings, QStandardPaths

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "samples" / "hrf_01_h.jpg"


@pytest.fixture(scope="session", autouse=True)
def _isolated_settings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """QSettings and the log folder point into a temporary folder, never the user's."""
    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(folder))
    QStandardPaths.setTestModeEnabled(True)
    return folder


@pytest.fixture()
def prefs(tmp_path: Path):
    """Fresh preferences for each test (English, defaults)."""
    from fundus_app.gui.settings import Preferences

    store = QSettings(str(tmp_path / "prefs.ini"), QSettings.IniFormat)
    p = Preferences(store)
    p.language = "en"
    return p


@pytest.fixture(scope="session")
def small_image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fast test image: DRIVE 01_test when the benchmark data are there, else the HRF sample at 1/4 size."""
    from fundus_app.datasets import data_root

    drive = data_root() / "DRIVE" / "test" / "images" / "01_test.tif"
    if drive.is_file():
        return drive
    rgb = cv2.imread(str(SAMPLE), cv2.IMREAD_COLOR)
    small = cv2.resize(rgb, (rgb.shape[1] // 4, rgb.shape[0] // 4), interpolation=cv2.INTER_AREA)
    out = tmp_path_factory.mktemp("images") / "hrf_small.png"
    cv2.imwrite(str(out), small)
    return out


def open_window(qtbot, prefs):
    """A shown main window in English, 1400x900, and its translator (the test puts English back at its end)."""
    from fundus_app.gui.i18n import TranslatorManager
    from fundus_app.gui.main_window import MainWindow

    translator = TranslatorManager()
    translator.install("en")
    w = MainWindow(prefs, translator)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    return w, translator


@pytest.fixture()
def window(qtbot, prefs):
    w, translator = open_window(qtbot, prefs)
    yield w
    w.close()
    assert not w.worker.isRunning(), "closing the window must end the worker thread"
    translator.install("en")


@pytest.fixture()
def driver(qtbot, window):
    """The window as the tests see it: through the facade (tests/gui/facade.py)."""
    from facade import WindowDriver

    return WindowDriver(qtbot, window)
