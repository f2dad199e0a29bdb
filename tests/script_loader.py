"""The project's scripts (scripts/, benchmarks/) imported by tests as they run: their folder first on the path."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]


def load_script(relative: str) -> ModuleType:
    """The script at ``relative`` (from the repository root) as a module named after its file.

    Its folder goes first on ``sys.path``, as when it runs, so it imports its sibling modules; the
    module is registered in ``sys.modules`` so dataclasses and pickling inside it work.
    """
    path = REPO / relative
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module
