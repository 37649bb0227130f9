"""Printable letters to the petitioner as PDF: the acceptance notice, the written reply, the extension notice.

The text is set in Noto Serif SC (a Song style face, as official letters use), and the glyphs a letter uses
are embedded in it as a subset: a reader needs no Chinese font of its own (reportlab's STSong-Light, which
is not embedded, shows blank pages or boxes on a reader without Adobe-GB1 data or a Chinese font).
`make setup` installs the font (settings.LETTER_FONT_PATH); reportlab reads only TrueType outlines.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from xml.sax.saxutils import escape

from django.core import checks
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from core.errors import invalid
from core.pdf import FONT, cjk_font, font_problem
from petitions.models import Petition
from petitions.process import MAX_EXTENSION_DAYS
from regions.models import Level, Region, ancestor_code


def font_check(**kwargs: object) -> list[checks.CheckMessage]:
    """`manage.py check` (and runserver) warn when letters cannot be printed."""
    problem = font_problem()
    return [checks.Warning(problem, id="petitions.W001")] if problem else []


@cache
def _styles() -> dict[str, ParagraphStyle]:
    cjk_font()
    body = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=22, firstLineIndent=24, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", fontName=FONT, fontSize=20, leading=30, alignment=1, spaceAfter=6),
        "number": ParagraphStyle("number", fontName=FONT, fontSize=11, leading=18, alignment=1, spaceAfter=18),
        "to": ParagraphStyle("to", fontName=FONT, fontSize=12, leading=22, wordWrap="CJK"),
        "body": body,
        "sign": ParagraphStyle("sign", parent=body, alignment=2, firstLineIndent=0),
    }


def _cn_date(value: str | dt.date | None) -> str:
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.year}年{day.month}月{day.day}日"


def _bureau_name(petition: Petition) -> str:
    city = Region.objects.filter(code=ancestor_code(petition.case.region_code, Level.CITY)).first()
    return f"{city.name if city else ''}退役军人事务局"


def _paragraphs(petition: Petition, kind: str) -> tuple[str, list[str]]:
    case = petition.case
    received = _cn_date(case.date("received"))
    subject = petition.get_subject_display()
    if kind == "acceptance":
        if not case.date("accepted"):
            raise invalid(None, _("The petition has not been accepted yet."), code="not_accepted")
        return "信访事项受理告知书", [
            f"您于{received}通过{petition.get_channel_display()}反映的“{subject}”事项，"
            f"经审查，符合受理条件，本机关已于{_cn_date(case.date('accepted'))}依法受理。",
            "本机关将自受理之日起六十日内办结并书面答复；情况复杂的，经批准可适当延长办理期限，"
            f"延长期限不超过{MAX_EXTENSION_DAYS}日，并将延期理由告知您。",
            "特此告知。",
        ]
    if kind == "reply":
        if not case.date("replied"):
            raise invalid(None, _("No written reply has been issued yet."), code="no_reply_yet")
        decision = {"support": "予以支持", "partial": "部分支持", "not_supported": "不予支持"}.get(
            petition.decision, ""
        )
        paragraphs = [f"您于{received}反映的“{subject}”事项，本机关已依法受理并调查核实。现答复如下："]
        paragraphs.append(escape(petition.reply))
        if decision:
            paragraphs.append(f"处理意见：{decision}。")
        paragraphs.append(
            "如对本答复意见不服，可以自收到本意见书之日起三十日内向上一级行政机关提出复查申请。"
            if petition.level == "first"
            else "如对本复查意见不服，可以自收到本意见书之日起三十日内提出复核申请。"
            if petition.level == "review"
            else "本复核意见为最终意见。"
        )
        return ("信访事项答复意见书" if petition.level == "first" else "信访事项复查（复核）意见书"), paragraphs
    if kind == "extension":
        if not petition.extension_approved:
            raise invalid(None, _("No extension has been approved."), code="no_extension")
        return "信访事项延期办理告知书", [
            f"您于{received}反映的“{subject}”事项，因{escape(petition.extension_reason)}，"
            f"经批准，办理期限延长{petition.extension_days}日。",
            "特此告知。",
        ]
    raise invalid(None, _("Unknown letter."), code="unknown_letter")


def render_letter(petition: Petition, kind: str) -> bytes:
    """A letter to the petitioner is in Chinese whatever the language of the page that prints it."""
    with translation.override("zh-hans"):
        return _render(petition, kind)


def _render(petition: Petition, kind: str) -> bytes:
    title, paragraphs = _paragraphs(petition, kind)
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        topMargin=30 * mm,
        bottomMargin=25 * mm,
        title=title,
        author=_bureau_name(petition),
    )
    story = [
        Paragraph(title, styles["title"]),
        Paragraph(f"编号：{petition.case.number}", styles["number"]),
        Paragraph(f"{escape(petition.petitioner_name)}：", styles["to"]),
        Spacer(1, 4 * mm),
    ]
    story += [Paragraph(p, styles["body"]) for p in paragraphs]
    story += [
        Spacer(1, 16 * mm),
        Paragraph(_bureau_name(petition), styles["sign"]),
        Paragraph(_cn_date(timezone.localdate()), styles["sign"]),
    ]
    doc.build(story)
    return buffer.getvalue()
