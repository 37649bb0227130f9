"""The cockpit's API: an area's indicators for a period, with the time they are as of, and one indicator broken
down one level (by area, by one of its dimensions, or by month or quarter). Read from the pre-aggregated cells
only; the area is the caller's (``region`` outside it: 400 ``unknown_region``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404
from ninja import Query, Router, Schema

from cockpit import kit, selectors
from core.access import endpoint
from core.types import AuthedRequest
from regions.selectors import scoped_area

router = Router(tags=["cockpit"])


class CockpitArea(Schema):
    code: str
    name: str
    level: str


class CockpitMeasure(Schema):
    key: str
    label: str
    unit: str
    #: an amount of money in 元 (two decimals), else a count
    money: bool
    value: Decimal


class CockpitIndicator(Schema):
    key: str
    group: str
    name: str
    #: "" for a figure of now, else the period it is counted for (the asked one, or its year)
    period: str
    #: the headline: a percentage with one decimal when the indicator is a rate (null: nothing to rate), else its
    #: first measure
    value: Decimal | None
    rate: bool
    measures: list[CockpitMeasure]
    #: the ways it can be broken down (``by=``)
    breakdowns: list[str]
    chart: str
    as_of: dt.datetime | None


class CockpitIndicators(Schema):
    area: CockpitArea
    period: str
    #: the oldest of the indicators' times: every figure is at least this current
    as_of: dt.datetime | None
    indicators: list[CockpitIndicator]


class CockpitRow(Schema):
    #: the area's code, the dimension's value or the period
    key: str
    label: str
    value: Decimal | None
    measures: dict[str, Decimal]
    #: the list page of the records behind it (null: no page lists them)
    records: str | None
    #: an area's level, and whether it has areas under it
    level: str
    deeper: bool


class CockpitBreakdown(Schema):
    indicator: CockpitIndicator
    area: CockpitArea
    by: str
    #: the period the rows are for: a dimension's values are counted by year (unless the indicator is counted by
    #: them for each month or quarter too), the areas for the indicator's own period
    period: str
    rows: list[CockpitRow]


def _area(region: Any) -> dict[str, str]:
    return {"code": region.code, "name": region.name, "level": region.level}


def indicator_out(figure: selectors.Figure) -> dict[str, Any]:
    i = figure.indicator
    return {
        "key": i.key, "group": str(i.group), "name": str(i.name), "period": figure.period, "value": figure.value,
        "rate": bool(i.rate), "chart": i.chart, "as_of": figure.as_of,
        "measures": [{"key": m.key, "label": str(m.label), "unit": str(m.unit), "money": m.money,
                      "value": figure.measure(m.key)} for m in i.measures],
        "breakdowns": [key for key, _label in selectors.breakdowns(i)],
    }  # fmt: skip


@router.get("/cockpit/indicators", response=CockpitIndicators, operation_id="cockpit_indicators")
@endpoint("cockpit.view")
def cockpit_indicators(
    request: AuthedRequest, region: str = Query("", max_length=15), period: str = Query("", max_length=7)
) -> dict[str, Any]:
    """Every indicator for your area (or ``region`` within it) and ``period`` (2026, 2026-03 or 2026Q1; this
    year when none is given)."""
    area = scoped_area(request.user, region)
    figures = selectors.overview(area, selectors.parse_period(period))
    stamps = [f.as_of for f in figures if f.as_of]
    return {"area": _area(area), "period": selectors.parse_period(period), "as_of": min(stamps, default=None),
            "indicators": [indicator_out(f) for f in figures]}  # fmt: skip


@router.get("/cockpit/indicators/{key}", response=CockpitBreakdown, operation_id="cockpit_indicator")
@endpoint("cockpit.view", errors=(404,), examples={"key": "veterans.living"})
def cockpit_indicator(
    request: AuthedRequest,
    key: str,
    region: str = Query("", max_length=15),
    period: str = Query("", max_length=7),
    by: str = Query(selectors.BY_REGION, max_length=30),
) -> dict[str, Any]:
    """One indicator broken down one level: ``by=region`` (the areas under yours), one of its dimensions, or
    ``period`` (the months or quarters of the year)."""
    indicator = kit.get(key)
    if indicator is None:
        raise Http404(key)
    area = scoped_area(request.user, region)
    p = selectors.parse_period(period)
    rows = selectors.breakdown(indicator, area, p, by)
    figure = selectors.overview(area, p, [indicator.key])[0]
    return {
        "indicator": indicator_out(figure), "area": _area(area), "by": by,
        "period": selectors.breakdown_period(indicator, p, by),
        "rows": [{"key": r.key, "label": str(r.label), "value": r.value, "measures": r.values, "records": r.records,
                  "level": r.level, "deeper": r.deeper} for r in rows],
    }  # fmt: skip
