"""The report's two small charts, drawn with reportlab's graphics: a position gauge per biomarker
and the box-counting plot of the fractal dimension."""
from __future__ import annotations

import math

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors

from fundus_app.biomarkers import FractalFit
from fundus_app.report.builder import BiomarkerRow, ReportData
from fundus_app.report.fonts import FontSet, latin_ok

ACCENT = colors.HexColor("#1F4E79")
GREY = colors.HexColor("#5A5A5A")
LIGHT = colors.HexColor("#F2F5F9")
RULE = colors.HexColor("#B8C4D2")
BAND1 = colors.HexColor("#9CC3E6")
BAND2 = colors.HexColor("#DCE9F5")
OUTSIDE = colors.HexColor("#C55A11")


def gauge(row: BiomarkerRow, width: float = 74, height: float = 11) -> Drawing:
    """Where the value lies: the axis spans mean +- 3 SD; shaded +-1 SD and +-2 SD, tick at the mean."""
    d = Drawing(width, height)
    if row.mean is None or not row.sd or math.isnan(row.value):
        d.add(Line(2, height / 2, width - 2, height / 2, strokeColor=RULE, strokeWidth=0.5))
        return d
    lo, hi = row.mean - 3 * row.sd, row.mean + 3 * row.sd
    pad = 4.0

    def x(v: float) -> float:
        return pad + (width - 2 * pad) * (v - lo) / (hi - lo)

    mid = height / 2
    d.add(Rect(x(row.mean - 2 * row.sd), mid - 3, x(row.mean + 2 * row.sd) - x(row.mean - 2 * row.sd), 6,
               fillColor=BAND2, strokeColor=None))
    d.add(Rect(x(row.mean - row.sd), mid - 3, x(row.mean + row.sd) - x(row.mean - row.sd), 6,
               fillColor=BAND1, strokeColor=None))
    d.add(Line(pad, mid, width - pad, mid, strokeColor=RULE, strokeWidth=0.5))
    d.add(Line(x(row.mean), mid - 4, x(row.mean), mid + 4, strokeColor=GREY, strokeWidth=0.6))
    z = (row.value - row.mean) / row.sd
    inside = abs(z) <= 2
    colour = ACCENT if inside else OUTSIDE
    if z > 3:  # off the scale: an arrowhead at the edge
        xe = width - 1
        d.add(Polygon([xe, mid, xe - 5, mid + 3.5, xe - 5, mid - 3.5], fillColor=colour, strokeColor=None))
    elif z < -3:
        d.add(Polygon([1, mid, 6, mid + 3.5, 6, mid - 3.5], fillColor=colour, strokeColor=None))
    else:
        d.add(Circle(x(row.value), mid, 2.6, fillColor=colour, strokeColor=colors.white, strokeWidth=0.5))
    return d


def fractal_plot(fit: FractalFit | None, data: ReportData, fonts: FontSet, width: float = 240,
                 height: float = 112) -> Drawing:
    """log2 N(s) against log2 s with the least-squares line (reportlab graphics only)."""
    d = Drawing(width, height)
    font = fonts.regular if data.lang == "zh" else "Helvetica"

    def label(text: str) -> str:
        return text if data.lang == "zh" or latin_ok(text) else text.encode("cp1252", "replace").decode("cp1252")

    left, bottom, right, top = 30.0, 24.0, width - 6.0, height - 4.0
    d.add(Rect(left, bottom, right - left, top - bottom, fillColor=None, strokeColor=RULE, strokeWidth=0.5))
    if fit is None or len(fit.box_sizes) < 2:
        return d
    xs = [math.log2(s) for s in fit.box_sizes]
    ys = [math.log2(max(c, 1)) for c in fit.counts]
    x0, x1 = math.floor(min(xs) - 0.3), math.ceil(max(xs) + 0.3)
    y0, y1 = math.floor(min(ys) - 0.5), math.ceil(max(ys) + 0.5)
    if x1 == x0:
        x1 += 1
    if y1 == y0:
        y1 += 1

    def px(v: float) -> float:
        return left + (right - left) * (v - x0) / (x1 - x0)

    def py(v: float) -> float:
        return bottom + (top - bottom) * (v - y0) / (y1 - y0)

    for v in range(x0, x1 + 1):
        d.add(Line(px(v), bottom, px(v), bottom - 2, strokeColor=GREY, strokeWidth=0.5))
        d.add(String(px(v), bottom - 9, str(v), fontName=font, fontSize=6, fillColor=GREY, textAnchor="middle"))
    step = max(1, math.ceil((y1 - y0) / 6))
    for v in range(y0, y1 + 1, step):
        d.add(Line(left, py(v), left - 2, py(v), strokeColor=GREY, strokeWidth=0.5))
        d.add(String(left - 4, py(v) - 2, str(v), fontName=font, fontSize=6, fillColor=GREY, textAnchor="end"))
    # Fit line: log N = -FD log s + c, with c from the least-squares line through the points.
    slope = -fit.dimension
    c = sum(ys) / len(ys) - slope * sum(xs) / len(xs)
    xa, xb = min(xs) - 0.3, max(xs) + 0.3  # just beyond the points: stays inside the box
    d.add(PolyLine([px(xa), py(slope * xa + c), px(xb), py(slope * xb + c)], strokeColor=OUTSIDE, strokeWidth=0.8))
    for x, y in zip(xs, ys, strict=True):
        d.add(Circle(px(x), py(y), 2.0, fillColor=ACCENT, strokeColor=colors.white, strokeWidth=0.4))
    legend = data.t("plot_legend", fd=f"{fit.dimension:.3f}", r2=f"{fit.r_squared:.3f}")
    d.add(String(right - 4, top - 9, label(legend), fontName=font, fontSize=7, fillColor=colors.black,
                 textAnchor="end"))
    xlabel = label(data.t("plot_x", d=f"{data.measure_fov_px:.0f}"))
    d.add(String((left + right) / 2, 2, xlabel, fontName=font, fontSize=6.2, fillColor=GREY, textAnchor="middle"))
    ylab = String(0, 0, label(data.t("plot_y")), fontName=font, fontSize=6.2, fillColor=GREY, textAnchor="middle")
    g = Group(ylab)
    g.transform = (0, 1, -1, 0, 7, (bottom + top) / 2)  # rotate 90 degrees, place at the left edge
    d.add(g)
    return d
