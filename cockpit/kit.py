"""Indicators, declared by the modules: what the cockpit counts, by what, and where its records are.

A module says, in its own ``indicators.py`` (found by the cockpit at start-up, never listed in it)::

    from cockpit.kit import Dim, Indicator, Measure, Period, declare

    declare(Indicator(
        key="petitions.received", group=_("Petitions"), name=_("Petitions received"),
        source=lambda: Petition.objects.all(),
        measures=(Measure("count", _("received"), Count("id")),
                  Measure("on_time", _("accepted on time"), Count("id", filter=Q(...)))),
        rate=("on_time", "count"),
        period=Period("month", "received_on"),
        dims=(Dim("channel", _("Channel"), "channel", labels=dict(Channel.choices)),),
        watch=("process:petition",),
        records=records("petitions:list", channel="channel"),
    ))

and the cockpit keeps, for every region from the grid up to the province, every period and every value of every
dimension, the measures of the records registered there: counted from ``source()`` with one ``GROUP BY`` per
dimension and period grain when it is built, and again for the regions a watched event names when it is
refreshed (``cockpit.refresh``). A measure is a SQL aggregate over the rows of its region; a distinct count is
exact across regions (each record is in one region) and is counted anew for a year rather than summed from its
months.

``watch`` names what makes the indicator stale: ``"process:<key>"`` (the engine's case and subject events for
that process), ``"model:<app_label.Model>"`` (the ``records_changed`` event and the subject events of that model)
or the name of a module's own event (``"points_booked"``). The refresh finds the regions in the event's payload.
"""

from __future__ import annotations

import datetime as dt
import re
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import CharField, Count, Expression, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat, ExtractMonth, ExtractQuarter, ExtractYear, LPad, Substr
from django.urls import reverse
from django.utils import timezone

from core.figures import percent

#: the period grains an indicator may be counted by (besides the year, always)
GRAINS = ("month", "quarter")
#: the most measures an indicator may have (the cells' columns)
MAX_MEASURES = 8


@dataclass(frozen=True)
class Measure:
    key: str
    label: Any
    #: a SQL aggregate over the source's rows (Count("id"), Sum("amount"), Count("veteran_id", distinct=True)), or
    #: a function that makes one when the cells are counted (one that depends on the day)
    aggregate: Any
    #: the unit shown beside it (人, 件, 元)
    unit: Any = ""
    #: an amount of money (shown in 万元 on the cockpit, to the fen in the downloads)
    money: bool = False

    def expression(self) -> Any:
        return self.aggregate() if isinstance(self.aggregate, types.FunctionType) else self.aggregate

    @property
    def additive(self) -> bool:
        """A sum, or a count of rows: the sum of its parts' values is the whole's."""
        aggregate = self.expression()
        return isinstance(aggregate, Sum) or (
            isinstance(aggregate, Count) and not getattr(aggregate, "distinct", False)
        )


@dataclass(frozen=True)
class Dim:
    key: str
    label: Any
    #: the field (or an expression, or a function that makes one when the cells are counted) whose value is the
    #: dimension's value
    expr: str | Expression | Callable[[], Expression]
    #: the values' names ({"army": "陆军"}), or a callable that gives them (read when shown)
    labels: Mapping[str, Any] | Callable[[], Mapping[str, Any]] = field(default_factory=dict)
    #: the values in the order they are shown (else the labels' order, then the rest by value)
    order: tuple[str, ...] = ()

    def names(self) -> Mapping[str, Any]:
        return self.labels() if callable(self.labels) else self.labels

    def expression(self) -> Expression:
        if isinstance(self.expr, str):
            expr: Any = F(self.expr)
        elif isinstance(self.expr, types.FunctionType):
            expr = self.expr()
        else:
            expr = self.expr
        return Cast(expr, CharField())


@dataclass(frozen=True)
class Period:
    """The records are counted by month or quarter (and by year) of a date: ``field`` a date or a date-time
    (read in Asia/Shanghai); ``stored=True`` when the field already holds the quarter as ``2026Q1``. Only the
    last ``years`` years are counted (this one included): the cockpit shows recent years, and the cells of every
    month since the registry began would outnumber the records."""

    grain: str
    field: str
    stored: bool = False
    years: int = 5
    #: counted for each year too; a distinct count of people (taking part in a quarter) may not be wanted by year,
    #: and counting it is a pass of its own over the register: a year then reads its latest quarter or month
    yearly: bool = True

    def __post_init__(self) -> None:
        if self.grain not in GRAINS:
            raise ValueError(f"a period's grain is one of {GRAINS}, not {self.grain!r}")

    def window(self, today: dt.date | None = None) -> Q:
        """The records of the years it counts."""
        first = (today or timezone.localdate()).year - self.years + 1
        if self.stored:
            return Q(**{f"{self.field}__gte": f"{first}"})
        return Q(**{f"{self.field}__year__gte": first})

    def expressions(self) -> dict[str, Expression]:
        """The expression of each grain's key: ``{"month": ..., "year": ...}``."""
        if self.stored:
            found: dict[str, Expression] = {self.grain: Cast(F(self.field), CharField())}
            return found | ({"year": Substr(self.field, 1, 4)} if self.yearly else {})
        year = Cast(ExtractYear(self.field), CharField())
        if self.grain == "month":
            fine: Expression = Concat(
                year, Value("-"), LPad(Cast(ExtractMonth(self.field), CharField()), 2, Value("0")),
                output_field=CharField(),
            )  # fmt: skip
        else:
            fine = Concat(year, Value("Q"), Cast(ExtractQuarter(self.field), CharField()), output_field=CharField())
        return {self.grain: fine} | ({"year": year} if self.yearly else {})


#: ``records(region_code, filters)``: the list page behind a figure, with its filter applied (None: no page)
Records = Callable[[str, Mapping[str, str]], str | None]


@dataclass(frozen=True)
class Indicator:
    key: str
    #: the cockpit's section it is shown in ("Veterans", "Payments")
    group: Any
    name: Any
    #: the rows it counts (every record, whatever its region; the cockpit adds the region)
    source: Callable[[], QuerySet[Any]]
    measures: tuple[Measure, ...]
    #: the source's field holding the record's region code
    region: str = "region_code"
    dims: tuple[Dim, ...] = ()
    period: Period | None = None
    #: (numerator, denominator): the indicator is shown as a rate, numerator ÷ denominator in percent
    rate: tuple[str, str] | None = None
    watch: tuple[str, ...] = ()
    records: Records | None = None
    #: its figures depend on the day (an age band, a contact's frequency): rebuilt in full once a day
    daily: bool = False
    #: its dimensions are counted for each month or quarter too (else for each year only): points by aspect in a
    #: quarter. Each crossing multiplies the cells, so only where the bureau reads it
    cross: bool = False
    #: how it is shown: "bar" (by region), "pie" (by its first dimension), "line" (by period), "rank"
    chart: str = "bar"
    order: int = 100
    #: where its figures are calibrated to the seed page's or synthetic on the demo (said on the report)
    note: Any = ""

    def __post_init__(self) -> None:
        keys = [m.key for m in self.measures]
        if not keys or len(set(keys)) != len(keys) or len(keys) > MAX_MEASURES:
            raise ValueError(f"{self.key}: 1 to {MAX_MEASURES} measures must be given, each with a key of its own")
        if self.rate and not set(self.rate) <= set(keys):
            raise ValueError(f"{self.key}: the rate's measures {self.rate} are not among {keys}")
        if len({d.key for d in self.dims}) != len(self.dims) or any(d.key in ("", "region", "period")
                                                                   for d in self.dims):  # fmt: skip
            raise ValueError(f"{self.key}: each dimension needs a key of its own (not region or period)")

    @property
    def headline(self) -> Measure:
        return self.measures[0]

    def measure(self, key: str) -> Measure:
        return next(m for m in self.measures if m.key == key)

    def dim(self, key: str) -> Dim | None:
        return next((d for d in self.dims if d.key == key), None)

    def grains(self) -> dict[str, Expression | None]:
        """Each period grain's key expression; ``{"": None}`` for a figure of now."""
        return dict(self.period.expressions()) if self.period else {"": None}

    def rows(self) -> QuerySet[Any]:
        """The rows it counts: its source, within its period's years."""
        return self.source().filter(self.period.window()) if self.period else self.source()

    def combos(self) -> list[tuple[str, Expression, Expression]]:
        """(dimension, its value's expression, the period's) of every set of cells it has: the total and each
        dimension for a figure of now and for each year; for each month or quarter the total, and the dimensions
        too when it is ``cross``."""
        return [(dim, expr, period) for dim, expr, _grain, period in self.sets()]

    def sets(self) -> list[tuple[str, Expression, str, Expression]]:
        """``combos`` with each one's grain ("" now, "year", "month", "quarter")."""
        total: Expression = Value("", output_field=CharField())
        dims = [(d.key, Coalesce(d.expression(), Value(""), output_field=CharField())) for d in self.dims]
        found: list[tuple[str, Expression, str, Expression]] = []
        for grain, period in self.grains().items():
            key = period if period is not None else Value("", output_field=CharField())
            found.append(("", total, grain, key))
            if grain in ("", "year") or self.cross:
                found += [(dim, expr, grain, key) for dim, expr in dims]
        return found

    @property
    def additive(self) -> bool:
        """Every measure is a sum or a count of rows (not of distinct values): a year's cells are the sum of its
        months', a total the sum over a dimension's values."""
        return all(m.additive for m in self.measures)

    def crossed(self, period: str) -> bool:
        """Whether its dimensions are counted for this period (a year, or any period when ``cross``)."""
        return self.cross or len(period) <= 4

    def value(self, values: Mapping[str, Decimal]) -> Decimal | None:
        """Its headline: the rate when it is one, else its first measure."""
        if self.rate:
            num, den = self.rate
            return percent(int(values.get(num, 0)), int(values.get(den, 0)))
        return values.get(self.headline.key, Decimal(0))


INDICATORS: dict[str, Indicator] = {}


def declare(indicator: Indicator) -> Indicator:
    """Add an indicator (or replace one by its key, as a reloaded module does)."""
    INDICATORS[indicator.key] = indicator
    return indicator


def declared() -> list[Indicator]:
    return sorted(INDICATORS.values(), key=lambda i: (i.order, i.key))


def get(key: str) -> Indicator | None:
    return INDICATORS.get(key)


def records(url_name: str, *, region: str = "region", fixed: Mapping[str, str] | None = None,
            **params: str) -> Records:  # fmt: skip
    """The list page behind a figure: ``url_name`` with the region as ``?region=`` (or the given parameter) and
    each dimension's value as the parameter named for it (``category="category"``); a filter the page does not
    take (another dimension's) gives no link rather than a wrong one."""

    def url(region_code: str, filters: Mapping[str, str]) -> str | None:
        query: dict[str, str] = dict(fixed or {})
        query[region] = region_code
        for dim, value in filters.items():
            if dim not in params:
                return None
            query[params[dim]] = value
        return f"{reverse(url_name)}?{urlencode(query)}"

    return url


#: a period as the cells and the records links name it: a year (2026), a month (2026-03) or a quarter (2026Q1)
PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|Q([1-4]))?$")


def period_days(period: str) -> tuple[dt.date, dt.date] | None:
    """The first day of a period (2026, 2026-03, 2026Q1) and the first day after it; None for anything else
    (a list page that takes a figure's period filters its records by these)."""
    found = PERIOD.match(period or "")
    if not found or not 2000 <= int(found.group(1)) <= 2100:
        return None
    year, month, quarter = int(found.group(1)), found.group(2), found.group(3)
    first, months = (int(month), 1) if month else ((int(quarter) - 1) * 3 + 1, 3) if quarter else (1, 12)
    end = first + months
    return dt.date(year, first, 1), dt.date(year + (end - 1) // 12, (end - 1) % 12 + 1, 1)


def all_keys(values: Iterable[str], dim: Dim) -> list[str]:
    """A dimension's values in the order they are shown."""
    names = dim.names()
    first = [k for k in (dim.order or tuple(names)) if k in values]
    return first + sorted(set(values) - set(first))
