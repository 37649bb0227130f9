"""The working-day calendar: Monday to Friday, except the holidays, plus the weekends worked in exchange (调休).

The holiday table is data that admins keep (``Holiday``); the State Council publishes each year's
arrangement in the autumn before. A deadline "in N working days" counts the days after the start.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from workflow.models import Holiday

#: Upper bound on the calendar span one deadline may cross (a year and a half of days).
MAX_SPAN_DAYS = 550


@dataclass(frozen=True)
class Limit:
    """A time limit: ``days`` calendar or working days after the anchor date.

    ``anchor`` names a case date (e.g. "accepted"); empty means the day the step starts.
    ``extendable``: an approved extension of the case adds its days to this limit.
    """

    days: int
    working: bool = False
    anchor: str = ""
    extendable: bool = False


def _exceptions(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    return dict(Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind"))


def is_working_day(day: dt.date, exceptions: dict[dt.date, str] | None = None) -> bool:
    if exceptions is None:
        exceptions = _exceptions(day, day)
    kind = exceptions.get(day)
    if kind == Holiday.Kind.HOLIDAY:
        return False
    if kind == Holiday.Kind.WORKDAY:
        return True
    return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    exceptions = _exceptions(start, start + dt.timedelta(days=days * 3 + 40))
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if (day - start).days > MAX_SPAN_DAYS:
            raise ValueError("deadline out of range")
        if is_working_day(day, exceptions):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
    if end <= start:
        return 0
    exceptions = _exceptions(start, end)
    return sum(is_working_day(start + dt.timedelta(days=i), exceptions) for i in range(1, (end - start).days + 1))


def add_days(start: dt.date, days: int, working: bool) -> dt.date:
    return add_working_days(start, days) if working else start + dt.timedelta(days=days)
