"""Who is told of a new task: found in SQL by the unit's prefixes, the same people ``may_act`` admits."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from accounts.models import User
from accounts.roles import ACTS_AS, SUPERVISOR_ROLES, Department, Role
from accounts.testing import Network
from regions.models import Level, Region
from regions.testing import RegionFactory
from workflow.models import Task
from workflow.services import eligible_users, may_act
from workflow.services.access import unit_prefixes

pytestmark = pytest.mark.django_db

_names = itertools.count(1)


def old_eligible_users(task: Task) -> list[User]:
    """The filter as it was: every active user of the covering roles, then ``may_act`` in Python."""
    roles = [role for role, covered in ACTS_AS.items() if task.role in covered]
    candidates = User.objects.filter(role__in=roles, is_active=True, department=task.department or "")
    found = [u for u in candidates.select_related("scope_region") if u.scope_region_id and may_act(u, task)]
    if task.escalated_to:
        found += list(
            User.objects.filter(
                scope_region__code=task.escalated_to, role__in=SUPERVISOR_ROLES, is_active=True, department=""
            )
        )
    return found


def crowd(regions: list[Region], copies: int = 1) -> int:
    """Users of every role, department and state in every region: the answer must tell them apart."""
    users = []
    for region, role, department, active, _n in itertools.product(
        regions, Role, ["", Department.POLICE, Department.HRSS], [True, False], range(copies)
    ):
        if role == Role.LIAISON and not department:
            continue  # a liaison always has a department
        users.append(User(username=f"u{next(_names)}", role=role, scope_region=region, department=department,
                          is_active=active, password="!"))  # fmt: skip
    User.objects.bulk_create(users)
    return len(users)


@pytest.fixture
def regions(net: Network) -> list[Region]:
    province = RegionFactory(code="330000000000", name="浙江省", level=Level.PROVINCE)
    prefecture = RegionFactory(code="330400000000", name="嘉兴市", level=Level.PREFECTURE, parent=province)
    other_city = RegionFactory(code="330481000000", name="海宁市", level=Level.CITY, parent=prefecture)
    other_town = RegionFactory(code="330481001000", name="硖石街道", level=Level.TOWN, parent=other_city)
    return [province, prefecture, net.city, net.danghu, net.zhapu, net.village, net.other_village, net.grid,
            net.other_grid, other_city, other_town]  # fmt: skip


def tasks(net: Network) -> list[Task]:
    """Tasks as the processes open them (unsaved: who may act depends on these columns only)."""
    return [
        Task(role=Role.CITY_STAFF, unit_code=net.city.code),
        Task(role=Role.CITY_ADMIN, unit_code=net.city.code),
        Task(role=Role.LIAISON, unit_code=net.city.code, department=Department.POLICE),
        Task(role=Role.TOWN_STAFF, unit_code=net.danghu.code),
        Task(role=Role.TOWN_STAFF, unit_code=net.zhapu.code, escalated_to=net.city.code),
        Task(role=Role.VILLAGE_STAFF, unit_code=net.village.code, escalated_to=net.danghu.code),
        Task(role=Role.GRID_LEADER, unit_code=net.grid.code),
        Task(role=Role.CITY_STAFF, unit_code=net.danghu.code),  # the bureau acting for a town
        Task(role=Role.LIAISON, unit_code=net.danghu.code, department=Department.HRSS),
    ]


def pks(users: list[Any]) -> set[int]:
    return {u.pk for u in users}


def test_the_unit_prefixes_are_its_code_cut_at_each_level() -> None:
    assert unit_prefixes("330482001001") == ["33", "3304", "330482", "330482001", "330482001001"]
    assert unit_prefixes("330482001001001")[-1] == "330482001001001"


def test_the_answer_is_the_old_filters_for_every_kind_of_task(net: Network, regions: list[Region]) -> None:
    crowd(regions)
    for task in tasks(net):
        found = eligible_users(task)
        assert pks(found) == pks(old_eligible_users(task)), task
        assert len(found) == len(pks(found))  # each person once, also a supervisor who acts by role
        assert all(may_act(u, task) for u in found)


def test_only_the_role_in_units_containing_the_task_unit_is_told(net: Network, regions: list[Region]) -> None:
    crowd(regions)
    found = eligible_users(Task(role=Role.TOWN_STAFF, unit_code=net.danghu.code))
    assert {u.role for u in found} == {Role.TOWN_STAFF}
    assert {u.scope_region.code for u in found} == {"330000000000", "330400000000", net.city.code, net.danghu.code}
    assert all(u.is_active and u.department == "" for u in found)
    bureau = eligible_users(Task(role=Role.CITY_STAFF, unit_code=net.city.code))
    assert {u.role for u in bureau} == {Role.CITY_STAFF, Role.CITY_ADMIN}  # administrators do what staff do
    assert "330481000000" not in {u.scope_region.code for u in bureau}  # another city's bureau


def test_one_query_however_many_users_there_are(
    net: Network, regions: list[Region], django_assert_num_queries: Any
) -> None:
    crowd(regions)
    for task in tasks(net):
        with django_assert_num_queries(1):
            few = eligible_users(task)
    crowd(regions, copies=4)
    for task in tasks(net):
        with django_assert_num_queries(1):
            many = eligible_users(task)
    assert len(many) > len(few)
