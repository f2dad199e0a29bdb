"""The manifest of a model folder: the SHA-256 and size of each shipped file, machine-readable.

``models/manifest.json`` beside the weights lists, per file name, what the loader checks the file
against and what the application needs to know about it without opening it::

    {"format": "fundus-vessel-models/1",
     "files": {"vessel_unet.pt":   {"sha256": "...", "bytes": 7654321, "kind": "checkpoint",
                                    "name": "vessel-attunet-...", "threshold": 0.7},
               "vessel_unet.onnx": {"sha256": "...", "bytes": 7700000, "kind": "onnx",
                                    "source_sha256": "<the checkpoint it was exported from>"}}}

The release tools (``scripts/calibrate_threshold.py``, ``scripts/export_onnx.py``) write it through
:func:`record_file`; the model card is prose for people and is never parsed. No torch here: the
installer's self-test and the release tools read it without loading a network.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from fundus_app.atomic import write_bytes
from fundus_app.errors import ModelError

MANIFEST_NAME = "manifest.json"
FORMAT = "fundus-vessel-models/1"


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks (a checkpoint need not fit in memory twice)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_path(folder: Path) -> Path:
    return Path(folder) / MANIFEST_NAME


def read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """The ``files`` table of ``folder``'s manifest; empty when the folder has none.

    A manifest that exists but cannot be read is refused (ModelError): it is what proves the
    weights, so a damaged one must not silently switch the check off.
    """
    path = manifest_path(folder)
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        files = raw["files"] if raw.get("format") == FORMAT else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        files = None
    if not isinstance(files, dict) or not all(isinstance(v, dict) for v in files.values()):
        raise ModelError(f"The model manifest {path} is damaged or of another format ({FORMAT}); "
                         "reinstall the application.")
    return files


def manifest_entry(path: Path) -> dict[str, Any] | None:
    """What the manifest beside ``path`` records for its file name, or None when it lists nothing."""
    path = Path(path)
    return read_manifest(path.parent).get(path.name)


def manifest_sha256(path: Path) -> str | None:
    """The SHA-256 the manifest beside ``path`` lists for it, if any (lower case)."""
    entry = manifest_entry(path)
    digest = entry.get("sha256") if entry else None
    return str(digest).lower() if digest else None


def record_file(path: Path, **fields: Any) -> dict[str, Any]:
    """Enter ``path`` (its SHA-256 and size, plus ``fields``) in the manifest of its folder.

    The other files' entries are kept; the manifest is replaced atomically, so a crash leaves the
    old one, never half a file. Returns the new entry.
    """
    path = Path(path)
    files = read_manifest(path.parent)
    entry = {**files.get(path.name, {}), "sha256": sha256_of(path), "bytes": path.stat().st_size, **fields}
    files[path.name] = entry
    text = json.dumps({"format": FORMAT, "files": dict(sorted(files.items()))}, indent=2) + "\n"
    write_bytes(manifest_path(path.parent), text.encode("utf-8"))
    return entry
