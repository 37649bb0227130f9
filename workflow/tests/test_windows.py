"""Time windows: their dates on the working-day calendar, and the refusals inside and after them."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import override

from accounts.testing import Network
from core.errors import render
from petitions.process import OBJECTION, PETITION
from petitions.tests.helpers import drive, open_task, register_petition
from workflow.models import Task
from workflow.services import act
from workflow.windows import Window, refuse_outside, refuse_until_closed, span

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat

NOTICE = Window("notice", "公示期", 7, anchor="notice")
OBJECTION_PERIOD = Window("objection", "异议期", 5, working=True)


def fake(started: str = "2026-09-30", **dates: str) -> tuple[Any, Any]:
    """A case with these dates and a task whose step started on ``started`` (windows read nothing else)."""
    case = SimpleNamespace(date=lambda name: dates.get(name))
    task = SimpleNamespace(started_at=timezone.make_aware(dt.datetime.fromisoformat(f"{started}T10:00")))
    return case, task


def test_a_working_day_window_skips_the_holidays_and_counts_the_weekend_worked() -> None:
    # 30 September 2026, then the National Day week off; Saturday 10 October is worked in exchange
    dates = span(OBJECTION_PERIOD, *fake("2026-09-30"))
    assert dates is not None and (dates.opens, dates.closes) == (D("2026-09-30"), D("2026-10-13"))


def test_a_calendar_day_window_runs_from_its_case_date() -> None:
    dates = span(NOTICE, *fake(notice="2026-11-02"))
    assert dates is not None and (dates.opens, dates.closes) == (D("2026-11-02"), D("2026-11-09"))
    assert span(NOTICE, *fake()) is None  # no notice yet


@pytest.mark.parametrize("today", ["2026-11-02", "2026-11-05", "2026-11-09"])
def test_inside_the_window_its_first_and_last_day_included_an_action_is_possible(today: str) -> None:
    refuse_outside(NOTICE, *fake(notice="2026-11-02"), today=D(today))


def test_after_the_window_closed_the_refusal_names_its_dates() -> None:
    with pytest.raises(ValidationError) as late:
        refuse_outside(NOTICE, *fake(notice="2026-11-02"), today=D("2026-11-10"))
    assert late.value.code == "notice_late"
    zh, en = render(late.value, "zh-hans"), render(late.value, "en")
    assert "2026-11-02" in zh and "2026-11-09" in zh and "7日" in zh
    assert "2026-11-02 to 2026-11-09 (7 days)" in en and "has closed" in en


def test_before_the_window_opens_or_without_its_date_the_action_is_early() -> None:
    with pytest.raises(ValidationError) as early:
        refuse_outside(NOTICE, *fake(notice="2026-11-02"), today=D("2026-11-01"))
    assert early.value.code == "notice_early" and "2026-11-09" in render(early.value, "en")
    with pytest.raises(ValidationError) as unset:
        refuse_outside(NOTICE, *fake(), today=D("2026-11-01"))
    assert unset.value.code == "notice_early"


def test_an_action_after_the_window_waits_until_its_last_day_is_over() -> None:
    case, task = fake(notice="2026-11-02")
    with pytest.raises(ValidationError) as waiting:
        refuse_until_closed(NOTICE, case, task, today=D("2026-11-09"))
    assert waiting.value.code == "notice_not_over"
    with override("en"):
        assert "after the notice" not in waiting.value.messages[0]  # the label is the window's own
        assert "公示期 has closed: it runs from 2026-11-02 to 2026-11-09 (7 days)" in waiting.value.messages[0]
    refuse_until_closed(NOTICE, case, task, today=D("2026-11-10"))
    with pytest.raises(ValidationError):
        refuse_until_closed(NOTICE, *fake(), today=D("2026-11-10"))  # never opened: not closed either


def test_a_window_of_one_working_day_reads_in_the_singular() -> None:
    one = Window("short", "期限", 1, working=True)
    with pytest.raises(ValidationError) as late:
        refuse_outside(one, *fake("2026-11-02"), today=D("2026-11-20"))
    assert "(1 working day)" in render(late.value, "en") and "1个工作日" in render(late.value, "zh-hans")


# --- the petition's objection period is the shared window --------------------------------------------


def test_the_petition_declares_its_objection_period_as_a_window() -> None:
    objection = PETITION.step("investigate").action("object")
    assert objection is not None and objection.within is OBJECTION and objection.check is None
    assert (OBJECTION.days, OBJECTION.working, OBJECTION.anchor) == (5, True, "")


def started_on(task: Task, day: dt.date) -> Task:
    Task.objects.filter(pk=task.pk).update(started_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))))
    task.refresh_from_db()
    return task


def test_an_objection_is_heard_until_the_window_closes_and_refused_the_day_after(net: Network) -> None:
    petition = drive(net, register_petition(net), until="investigate")
    task = open_task(petition, "investigate")
    today = timezone.localdate()
    starts = [today - dt.timedelta(days=n) for n in range(30)]
    spans = {day: span(OBJECTION, petition.case, started_on(task, day)) for day in starts}
    closed = max(day for day, s in spans.items() if s and s.closes < today)  # the latest start already too late
    started_on(task, closed)
    with pytest.raises(ValidationError) as late:
        act(actor=net.users["town_staff"], task=task, action="object", note="不属于本单位职责")
    assert late.value.code == "objection_late"
    assert spans[closed].closes.isoformat() in render(late.value, "en")  # type: ignore[union-attr]
    started_on(task, closed + dt.timedelta(days=1))  # one day later, the window still runs today
    act(actor=net.users["town_staff"], task=task, action="object", note="不属于本单位职责")
    assert open_task(petition, "assign")
