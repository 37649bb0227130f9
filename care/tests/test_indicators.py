"""关爱服务 on the cockpit says what the care pages say (``care.figures.coverage`` and ``needs_figures``) at every
level; a visit, a need's step or a death is stale until the refresh."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import Network
from care.figures import coverage, needs_figures
from care.tests.helpers import do, log, raise_need
from care.tests.test_figures import _needs
from cockpit import build, selectors
from cockpit.kit import INDICATORS
from cockpit.models import Dirty
from cockpit.testing import disagreements
from veterans.services import veteran_mark_deceased
from veterans.tests.factories import register as register_veteran

pytestmark = pytest.mark.django_db

KEYS = ["care.coverage", "care.needs", "care.satisfaction"]
TODAY = timezone.localdate()
YEAR = str(TODAY.year)
NEED_KEYS = ("opened", "resolved", "on_time", "followed_up", "satisfied")


def areas(net: Network) -> list[Any]:
    return [net.city, net.danghu, net.zhapu, net.village, net.other_village, net.grid, net.other_grid]


def figure(region: Any, key: str, period: str = YEAR) -> dict[str, int]:
    found = selectors.overview(region, period, [key])[0]
    return {m.key: int(found.measure(m.key)) for m in found.indicator.measures}


def agrees_with_the_care_pages(net: Network) -> None:
    for region in areas(net):
        total, _areas = coverage(region.code)
        assert figure(region, "care.coverage") == {"contacted": total["contacted"], "living": total["living"]}
        needs = needs_figures(region.code, TODAY.replace(month=1, day=1), TODAY)
        assert figure(region, "care.needs") == {k: needs["total"][k] for k in NEED_KEYS}, region.name
        rows = selectors.breakdown(INDICATORS["care.needs"], region, YEAR, by="category")
        assert {r.key: int(r.values["opened"]) for r in rows} == {
            c["category"]: c["opened"] for c in needs["categories"] if c["opened"]
        }


@pytest.fixture
def cared(net: Network) -> dict[str, Any]:
    _needs(net)  # five people in the grid, five needs of 当湖 (see care.tests.test_figures)
    staff = net.users["city_staff"]
    seen, unseen = register_veteran(staff, net.other_grid), register_veteran(staff, net.other_grid)
    log(net.users["city_staff"], seen, days_ago=2)
    return {"seen": seen, "unseen": unseen}


def test_coverage_and_needs_are_counted_as_the_care_pages_count_them(net: Network, cared: dict[str, Any]) -> None:
    build.rebuild(KEYS)
    assert figure(net.other_grid, "care.coverage") == {"contacted": 1, "living": 2}
    assert figure(net.city, "care.coverage")["living"] == 7
    assert figure(net.danghu, "care.needs") == dict(zip(NEED_KEYS, (5, 3, 2, 2, 1), strict=True))
    assert figure(net.zhapu, "care.needs")["opened"] == 0
    assert selectors.overview(net.city, YEAR, ["care.satisfaction"])[0].value == 50
    agrees_with_the_care_pages(net)
    assert disagreements(areas(net), KEYS) == []


def test_a_visit_a_need_or_a_death_is_stale_until_the_refresh(
    net: Network, cared: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    build.rebuild(KEYS)
    staff, town = net.users["city_staff"], net.users["other_town_staff"]
    with django_capture_on_commit_callbacks(execute=True):
        log(staff, cared["unseen"])
    with django_capture_on_commit_callbacks(execute=True):
        need = raise_need(staff, cared["seen"], category="housing", text="屋顶漏雨")
    with django_capture_on_commit_callbacks(execute=True):
        do(town, need, "resolve", "已修缮")
    with django_capture_on_commit_callbacks(execute=True):
        veteran_mark_deceased(actor=staff, veteran=cared["seen"], died_on=TODAY - dt.timedelta(days=1))
    assert Dirty.objects.filter(indicator="care.coverage", region_code=net.other_grid.code).exists()
    assert figure(net.other_grid, "care.coverage") == {"contacted": 1, "living": 2}  # as of the last build
    assert disagreements(areas(net), KEYS) != []

    build.refresh()
    assert figure(net.other_grid, "care.coverage") == {"contacted": 1, "living": 1}
    assert figure(net.zhapu, "care.needs") == {"opened": 1, "resolved": 1, "on_time": 1, "followed_up": 0,
                                               "satisfied": 0}  # fmt: skip
    agrees_with_the_care_pages(net)
    assert disagreements(areas(net), KEYS) == []
    assert figure(net.city, "care.needs")["satisfied"] == 1
