"""Export a checkpoint's network to ONNX for the optional ONNX Runtime backend.

    python scripts/export_onnx.py [models/vessel_unet.pt]     # writes models/vessel_unet.onnx

Then put the printed SHA-256 line into models/MODEL_CARD.md (the app ignores an ONNX file
whose SHA-256 is not in the card, and one exported from another checkpoint).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fundus_app.model.checkpoint import bundled_path, load_checkpoint, sha256_of  # noqa: E402
from fundus_app.model.onnx_backend import export_onnx  # noqa: E402


def main(src: str | None = None) -> None:
    source = Path(src) if src else bundled_path()
    out = export_onnx(load_checkpoint(source), source.with_suffix(".onnx"))
    print(f"| `{sha256_of(out)}` | `{out.name}` |")


if __name__ == "__main__":
    main(*sys.argv[1:2])
