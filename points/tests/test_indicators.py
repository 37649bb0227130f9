"""老兵本色 points on the cockpit say what the points figures page says: the veterans taking part in the quarter
and the points of each aspect, at every level; an approval or a correction is stale until the refresh."""

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
from points.entries import correct
from points.figures import figures
from points.models import Aspect, PointEntry
from points.quarters import quarter_of
from points.tests.test_figures import book, booked  # noqa: F401  (booked: a fixture)
from veterans.tests.factories import register as register_veteran

pytestmark = pytest.mark.django_db

KEYS = ["points.participation", "points.by_aspect"]
QUARTER = quarter_of(timezone.localdate() - dt.timedelta(days=1))


def areas(net: Network) -> list[Any]:
    return [net.city, net.danghu, net.zhapu, net.village, net.other_village, net.grid, net.other_grid]


def cockpit_says(region: Any) -> tuple[int, int, dict[str, int]]:
    participants = selectors.overview(region, QUARTER, ["points.participation"])[0].measure("participants")
    points = selectors.overview(region, QUARTER, ["points.by_aspect"])[0].measure("points")
    rows = selectors.breakdown(INDICATORS["points.by_aspect"], region, QUARTER, by="aspect")
    by_aspect = {r.key: int(r.values.get("points", 0)) for r in rows if r.values.get("points")}
    return int(participants), int(points), by_aspect


def page_says(region: Any) -> tuple[int, int, dict[str, int]]:
    total, _areas = figures(region.code, QUARTER)
    ids = dict(Aspect.objects.values_list("code", "pk"))
    by_aspect = {str(ids[a["aspect"]]): a["points"] for a in total["aspects"] if a["points"]}
    return total["participants"], total["points"], by_aspect


def test_the_cockpit_says_what_the_figures_page_says(net: Network, booked: dict[str, Any]) -> None:  # noqa: F811
    build.rebuild(KEYS)
    # a and c in the grid, d in the village; e in the other town; b's only row was reversed
    participants = [cockpit_says(r)[0] for r in (net.city, net.danghu, net.village, net.grid, net.zhapu)]
    assert participants == [4, 3, 3, 2, 1]
    for region in areas(net):
        assert cockpit_says(region) == page_says(region), region.name
    assert cockpit_says(net.city)[1] > 0
    link = INDICATORS["points.participation"].records(net.danghu.code, {"period": QUARTER})  # type: ignore[misc]
    assert link == f"/points/figures/?region={net.danghu.code}&quarter={QUARTER}"
    assert disagreements(areas(net), KEYS) == []


def test_an_approval_or_a_correction_is_stale_until_the_refresh(
    net: Network,
    booked: dict[str, Any],  # noqa: F811  (the fixture imported above)
    django_capture_on_commit_callbacks: Any,
) -> None:
    build.rebuild(KEYS)
    newcomer = register_veteran(net.users["city_staff"], net.other_grid)
    with django_capture_on_commit_callbacks(execute=True):
        book(net, newcomer, quantity="2")
    row = PointEntry.objects.filter(veteran=booked["d"]).get()
    with django_capture_on_commit_callbacks(execute=True):
        correct(actor=net.users["town_staff"], row=row, reason="录错了人")
    assert {net.other_grid.code, net.village.code} <= set(
        Dirty.objects.filter(indicator="points.participation").values_list("region_code", flat=True)
    )
    assert cockpit_says(net.city)[0] == 4  # as of the last build
    assert disagreements(areas(net), KEYS) != []

    build.refresh()
    assert [cockpit_says(r)[0] for r in (net.city, net.danghu, net.zhapu, net.other_grid)] == [4, 2, 2, 2]
    for region in areas(net):
        assert cockpit_says(region) == page_says(region), region.name
    assert disagreements(areas(net), KEYS) == []
