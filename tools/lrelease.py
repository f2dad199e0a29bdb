"""Compile Qt Linguist ``.ts`` files into ``.qm`` files without Qt's ``lrelease``.

PyQt5 wheels ship ``pylupdate5`` (sources -> ``.ts``) but not ``lrelease``.
This writes the subset of the ``.qm`` format that ``QTranslator`` reads for
plain (non-plural) messages: the magic number, a language tag, the hash table
and the message table, as ``lrelease`` does. Standard library only (plus fundus_app.atomic).
A build tool: the application only reads the ``.qm`` files, so this lives outside ``fundus_app``.

Usage::

    python -m tools.lrelease resources/i18n/*.ts      # from the repository root; writes the .qm beside each .ts
"""
from __future__ import annotations

import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from fundus_app.atomic import write_bytes

MAGIC = bytes([0x3C, 0xB8, 0x64, 0x18, 0xCA, 0xEF, 0x9C, 0x95, 0xCD, 0x21, 0x1C, 0xBF, 0x60, 0xA1, 0xBD, 0xDD])
TAG_HASHES, TAG_MESSAGES, TAG_LANGUAGE = 0x42, 0x69, 0xA7
TAG_END, TAG_TRANSLATION, TAG_SOURCE, TAG_CONTEXT, TAG_COMMENT = 1, 3, 6, 7, 8


def elf_hash(data: bytes) -> int:
    """The hash QTranslator uses to find a message (``elfHash`` in qtranslator.cpp)."""
    h = 0
    for byte in data:
        h = ((h << 4) + byte) & 0xFFFFFFFF
        g = h & 0xF0000000
        if g:
            h ^= g >> 24
        h &= ~g & 0xFFFFFFFF
    return h or 1


def read_ts(path: str | Path) -> tuple[str, list[tuple[str, str, str, str]]]:
    """Language and ``(context, source, comment, translation)`` of every finished or unfinished
    message with a non-empty translation (obsolete and vanished ones are left out)."""
    root = ET.parse(path).getroot()
    language = root.get("language", "")
    messages = []
    for ctx in root.iter("context"):
        name = ctx.findtext("name", "")
        for msg in ctx.iter("message"):
            if msg.get("numerus") == "yes":
                raise ValueError(f"{path}: plural (numerus) messages are not supported by this compiler")
            tr = msg.find("translation")
            if tr is None or tr.get("type") in ("obsolete", "vanished"):
                continue
            text = "".join(tr.itertext())
            if not text:
                continue
            messages.append((name, msg.findtext("source", ""), msg.findtext("comment", ""), text))
    return language, messages


def _bytes_field(tag: int, data: bytes) -> bytes:
    return struct.pack(">BI", tag, len(data)) + data


def compile_messages(language: str, messages: list[tuple[str, str, str, str]]) -> bytes:
    """The bytes of a ``.qm`` file holding ``messages``."""
    table = bytearray()
    hashes: list[tuple[int, int]] = []
    for context, source, comment, translation in messages:
        offset = len(table)
        table += _bytes_field(TAG_TRANSLATION, translation.encode("utf-16-be"))
        table += _bytes_field(TAG_SOURCE, source.encode("utf-8"))
        if comment:
            table += _bytes_field(TAG_COMMENT, comment.encode("utf-8"))
        table += _bytes_field(TAG_CONTEXT, context.encode("utf-8"))
        table += bytes([TAG_END])
        hashes.append((elf_hash((source + comment).encode("utf-8")), offset))
    hashes.sort()
    hash_table = b"".join(struct.pack(">II", h, o) for h, o in hashes)
    out = bytearray(MAGIC)
    if language:
        out += struct.pack(">BI", TAG_LANGUAGE, len(language)) + language.encode("ascii")
    out += struct.pack(">BI", TAG_HASHES, len(hash_table)) + hash_table
    out += struct.pack(">BI", TAG_MESSAGES, len(table)) + table
    return bytes(out)


def compile_ts(ts_path: str | Path) -> bytes:
    language, messages = read_ts(ts_path)
    return compile_messages(language, messages)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m tools.lrelease FILE.ts ...", file=sys.stderr)
        return 2
    for name in args:
        ts = Path(name)
        qm = ts.with_suffix(".qm")
        data = compile_ts(ts)
        write_bytes(qm, data)
        print(f"{qm}: {len(read_ts(ts)[1])} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
