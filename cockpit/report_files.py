"""The annual report's files: a PDF (A4, the project's Chinese font embedded, ``core.pdf``) and an xlsx, both in
Chinese whatever the language of the page, made from ``cockpit.report``'s figures; each download is audited."""

from __future__ import annotations

import io
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cockpit.report import WAN, Report, notes, period_words
from core.auditing import audit_record
from core.imports import neutralise
from core.pdf import FONT, cjk_font

FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
WIDTHS = [58 * mm, 24 * mm, 14 * mm, 34 * mm, 40 * mm]
STYLE = TableStyle([
    ("FONTNAME", (0, 0), (-1, -1), FONT),
    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
    ("ALIGN", (1, 0), (1, -1), "RIGHT"),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
])  # fmt: skip


def headers() -> list[str]:
    return [_("Item"), _("Figure"), pgettext("report column", "Unit"), _("Counted for"), _("Note")]


def subtitle(report: Report) -> str:
    return _("Area: %(area)s; year: %(year)s") % {"area": report.area.name, "year": report.span.label}


def file_name(report: Report, fmt: str) -> str:
    return f"report-{report.area.code}-{report.span.asked}.{fmt}"


@cache
def _styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=28, alignment=1, spaceAfter=4),
        "sub": ParagraphStyle("sub", fontName=font, fontSize=11, leading=18, alignment=1, spaceAfter=8),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=10, leading=14, wordWrap="CJK"),
        "figure": ParagraphStyle("figure", fontName=font, fontSize=10, leading=14, alignment=2),
        "note": ParagraphStyle("note", fontName=font, fontSize=9, leading=14, wordWrap="CJK", spaceBefore=3),
    }


def render_pdf(report: Report) -> bytes:
    with translation.override("zh-hans"):
        return _pdf(report)


def _pdf(report: Report) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
        title=report.title, author=report.area.name,
    )  # fmt: skip

    def cell(text: Any, style: str = "cell") -> Paragraph:
        return Paragraph(escape(str(text)), styles[style])

    rows: list[list[Any]] = [[cell(h) for h in headers()]]
    for f in report.figures:
        rows.append([cell(f.line.label), cell(f.shown, "figure"), cell(f.line.unit if f.value is not None else ""),
                     cell(period_words(f, report.span)), cell(f.note or f.demo_words)])  # fmt: skip
    table = Table(rows, colWidths=WIDTHS, repeatRows=1)
    table.setStyle(STYLE)
    story: list[Any] = [
        Paragraph(escape(report.title), styles["title"]),
        Paragraph(escape(subtitle(report)), styles["sub"]),
        table,
        Spacer(1, 6 * mm),
    ]
    story += [Paragraph(escape(line), styles["note"]) for line in notes(report)]
    doc.build(story)
    return buffer.getvalue()


def render_xlsx(report: Report) -> bytes:
    with translation.override("zh-hans"):
        return _xlsx(report)


def _xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Annual report")[:31]
    sheet.append([neutralise(report.title)])
    sheet.append([_("Area"), neutralise(report.area.name), report.area.code])
    sheet.append([_("Year"), report.span.label])
    sheet.append([])
    sheet.append([*headers(), _("Amount (yuan)")])
    for f in report.figures:
        money = f.line.show == WAN and f.value is not None
        sheet.append([str(f.line.label), f.number, str(f.line.unit) if f.value is not None else None,
                      str(period_words(f, report.span)) or None, str(f.note or f.demo_words),
                      f.value if money else None])  # fmt: skip
        if money:
            sheet.cell(sheet.max_row, 2).number_format = "0.0000"
            sheet.cell(sheet.max_row, 6).number_format = "0.00"
    sheet.append([])
    for line in notes(report):
        sheet.append([line])
    for column, width in zip("ABCDEF", (52, 14, 8, 24, 40, 16), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report_download(*, actor: Any, report: Report, fmt: str) -> bytes:
    """The report as PDF or xlsx; the download is audited, as every export of figures is."""
    data = render_pdf(report) if fmt == "pdf" else render_xlsx(report)
    with transaction.atomic():
        audit_record(
            actor=actor, action="cockpit.report_download", object_type="cockpit.report",
            object_id=f"{report.area.code}/{report.span.asked}", object_repr=report.title,
            region_code=report.area.code,
            after={"format": fmt, "year": report.span.asked, "as_of": report.as_of},
        )  # fmt: skip
    return data
