"""The annual report (年度工作数据): the figures the bureau's yearly review quotes, for an area and a year.

Each figure is a ``Line``: the indicator, measure (and dimension value) whose cockpit cells give it, its unit and
how it is written (money in 万元 with four decimals, as the bureau writes it), and what the demo's figure is
(calibrated to the bureau's published one, synthetic, or not recorded on the platform at all). The report is read
from the cockpit's cells only, never from the registers, so the report and the cockpit never disagree; a line
whose indicator is not declared (or whose dimension value no register holds) says "not recorded".

The report's year is a calendar year (``2026``: the year's cells, as the cockpit shows them) or the twelve months
to a month (``2026-11``: 2025-12 … 2026-11, the sum of the twelve months' cells), for a year of payments that
does not start in January. A figure of now (the grids, the leaders, the Party ages) is the cockpit's figure of
now, whatever the year, and the report says when it is as of.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cockpit.kit import Indicator, get
from cockpit.models import Cell
from cockpit.selectors import as_of
from core.errors import invalid
from regions.models import Designation, Region

YEAR = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")

#: how the demo's figure of a line was made (said on the report)
CALIBRATED, SYNTHETIC, NOT_RECORDED = "calibrated", "synthetic", "not_recorded"
DEMO_WORDS = {
    CALIBRATED: _("demo: calibrated to the bureau's published figure"),
    SYNTHETIC: _("demo: synthetic"),
    NOT_RECORDED: _("not recorded on the platform"),
}
#: how a figure is written: a count, or an amount of money in 万元 with four decimals
COUNT, WAN = "count", "wan"
TEN_THOUSAND = Decimal(10000)
FOUR_PLACES = Decimal("0.0001")
FEN = Decimal("0.01")

PLACES = pgettext_lazy("report unit", "places")
PEOPLE = pgettext_lazy("report unit", "people")
UNITS = pgettext_lazy("report unit", "organisations")
WAN_YUAN = pgettext_lazy("report unit", "10,000 yuan")
NO_REGISTER = _("not recorded on the platform (no register yet)")
NOT_COUNTED = _("not recorded on the platform (no indicator counts it yet)")


@dataclass(frozen=True)
class Source:
    """The cells a figure is read from: an indicator's measure, for one value of one of its dimensions (the
    stations of one designation, one program's payments) or for all of them."""

    indicator: str
    measure: str
    dim: str = ""
    #: the dimension's value, or a word its name holds (a program's key is its number: "医疗" finds it by name)
    value: str = ""


@dataclass(frozen=True)
class Line:
    key: str
    label: Any
    unit: Any
    #: where the figure is read from, the first of them that is declared (a module may count it either way);
    #: none: no register holds it
    sources: tuple[Source, ...] = ()
    show: str = COUNT
    demo: str = SYNTHETIC
    #: why it is not recorded, when no register (or no value of the dimension) holds it
    absent: Any = NO_REGISTER
    #: the bureau's published figure, which the demo is calibrated to where ``demo`` says so
    published: str = ""


LINES: tuple[Line, ...] = (
    Line("grids", _("“老兵壹家” service grids"), PLACES,
         (Source("network.grids", "grids"), Source("network.grids", "count")), demo=CALIBRATED, published="412"),
    Line("leaders", _("Grid leaders (班长/轮值站长) appointed"), PEOPLE, (Source("network.leaders", "appointed"),),
         demo=CALIBRATED, published="420"),
    Line("national_model", _("National model service centres and stations (全国示范型)"), PLACES,
         (Source("network.stations", "stations", "designation", Designation.NATIONAL_MODEL.value),
          Source("network.stations", Designation.NATIONAL_MODEL.value)), demo=CALIBRATED, published="9"),
    Line("provincial_fengqiao", _("Provincial “Fengqiao” service centres and stations (省级“枫桥式”)"), PLACES,
         (Source("network.stations", "stations", "designation", Designation.PROVINCIAL_FENGQIAO.value),
          Source("network.stations", Designation.PROVINCIAL_FENGQIAO.value)), demo=CALIBRATED, published="18"),
    Line("pensions", _("Pensions and subsidies paid (抚恤补助)"), WAN_YUAN, (Source("benefits.paid", "amount"),),
         show=WAN, demo=CALIBRATED, published="2216.7824"),
    Line("medical", _("Medical subsidies approved and paid (医疗补助)"), WAN_YUAN,
         (Source("benefits.paid", "amount", "program", "医疗"),), show=WAN, demo=NOT_RECORDED,
         absent=_("not recorded on the platform (paid through medical insurance)"), published="369.7388"),
    Line("party50", _("Veterans with 50 or more years in the Party"), PEOPLE, (Source("veterans.living", "party50"),),
         demo=CALIBRATED, published="567"),
    Line("disabled_new", _("New disabled veterans' certificates issued"), PEOPLE,
         (Source("veterans.disabled_new", "count"),), published="150"),
    Line("units_commended", _("Units commended for 双拥 (双拥先进单位)"), UNITS, demo=NOT_RECORDED, published="30"),
    Line("people_commended", _("People commended for 双拥 (双拥先进个人)"), PEOPLE, demo=NOT_RECORDED,
         published="58"),
    Line("association", _("Member companies of the private enterprises' 拥军协会"), UNITS, demo=NOT_RECORDED,
         published="128"),
)  # fmt: skip


@dataclass(frozen=True)
class Span:
    """The report's year: a calendar year, or the twelve months to a month."""

    asked: str
    months: tuple[str, ...]

    @property
    def calendar(self) -> bool:
        return len(self.asked) == 4

    @property
    def label(self) -> str:
        if self.calendar:
            return f"{self.asked}年"
        first, last = self.months[0], self.months[-1]
        return f"{first[:4]}年{int(first[5:])}月至{last[:4]}年{int(last[5:])}月"


def parse_year(value: str, today: dt.date | None = None) -> Span:
    """``2026`` (January to December) or ``2026-11`` (the twelve months 2025-12 … 2026-11); this year when
    empty."""
    value = (value or "").strip() or str((today or timezone.localdate()).year)
    found = YEAR.match(value)
    if not found or not 2000 <= int(found.group(1)) <= 2100:
        raise invalid("year", _("The report's year is a year (2026) or the month a twelve-month year ends with "
                                "(2026-11)."), code="bad_year")  # fmt: skip
    year, month = int(found.group(1)), int(found.group(2) or 12)
    months = []
    for back in range(11, -1, -1):
        y, m = divmod(year * 12 + month - 1 - back, 12)
        months.append(f"{y}-{m + 1:02d}")
    return Span(value, tuple(months))


@dataclass
class Figure:
    line: Line
    #: None: not recorded on the platform (``note`` says why)
    value: Decimal | None
    #: "" a figure of now, else the period it is counted for ("2026", or the span "2025-12/2026-11")
    period: str = ""
    #: the cells it was read from (None: no indicator counts it), and the dimension's value
    source: Source | None = None
    dim_key: str = ""
    note: Any = ""
    as_of: dt.datetime | None = None

    @property
    def shown(self) -> str:
        """The figure as the bureau writes it: 412, 2216.7824 (万元); "" when it is not recorded."""
        if self.value is None:
            return ""
        return str(wan(self.value)) if self.line.show == WAN else str(int(self.value))

    @property
    def number(self) -> Decimal | int | None:
        """The figure as a number in its unit (万元 for money), for a spreadsheet and the API."""
        if self.value is None:
            return None
        return wan(self.value) if self.line.show == WAN else int(self.value)

    @property
    def demo_words(self) -> Any:
        return DEMO_WORDS[NOT_RECORDED if self.value is None else self.line.demo]


@dataclass
class Report:
    area: Region
    span: Span
    figures: list[Figure]

    @property
    def as_of(self) -> dt.datetime | None:
        """The oldest of its figures' times: every figure is at least this current."""
        return min((f.as_of for f in self.figures if f.as_of), default=None)

    @property
    def title(self) -> str:
        return f"{self.area.name}{self.span.label}退役军人工作数据"


def wan(yuan: Decimal) -> Decimal:
    return (yuan / TEN_THOUSAND).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def _periods(indicator: Indicator, span: Span) -> tuple[list[str], str] | None:
    """The cells' periods that make the line's figure, and the period it is said to be for; None when the
    indicator cannot be counted for the span (counted by quarter, or a distinct count that months cannot sum)."""
    if indicator.period is None:
        return [""], ""
    if span.calendar:
        return [span.asked], span.asked
    if indicator.period.grain != "month":
        return None
    return list(span.months), f"{span.months[0]}/{span.months[-1]}"


def _declared(line: Line) -> tuple[Source, Indicator] | None:
    """The first of the line's sources whose indicator is declared with that measure (and dimension)."""
    for source in line.sources:
        indicator = get(source.indicator)
        if (
            indicator is not None
            and source.measure in {m.key for m in indicator.measures}
            and (not source.dim or indicator.dim(source.dim) is not None)
        ):
            return source, indicator
    return None


def _dim_key(source: Source, indicator: Indicator) -> str | None:
    """The dimension's value the source names: its key, or the first whose name holds the word; None: none."""
    dim = indicator.dim(source.dim)
    names = dim.names() if dim is not None else {}
    if source.value in names:
        return source.value
    return next((key for key, name in names.items() if source.value in str(name)), None)


def _figure(line: Line, area: Region, span: Span, stamps: dict[str, dt.datetime]) -> Figure:
    if not line.sources:
        return Figure(line, None, note=line.absent)
    found = _declared(line)
    if found is None:
        return Figure(line, None, note=NOT_COUNTED)
    source, indicator = found
    key = _dim_key(source, indicator) if source.dim else ""
    if key is None:
        return Figure(line, None, source=source, note=line.absent)
    if indicator.key not in stamps:
        return Figure(line, None, source=source, note=_("not counted by the cockpit yet"))
    periods = _periods(indicator, span)
    # the cells hold what the kit counted: months sum to a year only for an additive measure, a dimension is
    # counted by month only for an indicator that crosses them (``cross``), a year only for a yearly one
    summable = indicator.measure(source.measure).additive and (not source.dim or indicator.cross)
    yearly = indicator.period is None or indicator.period.yearly
    if periods is None or (len(periods[0]) > 1 and not summable) or (span.calendar and not yearly):
        return Figure(line, None, source=source, note=_("not counted by month: ask for a calendar year"))
    column = f"m{[m.key for m in indicator.measures].index(source.measure)}"
    total = Cell.objects.filter(
        own=False, region_code=area.code, indicator=indicator.key, dim=source.dim, key=key, period__in=periods[0],
    ).aggregate(total=Sum(column))["total"]  # fmt: skip
    value = Decimal(total or 0).quantize(FEN)
    return Figure(line, value, periods[1], source=source, dim_key=key, as_of=stamps[indicator.key])


def annual_report(area: Region, span: Span) -> Report:
    """The report's figures for the area (the caller's, checked by ``scoped_area``) and the span."""
    stamps = as_of()
    return Report(area, span, [_figure(line, area, span, stamps) for line in LINES])


def period_words(figure: Figure, span: Span) -> Any:
    """What a figure is counted for: now, or the report's year."""
    if figure.value is None:
        return ""
    return span.label if figure.period else _("now")


def notes(report: Report) -> list[str]:
    """The report's footer: where its figures come from, which are the demo's synthetic ones, and when they are
    as of."""
    said = [
        str(_("The figures are the cockpit's aggregates (the same the cockpit shows), not counted from the "
              "registers for this report.")),
        str(_("On the demo the people are synthetic; the grids, the grid leaders, the stations' designations, the "
              "Party ages and the amounts paid are calibrated to the bureau's published figures; the other "
              "figures are synthetic.")),
        str(_("“Not recorded on the platform”: no register of the platform holds these figures yet, or another "
              "department pays them.")),
    ]  # fmt: skip
    for key in dict.fromkeys(f.source.indicator for f in report.figures if f.source and f.value is not None):
        indicator = get(key)
        if indicator is not None and str(indicator.note):
            said.append(f"{indicator.name}：{indicator.note}")
    stamp = report.as_of
    if stamp is not None:
        local = timezone.localtime(stamp)
        said.append(str(_("Figures as of %(time)s (Beijing time).") % {"time": f"{local:%Y-%m-%d %H:%M}"}))
    else:
        said.append(str(_("The cockpit has not counted any of these figures yet.")))
    return said
