"""A department's views of a person fill no timeline: consecutive views are one line, and only for who may see them."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.testing import Network
from audit.services import audit_record
from veterans.models import Veteran
from veterans.tests.factories import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def vet(net: Network) -> Veteran:
    return register(net.users["town_staff"], net.village, name="陈刚")


def _viewed(net: Network, vet: Veteran, times: int, role: str = "liaison") -> None:
    for i in range(times):
        with transaction.atomic():
            audit_record(actor=net.users[role], action="case.view_person", obj=vet, region_code=vet.region_code,
                         after={"task": i, "fields": ["name", "id_number"]}, reason="XF-1 恢复户口登记")  # fmt: skip


def _audit_lines(net: Network, vet: Veteran, role: str) -> list[tuple[str, str]]:
    items = net.client(role).get(f"/veterans/{vet.pk}/").context["timeline"]
    return [(str(i.title), i.detail) for i in items if i.kind == "audit"]


def test_consecutive_views_by_one_person_are_one_line_with_their_count(net: Network, vet: Veteran) -> None:
    _viewed(net, vet, 12)
    lines = _audit_lines(net, vet, "town_staff")
    views = [line for line in lines if line[0] == "为办理待办查看个人信息"]
    assert len(views) == 1
    assert "liaison" in views[0][1] and "12 次" in views[0][1]
    assert ("建档", "town_staff") in [(t, d.split()[0]) for t, d in lines]


def test_views_separated_by_a_change_or_by_another_person_are_separate_lines(net: Network, vet: Veteran) -> None:
    _viewed(net, vet, 3)
    net.client("town_staff").post(f"/veterans/{vet.pk}/reveal-id/", {"reason": "核对身份信息，办理优待证"})
    _viewed(net, vet, 2)
    _viewed(net, vet, 1, role="grid_leader")
    views = [d for t, d in _audit_lines(net, vet, "auditor") if t == "为办理待办查看个人信息"]
    assert len(views) == 3
    assert views[0].startswith("grid_leader") and "次" not in views[0]
    assert "2 次" in views[1] and "3 次" in views[2]


def test_who_may_not_see_the_full_id_number_does_not_see_who_viewed_it(net: Network, vet: Veteran) -> None:
    _viewed(net, vet, 2)
    assert not [t for t, _d in _audit_lines(net, vet, "village_staff") if t == "为办理待办查看个人信息"]
    assert [t for t, _d in _audit_lines(net, vet, "village_staff")] == ["建档"]


def test_a_change_lists_the_fields_by_their_names_not_their_codes(net: Network, vet: Veteran) -> None:
    from veterans import services

    data = services.veteran_as_input(vet) | {"phone": "13900001111", "address": "平湖市当湖街道某路1号"}
    from veterans.validation import clean_veteran

    actor = net.users["town_staff"]
    services.veteran_update(actor=actor, veteran=vet, data=clean_veteran(data, regions=services.scope_regions(actor)))
    page = net.client("town_staff").get(f"/veterans/{vet.pk}/").content.decode()
    assert "电话" in page and "地址" in page
    assert "phone_masked" not in page and "phone_changed" not in page and "address," not in page
