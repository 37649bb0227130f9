"""Needs figures by area (opened, resolved, on time, followed up, satisfied), on the page and in the API; and the
visit event the cockpit keeps coverage current from."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.testing import Network
from care.figures import needs_figures
from care.models import Satisfaction
from care.tests.helpers import do, log, open_task, raise_need, seeded
from core import events
from veterans.tests.factories import register as register_veteran
from workflow.services.sweep import sweep

pytestmark = pytest.mark.django_db


def _needs(net: Network) -> None:
    staff, town, village = net.users["city_staff"], net.users["town_staff"], net.users["village_staff"]
    people = [register_veteran(staff, net.grid) for _n in range(5)]
    raise_need(net.users["grid_leader"], people[0])  # open
    closed = raise_need(net.users["grid_leader"], people[1], category="housing", text="屋顶漏雨")
    do(village, do(town, closed, "resolve", "已修缮"), "satisfied", rating=Satisfaction.SATISFIED)
    unhappy = raise_need(net.users["grid_leader"], people[2], category="housing", text="屋顶又漏")
    do(village, do(town, unhappy, "resolve", "已联系"), "dissatisfied", "还没修好")
    late = raise_need(net.users["grid_leader"], people[3], category="legal", text="法律咨询")
    task = open_task(late)
    assert task.due_on is not None
    sweep(today=task.due_on + dt.timedelta(days=1))  # its handling passed the limit
    do(town, late, "resolve", "已安排律师")  # resolved, late: waits for its 回访
    waiting = raise_need(net.users["grid_leader"], people[4])
    do(town, waiting, "resolve", "已办理")


def test_the_needs_of_the_year_by_area(net: Network) -> None:
    _needs(net)
    today = timezone.localdate()
    figures = needs_figures(net.danghu.code, today.replace(month=1, day=1), today)
    total = figures["total"]
    assert (total["opened"], total["resolved"], total["on_time"], total["followed_up"], total["satisfied"]) == (
        5, 3, 2, 2, 1
    )  # fmt: skip
    assert str(total["satisfaction"]) == "50.0"
    village = next(a for a in figures["areas"] if a["code"] == net.village.code)
    assert village["opened"] == 5
    by_category = {c["category"]: c["opened"] for c in figures["categories"]}
    assert by_category["housing"] == 2 and by_category["legal"] == 1 and by_category["medical"] == 2
    assert needs_figures(net.danghu.code, today + dt.timedelta(days=1), today + dt.timedelta(days=2))["total"][
        "opened"
    ] == 0  # fmt: skip


def test_a_need_resolved_after_its_limit_is_late_though_no_sweep_marked_it(net: Network) -> None:
    person = register_veteran(net.users["city_staff"], net.grid)
    need = raise_need(net.users["grid_leader"], person)
    task = open_task(need)
    assert task.due_on is not None
    task.due_on = timezone.localdate() - dt.timedelta(days=1)  # its limit passed yesterday; no sweep ran
    task.save(update_fields=["due_on"])
    do(net.users["town_staff"], need, "resolve", "已办理")
    today = timezone.localdate()
    total = needs_figures(net.danghu.code, today.replace(month=1, day=1), today)["total"]
    assert (total["resolved"], total["on_time"]) == (1, 0)


def test_a_need_counts_on_the_bureaus_day_not_greenwich(net: Network) -> None:
    from workflow.models import Case

    person = register_veteran(net.users["city_staff"], net.grid)
    need = raise_need(net.users["grid_leader"], person)
    # 23:30 in Greenwich on 31 March is 07:30 on 1 April in Pinghu
    Case.objects.filter(pk=need.case_id).update(created_at=dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC))
    april = needs_figures(net.danghu.code, dt.date(2026, 4, 1), dt.date(2026, 4, 30))["total"]
    march = needs_figures(net.danghu.code, dt.date(2026, 3, 1), dt.date(2026, 3, 31))["total"]
    assert (april["opened"], march["opened"]) == (1, 0)


def test_the_page_and_the_api_show_them_in_scope(net: Network) -> None:
    _needs(net)
    page = net.client("town_staff").get("/care/").content.decode()
    assert 'id="needs-figures"' in page and "50.0%" in page
    api = net.api_client("town_staff")
    body = api.get("/api/v1/care/needs-figures").json()
    assert body["total"]["opened"] == 5 and body["total"]["satisfaction"] == "50.0"
    refused = api.get("/api/v1/care/needs-figures", {"since": "2026-12-01", "until": "2026-01-01"})
    assert refused.status_code == 400 and refused.json()["error"]["fields"][0]["field"] == "until"
    other = net.api_client("town_staff").get("/api/v1/care/needs-figures", {"region": "330482999000"})
    assert other.status_code == 400
    assert api.get("/api/v1/care/needs-figures", {"since": "not a date"}).status_code == 400
    last_year = api.get("/api/v1/care/needs-figures", {"until": f"{timezone.localdate().year - 1}-06-30"})
    assert last_year.status_code == 200 and last_year.json()["since"] == f"{timezone.localdate().year - 1}-01-01"


def test_a_visit_is_told_to_subscribers_once_committed(net: Network, django_capture_on_commit_callbacks) -> None:
    seeded()
    heard: list[dict[str, object]] = []

    def listener(**payload: object) -> None:
        heard.append(payload)

    events.EVENTS["care_visit_logged"].connect(listener)
    try:
        person = register_veteran(net.users["city_staff"], net.grid)
        with django_capture_on_commit_callbacks(execute=True):
            visit = log(net.users["grid_leader"], person)
        assert len(heard) == 1
        assert heard[0]["visit"] == visit.pk and heard[0]["veteran"] == person.pk
        assert heard[0]["region_code"] == person.region_code
    finally:
        events.EVENTS["care_visit_logged"].disconnect(listener)
