"""The demo is calibrated to the seed page's 567 veterans with 50 or more years in the Party: the dates nearest the
line are moved across it, never for someone too young to have joined at 18."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.testing import Network
from veterans import demo
from veterans.indicators import party_long_standing
from veterans.models import Veteran
from veterans.selectors import years_ago
from veterans.tests.factories import register_born

pytestmark = pytest.mark.django_db


def long_standing() -> int:
    return Veteran.objects.filter(status="living").filter(party_long_standing()).count()


def test_the_count_is_made_exact_both_ways(net: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    today = timezone.localdate()
    staff = net.users["city_staff"]
    line = years_ago(50, today)
    joined = [line - dt.timedelta(days=400), line + dt.timedelta(days=30), line + dt.timedelta(days=60),
              line + dt.timedelta(days=90)]  # fmt: skip
    for when in joined:
        register_born(staff, net.grid, dt.date(1950, 1, 1), political_status="party_member",
                      party_joined_on=when.isoformat())  # fmt: skip
    # too young to have joined 51 years ago: never moved
    register_born(staff, net.grid, years_ago(60, today), political_status="party_member",
                  party_joined_on=(years_ago(20, today)).isoformat())  # fmt: skip
    Veteran.objects.update(import_batch=demo.DEMO_BATCH)
    monkeypatch.setattr(demo, "PARTY_50_FROM", 1)
    monkeypatch.setattr(demo, "PARTY_50", 3)
    assert long_standing() == 1
    assert demo.calibrate_party_age(today) == 2 and long_standing() == 3
    assert demo.calibrate_party_age(today) == 0
    monkeypatch.setattr(demo, "PARTY_50", 2)
    assert demo.calibrate_party_age(today) == 1 and long_standing() == 2
    young = Veteran.objects.get(party_joined_on=years_ago(20, today))
    assert young.party_joined_on == years_ago(20, today)
    monkeypatch.setattr(demo, "PARTY_50", 5)  # more than the senior members can give: as many as there are
    demo.calibrate_party_age(today)
    assert long_standing() == 4


def test_a_small_demo_is_left_as_drawn(net: Network) -> None:
    staff = net.users["city_staff"]
    register_born(staff, net.grid, dt.date(1950, 1, 1), political_status="party_member", party_joined_on="1990-01-01")
    Veteran.objects.update(import_batch=demo.DEMO_BATCH)
    assert demo.calibrate_party_age() == 0
