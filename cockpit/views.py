"""The cockpit's pages: an area's indicators as cards (headline, chart, table), one indicator broken down one
level with its data as xlsx and a schematic map of the areas under it, and the big screen (大屏).

Every figure is read from the cockpit's cells (``cockpit.selectors``). The charts are drawn by
``static/js/cockpit.js`` from the JSON the page embeds with ``json_script`` (the policy runs no inline script);
the headlines and the tables are plain HTML, so the page reads without script and prints.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from cockpit import kit, selectors
from cockpit.kit import Indicator, Measure
from cockpit.selectors import BY_PERIOD, BY_REGION, Figure, Row
from core.access import page
from core.imports import neutralise
from core.types import AuthedRequest
from regions.models import Region
from regions.selectors import scoped_area

TEN_THOUSAND = Decimal(10000)
#: the bureau writes money in 万元 to four decimals (2216.7824 万元): to the yuan
WAN = Decimal("0.0001")
#: the years offered in the period's list
YEARS_BACK = 5
#: the big screen reloads itself (seconds); the cells are refreshed by the worker every few minutes
SCREEN_REFRESH = 300
#: the big screen's charts besides its map, and its headlines (the first indicators, by their order)
SCREEN_CHARTS = 4
SCREEN_TILES = 12
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the figures as the bureau writes them ------------------------------------------------------------------------


def wan(value: Decimal) -> Decimal:
    """An amount in 元 as 万元, to four decimals."""
    return (Decimal(value) / TEN_THOUSAND).quantize(WAN)


def amount(measure: Measure, value: Decimal) -> str:
    """A measure's value as shown: money in 万元, a count as a whole number."""
    return f"{wan(value)}" if measure.money else f"{int(value)}"


def unit_of(measure: Measure) -> str:
    return _("10,000 yuan") if measure.money else str(measure.unit)


def headline(indicator: Indicator, values: dict[str, Decimal]) -> tuple[str, str]:
    """(the figure, its unit): a rate in %, money in 万元, a count with its unit."""
    if indicator.rate:
        value = indicator.value(values)
        return ("—" if value is None else f"{value}", "%")
    measure = indicator.headline
    return amount(measure, values.get(measure.key, Decimal(0))), unit_of(measure)


def chart_value(indicator: Indicator, values: dict[str, Decimal]) -> str | None:
    """The number a chart draws for a row (as text: the script reads it; money in 万元)."""
    value = indicator.value(values)
    if value is None:
        return None
    if indicator.rate:
        return f"{value}"
    return f"{wan(value)}" if indicator.headline.money else f"{int(value)}"


def period_label(period: str) -> str:
    if not period:
        return _("now")
    if len(period) == 4:
        return _("%(year)s (year)") % {"year": period}
    if "Q" in period:
        return _("%(year)s Q%(quarter)s") % {"year": period[:4], "quarter": period[-1]}
    return _("%(year)s-%(month)s") % {"year": period[:4], "month": int(period[5:])}


def as_of_label(stamp: dt.datetime | None) -> str:
    return timezone.localtime(stamp).strftime("%Y-%m-%d %H:%M") if stamp else ""


# --- the area and the period asked ---------------------------------------------------------------------------------


@dataclass
class Asked:
    area: Region | None
    period: str
    error: str = ""

    @property
    def status(self) -> int:
        return 400 if self.error else 200


def asked(request: AuthedRequest) -> Asked:
    """The area (within the user's) and the period of the query; a bad one is said and the user's own area this
    year is shown instead."""
    try:
        return Asked(scoped_area(request.user, request.GET.get("region", "")),
                     selectors.parse_period(request.GET.get("period", "")))  # fmt: skip
    except ValidationError as exc:
        error = exc.messages[0]
    try:
        area: Region | None = scoped_area(request.user, "")
    except ValidationError:
        area = None
    return Asked(area, selectors.parse_period(""), error)


def trail(user: Any, area: Region) -> list[Region]:
    """The areas from the user's own down to this one (the breadcrumb)."""
    chain = [area]
    root = user.scope_region_id
    while chain[-1].pk != root and (parent := chain[-1].parent) is not None:
        chain.append(parent)
    return list(reversed(chain))


def periods(period: str) -> list[tuple[str, str]]:
    """The periods offered: the last years, and the months of the asked period's year up to this month."""
    today = timezone.localdate()
    years = [str(today.year - i) for i in range(YEARS_BACK)]
    year = period[:4]
    last = today.month if int(year) == today.year else 12 if int(year) < today.year else 0
    months = [f"{year}-{m:02d}" for m in range(1, last + 1)]
    offered = [*years, *months]
    if period not in offered:
        offered.append(period)
    return [(p, period_label(p)) for p in offered]


def here(name: str, args: tuple[Any, ...] = (), **query: str) -> str:
    kept = {k: v for k, v in query.items() if v}
    return reverse(name, args=args) + (f"?{urlencode(kept)}" if kept else "")


# --- cards, tables and charts --------------------------------------------------------------------------------------


@dataclass
class Cell:
    header: str
    text: str
    link: str | None = None


@dataclass
class Line:
    label: str
    #: the same page for the area under (None: nothing under it)
    drill: str | None
    cells: list[Cell]
    rank: int | None = None


@dataclass
class Table:
    first: str
    headers: list[str]
    lines: list[Line]
    ranked: bool = False


@dataclass
class Card:
    figure: Figure
    value: str
    unit: str
    by: str
    chart_id: str
    table: Table
    link: str
    as_of: str
    #: the breakdown's rows (the big screen's map is drawn from the first card by area)
    rows: list[Row] = field(default_factory=list)


def way_of(indicator: Indicator) -> str:
    """How a card breaks its indicator down: a pie by its first dimension, a line by period, else by area."""
    if indicator.chart == "pie" and indicator.dims:
        return indicator.dims[0].key
    if indicator.chart == "line" and indicator.period:
        return BY_PERIOD
    return BY_REGION


def kind_of(indicator: Indicator, by: str) -> str:
    if by == BY_REGION:
        return "rank" if indicator.chart == "rank" else "bar"
    return "line" if by == BY_PERIOD else "pie"


def way_label(indicator: Indicator, by: str) -> str:
    """The name of a way of breaking it down (the area, a dimension, the month), as the kit names it."""
    return str(dict(selectors.breakdowns(indicator)).get(by, by))


def ranked(rows: list[Row]) -> list[Row]:
    """The areas by their value, highest first (those with nothing to rate last)."""
    return sorted(rows, key=lambda r: (r.value is None, -(r.value or 0), r.key))


def table(indicator: Indicator, rows: list[Row], by: str, drill: Any, rank: bool = False) -> Table:
    """The breakdown as a table: a line a row, a column a measure (and the rate); the headline's count links
    to the records behind it."""
    first = way_label(indicator, by)
    headers = [f"{m.label}（{unit_of(m)}）" if unit_of(m) else str(m.label) for m in indicator.measures]
    if indicator.rate:
        headers.append(_("Rate (%)"))
    lines = []
    for i, row in enumerate(rows, 1):
        cells = [Cell(header, amount(m, row.values.get(m.key, Decimal(0))),
                      row.records if m is indicator.headline else None)
                 for header, m in zip(headers, indicator.measures, strict=False)]  # fmt: skip
        if indicator.rate:
            value = row.value
            cells.append(Cell(headers[-1], "—" if value is None else f"{value}"))
        label = period_label(row.key) if by == BY_PERIOD else str(row.label)
        lines.append(Line(label, drill(row) if by == BY_REGION and row.deeper else None, cells, i if rank else None))
    return Table(first, headers, lines, rank)


def chart_spec(indicator: Indicator, rows: list[Row], kind: str, drill: Any) -> dict[str, Any]:
    """What cockpit.js draws: the labels, the values (as text), and where a click on each goes."""
    return {
        "kind": kind,
        "unit": "%" if indicator.rate else unit_of(indicator.headline),
        "labels": [period_label(r.key) if kind == "line" else str(r.label) for r in rows],
        "values": [chart_value(indicator, r.values) for r in rows],
        "links": [drill(r) if kind in ("bar", "rank") and r.deeper else None for r in rows],
    }


def hex_map(indicator: Indicator, area: Region, rows: list[Row], drill: Any) -> dict[str, Any] | None:
    """A schematic map of the areas under this one: a hexagon each, in the order of their codes, row by row (the
    project has the divisions' codes, not their boundaries), as GeoJSON for echarts.registerMap."""
    under = [r for r in rows if r.key != area.code]
    if not under:
        return None
    columns = max(1, math.ceil(math.sqrt(len(under) * 1.5)))
    features, data = [], []
    for i, row in enumerate(under):
        line, column = divmod(i, columns)
        x = column * math.sqrt(3) + (line % 2) * math.sqrt(3) / 2
        y = -line * 1.5
        ring = [[round(x + 0.95 * math.cos(math.radians(30 + 60 * k)), 4),
                 round(y + 0.95 * math.sin(math.radians(30 + 60 * k)), 4)] for k in range(7)]  # fmt: skip
        features.append({"type": "Feature", "properties": {"name": row.key},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})  # fmt: skip
        data.append({"name": row.key, "label": str(row.label), "value": chart_value(indicator, row.values),
                     "link": drill(row) if row.deeper else None})  # fmt: skip
    return {"kind": "map", "map": f"area-{area.code}", "unit": "%" if indicator.rate else unit_of(indicator.headline),
            "geo": {"type": "FeatureCollection", "features": features}, "data": data}  # fmt: skip


def drill_to(name: str, period: str, args: tuple[Any, ...] = (), **query: str) -> Any:
    return lambda row: here(name, args, region=row.key, period=period, **query)


def cards(area: Region, period: str, page_name: str = "cockpit:home") -> tuple[list[Card], dict[str, Any]]:
    """Every indicator for the area and period, a card each, and the charts' JSON by the charts' ids; a bar of an
    area under this one opens the same page for it."""
    made, specs = [], {}
    drill = drill_to(page_name, period)
    for n, figure in enumerate(selectors.overview(area, period)):
        i = figure.indicator
        by = way_of(i)
        kind = kind_of(i, by)
        rows = selectors.breakdown(i, area, period, by)
        if kind == "rank":
            rows = ranked(rows)
        chart_id = f"chart-{n}"
        specs[chart_id] = chart_spec(i, rows, kind, drill)
        value, unit = headline(i, figure.values)
        made.append(Card(figure, value, unit, by, chart_id, table(i, rows, by, drill, rank=kind == "rank"),
                         here("cockpit:indicator", (i.key,), region=area.code, period=period, by=by),
                         as_of_label(figure.as_of), rows))  # fmt: skip
    return made, specs


def groups(made: list[Card]) -> list[tuple[str, list[Card]]]:
    """The cards by their indicators' groups, in the order the groups first come."""
    found: dict[str, list[Card]] = {}
    for card in made:
        found.setdefault(str(card.figure.indicator.group), []).append(card)
    return list(found.items())


def oldest(made: list[Card]) -> str:
    stamps = [c.figure.as_of for c in made if c.figure.as_of]
    return as_of_label(min(stamps)) if stamps else ""


# --- the pages -----------------------------------------------------------------------------------------------------


def _refused(request: AuthedRequest, error: str) -> HttpResponse:
    return render(request, "cockpit/refused.html", {"error": error}, status=400)


@page("cockpit.view", params=("region", "period"))
def home(request: AuthedRequest) -> HttpResponse:
    """Every indicator of the user's area (or an area under it) for a period, grouped, a card each; a bar of an
    area under it opens that area's cockpit."""
    got = asked(request)
    if got.area is None:
        return _refused(request, got.error)
    made, specs = cards(got.area, got.period)
    context = {
        "area": got.area, "period": got.period, "period_label": period_label(got.period),
        "periods": periods(got.period), "trail": trail(request.user, got.area), "groups": groups(made),
        "charts": specs, "as_of": oldest(made), "error": got.error,
        "screen": here("cockpit:screen", region=got.area.code, period=got.period),
    }  # fmt: skip
    return render(request, "cockpit/home.html", context, status=got.status)


def _breakdown(request: AuthedRequest, key: str) -> tuple[Indicator, Asked, str, list[Row]]:
    """The indicator, the area and period asked, the way (by=) and its rows; a bad way is said as a bad area
    or period is, and the rows are then by area."""
    indicator = kit.get(key)
    if indicator is None:
        raise Http404(key)
    got = asked(request)
    by = request.GET.get("by", "") or BY_REGION
    if got.area is None:
        return indicator, got, by, []
    try:
        return indicator, got, by, selectors.breakdown(indicator, got.area, got.period, by)
    except ValidationError as exc:
        got.error = got.error or exc.messages[0]
        return indicator, got, BY_REGION, selectors.breakdown(indicator, got.area, got.period, BY_REGION)


@page("cockpit.view", params=("region", "period", "by"), examples={"key": "veterans.living"})
def indicator(request: AuthedRequest, key: str) -> HttpResponse:
    """One indicator broken down one level (by area, a dimension or period): its table, its chart, its data as
    xlsx and, by area, a schematic map of the areas under this one."""
    i, got, by, rows = _breakdown(request, key)
    if got.area is None:
        return _refused(request, got.error)
    area, period = got.area, got.period
    figure = selectors.overview(area, period, [i.key])[0]
    drill = drill_to("cockpit:indicator", period, (i.key,), by=BY_REGION)
    kind = kind_of(i, by)
    if kind == "rank":
        rows = ranked(rows)
    charts = {"chart-main": chart_spec(i, rows, kind, drill)}
    mapped = hex_map(i, area, rows, drill) if by == BY_REGION else None
    if mapped:
        charts["chart-map"] = mapped
    value, unit = headline(i, figure.values)
    context = {
        "indicator": i, "figure": figure, "value": value, "unit": unit, "area": area, "period": period,
        "period_label": period_label(period), "periods": periods(period), "by": by,
        "ways": [(k, str(label), here("cockpit:indicator", (i.key,), region=area.code, period=period, by=k))
                 for k, label in selectors.breakdowns(i)],
        "trail": trail(request.user, area), "table": table(i, rows, by, drill, rank=kind == "rank"),
        "charts": charts, "mapped": bool(mapped), "as_of": as_of_label(figure.as_of), "error": got.error,
        "download": here("cockpit:indicator_xlsx", (i.key,), region=area.code, period=period, by=by),
        "back": here("cockpit:home", region=area.code, period=period),
    }  # fmt: skip
    return render(request, "cockpit/indicator.html", context, status=got.status)


SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")


def xlsx_bytes(indicator: Indicator, area: Region, period: str, by: str, rows: list[Row],
               as_of: dt.datetime | None) -> bytes:  # fmt: skip
    """The breakdown as a sheet: Chinese headers, money in 元 to the fen and counts as numbers, a total line."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE.sub(" ", str(indicator.name))[:31] or "Sheet")

    def cell(value: Any, money: bool = False) -> Any:
        made = WriteOnlyCell(sheet, value=neutralise(value))
        if money:
            made.number_format = "0.00"
        elif isinstance(value, Decimal):
            made.number_format = "0.0"
        return made

    stamp = as_of_label(as_of)
    sheet.append([f"{indicator.name} · {area.name} · {period_label(period)}"
                  + (f" · {_('as of %(time)s') % {'time': stamp}}" if stamp else "")])  # fmt: skip
    units = [_("yuan") if m.money else str(m.unit) for m in indicator.measures]
    headers = [way_label(indicator, by)] + [f"{m.label}（{unit}）" if unit else str(m.label)
                                            for m, unit in zip(indicator.measures, units, strict=True)]  # fmt: skip
    if indicator.rate:
        headers.append(_("Rate (%)"))
    sheet.append(headers)
    totals: dict[str, Decimal] = {}
    for row in rows:
        label = row.key if by == BY_PERIOD else str(row.label)
        line = [cell(label)]
        for m in indicator.measures:
            value = row.values.get(m.key, Decimal(0))
            totals[m.key] = totals.get(m.key, Decimal(0)) + value
            line.append(cell(value.quantize(Decimal("0.01")) if m.money else int(value), money=m.money))
        if indicator.rate:
            line.append(cell(row.value))
        sheet.append(line)
    if by != BY_PERIOD:  # the months of a year add up to it; the areas and the values of a dimension too
        total = [cell(_("Total"))] + [cell(totals.get(m.key, Decimal(0)).quantize(Decimal("0.01")) if m.money
                                           else int(totals.get(m.key, 0)), money=m.money)
                                      for m in indicator.measures]  # fmt: skip
        if indicator.rate:
            total.append(cell(indicator.value(totals)))
        sheet.append(total)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@page("cockpit.view", params=("region", "period", "by"), examples={"key": "veterans.living"})
def indicator_xlsx(request: AuthedRequest, key: str) -> HttpResponse:
    """The indicator's breakdown as xlsx. Like the other figures' downloads (the benefits' year figures), it
    holds counts and sums by area, no person's data, and is not audited."""
    i, got, by, rows = _breakdown(request, key)
    if got.area is None or got.error:
        return _refused(request, got.error)
    figure = selectors.overview(got.area, got.period, [i.key])[0]
    response = HttpResponse(xlsx_bytes(i, got.area, got.period, by, rows, figure.as_of), content_type=XLSX)
    name = f"{i.key}-{got.area.code}-{got.period}-{by}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@page("cockpit.view", params=("region", "period"))
def screen(request: AuthedRequest) -> HttpResponse:
    """The big screen (大屏, 1920×1080, dark): every headline, the map of the areas under this one by the first
    indicator, and the first indicators' charts; it reloads itself every few minutes."""
    got = asked(request)
    if got.area is None:
        return _refused(request, got.error)
    area, period = got.area, got.period
    made, specs = cards(area, period, "cockpit:screen")
    first = next((c for c in made if c.by == BY_REGION), None)
    mapped = hex_map(first.figure.indicator, area, first.rows, drill_to("cockpit:screen", period)) if first else None
    if mapped:
        specs["chart-map"] = mapped
    charted = [c for c in made if c is not first][:SCREEN_CHARTS]
    specs = {key: spec for key, spec in specs.items() if key == "chart-map" or key in {c.chart_id for c in charted}}
    context = {
        "area": area, "period": period, "period_label": period_label(period), "cards": made[:SCREEN_TILES],
        "charted": charted, "map_of": first, "mapped": bool(mapped), "charts": specs, "as_of": oldest(made),
        "error": got.error, "refresh": SCREEN_REFRESH, "back": here("cockpit:home", region=area.code, period=period),
        "up": here("cockpit:screen", region=area.parent.code, period=period)
        if area.parent is not None and area.pk != request.user.scope_region_id else "",
    }  # fmt: skip
    return render(request, "cockpit/screen.html", context, status=got.status)
