"""Who is whose contact, how often, who is overdue, and the coverage by area."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.testing import Network
from care import selectors
from care.figures import coverage
from care.models import Assignment, ContactFrequency
from care.selectors import months_before
from care.tests.helpers import log, seeded
from regions.models import GridLeaderTerm
from veterans.models import Tag, VeteranCategory
from veterans.tests.factories import register as register_veteran

pytestmark = pytest.mark.django_db


def _key_person(veteran: object) -> None:
    veteran.tags.add(Tag.objects.get(code="key_person"))  # type: ignore[attr-defined]


def _special_care(veteran: object) -> None:
    VeteranCategory.objects.create(veteran=veteran, category="disabled_soldier", start_date=dt.date(2000, 1, 1))


def test_months_before_keeps_the_day_or_the_months_last() -> None:
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 3) == dt.date(2025, 10, 15)
    assert months_before(dt.date(2026, 12, 2), 12) == dt.date(2025, 12, 2)


def test_the_seeded_frequencies(net: Network) -> None:
    seeded()
    months = {f.code: f.months for f in ContactFrequency.objects.all()}
    assert months == {"key_person": 1, "special_care": 3, "everyone": 12}


def test_the_most_frequent_rule_decides(net: Network) -> None:
    seeded()
    staff = net.users["city_staff"]
    plain, cared, key = (register_veteran(staff, net.grid) for _n in range(3))
    _special_care(cared)
    _special_care(key)
    _key_person(key)
    assert [selectors.frequency_of(v) for v in (plain, cared, key)] == [12, 3, 1]


def test_overdue_follows_each_persons_frequency(net: Network) -> None:
    seeded()
    staff = net.users["city_staff"]
    plain, cared, never = (register_veteran(staff, net.grid) for _n in range(3))
    _special_care(cared)
    log(staff, plain, days_ago=200)  # within a year
    log(staff, cared, days_ago=200)  # more than a quarter ago
    overdue = {v.pk for v in selectors.overdue_contacts(net.users["village_staff"])}
    assert overdue == {cared.pk, never.pk}


def test_a_grid_leaders_people_are_the_grids_except_key_people_overdue_first(net: Network) -> None:
    seeded()
    staff, leader = net.users["city_staff"], net.users["grid_leader"]
    seen, unseen, key = (register_veteran(staff, net.grid) for _n in range(3))
    _key_person(key)
    log(staff, seen, days_ago=10)
    people = list(selectors.my_people(leader))
    assert [p.pk for p in people] == [unseen.pk, seen.pk]
    assert [p.overdue for p in people] == [True, False]
    ten_days_ago = timezone.localdate() - dt.timedelta(days=10)
    assert selectors.due_on(people[1]) == selectors.months_after(ten_days_ago, 12)
    assert selectors.due_on(people[0]) is None  # never contacted: due now


def test_a_key_person_is_the_stations_unless_someone_is_named(net: Network) -> None:
    seeded()
    staff = net.users["city_staff"]
    key = register_veteran(staff, net.grid)
    _key_person(key)
    person, station = selectors.contact_of(key)
    assert person is None and station == net.village
    Assignment.objects.create(veteran=key, region_code=key.region_code, user=net.users["village_staff"],
                              assigned_by=staff)  # fmt: skip
    assert selectors.contact_of(key) == (net.users["village_staff"], None)
    assert [p.pk for p in selectors.my_people(net.users["village_staff"])] == [key.pk]


def test_the_grid_leader_is_the_current_terms_user(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    assert selectors.contact_of(veteran) == (net.users["grid_leader"], None)
    GridLeaderTerm.objects.create(grid=net.grid, leader_name="王班长", user=net.users["village_staff"],
                                  start_date=dt.date(2026, 1, 1))  # fmt: skip
    assert selectors.contact_of(veteran) == (net.users["village_staff"], None)


def test_coverage_by_town_and_village(net: Network) -> None:
    seeded()
    staff = net.users["city_staff"]
    a, b = register_veteran(staff, net.grid), register_veteran(staff, net.village)
    register_veteran(staff, net.other_grid)
    log(staff, a, days_ago=5)
    ContactFrequency.objects.filter(code="everyone").update(months=6)
    log(staff, b, days_ago=200)  # more than six months ago: overdue
    total, towns = coverage(net.city.code)
    assert (total["living"], total["contacted"], total["overdue"]) == (3, 1, 2)
    by_code = {t["code"]: t for t in towns}
    assert by_code[net.danghu.code]["rate"] == 50 and by_code[net.zhapu.code]["rate"] == 0
    village_total, grids = coverage(net.village.code)
    assert village_total["contacted"] == 1 and grids[0]["code"] == net.grid.code and grids[0]["rate"] == 100
    # b lives at the village itself, in none of its grids: counted in the village's total, in no grid's row
    assert village_total["living"] == 2 and village_total["overdue"] == 1
    assert sum(g["living"] for g in grids) == 1
