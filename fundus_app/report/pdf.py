"""Lay a :class:`ReportData` out as an A4 PDF with reportlab (the only reportlab user).

One page for one eye: header, patient and study, three images, biomarker
table with reference ranges and a position gauge per measure, the
box-counting plot beside the processing details, the vessel calibre section
(A/V picture with the zones beside the CRAE / CRVE / AVR table), notes and
references; the footer (disclaimer in English and Chinese, page x of n) is
drawn on every page. Content that does not fit flows onto a second page rather
than being cut (with an A/V map the calibre section usually does).
"""
from __future__ import annotations

import io
import math
from collections.abc import Callable
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from fundus_app.report.builder import IMAGE_DPI, CalibreSection, ReportData
from fundus_app.report.charts import ACCENT, GREY, LIGHT, RULE, fractal_plot, gauge
from fundus_app.report.fonts import FontSet, fonts_for, latin_ok
from fundus_app.report.strings import DISCLAIMER_EN, DISCLAIMER_ZH

PAGE_W, PAGE_H = A4
MARGIN_X = 13 * mm
MARGIN_TOP = 11 * mm
MARGIN_BOTTOM = 18 * mm  # room for the footer
FRAME_PAD = 6.0  # platypus frames pad their content by 6 pt on each side
CONTENT_W = PAGE_W - 2 * MARGIN_X - 2 * FRAME_PAD
TEXT_X0 = MARGIN_X + FRAME_PAD  # where the content's left edge lies, for the footer
IMAGE_GAP = 6.0
IMAGE_MAX_H = 140.0  # points; a square image is then 140 x 140 (49 mm)
IMAGE_W = (CONTENT_W - 2 * IMAGE_GAP) / 3
AV_W = 206.0  # the A/V picture beside the calibre table, points
AV_MAX_H = 190.0
AV_GAP = 10.0


def image_box_px() -> tuple[int, int]:
    """Largest pixel size worth embedding for one of the three images (IMAGE_DPI at printed size)."""
    return round(IMAGE_W / 72 * IMAGE_DPI), round(IMAGE_MAX_H / 72 * IMAGE_DPI)


def av_image_box_px() -> tuple[int, int]:
    """Largest pixel size worth embedding for the A/V picture of the calibre section."""
    return round(AV_W / 72 * IMAGE_DPI), round(AV_MAX_H / 72 * IMAGE_DPI)


class _Text:
    """Paragraph styles for one language, and markup that keeps every glyph in an embedded font."""

    def __init__(self, fonts: FontSet, lang: str) -> None:
        self.fonts = fonts
        wrap = "CJK" if lang == "zh" else None

        def style(name: str, size: float, *, bold: bool = False, colour: colors.Color = colors.black,
                  align: int = TA_LEFT, leading: float | None = None, **kw: object) -> ParagraphStyle:
            return ParagraphStyle(name, fontName=fonts.bold if bold else fonts.regular, fontSize=size,
                                  leading=leading or size * 1.25, textColor=colour, alignment=align,
                                  wordWrap=wrap, **kw)

        self.body = style("body", 8)
        self.small = style("small", 6.8, colour=GREY)
        self.tiny = style("tiny", 6.2, colour=GREY)
        self.label = style("label", 7.5, colour=GREY)
        self.value = style("value", 8)
        self.value_bold = style("valueb", 8.5, bold=True, align=TA_RIGHT)
        self.cell = style("cell", 7.6)
        self.cell_bold = style("cellb", 7.8, bold=True)
        self.cell_head = style("cellh", 7.2, bold=True, colour=colors.white)
        self.cell_right = style("cellr", 7.6, align=TA_RIGHT)
        self.caption = style("caption", 7.2, colour=GREY, align=TA_CENTER)
        self.heading = style("heading", 10, bold=True, colour=ACCENT, spaceBefore=6, spaceAfter=3)
        self.clinic = style("clinic", 12, bold=True, colour=ACCENT, leading=14)
        self.title = style("title", 15, bold=True, align=TA_RIGHT, leading=19)
        self.meta = style("meta", 7.8, colour=GREY, align=TA_RIGHT)

    def markup(self, text: str) -> str:
        """Escape ``text``; runs Helvetica cannot encode go into the CJK font."""
        if self.fonts.regular == self.fonts.cjk or latin_ok(text):
            return escape(text)
        out, run, run_latin = [], "", True
        for ch in text:
            ok = run_latin if ch.isspace() else latin_ok(ch)  # a space stays in the run it separates
            if run and ok != run_latin:
                out.append(escape(run) if run_latin else f'<font name="{self.fonts.cjk}">{escape(run)}</font>')
                run = ""
            run += ch
            run_latin = ok
        if run:
            out.append(escape(run) if run_latin else f'<font name="{self.fonts.cjk}">{escape(run)}</font>')
        return "".join(out)

    def p(self, text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(self.markup(text), style)


# --- header, patient, images -----------------------------------------------------------------------


def _header(data: ReportData, tx: _Text) -> list[Flowable]:
    clinic = [tx.p(data.clinic.name, tx.clinic)]
    for line in (data.clinic.address.splitlines() + [data.clinic.contact]):
        if line.strip():
            clinic.append(tx.p(line.strip(), tx.small))
    when = data.created.strftime("%Y-%m-%d %H:%M")
    offset = data.created.strftime("%z")
    if offset:
        when += f" (UTC{offset[:3]}:{offset[3:]})"
    title = [
        tx.p(data.t("title"), tx.title),
        tx.p(f"{data.t('report_date')}{data.t('colon')}{when}", tx.meta),
        tx.p(f"{data.t('software')}{data.t('colon')}Fundus Vessel Workstation {data.app_version}", tx.meta),
    ]
    table = Table([[clinic, title]], colWidths=[CONTENT_W * 0.54, CONTENT_W * 0.46])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return [table, HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceBefore=3, spaceAfter=2)]


def _section(title: str, tx: _Text) -> Paragraph:
    return tx.p(title, tx.heading)


def _patient(data: ReportData, tx: _Text) -> Flowable:
    cells = [(tx.p(k, tx.label), tx.p(v, tx.value)) for k, v in data.patient]
    if len(cells) % 2:
        cells.append((tx.p("", tx.label), tx.p("", tx.value)))
    half = len(cells) // 2
    rows = [[*cells[i], *cells[i + half]] for i in range(half)]  # column-major: identity left, study right
    w = CONTENT_W
    table = Table(rows, colWidths=[w * 0.14, w * 0.36, w * 0.14, w * 0.36])
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
    ]))
    return table


def _images(data: ReportData, tx: _Text, max_h: float = IMAGE_MAX_H) -> Flowable:
    first = data.images[0]
    w = IMAGE_W
    h = w * first.height / first.width
    if h > max_h:
        w, h = max_h * first.width / first.height, max_h
    pics = [Image(io.BytesIO(im.data), width=w, height=h) for im in data.images]
    captions = [tx.p(im.caption, tx.caption) for im in data.images]
    table = Table([pics, captions], colWidths=[IMAGE_W + (IMAGE_GAP if i < 2 else 0) for i in range(3)])
    table.setStyle(TableStyle([
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (1, -1), IMAGE_GAP),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 2),
    ]))
    return table


# --- biomarkers --------------------------------------------------------------------------------------


def _biomarker_table(data: ReportData, tx: _Text) -> Flowable:
    head = [tx.p(data.t(k), tx.cell_head) for k in ("measure", "value", "reference", "position", "definition")]
    rows = [head]
    for r in data.rows:
        unit = f" {r.unit}" if r.unit and not math.isnan(r.value) else ""
        rows.append([
            tx.p(r.label, tx.cell_bold),
            tx.p(f"{r.value_text}{unit}", tx.value_bold),
            tx.p(r.reference_text, tx.cell_right),
            gauge(r),
            tx.p(r.definition, tx.small),
        ])
    widths = [88, 54, 78, 80]
    widths.append(CONTENT_W - sum(widths))
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, LIGHT]),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.8),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE),
    ]))
    return table


def _processing(data: ReportData, tx: _Text, width: float) -> Flowable:
    rows = [[tx.p(k, tx.label), tx.p(v, tx.value)] for k, v in data.processing]
    table = Table(rows, colWidths=[width * 0.38, width * 0.62])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -2), 0.3, RULE),
    ]))
    return table


def _lower(data: ReportData, tx: _Text, plot_h: float = 112) -> Flowable:
    """The box-counting plot (left) beside the processing details (right)."""
    plot_w = 240.0
    right_w = CONTENT_W - plot_w - 14
    left = [tx.p(data.t("plot_title"), tx.heading), fractal_plot(data.fit, data, tx.fonts, plot_w, plot_h)]
    right = [tx.p(data.t("processing"), tx.heading), _processing(data, tx, right_w)]
    table = Table([[left, right]], colWidths=[plot_w + 14, right_w])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0)]))
    return table


# --- vessel calibre ----------------------------------------------------------------------------------


def _calibre_table(section: CalibreSection, data: ReportData, tx: _Text, width: float) -> Flowable:
    """CRAE, CRVE and AVR per zone: value, our figures on expert labels, published range."""
    head = [tx.p(data.t(k), tx.cell_head) for k in ("measure", "value", "ours_on_experts", "published_range")]
    rows: list[list[object]] = [head]
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE),
    ]
    for zone, title in section.zones:
        style += [("SPAN", (0, len(rows)), (-1, len(rows))), ("BACKGROUND", (0, len(rows)), (-1, len(rows)), LIGHT)]
        rows.append([tx.p(title, tx.cell_bold), "", "", ""])
        for r in section.rows:
            if r.zone != zone:
                continue
            value_style = tx.value_bold if r.value is not None else tx.cell
            rows.append([tx.p(r.label, tx.cell_bold), tx.p(r.value_text, value_style),
                         tx.p(r.ours_text, tx.cell_right), tx.p(r.published_text, tx.cell_right)])
    widths = [width * 0.27, width * 0.32, width * 0.2]
    widths.append(width - sum(widths))
    table = Table(rows, colWidths=widths)
    table.setStyle(TableStyle(style))
    return table


def _calibre(data: ReportData, tx: _Text) -> list[Flowable]:
    """The calibre section: A/V picture (left) beside the eye, disc, scale and the table (right);
    one line when the photograph has no A/V map."""
    section = data.calibre
    if section is None:
        return []
    if section.image is None:  # one line, no heading: the one-page report stays one page
        return [Spacer(1, 3), tx.p(f"{data.t('calibre')}{data.t('colon')}{section.message or ''}", tx.small)]
    heading = _section(data.t("calibre"), tx)
    im = section.image
    w = AV_W
    h = w * im.height / im.width
    if h > AV_MAX_H:
        w, h = AV_MAX_H * im.width / im.height, AV_MAX_H
    left = [Image(io.BytesIO(im.data), width=w, height=h), Spacer(1, 2), tx.p(im.caption, tx.tiny)]
    right_w = CONTENT_W - AV_W - AV_GAP
    info = Table([[tx.p(k, tx.label), tx.p(v, tx.value)] for k, v in section.info],
                 colWidths=[right_w * 0.3, right_w * 0.7])
    info.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.0),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -2), 0.3, RULE),
    ]))
    right = [info, Spacer(1, 5), _calibre_table(section, data, tx, right_w)]
    notes = [tx.p(note, tx.small) for note in section.notes]
    table = Table([[left, right]], colWidths=[AV_W + AV_GAP, right_w])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (0, -1), AV_GAP)]))
    return [KeepTogether([heading, table]), Spacer(1, 4), *notes]


def _notes(data: ReportData, tx: _Text) -> list[Flowable]:
    out: list[Flowable] = [Spacer(1, 4)]
    for note in data.notes:
        out.append(tx.p(note, tx.small))
    return out


def _references(data: ReportData, tx: _Text) -> list[Flowable]:
    out: list[Flowable] = []
    refs = " ".join(f"[{i}] {ref}" for i, ref in enumerate(data.references, start=1))
    out.append(Spacer(1, 2))
    out.append(Paragraph(escape(refs), ParagraphStyle("refs", parent=tx.tiny, fontName=tx.fonts.regular,
                                                      wordWrap=None)))
    return out


# --- page furniture ----------------------------------------------------------------------------------


def _footer(data: ReportData, fonts: FontSet) -> Callable[[Canvas, int, int], None]:
    def draw(canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        y = MARGIN_BOTTOM - 7 * mm
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(TEXT_X0, y + 7 * mm, PAGE_W - TEXT_X0, y + 7 * mm)
        canvas.setFillColor(GREY)
        latin = fonts.regular  # Helvetica in English; the embedded font throughout a Chinese report
        canvas.setFont(latin, 7)
        canvas.drawString(TEXT_X0, y + 3.2 * mm, DISCLAIMER_EN)
        canvas.setFont(fonts.cjk, 7)
        canvas.drawString(TEXT_X0, y, DISCLAIMER_ZH)
        page_text = data.t("page", page=page, pages=pages)
        canvas.setFont(latin, 7)
        canvas.drawRightString(PAGE_W - TEXT_X0, y + 1.6 * mm, page_text)
        canvas.restoreState()

    return draw


def _numbered_canvas(draw_footer: Callable[[Canvas, int, int], None]) -> type[Canvas]:
    """A canvas that defers pages until the end, so each footer can say 'page x of n'."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            n = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                draw_footer(self, self._pageNumber, n)
                super().showPage()
            super().save()

    return NumberedCanvas


#: Layouts tried in turn until the report fits on one page: (image row height, plot height), points.
LAYOUTS = ((IMAGE_MAX_H, 112.0), (112.0, 96.0))


def _build(data: ReportData, fonts: FontSet, image_h: float, plot_h: float) -> tuple[bytes, int]:
    tx = _Text(fonts, data.lang)
    story: list[Flowable] = []
    story += _header(data, tx)
    story.append(_section(data.t("patient_study"), tx))
    story.append(_patient(data, tx))
    story.append(_section(data.t("images"), tx))
    story.append(_images(data, tx, image_h))
    story.append(KeepTogether([_section(data.t("biomarkers"), tx), _biomarker_table(data, tx)]))
    story.append(Spacer(1, 8))
    story.append(_lower(data, tx, plot_h))
    story += _notes(data, tx)
    story += _calibre(data, tx)
    story += _references(data, tx)

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=data.t("title"), author=data.clinic.name,
        subject=DISCLAIMER_EN, creator=f"Fundus Vessel Workstation {data.app_version}",
        lang="zh-CN" if data.lang == "zh" else "en", initialFontName=fonts.regular,
    )
    pages: list[int] = []
    footer = _footer(data, fonts)

    def counting_footer(canvas: Canvas, page: int, n: int) -> None:
        pages.append(n)
        footer(canvas, page, n)

    doc.build(story, canvasmaker=_numbered_canvas(counting_footer))
    return buf.getvalue(), (pages[0] if pages else 0)


def render_pdf(data: ReportData) -> bytes:
    """The report as PDF bytes (A4), on one page when a more compact layout can make it fit; when
    none does, the content needs a second page anyway and keeps the full-size layout."""
    fonts = fonts_for(data.lang)
    a85 = rl_config.useA85
    rl_config.useA85 = 0  # binary streams: ASCII85 would add 25 % to every image
    try:
        first: bytes | None = None
        for image_h, plot_h in LAYOUTS:
            pdf, pages = _build(data, fonts, image_h, plot_h)
            if pages <= 1:
                return pdf
            first = first or pdf
        assert first is not None
        return first
    finally:
        rl_config.useA85 = a85
