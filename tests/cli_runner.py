"""Running ``fundus-app`` as a user would: a child process per call, from the checkout."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def cli_env() -> dict[str, str]:
    """The environment with this checkout first on the import path (the child must run the code under test)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fundus_app", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO, env=cli_env())
