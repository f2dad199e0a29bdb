"""Render the application icon (resources/icons/app.svg) to the PNG sizes and the Windows .ico.

    python packaging/make_icons.py OUT_DIR [SVG]

Writes OUT_DIR/app-<size>.png for 16..512 and OUT_DIR/app.ico (16..256, for the Windows executable
and installer). The build scripts and the spec call it; the outputs are build products, not kept in
git: the SVG in resources/icons is the one source. Uses QtSvg (from PyQt5, already a dependency) with
the offscreen platform, so it needs no display, and Pillow for the .ico.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
REPO = Path(__file__).resolve().parents[1]


def render(svg: Path, out_dir: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt5.QtCore import Qt
    from PyQt5.QtGui import QGuiApplication, QImage, QPainter
    from PyQt5.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841 - Qt needs one
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {svg} is not a valid SVG")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format_ARGB32)
        image.fill(Qt.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setRenderHint(QPainter.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        path = out_dir / f"app-{size}.png"
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"make_icons: cannot write {path}")
        written.append(path)

    from PIL import Image

    big = Image.open(out_dir / "app-256.png").convert("RGBA")
    ico = out_dir / "app.ico"
    big.save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES])
    written.append(ico)
    return written


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    svg = Path(argv[1]) if len(argv) > 1 else REPO / "resources" / "icons" / "app.svg"
    if not svg.is_file():
        print(f"make_icons: {svg} not found", file=sys.stderr)
        return 1
    for path in render(svg, Path(argv[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
