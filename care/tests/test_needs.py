"""A need through the kit: routed, resolved, followed up (回访); not satisfied reopens it; late, it escalates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.roles import Department, Role
from accounts.testing import Network, UserFactory
from care.models import Satisfaction
from care.tests.helpers import do, open_task, raise_need
from veterans.tests.factories import register as register_veteran
from workflow.models import Case, Task
from workflow.services.sweep import sweep

pytestmark = pytest.mark.django_db


def _need(net: Network):  # type: ignore[no-untyped-def]
    veteran = register_veteran(net.users["city_staff"], net.grid)
    return raise_need(net.users["grid_leader"], veteran)


def test_resolved_then_followed_up_satisfied_closes_it(net: Network) -> None:
    need = _need(net)
    need = do(net.users["town_staff"], need, "resolve", "已协调医保报销")
    assert need.resolution == "已协调医保报销" and need.resolved_on == timezone.localdate()
    task = open_task(need)
    assert (task.step, task.unit_code, task.role) == ("followup", net.village.code, Role.VILLAGE_STAFF)
    assert task.due_on is not None and task.due_on <= timezone.localdate() + dt.timedelta(days=7)
    need = do(net.users["village_staff"], need, "satisfied", rating=Satisfaction.VERY)
    assert need.case.state == Case.State.DONE and need.satisfaction == "very" and need.reopened == 0


def test_not_satisfied_reopens_it_at_the_unit_that_handled_it(net: Network) -> None:
    need = _need(net)
    need = do(net.users["town_staff"], need, "resolve", "已联系")
    need = do(net.users["village_staff"], need, "dissatisfied", "费用还没到账")
    assert need.case.state == Case.State.OPEN
    assert (need.satisfaction, need.reopened, need.resolved_on) == ("dissatisfied", 1, None)
    task = open_task(need)
    assert (task.step, task.unit_code) == ("handle", net.danghu.code)
    need = do(net.users["town_staff"], need, "resolve", "已到账")
    need = do(net.users["village_staff"], need, "satisfied", rating=Satisfaction.SATISFIED)
    assert need.case.state == Case.State.DONE and need.reopened == 1


def test_not_satisfied_needs_the_persons_words(net: Network) -> None:
    need = do(net.users["town_staff"], _need(net), "resolve", "已联系")
    with pytest.raises(ValidationError):
        do(net.users["village_staff"], need, "dissatisfied", "")


def test_it_is_routed_to_a_partner_department_at_city_level(net: Network) -> None:
    need = _need(net)
    need = do(net.users["town_staff"], need, "transfer", "医保问题", unit=net.city.code,
              department=Department.MEDICAL_INSURANCE)  # fmt: skip
    task = open_task(need)
    assert (task.step, task.unit_code, task.department, task.role) == (
        "handle", net.city.code, Department.MEDICAL_INSURANCE, Role.LIAISON)  # fmt: skip
    liaison = UserFactory(username="yibao", role=Role.LIAISON, scope_region=net.city,
                          department=Department.MEDICAL_INSURANCE)  # fmt: skip
    need = do(liaison, need, "resolve", "已办理报销")
    assert open_task(need).step == "followup"


def test_a_department_is_not_reached_at_a_town(net: Network) -> None:
    with pytest.raises(ValidationError):
        do(net.users["town_staff"], _need(net), "transfer", "x", unit=net.danghu.code, department=Department.HRSS)


def test_another_towns_staff_may_not_handle_it(net: Network) -> None:
    with pytest.raises(PermissionDenied):
        do(net.users["other_town_staff"], _need(net), "resolve", "x")


def test_an_unresolved_need_escalates_on_the_kits_deadline(net: Network) -> None:
    need = _need(net)
    task = open_task(need)
    assert task.due_on is not None
    result = sweep(today=task.due_on + dt.timedelta(days=30))
    assert result.marked == 1 and result.escalated == 1
    task = Task.objects.get(pk=task.pk)
    assert task.escalated_to == net.city.code
