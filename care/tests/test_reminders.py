"""Overdue contact shows in the contact person's inbox and the station's, as reminders the care module declares."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.testing import Network
from care.tests.helpers import log, seeded
from veterans.models import VeteranCategory
from veterans.tests.factories import register as register_veteran
from workflow import reminders

pytestmark = pytest.mark.django_db


def _shown(user: object) -> dict[str, int]:
    return {s.reminder.key: s.count for s in reminders.reminders_for(user)}  # type: ignore[arg-type]


def test_the_grid_leader_and_the_station_are_reminded_of_overdue_people(net: Network) -> None:
    seeded()
    staff = net.users["city_staff"]
    seen, unseen, never = (register_veteran(staff, net.grid) for _n in range(3))
    log(staff, seen, days_ago=10)
    VeteranCategory.objects.create(veteran=unseen, category="disabled_soldier", start_date=dt.date(2000, 1, 1))
    log(staff, unseen, days_ago=200)  # longer ago than a quarter, their frequency
    assert _shown(net.users["grid_leader"]) == {"care.mine_overdue": 2}  # never and unseen; no area reminder
    assert _shown(net.users["village_staff"])["care.area_overdue"] == 2
    assert "care.mine_overdue" not in _shown(net.users["village_staff"])  # the grid leader is their contact

    page = net.client("grid_leader").get("/tasks/").content.decode()
    assert 'id="reminders"' in page and "/care/mine/" in page and "<b>2</b>" in page
    home = net.client("village_staff").get("/").content.decode()
    assert "/care/overdue/" in home and "辖区内超期未联系" in home

    log(staff, never)
    log(staff, unseen)
    assert _shown(net.users["grid_leader"]) == {}
    assert 'id="reminders"' not in net.client("grid_leader").get("/tasks/").content.decode()


def test_a_count_stops_past_the_cap(net: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    seeded()
    for _n in range(3):
        register_veteran(net.users["city_staff"], net.grid)  # never contacted: overdue
    monkeypatch.setattr(reminders, "COUNT_CAP", 1)
    (shown,) = reminders.reminders_for(net.users["grid_leader"])  # type: ignore[arg-type]
    assert shown.count == 2 and shown.more and shown.figure == "1+"
    monkeypatch.setattr(reminders, "COUNT_CAP", 1000)
    (shown,) = reminders.reminders_for(net.users["grid_leader"])  # type: ignore[arg-type]
    assert shown.count == 3 and not shown.more and shown.figure == "3"


def test_the_city_is_not_reminded_of_every_overdue_person_in_it(net: Network) -> None:
    seeded()
    register_veteran(net.users["city_staff"], net.grid)
    assert "care.area_overdue" not in _shown(net.users["city_staff"])
    assert "care.area_overdue" in _shown(net.users["town_staff"])
