"""PyInstaller runtime hook: runs inside the frozen application before ``fundus_app`` is imported.

1. Points the application at its bundled data (and, on Linux, Qt at its X11 platform). The spec puts
   ``models/`` and ``resources/`` into the bundle folder (``sys._MEIPASS``: ``_internal/`` beside the
   executable in a one-folder build). ``fundus_app.model.checkpoint`` reads ``FUNDUS_MODELS_DIR`` and
   ``fundus_app.gui.i18n`` reads ``FUNDUS_RESOURCES``; a value the user set already wins (``setdefault``), so a site can
   point the installed program at another model folder without rebuilding it.
2. ``FUNDUS_BUNDLE_SELFTEST=1``: instead of starting the application, check that the pieces that
   PyInstaller cannot see by following imports made it into the bundle (pylibjpeg decoders found
   through entry points, Qt platform plugins, bundled data), print one line per check and exit
   0 (all good) or 1. ``packaging/smoke.sh`` runs it; it is harmless in a shipped build.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

_BUNDLE = Path(getattr(sys, "_MEIPASS", Path(sys.executable).resolve().parent))

os.environ.setdefault("FUNDUS_MODELS_DIR", str(_BUNDLE / "models"))
os.environ.setdefault("FUNDUS_RESOURCES", str(_BUNDLE / "resources"))
# The Linux bundle carries Qt's X11 platform only (the spec leaves Wayland's plugins out): a desktop
# session that asks Qt for Wayland gets the window through XWayland instead of no window at all.
if sys.platform.startswith("linux") and "wayland" in os.environ.get("QT_QPA_PLATFORM", ""):
    os.environ["QT_QPA_PLATFORM"] = "xcb"


def _selftest() -> int:
    results: list[tuple[str, bool, str]] = []

    def check(name: str, fn) -> None:  # noqa: ANN001 - a zero-argument callable returning a detail string
        try:
            results.append((name, True, str(fn() or "")))
        except Exception as exc:  # report every failure, then exit non-zero
            results.append((name, False, f"{type(exc).__name__}: {exc}".splitlines()[0]))

    def data() -> str:
        models = Path(os.environ["FUNDUS_MODELS_DIR"])
        resources = Path(os.environ["FUNDUS_RESOURCES"])
        needed = [models / "vessel_unet.onnx", models / "manifest.json",
                  resources / "samples" / "hrf_01_h.jpg", resources / "icons" / "app.svg"]
        missing = [str(p) for p in needed if not p.is_file()]
        if missing:
            raise FileNotFoundError(", ".join(missing))
        # the sizes the manifest lists: a truncated copy shows here, before any model loads

        listed = json.loads((models / "manifest.json").read_text(encoding="utf-8"))["files"]
        wrong = [name for name in ("vessel_unet.onnx",)
                 if listed.get(name, {}).get("bytes") != (models / name).stat().st_size]
        if wrong:
            raise ValueError(f"not of the size models/manifest.json lists: {', '.join(wrong)}")
        qm = sorted(p.name for p in (resources / "i18n").glob("*.qm"))
        return f"models and resources present; translations: {', '.join(qm) or 'none'}"

    def pylibjpeg_plugins() -> str:
        from pydicom.pixels.decoders import pylibjpeg as pdp
        from pydicom.uid import JPEG2000Lossless, JPEGBaseline8Bit, JPEGLSLossless, RLELossless
        from pylibjpeg.utils import get_pixel_data_decoders

        decoders = get_pixel_data_decoders()
        want = {"JPEG baseline": JPEGBaseline8Bit, "JPEG-LS": JPEGLSLossless, "JPEG 2000": JPEG2000Lossless,
                "RLE": RLELossless}
        missing = [name for name, uid in want.items() if uid not in decoders or not pdp.is_available(uid)]
        if missing:
            raise RuntimeError(f"pylibjpeg has no decoder for {', '.join(missing)} (entry points or plugin "
                               "modules not bundled)")
        return f"{len(decoders)} transfer syntaxes decodable via pylibjpeg"

    def qt_plugins() -> str:
        import PyQt5

        root = Path(PyQt5.__file__).resolve().parent / "Qt5" / "plugins"
        want = (["platforms/libqoffscreen.so", "platforms/libqxcb.so", "imageformats/libqsvg.so",
                 "xcbglintegrations/libqxcb-glx-integration.so"] if sys.platform.startswith("linux")
                else ["platforms/qwindows.dll", "platforms/qoffscreen.dll", "imageformats/qsvg.dll",
                      "styles/qwindowsvistastyle.dll"] if sys.platform == "win32" else [])
        missing = [w for w in want if not (root / w).is_file()]
        if missing:
            raise FileNotFoundError(f"Qt plugins missing under {root}: {', '.join(missing)}")
        return f"{len(want)} Qt plugins present"

    def crf() -> str:
        import pydensecrf.densecrf as dcrf  # noqa: F401 - a compiled extension: import is the check

        return "pydensecrf importable"

    def onnx_runtime() -> str:
        import onnxruntime as ort

        return f"onnxruntime {ort.__version__}, providers {', '.join(ort.get_available_providers())}"

    check("bundled data", data)
    check("DICOM codecs", pylibjpeg_plugins)
    check("Qt plugins", qt_plugins)
    check("dense CRF", crf)
    check("ONNX Runtime", onnx_runtime)
    for name, ok, detail in results:
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}", flush=True)
    return 0 if all(ok for _, ok, _ in results) else 1


if os.environ.get("FUNDUS_BUNDLE_SELFTEST") == "1":
    sys.exit(_selftest())
