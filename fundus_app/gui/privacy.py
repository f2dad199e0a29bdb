"""Keeping patient data out of the log file.

The GUI logs no file names, patient names or IDs on purpose. ``REDACT`` is the
safety net for what libraries or exception texts might quote: the window
registers every opened file's name and stem and any DICOM patient name / ID,
and the log handler replaces them with ``<redacted>``.
"""
from __future__ import annotations

import logging
from pathlib import Path


class RedactingFilter(logging.Filter):
    """Replaces registered words in log records."""

    def __init__(self) -> None:
        super().__init__()
        self.words: set[str] = set()

    def add(self, *words: object) -> None:
        for w in words:
            text = str(w or "").strip()
            if len(text) >= 3:
                self.words.add(text)

    def add_path(self, path: str | Path) -> None:
        p = Path(path)
        self.add(str(p), p.name, p.stem, p.parent.name)

    def redact(self, text: str) -> str:
        for w in sorted(self.words, key=len, reverse=True):
            text = text.replace(w, "<redacted>")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self.words:
            record.msg, record.args = self.redact(record.getMessage()), None
        return True


REDACT = RedactingFilter()
