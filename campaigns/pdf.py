"""A campaign's report as a printable PDF: A4, the project's Chinese font (embedded: ``core.pdf``), the campaign's
facts, its coverage by area and by action, the gifts given and the people not reached. Figures only: no name,
phone or address of anyone."""

from __future__ import annotations

import io
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from campaigns.models import Campaign
from core.pdf import FONT, cjk_font

STYLE = TableStyle([
    ("FONTNAME", (0, 0), (-1, -1), FONT),
    ("FONTSIZE", (0, 0), (-1, -1), 10),
    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
    ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
])  # fmt: skip


@cache
def _styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=28, alignment=1, spaceAfter=4),
        "sub": ParagraphStyle("sub", fontName=font, fontSize=11, leading=18, alignment=1),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=13, leading=22, spaceBefore=8),
        "p": ParagraphStyle("p", fontName=font, fontSize=10.5, leading=17),
    }


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value}%"


def render_report(campaign: Campaign, total: dict[str, Any], areas: list[dict[str, Any]],
                  actions: list[tuple[str, Any, int, Any]], area_name: str) -> bytes:  # fmt: skip
    """The report of ``campaign`` for the area ``total`` is about, with the rows of the areas under it."""
    with translation.override("zh-hans"):
        styles = _styles()
        out = io.BytesIO()
        doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                                bottomMargin=18 * mm, title=campaign.name)  # fmt: skip
        story: list[Any] = [
            Paragraph(escape(f"{campaign.name} · {_('Report')}"), styles["title"]),
            Paragraph(
                escape(
                    f"{area_name} · {campaign.starts_on:%Y-%m-%d} — {campaign.ends_on:%Y-%m-%d} · "
                    f"{campaign.get_state_display()}"
                ),
                styles["sub"],
            ),
            Spacer(1, 4 * mm),
            Paragraph(
                escape(
                    f"{_('People targeted')}: {total['targets']}　{_('Reached')}: {total['reached']}　"
                    f"{_('Not reached')}: {total['unreached']}　{_('Coverage')}: {_pct(total['rate'])}"
                ),
                styles["p"],
            ),
        ]
        if campaign.gift_name:
            story.append(Paragraph(escape(f"{campaign.gift_name}: {_('households given')} {total['gifts']}"),
                                   styles["p"]))  # fmt: skip
        story.append(Paragraph(escape(_("By action")), styles["h2"]))
        rows = [[_("Action"), _("Times done"), _("Share")]] + [
            [str(label), n, _pct(share)] for _a, label, n, share in actions
        ]
        story.append(Table(rows, colWidths=[80 * mm, 40 * mm, 40 * mm], style=STYLE, repeatRows=1))
        if areas:
            story.append(Paragraph(escape(_("By area")), styles["h2"]))
            head = [_("Area"), _("Targeted"), _("Reached"), _("Not reached"), _("Coverage")]
            if campaign.gift_name:
                head.append(_("Gifts"))
            body = []
            for a in areas:
                row = [str(a["name"]), a["targets"], a["reached"], a["unreached"], _pct(a["rate"])]
                if campaign.gift_name:
                    row.append(a["gifts"])
                body.append(row)
            widths = [60 * mm] + [24 * mm] * (len(head) - 1)
            story.append(Table([head, *body], colWidths=widths, style=STYLE, repeatRows=1))
        story.append(Spacer(1, 6 * mm))
        story.append(Paragraph(escape(f"{_('Printed on')} {timezone.localdate():%Y-%m-%d}"), styles["p"]))
        doc.build(story)
        return out.getvalue()
