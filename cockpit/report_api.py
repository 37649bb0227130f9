"""The annual report's API: the report's lines for your area (or ``region`` within it) and ``year``, read from the
cockpit's cells as the report's page and files are (``region`` outside your area: 400 ``unknown_region``; a bad
``year``: 400 ``bad_year``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Query, Router, Schema

from cockpit.report import NOT_RECORDED, WAN, annual_report, notes, parse_year
from core.access import endpoint
from core.types import AuthedRequest
from regions.selectors import scoped_area

router = Router(tags=["cockpit"])


class CockpitReportArea(Schema):
    code: str
    name: str
    level: str


class CockpitReportLine(Schema):
    key: str
    label: str
    #: the cockpit indicator, measure and dimension value the figure is read from ("" : no register holds it)
    indicator: str
    measure: str
    dim: str
    dim_key: str
    unit: str
    #: "count", or "wan" (money in 万元, four decimals)
    shown_as: str
    #: the figure in its unit (null: not recorded on the platform), and as the bureau writes it
    value: Decimal | None
    shown: str
    #: the amount in 元 to the fen, for money
    yuan: Decimal | None
    #: "" for a figure of now, else the year or the span ("2025-12/2026-11") it is counted for
    period: str
    #: how the demo's figure was made: "calibrated" (to the bureau's published figure), "synthetic", "not_recorded"
    demo: str
    note: str
    as_of: dt.datetime | None


class CockpitReport(Schema):
    area: CockpitReportArea
    year: str
    #: the twelve months the year's figures cover
    months: list[str]
    title: str
    #: the oldest of the figures' times
    as_of: dt.datetime | None
    lines: list[CockpitReportLine]
    notes: list[str]


@router.get("/cockpit/report", response=CockpitReport, operation_id="cockpit_report")
@endpoint("cockpit.view")
def cockpit_report(
    request: AuthedRequest, year: str = Query("", max_length=7), region: str = Query("", max_length=15)
) -> dict[str, Any]:
    """The annual report for your area (or ``region`` within it): ``year`` a year (2026, this year when none is
    given) or the month a twelve-month year ends with (2026-11: 2025-12 … 2026-11)."""
    span = parse_year(year)
    report = annual_report(scoped_area(request.user, region), span)
    lines = []
    for f in report.figures:
        line = f.line
        lines.append({
            "key": line.key, "label": str(line.label), "indicator": f.source.indicator if f.source else "",
            "measure": f.source.measure if f.source else "", "dim": f.source.dim if f.source else "",
            "dim_key": f.dim_key, "unit": str(line.unit), "shown_as": line.show,
            "value": f.number, "shown": f.shown, "yuan": f.value if line.show == WAN else None,
            "period": f.period, "demo": NOT_RECORDED if f.value is None else line.demo, "note": str(f.note),
            "as_of": f.as_of,
        })  # fmt: skip
    area = report.area
    return {"area": {"code": area.code, "name": area.name, "level": area.level}, "year": span.asked,
            "months": list(span.months), "title": report.title, "as_of": report.as_of, "lines": lines,
            "notes": notes(report)}  # fmt: skip
