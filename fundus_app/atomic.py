"""Atomic file writes: a temporary file in the target folder, fsync, then rename.

A crash, a full disk or a kill never leaves a half-written output under the
final name, and an existing file is only replaced by a complete one.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from fundus_app.errors import FundusError


class OutputError(FundusError):
    """An output file could not be written (read-only folder, full disk, exists ...)."""


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it is renamed to ``path``.

    On any exception the temporary file is removed and nothing appears at ``path``.
    """
    target = Path(path)
    if not overwrite and target.exists():
        raise OutputError(f"{target} already exists; choose another name or allow overwriting.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part" + target.suffix, dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"Cannot write to folder {target.parent}: {exc.strerror or exc}.") from None
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"Cannot write {target}: {exc.strerror or exc}.") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(path: str | os.PathLike[str], data: bytes, *, overwrite: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path, overwrite=overwrite) as tmp:
        tmp.write_bytes(data)
    return Path(path)
