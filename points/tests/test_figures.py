"""The figures by area and quarter, compared with a count of the ledger and the registry made here row by row;
a reversal lowers the points, and a veteran whose points were all reversed no longer takes part."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import Network
from points.entries import correct
from points.figures import figures
from points.models import PointEntry
from points.quarters import quarter_of
from points.tests.helpers import approver, decide, submit
from points.tests.samples import village_approver
from veterans.choices import Status
from veterans.models import Veteran
from veterans.tests.factories import register as register_veteran

pytestmark = pytest.mark.django_db


def book(net: Network, veteran: Any, code: str = "volunteer-service", quantity: str = "3", **kw: Any) -> PointEntry:
    entry = submit(net.users["city_staff"], [veteran], code, quantity=quantity, **kw)
    in_other_town = entry.region_code.startswith(net.zhapu.prefix)
    decide(entry, village_approver(net.other_village) if in_other_town else approver(net, entry))
    return PointEntry.objects.filter(entry=entry).get()


def live_count(prefix: str, quarter: str) -> tuple[int, int, int]:
    """Living veterans, participants and points under ``prefix``, counted in Python from every row."""
    living = sum(1 for v in Veteran.objects.all() if v.region_code.startswith(prefix) and v.status == Status.LIVING)
    rows = [r for r in PointEntry.objects.all() if r.region_code.startswith(prefix) and r.quarter == quarter]
    merit = [r for r in rows if r.kind != "redemption"]
    reversed_ids = {r.reverses_id for r in merit if r.reverses_id}
    standing = {r.veteran_id for r in merit if r.reverses_id is None and r.pk not in reversed_ids}
    return living, len(standing), sum(r.points for r in merit)


@pytest.fixture
def booked(net: Network) -> dict[str, Any]:
    staff = net.users["city_staff"]
    a, b, c = (register_veteran(staff, net.grid) for _ in range(3))
    d = register_veteran(staff, net.village)  # in the village, in no grid
    e = register_veteran(staff, net.other_grid)
    register_veteran(staff, net.grid)  # takes no part
    book(net, a, quantity="3")
    book(net, a, "safety-mediation", quantity="2", evidence=False)
    wrong = book(net, b, quantity="4")
    book(net, d, quantity="2")
    book(net, e, quantity="5")
    correct(actor=net.users["town_staff"], row=wrong, reason="录错了人")
    book(net, c, "conduct-covenant", quantity=None)
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_the_figures_match_a_live_count_at_every_level(net: Network, booked: dict[str, Any]) -> None:
    quarter = quarter_of(timezone.localdate())
    for region in (net.city, net.danghu, net.zhapu, net.village, net.grid):
        total, areas = figures(region.code, quarter)
        living, participants, points = live_count(region.prefix, quarter)
        assert (total["living"], total["participants"], total["points"]) == (living, participants, points), region
        for area in areas:
            child = next(r for r in (net.danghu, net.zhapu, net.village, net.other_village, net.grid,
                                     net.other_grid) if r.code == area["code"])  # fmt: skip
            counted = live_count(child.prefix, quarter)
            assert (area["living"], area["participants"], area["points"]) == counted, area["code"]


def test_the_towns_of_the_city_and_the_grids_of_a_village(net: Network, booked: dict[str, Any]) -> None:
    quarter = quarter_of(timezone.localdate())
    total, towns = figures(net.city.code, quarter)
    assert [t["code"] for t in towns] == [net.danghu.code, net.zhapu.code]
    danghu = towns[0]
    # a: 3 + 6; b: 4 reversed; c: −5; d: 2 → 6 points, a, c and d take part (b's one row was reversed)
    assert (danghu["living"], danghu["participants"], danghu["points"]) == (5, 3, 6)
    assert str(danghu["rate"]) == "60.0"
    by_aspect = {x["aspect"]: x["points"] for x in danghu["aspects"]}
    assert (by_aspect["volunteer"], by_aspect["safety"], by_aspect["conduct"]) == (5, 6, -5)
    assert (total["participants"], total["points"]) == (4, 11)
    _village, grids = figures(net.village.code, quarter)
    assert [(g["code"], g["living"], g["participants"]) for g in grids] == [(net.grid.code, 4, 2)]
    grid_total, none = figures(net.grid.code, quarter)
    assert none == [] and grid_total["participants"] == 2


def test_a_fully_reversed_veteran_no_longer_takes_part(net: Network, booked: dict[str, Any]) -> None:
    quarter = quarter_of(timezone.localdate())
    before, _ = figures(net.grid.code, quarter)
    row = PointEntry.objects.get(veteran=booked["c"], reverses__isnull=True)
    correct(actor=net.users["town_staff"], row=row, reason="处分撤销")
    after, _ = figures(net.grid.code, quarter)
    assert after["participants"] == before["participants"] - 1
    assert after["points"] == before["points"] + 5


def test_another_quarter_has_no_figures(net: Network, booked: dict[str, Any]) -> None:
    total, _ = figures(net.city.code, "2000Q1")
    assert (total["participants"], total["points"]) == (0, 0) and total["living"] == 6


# --- the API ----------------------------------------------------------------------------------------------------


def test_the_figures_api_defaults_to_the_callers_area(net: Network, booked: dict[str, Any]) -> None:
    response = net.api_client("town_staff").get("/api/v1/points/figures")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["region"] == net.danghu.code and body["quarter"] == quarter_of(timezone.localdate())
    assert [a["code"] for a in body["areas"]] == [net.village.code]
    assert body["total"]["participants"] == 3


def test_the_figures_api_refuses_an_area_outside_the_scope_and_a_bad_quarter(net: Network) -> None:
    client = net.api_client("town_staff")
    outside = client.get("/api/v1/points/figures", {"region": net.zhapu.code})
    assert outside.status_code == 400 and outside.json()["error"]["fields"][0]["field"] == "region"
    bad = client.get("/api/v1/points/figures", {"quarter": "2026Q9"})
    assert bad.status_code == 400 and bad.json()["error"]["fields"][0]["code"] == "bad_quarter"
    assert net.api_client("liaison").get("/api/v1/points/figures").status_code == 403


def test_the_figures_page_shows_the_areas_under_the_users_and_refuses_another_towns(net: Network) -> None:
    person = register_veteran(net.users["city_staff"], net.grid)
    entry = submit(net.users["grid_leader"], [person], quantity="3")
    decide(entry, approver(net, entry))
    page = net.client("town_staff").get("/points/figures/")
    assert page.status_code == 200
    body = page.content.decode()
    assert net.village.name in body and net.other_village.name not in body
    assert net.client("town_staff").get(f"/points/figures/?region={net.other_village.code}").status_code == 400
    assert net.client("town_staff").get("/points/figures/?quarter=2026Q9").status_code == 400
    assert net.client("employer").get("/points/figures/").status_code in (403, 404)
