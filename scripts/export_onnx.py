"""Export a checkpoint's network to ONNX for the optional ONNX Runtime backend (a release step).

    python scripts/export_onnx.py [models/vessel_unet.pt]     # writes models/vessel_unet.onnx

The ONNX file is written beside the checkpoint. When that folder has a manifest (``manifest.json``;
``models/`` does), the file is entered in it with its SHA-256, size and the SHA-256 of the checkpoint
it came from: the application ignores an ONNX file the manifest does not list, and one exported
from another checkpoint.
"""
from __future__ import annotations

import sys
from pathlib import Path

from fundus_app.model.checkpoint import bundled_path, load_checkpoint
from fundus_app.model.manifest import manifest_path, record_file, sha256_of
from fundus_app.model.onnx_backend import export_onnx


def main(src: str | None = None) -> None:
    source = Path(src) if src else bundled_path()
    checkpoint = load_checkpoint(source)
    out = export_onnx(checkpoint, source.with_suffix(".onnx"))
    manifest = manifest_path(out.parent)
    if manifest.is_file():
        entry = record_file(out, kind="onnx", source_sha256=checkpoint.sha256)
        print(f"{out}: SHA-256 {entry['sha256']}, {entry['bytes']} bytes; recorded in {manifest}")
    else:
        print(f"{out}: SHA-256 {sha256_of(out)} (no {manifest.name} in {out.parent}: nothing recorded)")


if __name__ == "__main__":
    main(*sys.argv[1:2])
