"""Measures the real window in a fresh, offscreen process; prints one JSON line.

    python benchmarks/gui_probe.py [IMAGE]

start_to_window_s: interpreter start (process creation time) to the main window shown.
With IMAGE: opens it, waits for the result, then times slider moves: each value is
``setValue`` plus a synchronous repaint of the overlay pane, i.e. what the user waits for.
Used by bench_pipeline.py (which parses the JSON line) and bench_gui.py (which imports
its helpers); settings go to a throw-away folder.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="fundus-bench-")  # leave the user's QSettings alone


def _process_age_s() -> float:
    """Seconds since this process was created (Linux), so interpreter start-up counts."""
    try:
        start_ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def _ms(values: list[float]) -> dict[str, float]:
    ms = [1000 * v for v in values]
    return {"median_ms": statistics.median(ms), "min_ms": min(ms), "max_ms": max(ms), "n": len(ms)}


def open_window():
    """The application and a shown, non-interactive window (English, throw-away settings)."""
    from fundus_app.gui.app import create_application
    from fundus_app.gui.i18n import TranslatorManager
    from fundus_app.gui.main_window import MainWindow
    from fundus_app.gui.settings import Preferences

    app = create_application()
    translator = TranslatorManager()
    translator.install("en")
    window = MainWindow(Preferences(), translator, interactive=False)
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    return app, window


def wait_for_result(app, window, timeout_s: float = 300) -> bool:
    """Process events until a result and its final biomarkers are on screen."""
    deadline = time.monotonic() + timeout_s
    while not (window.current is not None and not window.biomarkers.pending and window.biomarkers.values):
        app.processEvents()
        time.sleep(0.005)
        if time.monotonic() > deadline:
            return False
    return True


def slider_timings(window) -> dict[str, dict[str, float]]:
    """Each value: ``setValue`` plus a synchronous repaint of the overlay pane (what the user waits for)."""
    slider, edge, pane = window.controls.threshold, window.controls.edge, window.right.viewport()

    def timed(widget, value: int) -> float:
        t = time.perf_counter()
        widget.setValue(value)
        pane.repaint()
        return time.perf_counter() - t

    start = slider.value()
    steps = [timed(slider, start + (i % 10) + 1) for i in range(40)]  # one slider step at a time
    lo, hi = slider.minimum(), slider.maximum()
    jumps = [timed(slider, v) for v in [lo + 5, hi - 5] * 10]  # a drag across the whole range
    slider.setValue(start)
    edges = [timed(edge, v) for v in list(range(5, 100, 5)) * 2]
    edge.setValue(0)
    return {"threshold_step": _ms(steps), "threshold_jump": _ms(jumps), "edge_change": _ms(edges)}


def main() -> int:
    app, window = open_window()
    out: dict[str, object] = {"start_to_window_s": _process_age_s(),
                              "torch_imported_at_window": "torch" in sys.modules}
    if len(sys.argv) > 1:
        window.open_paths([sys.argv[1]])
        if not wait_for_result(app, window):
            print(json.dumps({"error": "no result within 300 s"}))
            return 1
        h, w = window.current.image.rgb.shape[:2]
        out["image"] = f"{w}x{h}"
        out.update(slider_timings(window))
    print(json.dumps(out))
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
