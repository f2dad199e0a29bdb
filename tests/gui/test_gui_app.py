"""``fundus_app.gui.app.run``: the screenshot mode used for documentation and support."""
from __future__ import annotations

from pathlib import Path

import cv2

from fundus_app.gui.app import SCREENSHOT_SIZE, run


def test_screenshot_shows_both_panes(qapp, small_image: Path, tmp_path: Path, capsys) -> None:
    shot = tmp_path / "shot.png"
    assert run([str(small_image)], screenshot=str(shot), lang="en") == 0
    img = cv2.imread(str(shot), cv2.IMREAD_COLOR)
    assert img is not None and (img.shape[1], img.shape[0]) == SCREENSHOT_SIZE
    h, w = img.shape[:2]
    # the two panes (left ~60% of the window): fundus colours, the right one with the red overlay
    left, right = img[h // 4: 3 * h // 4, : int(0.3 * w)], img[h // 4: 3 * h // 4, int(0.33 * w): int(0.6 * w)]
    for pane in (left, right):
        assert pane.std() > 20, "a pane is empty"
    assert str(shot) in capsys.readouterr().out


def test_screenshot_of_a_bad_file_fails_with_a_message(qapp, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    shot = tmp_path / "shot.png"
    assert run([str(bad)], screenshot=str(shot)) == 1
    assert not shot.exists()
    err = capsys.readouterr().err
    assert "broken.jpg" in err and "Traceback" not in err


def test_the_window_opens_before_torch_is_imported() -> None:
    """The model (and torch) load in the worker thread after the window is shown, never on the UI thread first."""
    import subprocess
    import sys

    code = """
import os, sys, tempfile
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
from PyQt5.QtCore import QSettings
from fundus_app.gui.app import create_application
from fundus_app.gui.main_window import MainWindow
from fundus_app.gui.settings import Preferences
app = create_application()
w = MainWindow(Preferences(QSettings(os.path.join(tempfile.mkdtemp(), "p.ini"), QSettings.IniFormat)),
               interactive=False, warm_up=False)
w.show()
app.processEvents()
shown_without_torch = "torch" not in sys.modules
w.close()
sys.exit(0 if shown_without_torch else "torch was imported before the window was shown")
"""
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:] or done.stdout


def test_gui_tests_reach_no_private_attribute() -> None:
    """Tests talk to the window through tests/gui/facade.py and public names, never an underscored one."""
    import re

    pattern = re.compile(r"\.(_[a-z]\w*)")
    offenders = []
    for path in sorted(Path(__file__).parent.glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            for name in pattern.findall(code):
                offenders.append(f"{path.name}:{number}: {name}")
    assert not offenders, offenders
