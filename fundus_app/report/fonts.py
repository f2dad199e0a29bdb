"""Fonts of the PDF report.

Latin text uses the PDF standard fonts (Helvetica), which every viewer has.
Chinese text, and any text Helvetica cannot encode (a patient name in Chinese
in an English report), uses WenQuanYi Micro Hei from ``resources/fonts``,
registered as a TrueType font so reportlab embeds the subset of glyphs used:
the page then looks the same on a PC without Chinese fonts.

reportlab's built-in CID font ``STSong-Light`` would need no file but is not
embedded (a viewer without the Adobe Chinese font pack shows boxes or another
font); it is used only as a last resort when the bundled font is missing, with
a warning in the log.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fundus_app.resources import resources_dir

log = logging.getLogger(__name__)

CJK_FONT_FILE = "wqy-microhei.ttc"
CJK_FONT_NAME = "WQYMicroHei"
FALLBACK_CID_FONT = "STSong-Light"
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"


def cjk_font_path() -> Path:
    return resources_dir() / "fonts" / CJK_FONT_FILE


@dataclass(frozen=True)
class FontSet:
    """Font names registered with reportlab for one language.

    regular, bold : body and heading fonts.
    cjk : font for text outside Latin-1/cp1252 (the same as regular in Chinese).
    embedded : whether ``cjk`` is embedded in the PDF.
    """

    regular: str
    bold: str
    cjk: str
    embedded: bool


@lru_cache(maxsize=1)
def register_cjk() -> tuple[str, bool]:
    """Register the CJK font once; returns (font name, embedded)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = cjk_font_path()
    try:
        pdfmetrics.registerFont(TTFont(CJK_FONT_NAME, str(path), subfontIndex=0))
        return CJK_FONT_NAME, True
    except Exception as exc:  # missing or unreadable file: degrade, do not fail the report
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        log.warning("Chinese font %s unusable (%s); falling back to the non-embedded %s", path, exc,
                    FALLBACK_CID_FONT)
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
        return FALLBACK_CID_FONT, False


def fonts_for(lang: str) -> FontSet:
    cjk, embedded = register_cjk()
    if lang == "zh":
        return FontSet(cjk, cjk, cjk, embedded)
    return FontSet(LATIN, LATIN_BOLD, cjk, embedded)


def latin_ok(text: str) -> bool:
    """Whether the standard Helvetica (WinAnsi encoding) can show every character of ``text``."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True
