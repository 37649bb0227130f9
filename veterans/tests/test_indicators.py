"""New disabled servicemen's certificates (残疾军人证) on the cockpit, by area and month of the certificate; a new
certificate or a move is stale until the refresh."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import Network
from cockpit import build, selectors
from cockpit.kit import INDICATORS
from cockpit.models import Dirty
from cockpit.testing import disagreements
from veterans.services import scope_regions, veteran_as_input, veteran_update
from veterans.tests.factories import register
from veterans.validation import clean_veteran

pytestmark = pytest.mark.django_db

KEYS = ["veterans.disabled_new"]
DISABLED = {"categories": ["残疾军人"], "disability_grade": "3级", "disability_cause": "因公"}


def areas(net: Network) -> list[Any]:
    return [net.city, net.danghu, net.zhapu, net.village, net.other_village, net.grid, net.other_grid]


def count(region: Any, period: str) -> int:
    return int(selectors.overview(region, period, KEYS)[0].measure("count"))


def change(actor: Any, veteran: Any, **values: Any) -> Any:
    raw = veteran_as_input(veteran) | values
    return veteran_update(actor=actor, veteran=veteran, data=clean_veteran(raw, regions=scope_regions(actor)))


def test_new_certificates_are_counted_by_area_and_month(net: Network) -> None:
    staff = net.users["city_staff"]
    register(staff, net.grid, discharged_on="2025-03-10", **DISABLED)
    register(staff, net.village, discharged_on="2025-03-20", **DISABLED)
    register(staff, net.other_grid, discharged_on="2025-07-01", **DISABLED)
    register(staff, net.grid, discharged_on="2025-03-10")  # not disabled
    build.rebuild(KEYS)
    assert [count(r, "2025") for r in (net.city, net.danghu, net.village, net.grid, net.zhapu)] == [3, 2, 2, 1, 1]
    assert (count(net.city, "2025-03"), count(net.city, "2025-07"), count(net.city, "2025-05")) == (2, 1, 0)
    link = selectors.breakdown(INDICATORS["veterans.disabled_new"], net.city, "2025")[0].records
    assert link is not None and "category=disabled_soldier" in link and f"region={net.danghu.code}" in link
    assert disagreements(areas(net), KEYS) == []


def test_a_new_certificate_or_a_move_is_stale_until_the_refresh(
    net: Network, django_capture_on_commit_callbacks: Any
) -> None:
    staff = net.users["city_staff"]
    moved = register(staff, net.grid, discharged_on="2025-03-10", **DISABLED)
    later = register(staff, net.other_grid, discharged_on="2025-03-10")
    build.rebuild(KEYS)
    with django_capture_on_commit_callbacks(execute=True):
        change(staff, moved, region_code=net.other_grid.code)
    with django_capture_on_commit_callbacks(execute=True):
        change(staff, later, categories=["残疾军人"], disability_grade="5级", disability_cause="因战")
    assert {net.grid.code, net.other_grid.code} <= set(Dirty.objects.values_list("region_code", flat=True))
    this_year = str(timezone.localdate().year)
    assert (count(net.danghu, "2025"), count(net.zhapu, this_year)) == (1, 0)  # as of the last build
    assert disagreements(areas(net), KEYS) != []

    build.refresh()
    assert (count(net.danghu, "2025"), count(net.zhapu, "2025"), count(net.zhapu, this_year)) == (0, 1, 1)
    assert disagreements(areas(net), KEYS) == []
