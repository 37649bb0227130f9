"""Quarters (``2026Q3``): the period points are ranked and published by (一季度一公示)."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.errors import invalid
from workflow.windows import Window

#: The objection period of a publicised ranking (公示期): it opens on the day the ranking is frozen.
OBJECTIONS = Window("objection", _("the objection period (公示期)"), settings.POINTS_OBJECTION_DAYS, anchor="notice")

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def parse_quarter(text: str, field: str = "quarter") -> str:
    """A quarter's key as given (``2026Q3``, also ``2026q3``), or a refusal that says the form."""
    value = (text or "").strip().upper()
    match = _QUARTER.match(value)
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise invalid(field, _("Give the quarter as year and quarter, like 2026Q3."), code="bad_quarter")
    return value


def bounds(quarter: str) -> tuple[dt.date, dt.date]:
    """The first and the last day of the quarter."""
    year, q = int(quarter[:4]), int(quarter[-1])
    first = dt.date(year, 3 * q - 2, 1)
    following = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return first, following - dt.timedelta(days=1)


def previous(quarter: str) -> str:
    first, _last = bounds(quarter)
    return quarter_of(first - dt.timedelta(days=1))


def label(quarter: str) -> str:
    """The quarter in words: 2026年第三季度."""
    names = "一二三四"
    return f"{quarter[:4]}年第{names[int(quarter[-1]) - 1]}季度"
