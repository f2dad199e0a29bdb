"""The images of a batch, streamed: files, folders and manifest CSVs of any length.

A manifest is a CSV whose first column is an image path (relative paths are relative to the
manifest's folder) and whose other columns (subject, visit, eye ...) pass through to the
results table. Nothing here holds more than one row at a time, so a manifest of a million
lines costs no more memory than one of ten.
"""
from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fundus_app.errors import FundusError
from fundus_app.io import SUPPORTED_SUFFIXES

MANIFEST_SUFFIXES = (".csv",)


@dataclass(frozen=True)
class BatchItem:
    """One image of a batch: its place in the input order, its path and the manifest's other columns."""

    index: int
    path: Path
    columns: dict[str, str] = field(default_factory=dict)


def _manifest_header(manifest: Path) -> list[str]:
    try:
        with open(manifest, newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), None)
    except (OSError, UnicodeDecodeError) as exc:
        raise FundusError(f"Cannot read manifest {manifest.name}: {getattr(exc, 'strerror', None) or exc}.") from None
    if not header or not header[0].strip():
        raise FundusError(f"Manifest {manifest.name} has no header row; its first column must name the image paths.")
    names = [h.strip() for h in header]
    if len(set(names)) != len(names):
        raise FundusError(f"Manifest {manifest.name} repeats a column name: {', '.join(names)}.")
    return names


def passthrough_columns(inputs: Sequence[str | os.PathLike[str]]) -> list[str]:
    """The manifest columns (after the path) that the results table carries, in order of first appearance."""
    out: list[str] = []
    for item in inputs:
        p = Path(item)
        if p.suffix.lower() in MANIFEST_SUFFIXES and p.is_file():
            out += [c for c in _manifest_header(p)[1:] if c not in out]
    return out


def _manifest_rows(manifest: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    header = _manifest_header(manifest)
    base = manifest.parent
    with open(manifest, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        next(reader)
        for line, row in enumerate(reader, start=2):
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise FundusError(
                    f"Manifest {manifest.name}, line {line}: {len(row)} values for {len(header)} columns."
                )
            path = Path(row[0].strip())
            yield (
                (path if path.is_absolute() else base / path),
                dict(zip(header[1:], (c.strip() for c in row[1:]), strict=False)),
            )  # short rows: blank cells


def folder_images(folder: Path, recursive: bool = False) -> Iterator[Path]:
    """Image files in ``folder`` in name order (sub-folders depth first with ``recursive``).

    An entry with an image suffix is yielded unless it is a folder, so a broken link or an
    unreadable file gets its one-line error from load_image instead of vanishing.
    """
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise FundusError(f"Cannot list folder {folder}: {exc.strerror or exc}.") from None
    for entry in entries:
        if entry.is_dir():
            if recursive:
                yield from folder_images(entry, recursive)
        elif entry.suffix.lower() in SUPPORTED_SUFFIXES:
            yield entry


def iter_items(inputs: Sequence[str | os.PathLike[str]], *, recursive: bool = False) -> Iterator[BatchItem]:
    """Every image of ``inputs`` (files, folders, manifests) as a BatchItem, lazily, in input order.

    A file that is neither an image nor a manifest is still yielded: it gets its one-line reason
    as a failed row instead of vanishing from the count.
    """
    index = 0
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            sources: Iterator[tuple[Path, dict[str, str]]] = ((f, {}) for f in folder_images(p, recursive))
        elif p.suffix.lower() in MANIFEST_SUFFIXES and p.is_file():
            sources = _manifest_rows(p)
        else:
            sources = iter([(p, {})])
        for path, columns in sources:
            yield BatchItem(index, path, columns)
            index += 1


def count_items(inputs: Sequence[str | os.PathLike[str]], *, recursive: bool = False) -> int:
    """How many items ``iter_items`` will yield (a streaming pass: for the progress bar's ETA)."""
    return sum(1 for _ in iter_items(inputs, recursive=recursive))
