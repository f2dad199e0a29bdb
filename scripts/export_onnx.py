"""Export a checkpoint's network to ONNX, the file the application runs (a release step).

    python scripts/export_onnx.py [models/vessel_unet.pt]                 # writes models/vessel_unet.onnx
    python scripts/export_onnx.py [models/vessel_unet.pt] --record-only   # keep the ONNX file, renew its entry
    python scripts/export_onnx.py models/av_unet.pt --record-checkpoint   # a new checkpoint copied into models/

The ONNX file is written beside the checkpoint and entered in the manifest of that folder
(``manifest.json``, created if missing) with its SHA-256, size, the SHA-256 of the checkpoint it
came from and the model's name, threshold and preprocessing: the application runs it from that
entry, without torch, and refuses a file the manifest does not list. ``--record-only`` renews the
entry of an existing export of the same checkpoint (its bytes, and so its outputs, unchanged).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from fundus_app.model.checkpoint import bundled_path, load_checkpoint
from fundus_app.model.export import SOURCE_KEY, export_onnx, record_onnx
from fundus_app.model.manifest import manifest_path, record_file, sha256_of


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", nargs="?", type=Path, default=None, help="default: the bundled checkpoint")
    parser.add_argument("--record-only", action="store_true", help="keep the existing ONNX file, renew its entry")
    parser.add_argument("--record-checkpoint", action="store_true",
                        help="first enter the checkpoint itself in the manifest (a new one copied beside it)")
    args = parser.parse_args()
    source = args.checkpoint or bundled_path()
    if args.record_checkpoint:
        # read once without a manifest check (the entry is what is being written), then record it
        raw = load_checkpoint(source, expected_sha256=sha256_of(source))
        record_file(source, kind="checkpoint", name=raw.name, threshold=float(raw.threshold))
    checkpoint = load_checkpoint(source)
    out = source.with_suffix(".onnx")
    if args.record_only:
        import onnx

        exported_from = {p.key: p.value for p in onnx.load(str(out), load_external_data=False).metadata_props}
        if exported_from.get(SOURCE_KEY) != checkpoint.sha256:
            parser.error(f"{out.name} was not exported from {source.name}; export it again (no --record-only).")
        entry = record_onnx(checkpoint, out)
    else:
        export_onnx(checkpoint, out)
        entry = record_onnx(checkpoint, out)
    print(f"{out}: SHA-256 {entry['sha256']}, {entry['bytes']} bytes; recorded in {manifest_path(out.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
