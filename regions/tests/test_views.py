"""The service network's pages, through Django's test client."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.testing import Network
from audit.models import AuditEntry
from regions.models import GridLeaderTerm, Level, Region, StarRating, Station, StationDesignation, StationKind
from regions.testing import RegionFactory

TODAY = timezone.localdate()
DANGHU, ZHAPU = "330482001000", "330482100000"
VILLAGE, GRID, OTHER_GRID = "330482001001", "330482001001001", "330482100001001"

#: Each page with a code in 当湖 the page is meant for, the same page in 乍浦, and a role
#: that sees the network but may not use the page.
PAGES = {
    "index": ("/regions/", None, None),
    "detail": (f"/regions/{DANGHU}/", f"/regions/{ZHAPU}/", None),
    "create_child": (f"/regions/{DANGHU}/new/", f"/regions/{ZHAPU}/new/", "town_staff"),
    "edit": (f"/regions/{VILLAGE}/edit/", f"/regions/{ZHAPU}/edit/", "town_staff"),
    "station_edit": (f"/regions/{DANGHU}/station/", f"/regions/{ZHAPU}/station/", "town_staff"),
    "designate": (f"/regions/{DANGHU}/designate/", f"/regions/{ZHAPU}/designate/", "town_staff"),
    "rate": (f"/regions/{DANGHU}/rate/", f"/regions/{ZHAPU}/rate/", "town_staff"),
    "leader": (f"/regions/{GRID}/leader/", f"/regions/{OTHER_GRID}/leader/", "village_staff"),
    "stations": ("/regions/stations/", None, None),
    "grids": ("/regions/grids/", None, None),
}
READ_ONLY = ("index", "detail", "stations", "grids")
#: Who may open each page: the lowest role that can.
ALLOWED = {
    "index": "grid_leader",
    "detail": "town_staff",
    "create_child": "city_admin",
    "edit": "city_admin",
    "station_edit": "city_staff",
    "designate": "city_staff",
    "rate": "city_staff",
    "leader": "town_staff",
    "stations": "village_staff",
    "grids": "village_staff",
}


def url_of(page: str) -> str:
    return PAGES[page][0]


def field_codes(response: object, field: str) -> list[str]:
    form = response.context["form"]  # type: ignore[attr-defined]
    return [error.code for error in form.errors.as_data().get(field, [])]


# --- who may use each page -------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_it_sends_an_anonymous_visitor_to_sign_in(net: Network, page: str) -> None:
    response = Client().get(url_of(page))

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url_of(page)}"  # type: ignore[attr-defined]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["liaison", "employer", "veteran"])
def test_it_refuses_a_role_that_does_not_see_the_network(net: Network, page: str, role: str) -> None:
    assert net.client(role).get(url_of(page)).status_code == 403


@pytest.mark.parametrize("page", [p for p, (_url, _other, role) in PAGES.items() if role])
def test_it_refuses_a_role_that_sees_but_may_not_change(net: Network, page: str) -> None:
    role = PAGES[page][2]
    client = net.client(role)  # type: ignore[arg-type]

    assert client.get(url_of(page)).status_code == 403
    assert client.post(url_of(page), {"name": "改名", "leader_name": "李强"}).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_it_opens_each_page_for_the_role_it_is_meant_for(net: Network, page: str) -> None:
    response = net.client(ALLOWED[page]).get(url_of(page), follow=page == "index")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "page", [p for p, (_url, other, _role) in PAGES.items() if other and ALLOWED[p] == "town_staff"]
)
def test_it_answers_404_for_another_towns_region(net: Network, page: str) -> None:
    client = net.client("town_staff")

    assert client.get(PAGES[page][1]).status_code == 404  # type: ignore[arg-type]
    if page not in READ_ONLY:
        assert client.post(PAGES[page][1], {"name": "改名"}).status_code == 404  # type: ignore[arg-type]


@pytest.mark.parametrize("page", [p for p, (_url, other, role) in PAGES.items() if other and role == "town_staff"])
def test_it_refuses_a_role_without_the_capability_before_looking_the_region_up(net: Network, page: str) -> None:
    # 403 for another town's region as for its own: the page is not for the role, wherever the region is.
    assert net.client("town_staff").get(PAGES[page][1]).status_code == 403  # type: ignore[arg-type]


def test_it_answers_404_for_a_code_that_does_not_exist(net: Network) -> None:
    assert net.client("city_admin").get("/regions/330482999000/").status_code == 404


def test_it_answers_404_for_the_station_pages_of_a_grid(net: Network) -> None:
    client = net.client("city_admin")

    assert client.get(f"/regions/{GRID}/designate/").status_code == 404
    assert client.get(f"/regions/{GRID}/rate/").status_code == 404


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("method", ["put", "delete"])
def test_it_rejects_other_http_methods(net: Network, page: str, method: str) -> None:
    response = getattr(net.client("city_admin"), method)(url_of(page))

    assert response.status_code == 405


@pytest.mark.parametrize("page", READ_ONLY)
def test_a_read_only_page_rejects_post(net: Network, page: str) -> None:
    assert net.client("city_admin").post(url_of(page)).status_code == 405


# --- reading ---------------------------------------------------------------------------------


def test_the_index_opens_the_users_own_region(net: Network) -> None:
    response = net.client("town_staff").get("/regions/")

    assert response.status_code == 302
    assert response.url == f"/regions/{DANGHU}/"  # type: ignore[attr-defined]


def test_the_search_finds_only_regions_in_scope(net: Network) -> None:
    client = net.client("town_staff")

    found = client.get("/regions/", {"q": "东湖"}).context["page"].object_list
    hidden = client.get("/regions/", {"q": "海湾"}).context["page"].object_list

    assert [r.code for r in found] == [VILLAGE, GRID]
    assert list(hidden) == []


def test_the_search_filters_by_level(net: Network) -> None:
    response = net.client("city_staff").get("/regions/", {"level": "town"})

    assert [r.code for r in response.context["page"].object_list] == [DANGHU, ZHAPU]


def test_the_detail_shows_the_station_and_the_sub_regions(net: Network) -> None:
    response = net.client("town_staff").get(f"/regions/{DANGHU}/")

    body = response.content.decode()
    assert "当湖街道服务站" in body
    assert "东湖村" in body
    assert f"/regions/{VILLAGE}/" in body
    assert "乍浦镇" not in body


def test_the_detail_of_a_grid_lists_its_leaders(net: Network) -> None:
    GridLeaderTerm.objects.create(grid=net.grid, leader_name="张卫国", start_date=TODAY)

    response = net.client("village_staff").get(f"/regions/{GRID}/")

    assert "张卫国" in response.content.decode()
    assert [t.leader_name for t in response.context["terms"]] == ["张卫国"]


def test_the_detail_hides_ancestors_outside_the_users_scope(net: Network) -> None:
    response = net.client("village_staff").get(f"/regions/{GRID}/")

    assert [a.code for a in response.context["ancestors"]] == [VILLAGE]
    assert "平湖市" not in response.content.decode()


def test_the_detail_offers_manage_links_only_to_managers(net: Network) -> None:
    admin_body = net.client("city_admin").get(f"/regions/{DANGHU}/").content.decode()
    town_body = net.client("town_staff").get(f"/regions/{DANGHU}/").content.decode()

    assert f"/regions/{DANGHU}/new/" in admin_body
    assert f"/regions/{DANGHU}/new/" not in town_body
    assert f"/regions/{DANGHU}/station/" not in town_body


def test_the_grids_page_lists_only_the_towns_grids(net: Network) -> None:
    GridLeaderTerm.objects.create(grid=net.grid, leader_name="张卫国", start_date=TODAY)
    GridLeaderTerm.objects.create(grid=net.other_grid, leader_name="李强", start_date=TODAY)

    body = net.client("town_staff").get("/regions/grids/").content.decode()

    assert "东湖村老兵壹家" in body
    assert "张卫国" in body
    assert "海湾社区老兵壹家" not in body
    assert "李强" not in body
    assert "乍浦镇" not in body


def test_the_stations_page_lists_only_the_towns_stations(net: Network) -> None:
    body = net.client("town_staff").get("/regions/stations/").content.decode()

    assert "当湖街道服务站" in body
    assert "东湖村服务站" in body
    assert "乍浦镇服务站" not in body
    assert "海湾社区服务站" not in body
    assert "平湖市服务站" not in body


def test_the_stations_page_filters_by_kind(net: Network) -> None:
    response = net.client("city_staff").get("/regions/stations/", {"kind": StationKind.TOWN_STATION})

    assert [s.name for s in response.context["page"].object_list] == ["当湖街道服务站", "乍浦镇服务站"]


def add_villages_with_stations(net: Network, count: int) -> None:
    for n in range(2, 2 + count):
        village = RegionFactory(code=f"330482001{n:03d}", name=f"村{n}", level=Level.VILLAGE, parent=net.danghu)
        station = Station.objects.create(region=village, kind=StationKind.VILLAGE_STATION, name=f"村{n}服务站")
        StationDesignation.objects.create(station=station, designation="national_model", year=2021)
        StarRating.objects.create(
            station=station, year=2023, total_score=Decimal("95"), stars=5, rated_by=net.users["city_admin"]
        )
        RegionFactory(code=f"330482001{n:03d}001", name=f"村{n}网格", level=Level.GRID, parent=village)


def test_the_stations_page_runs_a_fixed_number_of_queries(net: Network, django_assert_max_num_queries: Any) -> None:
    add_villages_with_stations(net, 12)
    client = net.client("town_staff")

    # session and user (3), count, page, designations, star ratings, unread notifications, idle-time save (3)
    with django_assert_max_num_queries(11):
        response = client.get("/regions/stations/")

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 14
    assert response.content.decode().count("5★") == 12


def test_the_grids_page_runs_a_fixed_number_of_queries(net: Network, django_assert_max_num_queries: Any) -> None:
    add_villages_with_stations(net, 12)
    client = net.client("town_staff")

    # session and user (3), count, page, current leaders, and the session's idle-time save (3)
    with django_assert_max_num_queries(10):
        response = client.get("/regions/grids/")

    assert len(response.context["rows"]) == 13


# --- writing through the forms ---------------------------------------------------------------


def test_a_valid_create_makes_the_region_and_opens_it(net: Network) -> None:
    response = net.client("city_admin").post(
        f"/regions/{DANGHU}/new/", {"code": "330482001002", "name": "新埭村", "level": "village"}
    )

    assert response.status_code == 302
    assert response.url == "/regions/330482001002/"  # type: ignore[attr-defined]
    region = Region.objects.get(code="330482001002")
    assert (region.name, region.level, region.parent) == ("新埭村", Level.VILLAGE, net.danghu)
    assert AuditEntry.objects.filter(action="region.create", region_code="330482001002").exists()


def test_the_create_form_starts_with_the_parents_prefix_and_the_child_level(net: Network) -> None:
    form = net.client("city_admin").get(f"/regions/{DANGHU}/new/").context["form"]

    assert form.initial == {"level": Level.VILLAGE, "code": "330482001"}


def test_an_invalid_create_shows_the_error_at_the_field_and_writes_nothing(net: Network) -> None:
    client = net.client("city_admin")
    regions, entries = Region.objects.count(), AuditEntry.objects.count()

    response = client.post(f"/regions/{DANGHU}/new/", {"code": "330482100002", "name": "新埭村", "level": "village"})

    assert response.status_code == 200
    assert field_codes(response, "code") == ["prefix_mismatch"]
    assert 'class="field has-error"' in response.content.decode()
    assert Region.objects.count() == regions
    assert AuditEntry.objects.count() == entries


def test_a_create_with_the_wrong_level_shows_the_error_above_the_form(net: Network) -> None:
    response = net.client("city_admin").post(
        f"/regions/{DANGHU}/new/", {"code": "330482001002001", "name": "网格", "level": "grid"}
    )

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == ["bad_parent_level"]
    assert not Region.objects.filter(code="330482001002001").exists()


def test_a_create_with_a_missing_name_is_refused_by_the_form(net: Network) -> None:
    response = net.client("city_admin").post(f"/regions/{DANGHU}/new/", {"code": "330482001002", "level": "village"})

    assert response.status_code == 200
    assert field_codes(response, "name") == ["required"]
    assert not Region.objects.filter(code="330482001002").exists()


def test_the_edit_page_renames_a_region(net: Network) -> None:
    response = net.client("city_admin").post(f"/regions/{VILLAGE}/edit/", {"name": "东湖社区", "parent_code": DANGHU})

    assert response.status_code == 302
    net.village.refresh_from_db()
    assert net.village.name == "东湖社区"


def test_the_edit_page_refuses_a_move_under_the_regions_own_child(net: Network) -> None:
    response = net.client("city_admin").post(f"/regions/{DANGHU}/edit/", {"name": "当湖", "parent_code": VILLAGE})

    assert response.status_code == 200
    assert field_codes(response, "parent_code") == ["cycle"]
    net.danghu.refresh_from_db()
    assert (net.danghu.name, net.danghu.parent) == ("当湖街道", net.city)


def test_the_edit_page_refuses_an_unknown_parent_code(net: Network) -> None:
    response = net.client("city_admin").post(
        f"/regions/{VILLAGE}/edit/", {"name": "东湖村", "parent_code": "330482999000"}
    )

    assert field_codes(response, "parent_code") == ["unknown_region"]


def test_the_station_page_records_a_new_station(net: Network) -> None:
    village = RegionFactory(code="330482001002", name="新埭村", level=Level.VILLAGE, parent=net.danghu)
    client = net.client("city_staff")

    assert client.get("/regions/330482001002/station/").context["form"].initial["name"].startswith("新埭村")
    response = client.post(
        "/regions/330482001002/station/",
        {"name": "新埭村服务站", "phone": "13812345678", "full_time_staff": 1, "part_time_staff": 3},
    )

    assert response.status_code == 302
    station = Station.objects.get(region=village)
    assert (station.name, station.phone, station.part_time_staff, station.kind) == (
        "新埭村服务站",
        "13812345678",
        3,
        StationKind.VILLAGE_STATION,
    )


def test_the_station_page_shows_a_bad_phone_at_the_field(net: Network) -> None:
    response = net.client("city_staff").post(
        f"/regions/{DANGHU}/station/",
        {"name": "当湖站", "phone": "12345", "full_time_staff": 0, "part_time_staff": 0},
    )

    assert response.status_code == 200
    assert field_codes(response, "phone") == ["bad_phone"]
    assert Station.objects.get(region=net.danghu).name == "当湖街道服务站"


def test_the_designate_page_records_a_designation_once(net: Network) -> None:
    client = net.client("city_staff")
    data = {"designation": "provincial_fengqiao", "year": 2022}

    first = client.post(f"/regions/{DANGHU}/designate/", data)
    second = client.post(f"/regions/{DANGHU}/designate/", data)

    assert first.status_code == 302
    assert second.status_code == 200
    assert field_codes(second, "designation") == ["duplicate"]
    assert StationDesignation.objects.filter(station__region=net.danghu).count() == 1


def test_the_rate_page_records_the_stars(net: Network) -> None:
    response = net.client("city_staff").post(
        f"/regions/{DANGHU}/rate/",
        {"year": TODAY.year, "party_building": 20, "service": 30, "support": 30, "honour": 20},
    )

    assert response.status_code == 302
    rating = StarRating.objects.get(station__region=net.danghu)
    assert (rating.stars, rating.total_score) == (5, Decimal("100.0"))


def test_the_rate_page_refuses_a_second_rating_in_the_same_year(net: Network) -> None:
    client = net.client("city_staff")
    data = {"year": TODAY.year, "party_building": 20, "service": 30, "support": 30, "honour": 20}
    client.post(f"/regions/{DANGHU}/rate/", data)

    response = client.post(f"/regions/{DANGHU}/rate/", {**data, "service": 10})

    assert response.status_code == 200
    assert field_codes(response, "year") == ["duplicate"]
    assert StarRating.objects.get(station__region=net.danghu).stars == 5


def test_the_leader_page_appoints_and_then_rotates(net: Network) -> None:
    client = net.client("town_staff")
    start = TODAY - dt.timedelta(days=30)

    appointed = client.post(f"/regions/{GRID}/leader/", {"leader_name": "张卫国", "start_date": start})
    refused = client.post(f"/regions/{GRID}/leader/", {"leader_name": "李强", "start_date": TODAY})
    rotated = client.post(f"/regions/{GRID}/leader/", {"leader_name": "李强", "start_date": TODAY, "rotate": "on"})

    assert appointed.status_code == 302
    assert refused.status_code == 200
    assert field_codes(refused, "leader_name") == ["leader_in_office"]
    assert rotated.status_code == 302
    terms = list(GridLeaderTerm.objects.filter(grid=net.grid).values_list("leader_name", "start_date", "end_date"))
    assert terms == [("李强", TODAY, None), ("张卫国", start, TODAY - dt.timedelta(days=1))]


def test_the_leader_page_refuses_a_region_that_is_not_a_grid(net: Network) -> None:
    response = net.client("town_staff").post(
        f"/regions/{VILLAGE}/leader/", {"leader_name": "张卫国", "start_date": TODAY}
    )

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == ["not_a_grid"]
    assert not GridLeaderTerm.objects.exists()


def test_a_rotation_dated_ahead_changes_the_leader_in_office_on_its_day(net: Network) -> None:
    import datetime as dt

    from regions.selectors import current_leaders
    from regions.services import grid_leader_appoint, grid_leader_rotate

    today = timezone.localdate()
    admin = net.users["city_admin"]
    grid_leader_appoint(actor=admin, grid=net.grid, leader_name="老班长", start_date=today - dt.timedelta(days=30))
    grid_leader_rotate(actor=admin, grid=net.grid, leader_name="新班长", start_date=today + dt.timedelta(days=10))

    assert [t.leader_name for t in current_leaders(user=admin)] == ["老班长"]
    later = today + dt.timedelta(days=10)
    assert [t.leader_name for t in current_leaders(user=admin, on=later)] == ["新班长"]
    page = net.client("city_admin").get("/regions/grids/")
    assert "老班长" in page.content.decode() and "新班长" not in page.content.decode()
