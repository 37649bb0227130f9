"""On-time statistics on a seeded set whose answer is known."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.testing import Network
from petitions.tests.helpers import open_task, register_petition
from workflow.selectors import step_stats, unit_stats
from workflow.services import act

pytestmark = pytest.mark.django_db


def seed(net: Network) -> None:
    """A: accepted on time after 2 days; B: accepted late after 4 days; C: waiting. A and B then assigned."""
    staff = net.users["city_staff"]
    a = register_petition(net, received_on="2026-11-25", petitioner_name="甲")
    b = register_petition(net, received_on="2026-11-01", petitioner_name="乙")
    register_petition(net, received_on="2026-11-20", petitioner_name="丙")
    for petition, days in ((a, 2), (b, 4)):
        task = open_task(petition, "accept")
        type(task).objects.filter(pk=task.pk).update(started_at=timezone.now() - dt.timedelta(days=days))
        act(actor=staff, task=task, action="accept")
        act(actor=staff, task=open_task(petition, "assign"), action="assign", data={"unit": net.danghu.code})


def test_unit_statistics(net: Network) -> None:
    seed(net)
    rows = {(r.process, r.unit_code): r for r in unit_stats(user=net.users["city_admin"], process="petition")}
    city = rows[("petition", net.city.code)]
    assert (city.open, city.done, city.with_due, city.on_time) == (1, 7, 4, 3)
    assert city.on_time_rate == 75.0
    assert city.avg_days == pytest.approx(6 / 7, abs=0.06)
    town = rows[("petition", net.danghu.code)]
    assert (town.open, town.done, town.on_time_rate) == (2, 0, None)


def test_step_statistics(net: Network) -> None:
    seed(net)
    steps = {s["step"]: s for s in step_stats(user=net.users["city_staff"], process="petition")}
    assert (steps["accept"]["done"], steps["accept"]["open"], steps["accept"]["overdue"]) == (2, 1, 0)
    assert steps["accept"]["avg_days"] == pytest.approx(3.0, abs=0.05)
    assert steps["investigate"]["open"] == 2 and steps["investigate"]["avg_days"] is None
    assert list(steps)[:3] == ["register", "accept", "assign"]


def test_statistics_are_scoped(net: Network) -> None:
    seed(net)
    # 乍浦镇 sees no petition: every case here concerns 当湖街道's village
    assert unit_stats(user=net.users["other_town_staff"], process="petition") == []
    assert unit_stats(user=net.users["town_staff"], process="petition") != []
