"""Deadlines across weekends, the 2026 holidays and the weekends worked in exchange (调休), from the seeded table."""

from __future__ import annotations

import datetime as dt

import pytest

from workflow.calendar import Limit, add_days, add_working_days, is_working_day, working_days_between
from workflow.models import Holiday

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2026-11-27", 1, "2026-11-30"),  # Friday + 1: the weekend does not count
        ("2026-11-23", 5, "2026-11-30"),  # a whole week
        ("2026-09-30", 1, "2026-10-08"),  # National Day 1-7 October
        ("2026-10-09", 1, "2026-10-10"),  # Saturday 10 October is worked (调休)
        ("2026-09-18", 1, "2026-09-20"),  # Sunday 20 September is worked (调休)
        ("2026-02-13", 1, "2026-02-14"),  # Saturday before the Spring Festival is worked
        ("2026-02-13", 2, "2026-02-24"),  # then 15-23 February are holidays
        ("2025-12-31", 1, "2026-01-04"),  # New Year: 1-3 January off, Sunday the 4th worked
        ("2026-04-03", 1, "2026-04-07"),  # Qingming: 4-6 April
        ("2026-04-30", 1, "2026-05-06"),  # Labour Day: 1-5 May
        ("2026-05-08", 1, "2026-05-09"),  # Saturday 9 May worked
        ("2026-09-24", 1, "2026-09-28"),  # Mid-Autumn 25-27 September
        ("2026-06-18", 1, "2026-06-22"),  # Dragon Boat 19-21 June
    ],
)
def test_working_days_follow_the_2026_arrangement(start: str, days: int, expected: str) -> None:
    assert add_working_days(D(start), days) == D(expected)


def test_the_seeded_table_has_the_2026_arrangement() -> None:
    assert Holiday.objects.filter(date__year=2026, kind="holiday").count() == 33
    assert set(Holiday.objects.filter(kind="workday").values_list("date", flat=True)) == {
        D("2026-01-04"), D("2026-02-14"), D("2026-02-28"), D("2026-05-09"), D("2026-09-20"), D("2026-10-10"),
    }  # fmt: skip


def test_a_holiday_added_by_an_admin_moves_the_deadline() -> None:
    assert add_working_days(D("2026-12-30"), 1) == D("2026-12-31")
    Holiday.objects.create(date=D("2026-12-31"), kind="holiday", name="测试")
    assert add_working_days(D("2026-12-30"), 1) == D("2027-01-01")
    assert not is_working_day(D("2026-12-31"))


def test_zero_days_is_the_start_day_and_negative_is_refused() -> None:
    assert add_working_days(D("2026-11-28"), 0) == D("2026-11-28")
    with pytest.raises(ValueError):
        add_working_days(D("2026-11-28"), -1)


def test_working_days_between_counts_after_the_start() -> None:
    assert working_days_between(D("2026-09-30"), D("2026-10-08")) == 1
    assert working_days_between(D("2026-10-08"), D("2026-10-10")) == 2  # Friday and the worked Saturday
    assert working_days_between(D("2026-10-08"), D("2026-10-08")) == 0


def test_calendar_days_ignore_the_table() -> None:
    assert add_days(D("2026-09-30"), 15, working=False) == D("2026-10-15")
    assert add_days(D("2026-09-30"), 1, working=True) == D("2026-10-08")
    assert Limit(15).working is False
