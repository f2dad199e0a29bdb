"""``fundus_app.gui.app.run``: the screenshot mode used for documentation and support."""
from __future__ import annotations

from pathlib import Path

import cv2

from fundus_app.gui.app import SCREENSHOT_SIZE, run


def test_screenshot_shows_both_panes(qapp, small_image: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
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


def test_screenshot_of_a_bad_file_fails_with_a_message(qapp, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    shot = tmp_path / "shot.png"
    assert run([str(bad)], screenshot=str(shot)) == 1
    assert not shot.exists()
    err = capsys.readouterr().err
    assert "broken.jpg" in err and "Traceback" not in err
