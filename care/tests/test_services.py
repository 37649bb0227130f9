"""Visits logged, needs raised with them, and what the services refuse."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.testing import Network
from audit.models import AuditEntry
from care.models import Need, NeedSource, Visit, VisitPhoto
from care.services import NeedInput, VisitInput, contact_assign, visit_log
from care.tests.helpers import log, photo, raise_need
from veterans.tests.factories import register as register_veteran
from workflow.models import Task

pytestmark = pytest.mark.django_db


def _codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}  # type: ignore[misc]


def _input(veteran: Any, **overrides: Any) -> VisitInput:
    values: dict[str, Any] = {"veteran_id": veteran.pk, "visited_on": timezone.localdate(), "mode": "phone"}
    return VisitInput(**(values | overrides))


def test_a_grid_leader_logs_a_visit_with_a_photo_and_the_needs_found(net: Network) -> None:
    leader = net.users["grid_leader"]
    veteran = register_veteran(net.users["city_staff"], net.grid)
    needs = [NeedInput("medical", "住院费用报销"), NeedInput("housing", "屋顶漏雨")]
    visit = log(leader, veteran, needs=needs, photos=[photo()])
    assert visit.region_code == veteran.region_code and visit.recorded_by == leader
    assert VisitPhoto.objects.filter(visit=visit).count() == 1
    raised = list(Need.objects.filter(visit=visit).order_by("id"))
    assert [n.category for n in raised] == ["medical", "housing"]
    assert all(n.source == NeedSource.VISIT and n.case.veteran == veteran for n in raised)
    # each need waits at the person's town station
    tasks = Task.objects.filter(case__in=[n.case for n in raised], status=Task.Status.OPEN)
    assert {t.unit_code for t in tasks} == {net.danghu.code}
    assert AuditEntry.objects.filter(action="care.visit_log", object_id=str(visit.pk)).exists()
    assert AuditEntry.objects.filter(action="care.need_raise").count() == 2


def test_it_refuses_a_future_date(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        visit_log(actor=net.users["grid_leader"], data=_input(veteran, visited_on=tomorrow))
    assert _codes(exc.value) == {"visited_on": ["future"]}


def test_it_refuses_a_date_more_than_a_year_ago(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    with pytest.raises(ValidationError) as exc:
        visit_log(actor=net.users["grid_leader"], data=_input(veteran, visited_on=dt.date(2000, 1, 1)))
    assert _codes(exc.value) == {"visited_on": ["too_old"]}


def test_it_refuses_an_unknown_mode(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    with pytest.raises(ValidationError) as exc:
        visit_log(actor=net.users["grid_leader"], data=_input(veteran, mode="telegram"))
    assert _codes(exc.value) == {"mode": ["unknown_mode"]}


def test_it_refuses_a_veteran_out_of_scope(net: Network) -> None:
    elsewhere = register_veteran(net.users["city_staff"], net.other_grid)
    with pytest.raises(ValidationError) as exc:
        visit_log(actor=net.users["grid_leader"], data=_input(elsewhere))
    assert _codes(exc.value) == {"veteran_id": ["not_visible"]}
    assert not Visit.objects.exists()


def test_a_bad_need_refuses_the_whole_visit(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    with pytest.raises(ValidationError) as exc:
        visit_log(actor=net.users["grid_leader"], data=_input(veteran, needs=[NeedInput("money", "")]))
    assert _codes(exc.value) == {"needs.0.category": ["unknown_category"], "needs.0.description": ["required"]}
    assert not Visit.objects.exists() and not Need.objects.exists()


def test_it_refuses_a_file_that_is_not_a_photo(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    with pytest.raises(ValidationError) as exc:
        log(net.users["grid_leader"], veteran, photos=[photo("notes.pdf")])
    assert _codes(exc.value) == {"photo": ["bad_type"]}
    assert not Visit.objects.exists()


def test_a_role_without_the_capability_may_not_log_a_visit(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    with pytest.raises(PermissionDenied):
        visit_log(actor=net.users["auditor"], data=_input(veteran))


def test_station_staff_raise_a_need_without_a_visit(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.village)
    need = raise_need(net.users["village_staff"], veteran, "employment", "想找一份保安工作")
    assert need.source == NeedSource.STATION and need.visit is None
    assert need.handler_unit == net.danghu.code


def test_a_contact_person_must_see_the_person(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    with pytest.raises(ValidationError) as exc:
        contact_assign(actor=net.users["city_staff"], veteran_id=veteran.pk, user=net.users["other_town_staff"])
    assert _codes(exc.value) == {"user": ["bad_contact"]}
    made = contact_assign(actor=net.users["town_staff"], veteran_id=veteran.pk, user=net.users["village_staff"])
    assert made is not None and made.user == net.users["village_staff"]
    assert contact_assign(actor=net.users["town_staff"], veteran_id=veteran.pk, user=None) is None
    assert AuditEntry.objects.filter(action="care.assign").count() == 2
