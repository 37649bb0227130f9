"""On-time statistics on a seeded set whose answer is known."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from accounts.testing import Network
from petitions.tests.helpers import drive, open_task, register_petition
from workflow.selectors import case_stats, step_stats, unit_stats
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


def test_a_closed_petition_counts_as_one_concluded_case_however_many_steps_it_took(net: Network) -> None:
    closed = drive(net, register_petition(net, petitioner_name="甲"))
    closed.case.refresh_from_db()
    assert closed.case.state == "done"
    register_petition(net, petitioner_name="乙")
    rows = case_stats(user=net.users["city_admin"], process="petition")
    assert [(r.region_code, r.open, r.done, r.total) for r in rows] == [(net.danghu.code, 1, 1, 2)]
    steps_done = sum(u.done for u in unit_stats(user=net.users["city_admin"], process="petition"))
    assert steps_done > 1  # the closed petition's steps, counted apart as steps

    html = net.client("city_admin").get("/workflow/stats/?process=petition").content.decode()
    table = html[html.index('id="case-stats"') : html.index("</table>", html.index('id="case-stats"'))]
    header = re.findall(r"<th>([^<]*)</th>", table)
    cells = re.findall(r"<td>([^<]*)</td>", table)
    assert header == ["流程", "区划", "办理中", "已办结", "不予受理", "已撤回", "合计"]
    assert cells[1:] == ["当湖街道", "1", "1", "0", "0", "2"]
    assert "按办理单位统计的办理环节" in html and "已办环节" in html


def test_case_statistics_are_scoped(net: Network) -> None:
    register_petition(net)
    assert case_stats(user=net.users["other_town_staff"], process="petition") == []
    assert [r.total for r in case_stats(user=net.users["town_staff"])] == [1]


def test_the_api_counts_cases_apart_from_steps(net: Network) -> None:
    drive(net, register_petition(net))
    body = net.api_client("city_admin").get("/api/v1/workflow/stats?process=petition").json()
    assert [(c["region"], c["done"], c["total"]) for c in body["cases"]] == [("当湖街道", 1, 1)]
    assert sum(u["done"] for u in body["units"]) > 1
