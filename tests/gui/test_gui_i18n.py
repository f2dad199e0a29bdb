"""Translations: the .qm files are compiled from the .ts sources, and every UI string is translated."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PyQt5.QtCore import QCoreApplication, QTranslator

from fundus_app.gui.i18n import catalogue_language, fmt, i18n_dir, normalise
from tools.lrelease import compile_ts, elf_hash, read_ts

GUI = Path(__file__).resolve().parents[2] / "fundus_app" / "gui"


def test_elf_hash_matches_qt() -> None:
    # values computed with Qt's elfHash (qtranslator.cpp)
    assert elf_hash(b"") == 1
    assert elf_hash(b"a") == 0x61
    assert elf_hash(b"Hello") == 0x4EC32F


def test_qm_is_compiled_from_ts_and_translates_every_message(qapp) -> None:
    ts = i18n_dir() / "fundus_zh_CN.ts"
    qm = ts.with_suffix(".qm")
    assert qm.read_bytes() == compile_ts(ts), "run: python -m tools.lrelease resources/i18n/*.ts"
    language, messages = read_ts(ts)
    assert language == "zh_CN" and len(messages) > 100
    tr = QTranslator()
    assert tr.load(str(qm))
    qapp.installTranslator(tr)  # QCoreApplication.translate passes UTF-8, as the widgets do
    try:
        for context, source, comment, translation in messages:
            assert QCoreApplication.translate(context, source, comment or None) == translation, (context, source)
    finally:
        qapp.removeTranslator(tr)


@pytest.mark.skipif(shutil.which("pylupdate5", path=str(Path(sys.executable).parent)) is None,
                    reason="pylupdate5 (PyQt5 tools) not installed")
def test_every_string_in_the_code_has_a_chinese_translation(tmp_path: Path) -> None:
    exe = shutil.which("pylupdate5", path=str(Path(sys.executable).parent))
    fresh = tmp_path / "fresh.ts"
    subprocess.run([exe, *sorted(str(p) for p in GUI.glob("*.py")), "-ts", str(fresh)], check=True,
                   capture_output=True)
    in_code = {(c, s) for c, s, _, _ in _all_sources(fresh)}
    translated = {(c, s) for c, s, _, t in read_ts(i18n_dir() / "fundus_zh_CN.ts")[1] if t}
    missing = sorted(in_code - translated)
    assert not missing, f"untranslated strings (update resources/i18n/fundus_zh_CN.ts): {missing}"


def _all_sources(ts: Path) -> list[tuple[str, str, str, str]]:
    import xml.etree.ElementTree as ET

    out = []
    for ctx in ET.parse(ts).getroot().iter("context"):
        for msg in ctx.iter("message"):
            out.append((ctx.findtext("name", ""), msg.findtext("source", ""), "", ""))
    return out


def test_language_codes() -> None:
    assert normalise("zh") == normalise("zh-CN") == normalise("zh_CN") == "zh_CN"
    assert normalise("en_GB") == "en"
    assert normalise("") is None and normalise("fr") is None
    assert catalogue_language("zh_CN") == catalogue_language("zh") == "zh"
    assert catalogue_language("en") == catalogue_language("") == catalogue_language(None) == "en"


def test_placeholders_are_filled_highest_first() -> None:
    assert fmt("%1 of %2, %10", *range(1, 11)) == "1 of 2, 10"


def test_lrelease_runs_from_the_repository_root(tmp_path: Path) -> None:
    ts = tmp_path / "x_zh_CN.ts"
    ts.write_text('''<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" language="zh_CN">
<context><name>C</name><message><source>Open</source><translation>打开</translation></message></context></TS>''',
                  encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "tools.lrelease", str(ts)], cwd=root, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert ts.with_suffix(".qm").read_bytes() == compile_ts(ts)
