"""Languages: English (source strings) and Simplified Chinese, from Qt Linguist files.

The ``.ts`` sources and compiled ``.qm`` files live in ``resources/i18n``
(``fundus_zh_CN.ts`` / ``.qm``); Qt's own ``qtbase_zh_CN.qm`` translates the
standard dialog buttons. The language comes from the system locale unless the
user picked one in the Settings menu (stored in QSettings).
"""
from __future__ import annotations

import logging
from pathlib import Path

from PyQt5.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator
from PyQt5.QtWidgets import QWidget

from fundus_app.resources import resources_dir

log = logging.getLogger(__name__)

#: Language code -> its own name (endonyms are never translated).
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
DEFAULT = "en"


def fmt(text: str, *args: object) -> str:
    """Fill Qt-style ``%1``, ``%2`` ... placeholders (the form translators see in Linguist)."""
    for i in range(len(args), 0, -1):
        text = text.replace(f"%{i}", str(args[i - 1]))
    return text


def catalogue_language(code: str | None) -> str:
    """The language of the core's texts (biomarker catalogue, report) for an interface language."""
    return "zh" if str(code or "").lower().startswith("zh") else "en"


class RetranslatingWidget(QWidget):
    """A widget that sets its visible text in ``retranslate()``, again on every language change."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:  # pragma: no cover - overridden
        """Set every visible string through ``QCoreApplication.translate``."""


def i18n_dir() -> Path:
    return resources_dir() / "i18n"


def normalise(code: str | None) -> str | None:
    """'zh', 'zh-CN', 'zh_CN', 'cn' -> 'zh_CN'; 'en...' -> 'en'; empty/'system'/unknown -> None."""
    if not code:
        return None
    c = str(code).strip().replace("-", "_").lower()
    if c in ("zh", "zh_cn", "zh_hans", "zh_hans_cn", "cn", "chinese"):
        return "zh_CN"
    if c.startswith("en"):
        return "en"
    return None


def system_language() -> str:
    """The UI language the system locale asks for, among the ones we have."""
    for name in QLocale.system().uiLanguages() or [QLocale.system().name()]:
        lang = normalise(name)
        if lang is None and name.lower().startswith("zh"):
            # Traditional Chinese locales get Simplified Chinese rather than English
            lang = "zh_CN"
        if lang:
            return lang
    return DEFAULT


def ensure_cjk_font() -> bool:
    """Make Chinese text renderable: if no installed font covers Simplified Chinese, register the
    font bundled for the PDF reports (``resources/fonts/wqy-microhei.ttc``). True if one is available."""
    from PyQt5.QtGui import QFontDatabase

    db = QFontDatabase()
    if db.families(QFontDatabase.SimplifiedChinese):
        return True
    from fundus_app.report.fonts import cjk_font_path

    font = cjk_font_path()
    if font.is_file() and QFontDatabase.addApplicationFont(str(font)) >= 0:
        log.info("registered the bundled CJK font for the Chinese interface")
        return True
    log.warning("no font for Simplified Chinese is installed; Chinese text may not display")
    return False


class TranslatorManager:
    """Installs and swaps the application's translators.

    Installing or removing a translator makes Qt post ``QEvent.LanguageChange``
    to every widget; widgets retranslate their text in ``changeEvent``.
    """

    def __init__(self) -> None:
        self._installed: list[QTranslator] = []
        self.language = DEFAULT

    def install(self, language: str | None) -> str:
        """Switch to ``language`` (None: the system's). Returns the language now in use."""
        app = QCoreApplication.instance()
        lang = normalise(language) or system_language()
        for tr in self._installed:
            app.removeTranslator(tr)
        self._installed = []
        if lang != "en":
            if lang.startswith("zh"):
                ensure_cjk_font()
            ours = QTranslator()
            if ours.load(f"fundus_{lang}", str(i18n_dir())):
                qt = QTranslator()
                if qt.load(f"qtbase_{lang}", QLibraryInfo.location(QLibraryInfo.TranslationsPath)):
                    app.installTranslator(qt)
                    self._installed.append(qt)
                app.installTranslator(ours)
                self._installed.append(ours)
            else:
                log.warning("translation file fundus_%s.qm not found in %s; using English", lang, i18n_dir())
                lang = "en"
        self.language = lang
        return lang

