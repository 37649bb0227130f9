"""The service network's cockpit figures: stations by kind, designation and stars, grids with and without a
leader, the leaders appointed and in office; kept current by the network's own writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import Network
from cockpit import build, selectors
from cockpit.kit import INDICATORS
from cockpit.models import Dirty
from cockpit.testing import disagreements
from regions.models import Designation, Level
from regions.services import (
    grid_leader_appoint,
    grid_leader_rotate,
    region_create,
    star_rating_record,
    station_designate,
)

pytestmark = pytest.mark.django_db

KEYS = ["network.stations", "network.grids", "network.leaders"]
TODAY = timezone.localdate()
FULL_MARKS = {"party_building": "20", "service": "30", "support": "30", "honour": "20"}


def areas(net: Network) -> list[Any]:
    return [net.city, net.danghu, net.zhapu, net.village, net.other_village, net.grid, net.other_grid]


def figure(region: Any, key: str) -> dict[str, int]:
    found = selectors.overview(region, str(TODAY.year), [key])[0]
    return {m.key: int(found.measure(m.key)) for m in found.indicator.measures}


def by(region: Any, key: str, dim: str) -> dict[str, int]:
    rows = selectors.breakdown(INDICATORS[key], region, "", by=dim)
    return {r.key: int(r.values.get("count", 0)) for r in rows}


def test_the_network_is_counted_at_every_level(net: Network) -> None:
    staff = net.users["city_staff"]
    grid_leader_appoint(actor=staff, grid=net.grid, leader_name="张卫国", start_date=TODAY - dt.timedelta(days=90))
    grid_leader_rotate(actor=staff, grid=net.grid, leader_name="李建军", start_date=TODAY - dt.timedelta(days=10))
    station_designate(actor=staff, station=net.village.station, designation=Designation.NATIONAL_MODEL, year=2024)
    station_designate(actor=staff, station=net.village.station, designation=Designation.PROVINCIAL_FENGQIAO,
                      year=2023)  # fmt: skip
    station_designate(actor=staff, station=net.zhapu.station, designation=Designation.PROVINCIAL_FENGQIAO, year=2022)
    build.rebuild(KEYS)

    assert figure(net.city, "network.stations") == {"count": 5, "national_model": 1, "provincial_fengqiao": 2}
    assert figure(net.danghu, "network.stations") == {"count": 2, "national_model": 1, "provincial_fengqiao": 1}
    assert figure(net.village, "network.stations")["count"] == 1
    assert figure(net.city, "network.grids") == {"count": 2, "with_leader": 1, "without_leader": 1}
    assert figure(net.other_village, "network.grids") == {"count": 1, "with_leader": 0, "without_leader": 1}
    assert figure(net.city, "network.leaders") == {"appointed": 2, "in_office": 1, "rotated_out": 1}
    assert figure(net.grid, "network.leaders") == {"appointed": 2, "in_office": 1, "rotated_out": 1}
    assert figure(net.zhapu, "network.leaders") == {"appointed": 0, "in_office": 0, "rotated_out": 0}
    assert by(net.city, "network.stations", "kind") == {"centre": 1, "town_station": 2, "village_station": 2}
    assert disagreements(areas(net), KEYS) == []


def test_each_network_write_makes_its_figures_stale_until_the_refresh(
    net: Network, django_capture_on_commit_callbacks: Any
) -> None:
    staff, admin = net.users["city_staff"], net.users["city_admin"]
    build.rebuild(KEYS)
    with django_capture_on_commit_callbacks(execute=True):
        new_grid = region_create(actor=admin, code="330482100001002", name="海湾二组", level=Level.GRID,
                                 parent=net.other_village)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        grid_leader_appoint(actor=staff, grid=new_grid, leader_name="王强", start_date=TODAY - dt.timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        grid_leader_rotate(actor=staff, grid=new_grid, leader_name="赵刚", start_date=TODAY - dt.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        station_designate(actor=staff, station=net.other_village.station, designation=Designation.NATIONAL_MODEL,
                          year=2025)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        star_rating_record(actor=staff, station=net.other_village.station, year=TODAY.year, scores=FULL_MARKS)

    assert set(Dirty.objects.values_list("indicator", flat=True)) == set(KEYS)
    assert figure(net.zhapu, "network.grids")["count"] == 1  # as of the last build
    assert figure(net.city, "network.stations")["national_model"] == 0
    assert disagreements(areas(net), KEYS) != []

    build.refresh()
    assert figure(net.zhapu, "network.grids") == {"count": 2, "with_leader": 1, "without_leader": 1}
    assert figure(net.city, "network.leaders") == {"appointed": 2, "in_office": 1, "rotated_out": 1}
    assert figure(net.city, "network.stations") == {"count": 5, "national_model": 1, "provincial_fengqiao": 0}
    assert by(net.zhapu, "network.stations", "stars") == {"5": 1, "": 1}
    assert disagreements(areas(net), KEYS) == []
