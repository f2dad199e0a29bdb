"""Start-up: QApplication, logging, translator, main window; and the screenshot mode.

``run(paths, screenshot=None, lang=None)`` is what ``fundus-app gui`` calls. Torch
is not imported here: the window appears first and the worker thread loads the
model in the background.
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import time
import traceback
from pathlib import Path
from types import TracebackType

from PyQt5.QtCore import QCoreApplication, QStandardPaths, Qt, QTimer, QtMsgType, qInstallMessageHandler
from PyQt5.QtWidgets import QApplication, QMessageBox

from fundus_app import __version__
from fundus_app.gui.i18n import TranslatorManager, normalise
from fundus_app.gui.privacy import REDACT
from fundus_app.gui.settings import APPLICATION, ORGANISATION, Preferences

log = logging.getLogger("fundus_app.gui")

SCREENSHOT_TIMEOUT_S = 120.0
QUIT_EVENT = 20  # QEvent::Quit, which PyQt5 does not expose
SCREENSHOT_SIZE = (1600, 1000)
_T0 = time.perf_counter()


def log_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.AppLocalDataLocation)
    return Path(base or Path.home() / ".fundus-app") / "logs"


def setup_logging() -> Path | None:
    """A rotating log file in the user's data folder (never patient names or IDs)."""
    root = logging.getLogger("fundus_app")
    if any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        return None
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(folder / "gui.log", maxBytes=1_000_000, backupCount=3,
                                                       encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(REDACT)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return folder / "gui.log"


def _qt_message(kind: QtMsgType, _context: object, message: str) -> None:
    level = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
             QtMsgType.QtWarningMsg: logging.WARNING}.get(kind, logging.ERROR)
    logging.getLogger("fundus_app.qt").log(level, "%s", message)


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """Log an unexpected error (code locations only) and tell the user, instead of dying silently."""
    frames = "".join(traceback.format_tb(tb))
    log.error("unexpected %s\n%s", kind.__name__, frames)
    app = QApplication.instance()
    if app is not None and not getattr(app, "fundus_headless", False):
        text = QCoreApplication.translate("App", "An unexpected error occurred (%1). Please report it; details "
                                                 "were written to the log in %2.")
        QMessageBox.critical(None, QCoreApplication.translate("App", "Fundus Vessel Workstation"),
                             text.replace("%1", kind.__name__).replace("%2", str(log_dir())))
    else:
        print(f"fundus-app: error: unexpected {kind.__name__}: {value}", file=sys.stderr)


def _no_display() -> bool:
    """Linux without X11/Wayland and no platform chosen: Qt would abort."""
    return (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"))


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        QApplication.setAttribute(Qt.AA_EnableHighDpiScaling, True)
        QApplication.setAttribute(Qt.AA_UseHighDpiPixmaps, True)
        app = QApplication(argv if argv is not None else [sys.argv[0]])
        app.setStyle("Fusion")
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Fundus Vessel Workstation")
    app.setApplicationVersion(__version__)
    return app


def run(paths: list[str], screenshot: str | None = None, lang: str | None = None) -> int:
    """Open the workstation window on ``paths`` (files or folders) and run until it closes.

    With ``screenshot``: render the window once the first result (with its
    biomarkers) is on screen, save it as PNG, and return 0; return 1 with a
    message on stderr if that does not happen within ``SCREENSHOT_TIMEOUT_S``
    or the image cannot be processed.
    """
    from fundus_app.gui.main_window import MainWindow

    headless = screenshot is not None
    if QApplication.instance() is None and _no_display():
        if not headless:
            print("fundus-app: error: no display is available (DISPLAY / WAYLAND_DISPLAY are not set); "
                  "run it in a desktop session, or use --screenshot.", file=sys.stderr)
            return 1
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
    app = create_application()
    app.fundus_headless = headless  # type: ignore[attr-defined]
    setup_logging()
    previous_handler = qInstallMessageHandler(_qt_message)
    previous_hook = sys.excepthook
    sys.excepthook = _excepthook
    prefs = Preferences()
    translator = TranslatorManager()
    language = translator.install(normalise(lang) or prefs.language or None)  # before any widget exists
    log.info("fundus-app %s GUI starting (language %s, %d paths)", __version__, language, len(paths))
    window = MainWindow(prefs, translator, interactive=not headless)
    status = {"code": 0, "done": False}
    if headless:
        window.resize(*SCREENSHOT_SIZE)
    window.show()
    log.info("window shown %.2f s after start-up began", time.perf_counter() - _T0)
    firsts: set[str] = set()

    def result_on_screen(_path: str) -> None:
        # the first vessel overlay, then the first complete result (arteries, veins, disc): benchmarks read these
        kind = "complete result" if window.current is not None and not window.current.anatomy_pending else "overlay"
        if kind not in firsts:
            firsts.add(kind)
            log.info("first %s on screen %.2f s after start-up began", kind, time.perf_counter() - _T0)

    window.result_shown.connect(result_on_screen)

    if headless:
        target = Path(screenshot)  # type: ignore[arg-type]

        def finish(code: int, message: str = "") -> None:
            if status["done"]:
                return
            status["done"], status["code"] = True, code
            if message:
                print(f"fundus-app: error: {message}", file=sys.stderr, flush=True)
            app.exit(code)  # the window is closed after the loop ends (closing it now would post a Quit)

        def grab() -> None:
            from fundus_app.atomic import atomic_path
            from fundus_app.errors import FundusError

            app.processEvents()
            pixmap = window.grab()
            try:
                with atomic_path(target) as tmp:
                    if not pixmap.save(str(tmp), "PNG"):
                        raise OSError("the PNG could not be encoded")
            except (FundusError, OSError) as exc:
                finish(1, f"cannot save the screenshot to {target}: {exc}")
                return
            print(str(target), flush=True)
            finish(0)

        def ready(*_: object) -> None:
            # the first complete result (arteries, veins, disc too) and its final biomarkers are on screen;
            # let the zoomed-out levels build
            current = window.current
            if not status["done"] and current is not None and not current.anatomy_pending \
                    and not window.biomarkers.pending:
                QTimer.singleShot(400, grab)

        def failed(message: str) -> None:
            finish(1, message)

        window.biomarkers_updated.connect(ready)
        window.error_reported.connect(failed)
        window.worker.model_failed.connect(failed)
        QTimer.singleShot(int(SCREENSHOT_TIMEOUT_S * 1000),
                          lambda: finish(1, f"no result was shown within {SCREENSHOT_TIMEOUT_S:.0f} s; "
                                            "screenshot not written"))
        if not paths:
            QTimer.singleShot(500, grab)

    if paths:
        QTimer.singleShot(0, lambda: window.open_paths(list(paths)))
    try:
        code = app.exec_()
    finally:
        window.shutdown()
        window.close()
        # a Quit posted while closing must not end the caller's later event loops (tests, embedding)
        QCoreApplication.removePostedEvents(app, QUIT_EVENT)
        sys.excepthook = previous_hook
        qInstallMessageHandler(previous_handler)
    return status["code"] if headless else int(code)


def main() -> int:
    """``python -m fundus_app.gui.app [FILE|FOLDER ...]`` (the CLI's ``gui`` command calls ``run``)."""
    import argparse

    parser = argparse.ArgumentParser(prog="fundus-app gui")
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--screenshot")
    parser.add_argument("--lang", choices=["en", "zh"])
    args = parser.parse_args()
    return run(args.paths, screenshot=args.screenshot, lang=args.lang)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
