"""The printable public notice (公示) of a quarter's ranking, or its final ranking once published, as PDF.

A4, set in the project's Chinese font (embedded: ``core.pdf``), the title and period and a table of rank, name,
village and score on every page, and “第 n 页 共 m 页” at the foot. A public notice: names and scores only.
"""

from __future__ import annotations

import io
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.pdf import FONT, cjk_font
from points.models import Ranking, RankingState
from points.quarters import label

#: The notice's table: its header, its columns (rank, name, village, score) and the height of a row.
HEADER = ["名次", "姓名", "村（社区）", "积分"]
ROW_HEIGHT = 16
WIDTHS = [20 * mm, 45 * mm, 70 * mm, 25 * mm]
STYLE = TableStyle([
    ("FONTNAME", (0, 0), (-1, -1), FONT),
    ("FONTSIZE", (0, 0), (-1, -1), 10.5),
    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
    ("ALIGN", (0, 0), (0, -1), "CENTER"),
    ("ALIGN", (3, 0), (3, -1), "RIGHT"),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
])  # fmt: skip


@cache
def _styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=28, alignment=1, spaceAfter=4),
        "sub": ParagraphStyle("sub", fontName=font, fontSize=11, leading=18, alignment=1),
    }


class _NumberedCanvas(pdfcanvas.Canvas):
    """Holds each page until the last is known, then writes “第 n 页 共 m 页” on every one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(FONT, 9)
            self.drawCentredString(A4[0] / 2, 12 * mm, f"第 {number} 页  共 {total} 页")
            super().showPage()
        super().save()


def render_notice(ranking: Ranking, rows: list[Any], *, area: str, period: Any, places: dict[str, str]) -> bytes:
    """The notice (or the final ranking) of ``ranking``: ``rows`` best first, each with its rank in the area."""
    with translation.override("zh-hans"):
        return _render(ranking, rows, area=area, period=period, places=places)


def _heading(ranking: Ranking, period: Any, title: str, styles: dict[str, ParagraphStyle]) -> list[Any]:
    """The title and the period (or the final ranking's date), at the top of every page."""
    heading: list[Any] = [Paragraph(escape(title), styles["title"])]
    if ranking.state == RankingState.FINAL:
        day = timezone.localdate(ranking.final_at) if ranking.final_at else None
        words = f"最终排名（{day:%Y年%m月%d日}公布，此后不再变动）" if day else "最终排名"
        heading.append(Paragraph(words, styles["sub"]))
    elif period is not None:
        heading.append(Paragraph(f"公示期：{period.opens:%Y年%m月%d日}至{period.closes:%Y年%m月%d日}",
                                 styles["sub"]))  # fmt: skip
    heading.append(Spacer(1, 4 * mm))
    return heading


def _render(ranking: Ranking, rows: list[Any], *, area: str, period: Any, places: dict[str, str]) -> bytes:
    styles = _styles()
    final = ranking.state == RankingState.FINAL
    title = f"{area}{label(ranking.quarter)}“老兵本色”积分{'最终排名' if final else '排名公示'}"
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=20 * mm,
        title=title, author=area,
    )  # fmt: skip
    # One table a page, of as many rows as fit under the heading: plain cells of a fixed height, so a city's
    # ranking (~20,000 rows) builds in seconds (splitting one long table costs reportlab far more).
    heading_height = sum(
        f.wrap(doc.width, doc.height)[1] + f.getSpaceAfter() for f in _heading(ranking, period, title, styles)
    )
    per_page = max(int((doc.height - 12 - heading_height) // ROW_HEIGHT) - 2, 1)
    cells = [[str(r.rank), r.name, places.get(r.village_code, ""), str(r.score)] for r in rows]
    if not cells:
        cells = [["", "本季度无积分记录", "", ""]]
    story: list[Any] = []
    for start in range(0, len(cells), per_page):
        if story:
            story.append(PageBreak())
        story += _heading(ranking, period, title, styles)
        chunk = [HEADER, *cells[start : start + per_page]]
        table = Table(chunk, colWidths=WIDTHS, rowHeights=ROW_HEIGHT)
        table.setStyle(STYLE)
        story.append(table)
    doc.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
