"""The run time needs no torch: segment, report, evaluate and the window run with torch unimportable.

Each command runs in a child process whose import system refuses ``torch`` (as on a clinic PC
installed without the ``train`` extra); the child also checks that nothing imported it.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import REPO, cli_env

WITHOUT_TORCH = """
import sys
class RefuseTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError("No module named 'torch' (refused by the test)", name="torch")
        return None
sys.meta_path.insert(0, RefuseTorch())
from fundus_app.cli import main
code = main(sys.argv[1:])
assert not [m for m in sys.modules if m == "torch" or m.startswith("torch.")], "torch was imported"
sys.exit(code)
"""


def run_without_torch(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**cli_env(), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-c", WITHOUT_TORCH, *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO, env=env)


def test_segment_and_report_run_without_torch(drive_test_image: Path, tmp_path: Path) -> None:
    result = run_without_torch("segment", str(drive_test_image), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "01_test_mask.png").is_file()
    assert '"device": "cpu (onnxruntime CPUExecutionProvider)"' in (tmp_path / "out" / "01_test.json").read_text()
    result = run_without_torch("report", str(drive_test_image), "--out", str(tmp_path / "r.pdf"), "--lang", "zh")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"


@pytest.mark.slow
def test_evaluate_and_the_window_run_without_torch(data: Path, drive_test_image: Path, tmp_path: Path) -> None:
    result = run_without_torch("evaluate", "--dataset", "drive-test", "--limit", "1")
    assert result.returncode == 0, result.stderr
    assert "drive_01" in result.stdout
    shot = tmp_path / "shot.png"
    result = run_without_torch("gui", str(drive_test_image), "--screenshot", str(shot), "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert shot.is_file() and shot.stat().st_size > 10_000


def test_training_and_the_torch_backend_say_what_to_install(drive_test_image: Path, tmp_path: Path) -> None:
    result = run_without_torch("train", "--epochs", "1", "--out-dir", str(tmp_path / "run"))
    assert result.returncode == 1
    assert result.stderr.strip() == ('fundus-app: error: Training needs PyTorch, which the run time does not: '
                                     'pip install "fundus-app[train]".')
    result = run_without_torch("segment", str(drive_test_image), "--out", str(tmp_path / "o"), "--backend", "torch")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and 'pip install "fundus-app[train]"' in lines[0]
