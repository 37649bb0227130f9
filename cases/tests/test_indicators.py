"""一件事 on the cockpit: cases opened, concluded and open by area and stage; the departments' tasks done within
their limits, by department; each task done makes its case's area stale until the refresh."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import Network
from cases.models import LifeCase
from cases.services import life_case_open
from cases.tests.test_cases import liaisons  # noqa: F401  (the departments' liaisons, a fixture)
from cockpit import build, selectors
from cockpit.kit import INDICATORS
from cockpit.models import Dirty
from cockpit.testing import disagreements
from veterans.tests.factories import register as register_veteran
from workflow.models import Task
from workflow.services import act

pytestmark = pytest.mark.django_db

KEYS = ["cases.open_done", "cases.open_now", "cases.steps_on_time"]
YEAR = str(timezone.localdate().year)


def areas(net: Network) -> list[Any]:
    return [net.city, net.danghu, net.zhapu, net.village, net.other_village, net.grid, net.other_grid]


def figure(region: Any, key: str) -> dict[str, int]:
    found = selectors.overview(region, YEAR, [key])[0]
    return {m.key: int(found.measure(m.key)) for m in found.indicator.measures}


def open_case(net: Network, region: Any, who: str = "city_staff") -> LifeCase:
    veteran = register_veteran(net.users["city_staff"], region)
    return life_case_open(actor=net.users[who], veteran=veteran, stage="reporting")


def do(net: Network, departments: dict[str, Any], task: Task) -> None:
    if task.department:
        actor = departments[task.department]
    elif task.role == "town_staff":
        actor = net.users["town_staff" if task.unit_code == net.danghu.code else "other_town_staff"]
    else:
        actor = net.users["city_staff"]
    act(actor=actor, task=task, action="done", note="已办结")


def open_tasks(life: LifeCase) -> list[Task]:
    return list(life.case.tasks.filter(status="open", step="departments").order_by("id"))


@pytest.fixture
def two(net: Network, liaisons: dict[str, Any]) -> dict[str, LifeCase]:  # noqa: F811
    done, late = open_case(net, net.village, "town_staff"), open_case(net, net.other_village)
    for task in open_tasks(done):
        do(net, liaisons, task)
    # the police's first task of the other case is done after its limit passed
    first = next(t for t in open_tasks(late) if t.department == "police")
    Task.objects.filter(pk=first.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    first.refresh_from_db()
    do(net, liaisons, first)
    return {"done": done, "late": late}


def test_cases_and_their_tasks_are_counted_by_area_and_department(net: Network, two: dict[str, LifeCase]) -> None:
    build.rebuild(KEYS)
    assert figure(net.city, "cases.open_done") == {"opened": 2, "done": 1, "open": 1}
    assert figure(net.danghu, "cases.open_done") == {"opened": 1, "done": 1, "open": 0}
    assert figure(net.other_village, "cases.open_done") == {"opened": 1, "done": 0, "open": 1}
    assert figure(net.city, "cases.open_now") == {"open": 1}
    assert figure(net.danghu, "cases.steps_on_time") == {"on_time": 10, "done": 10, "open": 0}
    assert figure(net.zhapu, "cases.steps_on_time") == {"on_time": 0, "done": 1, "open": 9}
    rows = selectors.breakdown(INDICATORS["cases.steps_on_time"], net.city, YEAR, by="department")
    found = {r.key: (int(r.values.get("on_time", 0)), int(r.values.get("done", 0))) for r in rows}
    # the done case's ten on time; the other's first police task done late
    assert found == {"police": (2, 3), "hrss": (3, 3), "medical_insurance": (2, 2), "armed_forces": (1, 1),
                     "town_station": (1, 1), "bureau": (1, 1)}  # fmt: skip
    assert disagreements(areas(net), KEYS) == []


def test_each_task_done_makes_its_area_stale_until_the_refresh(
    net: Network,
    two: dict[str, LifeCase],
    liaisons: dict[str, Any],  # noqa: F811  (the fixture imported above)
    django_capture_on_commit_callbacks: Any,
) -> None:
    build.rebuild(KEYS)
    for task in open_tasks(two["late"]):
        with django_capture_on_commit_callbacks(execute=True):
            do(net, liaisons, task)
    with django_capture_on_commit_callbacks(execute=True):
        open_case(net, net.grid)
    assert {net.other_village.code, net.grid.code} <= set(
        Dirty.objects.filter(indicator="cases.steps_on_time").values_list("region_code", flat=True)
    )
    assert figure(net.city, "cases.open_done") == {"opened": 2, "done": 1, "open": 1}  # as of the last build
    assert disagreements(areas(net), KEYS) != []

    build.refresh()
    assert figure(net.city, "cases.open_done") == {"opened": 3, "done": 2, "open": 1}
    assert figure(net.zhapu, "cases.steps_on_time") == {"on_time": 9, "done": 10, "open": 0}
    assert figure(net.danghu, "cases.steps_on_time") == {"on_time": 10, "done": 10, "open": 10}
    assert figure(net.grid, "cases.open_now") == {"open": 1}
    assert disagreements(areas(net), KEYS) == []
