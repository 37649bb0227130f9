"""Reading the cockpit: an area's indicators for a period, one indicator broken down one level. Only the
cockpit's cells are read, never the registers (the area is the caller's, checked by ``scoped_area``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cockpit.kit import PERIOD, Indicator, all_keys, declared
from cockpit.models import MEASURES, Built, Cell
from core.errors import invalid
from regions.models import Region

COLUMNS = [f"m{n}" for n in range(MEASURES)]
#: the ways one indicator is broken down besides its dimensions
BY_REGION, BY_PERIOD = "region", "period"


def parse_period(value: str, today: dt.date | None = None) -> str:
    """``2026`` (a year), ``2026-03`` (a month) or ``2026Q1`` (a quarter); this year when empty."""
    value = (value or "").strip()
    if not value:
        return str((today or timezone.localdate()).year)
    found = PERIOD.match(value)
    if not found or not 2000 <= int(found.group(1)) <= 2100:
        raise invalid("period", _("A period is a year (2026), a month (2026-03) or a quarter (2026Q1)."),
                      code="bad_period")  # fmt: skip
    return value


def period_for(indicator: Indicator, period: str, today: dt.date | None = None) -> str:
    """The period an indicator's figure is read for: "" for a figure of now; the asked period when the
    indicator is counted by its grain; else the period's year, or, for one not counted by year, the year's
    latest month or quarter (up to today's)."""
    if indicator.period is None:
        return ""
    year = period[:4]
    grain = indicator.period.grain
    if len(period) > 4 and ("-" in period) == (grain == "month"):
        return period
    if indicator.period.yearly:
        return year
    today = today or timezone.localdate()
    last = today if str(today.year) == year else dt.date(int(year), 12, 1)
    return f"{year}-{last.month:02d}" if grain == "month" else f"{year}Q{(last.month - 1) // 3 + 1}"


@dataclass
class Figure:
    indicator: Indicator
    period: str
    values: dict[str, Decimal] = field(default_factory=dict)
    as_of: dt.datetime | None = None

    @property
    def value(self) -> Decimal | None:
        return self.indicator.value(self.values)

    def measure(self, key: str) -> Decimal:
        return self.values.get(key, Decimal(0))


def as_of() -> dict[str, dt.datetime]:
    return dict(Built.objects.values_list("indicator", "as_of"))


def overview(region: Region, period: str, keys: list[str] | None = None) -> list[Figure]:
    """Every indicator (or the named ones) for the area and the period."""
    indicators = [i for i in declared() if keys is None or i.key in keys]
    wanted = {i.key: period_for(i, period) for i in indicators}
    cells = Cell.objects.filter(
        own=False, region_code=region.code, dim="", indicator__in=list(wanted), period__in=set(wanted.values())
    ).values_list("indicator", "period", *COLUMNS)
    values: dict[str, dict[str, Decimal]] = {}
    by_key = {i.key: i for i in indicators}
    for key, p, *measures in cells:
        if wanted.get(key) == p:
            values[key] = named(by_key[key], measures)
    stamps = as_of()
    return [Figure(i, wanted[i.key], values.get(i.key, {}), stamps.get(i.key)) for i in indicators]


@dataclass
class Row:
    #: the region's code, the dimension's value or the period
    key: str
    label: Any
    values: dict[str, Decimal]
    indicator: Indicator
    #: the list page behind it (None: no page shows these records)
    records: str | None = None
    #: a region row: its level, and whether it has areas under it (a bar to go down by)
    level: str = ""
    deeper: bool = False

    @property
    def value(self) -> Decimal | None:
        return self.indicator.value(self.values)


def named(indicator: Indicator, measures: list[Decimal]) -> dict[str, Decimal]:
    """A cell's columns by the indicator's measures' keys."""
    return {m.key: measures[n] for n, m in enumerate(indicator.measures)}


def _rows_of(indicator: Indicator, cells: Any, field_name: str) -> dict[str, dict[str, Decimal]]:
    found: dict[str, dict[str, Decimal]] = {}
    for key, *measures in cells.values_list(field_name, *COLUMNS):
        found[key] = named(indicator, measures)
    return found


def breakdowns(indicator: Indicator) -> list[tuple[str, Any]]:
    """The ways it can be broken down: by region, by each dimension, by period (when counted by one)."""
    ways: list[tuple[str, Any]] = [(BY_REGION, _("Area"))]
    ways += [(d.key, d.label) for d in indicator.dims]
    if indicator.period:
        ways.append((BY_PERIOD, _("Month") if indicator.period.grain == "month" else _("Quarter")))
    return ways


def breakdown_period(indicator: Indicator, period: str, by: str) -> str:
    """The period a breakdown is read for: a dimension's values are counted by year unless the indicator crosses
    them with its months or quarters (``cross``)."""
    p = period_for(indicator, period)
    return p if by in (BY_REGION, BY_PERIOD) or indicator.crossed(p) else p[:4]


def breakdown(indicator: Indicator, region: Region, period: str, by: str = BY_REGION) -> list[Row]:
    """The indicator for the area broken down one level: the areas under it (and the records registered at the
    area itself, when there are some), a dimension's values, or the months (quarters) of the period's year."""
    p = breakdown_period(indicator, period, by)
    cells = Cell.objects.filter(indicator=indicator.key)
    link = indicator.records
    if by == BY_REGION:
        children = list(Region.objects.filter(parent=region).order_by("code").values_list("code", "name", "level"))
        deeper = set(Region.objects.filter(parent__code__in=[c for c, _n, _l in children])
                     .values_list("parent__code", flat=True).distinct())  # fmt: skip
        found = _rows_of(indicator, cells.filter(own=False, parent_code=region.code, period=p, dim=""), "region_code")
        period_filter = {BY_PERIOD: p} if p else {}
        rows = [
            Row(code, name, found.get(code, {}), indicator, link(code, period_filter) if link else None, level,
                code in deeper)
            for code, name, level in children
        ]  # fmt: skip
        own = _rows_of(indicator, cells.filter(own=True, region_code=region.code, period=p, dim=""), "region_code")
        if any(own.get(region.code, {}).values()):
            rows.append(Row(region.code, _("registered at %(area)s itself") % {"area": region.name},
                            own[region.code], indicator, None, region.level, False))  # fmt: skip
        return rows
    if by == BY_PERIOD:
        if indicator.period is None:
            raise invalid("by", _("This figure is not counted by period."), code="bad_breakdown")
        year = p[:4]
        found = _rows_of(indicator, cells.filter(own=False, region_code=region.code, dim="", period__startswith=year)
                         .exclude(period=year), "period")  # fmt: skip
        return [Row(key, key, found[key], indicator, link(region.code, {BY_PERIOD: key}) if link else None)
                for key in sorted(found)]  # fmt: skip
    dim = indicator.dim(by)
    if dim is None:
        raise invalid("by", _("This figure is not broken down that way."), code="bad_breakdown")
    found = _rows_of(indicator, cells.filter(own=False, region_code=region.code, dim=dim.key, period=p), "key")
    names = dim.names()
    return [Row(key, names.get(key, key or _("not recorded")), found[key], indicator,
                link(region.code, {dim.key: key}) if link and key else None)
            for key in all_keys(found, dim)]  # fmt: skip
