"""Atomic file writes: a temporary file in the target folder, fsync, then rename.

A crash, a full disk or a kill never leaves a half-written output under the
final name, and an existing file is only replaced by a complete one. A process
killed with SIGKILL can leave its hidden temporary (``.<name>.<random>.part<suffix>``)
behind; it is never mistaken for an output and may be deleted.
"""
from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from fundus_app.errors import FundusError


class OutputError(FundusError):
    """An output file could not be written (read-only folder, full disk, exists ...)."""


def _reason(exc: OSError) -> str:
    """The cause of a failed write in words, for a one-line message."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return "the disk is full"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return str(exc.strerror or type(exc).__name__)


def _folder_error(folder: Path, exc: OSError) -> OutputError:
    if isinstance(exc, (FileExistsError, NotADirectoryError)) or (folder.exists() and not folder.is_dir()):
        return OutputError(f"Cannot write to folder {folder}: it is a file, not a folder.")
    return OutputError(f"Cannot write to folder {folder}: {_reason(exc)}.")


def _umask() -> int:
    """The process umask, read without changing it where the OS allows (os.umask is not thread-safe)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _final_mode(target: Path) -> int:
    """The permissions the output gets: those of the file it replaces, else 0666 minus the umask.

    ``mkstemp`` creates its file 0600; without this every output would be private to its writer.
    """
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); best effort: some file systems refuse it."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def ensure_writable_folder(folder: str | os.PathLike[str]) -> Path:
    """Create ``folder`` (and its parents) and prove a file can be created in it.

    For a batch, call it before any work: a read-only folder, a file in the way or
    a full disk is then one clear OutputError instead of one per image.
    """
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".fundus-write-test.", dir=target)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise _folder_error(target, exc) from None
    return target


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it is renamed to ``path``.

    On any exception the temporary file is removed and nothing appears at ``path``.
    Raises OutputError (one sentence naming the folder or file) when the folder
    cannot be created or written, the disk is full, or ``path`` exists and
    ``overwrite`` is False.
    """
    target = Path(path)
    if not overwrite and target.exists():
        raise OutputError(f"{target} already exists; choose another name or allow overwriting.")
    if target.is_dir():
        raise OutputError(f"Cannot write {target}: a folder of that name exists.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part" + target.suffix, dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise _folder_error(target.parent, exc) from None
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, _final_mode(target))
        os.replace(tmp, target)
        _fsync_folder(target.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"Cannot write {target}: {_reason(exc)}.") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(path: str | os.PathLike[str], data: bytes, *, overwrite: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path, overwrite=overwrite) as tmp:
        tmp.write_bytes(data)
    return Path(path)
