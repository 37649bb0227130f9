"""The service network's REST API at /api/v1/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from accounts.testing import TEST_PASSWORD, Network
from audit.models import AuditEntry
from regions.models import GridLeaderTerm, Level, Region, StarRating, Station, StationDesignation, StationKind
from regions.testing import RegionFactory

TODAY = timezone.localdate()
DANGHU, ZHAPU = "330482001000", "330482100000"
VILLAGE, GRID, OTHER_GRID = "330482001001", "330482001001001", "330482100001001"
FULL_MARKS = {"party_building": 20, "service": 30, "support": 30, "honour": 20}
ERROR_KEYS = {"status", "code", "message", "message_en", "fields"}


class ApiClient:
    """A test client that sends a bearer token obtained the way an API user obtains one."""

    def __init__(self, username: str) -> None:
        self.client = Client()
        response = self.client.post(
            "/api/v1/auth/token",
            {"username": username, "password": TEST_PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        self.auth = f"Bearer {response.json()['token']}"

    def get(self, path: str, params: dict[str, Any] | None = None) -> HttpResponse:
        return self.client.get(f"/api/v1{path}", params or {}, HTTP_AUTHORIZATION=self.auth)

    def send(self, method: str, path: str, body: dict[str, Any]) -> HttpResponse:
        return getattr(self.client, method)(
            f"/api/v1{path}", body, content_type="application/json", HTTP_AUTHORIZATION=self.auth
        )

    def post(self, path: str, body: dict[str, Any]) -> HttpResponse:
        return self.send("post", path, body)

    def put(self, path: str, body: dict[str, Any]) -> HttpResponse:
        return self.send("put", path, body)

    def patch(self, path: str, body: dict[str, Any]) -> HttpResponse:
        return self.send("patch", path, body)


@pytest.fixture
def api(net: Network) -> Any:
    return ApiClient


def error_of(response: HttpResponse, status: int) -> dict[str, Any]:
    """The error body, after checking its status and its shape."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == ERROR_KEYS
    assert body["error"]["status"] == status
    return body["error"]


def fields_of(response: HttpResponse) -> list[tuple[str | None, str]]:
    error = error_of(response, 400)
    for item in error["fields"]:
        assert set(item) == {"field", "code", "message", "message_en"}
        assert item["message"] and item["message_en"]
    return [(item["field"], item["code"]) for item in error["fields"]]


# --- authentication --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/regions"),
        ("get", f"/api/v1/regions/{DANGHU}"),
        ("post", "/api/v1/regions"),
        ("patch", f"/api/v1/regions/{DANGHU}"),
        ("get", "/api/v1/stations"),
        ("put", f"/api/v1/regions/{DANGHU}/station"),
        ("post", f"/api/v1/regions/{DANGHU}/star-ratings"),
        ("get", f"/api/v1/regions/{GRID}/leaders"),
        ("post", f"/api/v1/regions/{GRID}/leaders"),
    ],
)
def test_it_answers_401_to_an_anonymous_caller(net: Network, method: str, path: str) -> None:
    response = getattr(Client(), method)(path, {}, content_type="application/json")

    error = error_of(response, 401)
    assert error["code"] == "unauthenticated"
    assert "Bearer" in error["message_en"]


def test_it_answers_401_to_a_wrong_token(net: Network) -> None:
    response = Client().get("/api/v1/regions", HTTP_AUTHORIZATION="Bearer not-a-token")

    assert error_of(response, 401)["code"] == "unauthenticated"


def test_it_accepts_a_signed_in_session(net: Network) -> None:
    response = net.client("town_staff").get(f"/api/v1/regions/{DANGHU}")

    assert response.status_code == 200
    assert response.json()["name"] == "当湖街道"


# --- reading regions -------------------------------------------------------------------------


def test_the_list_holds_only_the_callers_town(api: Any) -> None:
    response = api("town_staff").get("/regions")

    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["code"] for item in items] == [DANGHU, VILLAGE, GRID]
    assert all(item["code"].startswith("330482001") for item in items)
    assert not any(item["code"].startswith("330482100") for item in items)
    assert response.json()["next"] is None


def test_the_list_gives_code_name_level_and_parent_code(api: Any) -> None:
    items = api("town_staff").get("/regions")

    assert items.json()["items"][1] == {
        "code": VILLAGE,
        "name": "东湖村",
        "level": "village",
        "parent_code": DANGHU,
    }


def test_the_list_filters_by_level_parent_and_query(api: Any) -> None:
    client = api("city_staff")

    by_level = client.get("/regions", {"level": "grid"}).json()["items"]
    by_parent = client.get("/regions", {"parent": "330482000000"}).json()["items"]
    by_query = client.get("/regions", {"q": "海湾"}).json()["items"]

    assert [i["code"] for i in by_level] == [GRID, OTHER_GRID]
    assert [i["code"] for i in by_parent] == [DANGHU, ZHAPU]
    assert [i["code"] for i in by_query] == ["330482100001", OTHER_GRID]


def test_the_list_refuses_a_role_that_does_not_see_the_network(api: Any) -> None:
    response = api("employer").get("/regions")

    assert error_of(response, 403)["code"] == "forbidden"


def test_the_cursor_walks_every_region_once(net: Network, api: Any) -> None:
    for n in (2, 3, 4):
        RegionFactory(code=f"330482001{n:03d}", name=f"村{n}", level=Level.VILLAGE, parent=net.danghu)
    client = api("town_staff")
    expected = list(Region.objects.filter(code__startswith="330482001").values_list("code", flat=True))

    seen: list[str] = []
    pages = 0
    params: dict[str, Any] = {"limit": 2}
    while True:
        body = client.get("/regions", params).json()
        pages += 1
        assert len(body["items"]) <= 2
        seen += [item["code"] for item in body["items"]]
        if body["next"] is None:
            break
        params = {"limit": 2, "cursor": body["next"]}

    assert len(expected) == 6
    assert seen == expected
    assert len(set(seen)) == len(seen)
    assert pages == 3


@pytest.mark.parametrize("cursor", ["a", "_w", "zzzzz", "!!!!", "MzMw*DQ4"])
def test_a_bad_cursor_is_a_400_at_the_cursor(api: Any, cursor: str) -> None:
    response = api("town_staff").get("/regions", {"cursor": cursor})

    assert fields_of(response) == [("cursor", "bad_cursor")]
    assert "cursor is not valid" in response.json()["error"]["fields"][0]["message_en"]


@pytest.mark.parametrize("limit", [0, -1, 501])
def test_a_limit_out_of_range_is_a_400_at_the_limit(api: Any, limit: int) -> None:
    response = api("town_staff").get("/regions", {"limit": limit})

    error = error_of(response, 400)
    assert error["code"] == "invalid"
    assert fields_of(response) == [("limit", "bad_limit")]
    assert error["fields"][0]["message_en"] == "The limit must be between 1 and 500."


def test_a_limit_that_is_not_a_number_is_a_400(api: Any) -> None:
    response = api("town_staff").get("/regions", {"limit": "many"})

    assert [field for field, _code in fields_of(response)] == ["limit"]


def test_it_gets_one_region(api: Any) -> None:
    response = api("town_staff").get(f"/regions/{GRID}")

    assert response.json() == {
        "code": GRID,
        "name": "东湖村老兵壹家",
        "level": "grid",
        "parent_code": VILLAGE,
    }


@pytest.mark.parametrize("code", [ZHAPU, OTHER_GRID, "330482999000"])
def test_it_answers_404_for_a_region_outside_the_scope_or_unknown(api: Any, code: str) -> None:
    error = error_of(api("town_staff").get(f"/regions/{code}"), 404)

    assert error["code"] == "not_found"
    assert error["fields"] == []
    assert error["message_en"] == "Not found."


# --- writing regions -------------------------------------------------------------------------

NEW_VILLAGE = {"code": "330482001002", "name": "新埭村", "level": "village", "parent_code": DANGHU}


def test_a_city_admin_creates_a_region(api: Any) -> None:
    response = api("city_admin").post("/regions", NEW_VILLAGE)

    assert response.status_code == 201
    assert response.json() == {
        "code": "330482001002",
        "name": "新埭村",
        "level": "village",
        "parent_code": DANGHU,
    }
    assert Region.objects.get(code="330482001002").prefix == "330482001002"
    entry = AuditEntry.objects.get(action="region.create")
    assert entry.actor_username == "city_admin"


@pytest.mark.parametrize(
    ("role", "parent_code"),
    [
        ("town_staff", DANGHU),
        ("town_staff", "330482000000"),  # a parent the caller cannot see is still a 403, not a 400
        ("city_staff", DANGHU),
        ("employer", DANGHU),
    ],
)
def test_a_role_without_the_manage_capability_may_not_create(api: Any, role: str, parent_code: str) -> None:
    response = api(role).post("/regions", {**NEW_VILLAGE, "parent_code": parent_code})

    assert error_of(response, 403)["code"] == "forbidden"
    assert not Region.objects.filter(code="330482001002").exists()


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"code": "33048200100X"}, "code", "bad_code_shape"),
        ({"code": "330482100002"}, "code", "prefix_mismatch"),
        ({"code": VILLAGE}, "code", "duplicate"),
        ({"level": "grid", "code": "330482001002001"}, "parent", "bad_parent_level"),
        ({"level": "hamlet"}, "level", "bad_level"),
        ({"parent_code": "330482999000"}, "parent_code", "unknown_region"),
        ({"name": " "}, "name", "required"),
    ],
)
def test_a_bad_create_is_a_400_naming_the_field(api: Any, change: dict[str, str], field: str, code: str) -> None:
    response = api("city_admin").post("/regions", {**NEW_VILLAGE, **change})

    assert response.json()["error"]["code"] == "invalid"
    assert fields_of(response) == [(field, code)]
    assert Region.objects.count() == 7
    assert not AuditEntry.objects.filter(action="region.create").exists()


def test_a_create_missing_a_field_is_a_400_naming_it(api: Any) -> None:
    body = {k: v for k, v in NEW_VILLAGE.items() if k != "code"}

    response = api("city_admin").post("/regions", body)

    assert fields_of(response) == [("code", "missing")]


def test_a_code_longer_than_15_is_a_400_at_the_code(api: Any) -> None:
    response = api("city_admin").post("/regions", {**NEW_VILLAGE, "code": "3" * 16})

    assert [field for field, _code in fields_of(response)] == ["code"]


def test_a_patch_renames_a_region(net: Network, api: Any) -> None:
    response = api("city_admin").patch(f"/regions/{VILLAGE}", {"name": "东湖社区"})

    assert response.status_code == 200
    assert response.json()["name"] == "东湖社区"
    net.village.refresh_from_db()
    assert net.village.name == "东湖社区"
    assert AuditEntry.objects.get(action="region.update").after["name"] == "东湖社区"


def test_a_patch_that_makes_a_cycle_is_a_400_at_the_parent_code(net: Network, api: Any) -> None:
    response = api("city_admin").patch(f"/regions/{DANGHU}", {"parent_code": VILLAGE})

    assert fields_of(response) == [("parent_code", "cycle")]
    net.danghu.refresh_from_db()
    assert net.danghu.parent == net.city


def test_a_patch_with_a_blank_name_is_a_400_at_the_name(api: Any) -> None:
    response = api("city_admin").patch(f"/regions/{VILLAGE}", {"name": ""})

    assert fields_of(response) == [("name", "required")]


@pytest.mark.parametrize("body", [{"name": "东湖社区"}, {"name": "东湖社区", "parent_code": "330482000000"}])
def test_a_town_user_may_not_patch(net: Network, api: Any, body: dict[str, str]) -> None:
    response = api("town_staff").patch(f"/regions/{VILLAGE}", body)

    assert error_of(response, 403)["code"] == "forbidden"
    net.village.refresh_from_db()
    assert net.village.name == "东湖村"


# --- stations --------------------------------------------------------------------------------


def test_it_lists_only_the_callers_stations(net: Network, api: Any) -> None:
    StationDesignation.objects.create(station=net.danghu.station, designation="national_model", year=2021)

    response = api("town_staff").get("/stations")

    by_code = {s["region_code"]: s for s in response.json()}
    assert set(by_code) == {DANGHU, VILLAGE}
    assert by_code[DANGHU]["designations"] == ["national_model"]
    assert by_code[DANGHU]["kind"] == "town_station"
    assert by_code[VILLAGE]["stars"] is None


def test_the_station_list_runs_a_fixed_number_of_queries(
    net: Network, api: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(2, 14):
        village = RegionFactory(code=f"330482001{n:03d}", name=f"村{n}", level=Level.VILLAGE, parent=net.danghu)
        station = Station.objects.create(region=village, kind=StationKind.VILLAGE_STATION, name=f"村{n}站")
        for year in (TODAY.year - 1, TODAY.year):
            StarRating.objects.create(
                station=station,
                year=year,
                total_score=90 if year == TODAY.year else 70,
                stars=5 if year == TODAY.year else 3,
                rated_by=net.users["city_admin"],
            )
    client = api("town_staff")

    # the token and its user (3), stations, designations, star ratings
    with django_assert_max_num_queries(7):
        response = client.get("/stations")

    stations = response.json()
    assert len(stations) == 14
    assert sorted(s["stars"] for s in stations if s["stars"]) == [5] * 12


def test_a_put_saves_the_station(net: Network, api: Any) -> None:
    response = api("city_staff").put(
        f"/regions/{DANGHU}/station",
        {
            "name": "当湖街道退役军人服务站",
            "phone": "0573-85012345",
            "full_time_staff": 3,
            "opened_on": "2019-06-01",
        },
    )

    assert response.status_code == 200
    assert response.json()["name"] == "当湖街道退役军人服务站"
    assert response.json()["opened_on"] == "2019-06-01"
    station = Station.objects.get(region=net.danghu)
    assert (station.phone, station.full_time_staff, station.opened_on) == (
        "0573-85012345",
        3,
        dt.date(2019, 6, 1),
    )
    entry = AuditEntry.objects.get(action="station.update")
    assert entry.before["name"] == "当湖街道服务站"


def test_a_put_creates_the_station_of_a_region_without_one(net: Network, api: Any) -> None:
    RegionFactory(code="330482001002", name="新埭村", level=Level.VILLAGE, parent=net.danghu)

    response = api("city_staff").put("/regions/330482001002/station", {"name": "新埭村服务站"})

    assert response.status_code == 200
    assert response.json()["kind"] == "village_station"
    assert AuditEntry.objects.filter(action="station.create", region_code="330482001002").exists()


def test_a_put_with_a_bad_phone_is_a_400_at_the_phone(net: Network, api: Any) -> None:
    response = api("city_staff").put(f"/regions/{DANGHU}/station", {"name": "当湖站", "phone": "12345"})

    assert fields_of(response) == [("phone", "bad_phone")]
    assert Station.objects.get(region=net.danghu).name == "当湖街道服务站"


def test_a_put_with_negative_staff_is_a_400_at_that_field(api: Any) -> None:
    response = api("city_staff").put(f"/regions/{DANGHU}/station", {"name": "当湖站", "full_time_staff": -1})

    assert [field for field, _code in fields_of(response)] == ["full_time_staff"]


def test_a_put_for_a_grid_is_a_400_at_the_region(api: Any) -> None:
    response = api("city_staff").put(f"/regions/{GRID}/station", {"name": "网格站"})

    assert fields_of(response) == [("region", "grid_has_no_station")]


def test_a_put_by_a_town_user_is_a_403(api: Any) -> None:
    response = api("town_staff").put(f"/regions/{DANGHU}/station", {"name": "当湖站"})

    assert error_of(response, 403)["code"] == "forbidden"


def test_a_put_for_a_region_that_does_not_exist_is_a_404(api: Any) -> None:
    response = api("city_staff").put("/regions/330482999000/station", {"name": "无此站"})

    assert error_of(response, 404)["code"] == "not_found"


# --- star ratings ----------------------------------------------------------------------------


def test_a_star_rating_is_recorded(api: Any) -> None:
    response = api("city_staff").post(f"/regions/{DANGHU}/star-ratings", {"year": TODAY.year, "scores": FULL_MARKS})

    assert response.status_code == 201
    body = response.json()
    assert (body["year"], body["stars"], float(body["total_score"])) == (TODAY.year, 5, 100.0)
    assert StarRating.objects.get(station__region__code=DANGHU).stars == 5


def test_a_score_over_the_maximum_is_a_400_at_that_criterion(api: Any) -> None:
    response = api("city_staff").post(
        f"/regions/{DANGHU}/star-ratings", {"year": TODAY.year, "scores": {**FULL_MARKS, "service": 31}}
    )

    assert fields_of(response) == [("service", "bad_score")]
    assert response.json()["error"]["fields"][0]["message_en"] == "The score must be between 0 and 30.0."
    assert not StarRating.objects.exists()


def test_a_second_rating_in_the_same_year_is_a_400_at_the_year(api: Any) -> None:
    client = api("city_staff")
    client.post(f"/regions/{DANGHU}/star-ratings", {"year": TODAY.year, "scores": FULL_MARKS})

    response = client.post(f"/regions/{DANGHU}/star-ratings", {"year": TODAY.year, "scores": FULL_MARKS})

    assert fields_of(response) == [("year", "duplicate")]
    assert StarRating.objects.count() == 1


def test_a_rating_for_a_grid_is_a_404(api: Any) -> None:
    response = api("city_staff").post(f"/regions/{GRID}/star-ratings", {"year": TODAY.year, "scores": FULL_MARKS})

    assert error_of(response, 404)["code"] == "not_found"


def test_a_rating_by_a_town_user_is_a_403(api: Any) -> None:
    response = api("town_staff").post(f"/regions/{DANGHU}/star-ratings", {"year": TODAY.year, "scores": FULL_MARKS})

    assert error_of(response, 403)["code"] == "forbidden"
    assert not StarRating.objects.exists()


# --- grid leaders ----------------------------------------------------------------------------


def test_leaders_are_appointed_listed_and_rotated(net: Network, api: Any) -> None:
    client = api("town_staff")
    start = TODAY - dt.timedelta(days=60)

    appointed = client.post(f"/regions/{GRID}/leaders", {"leader_name": "张卫国", "start_date": start.isoformat()})
    rotated = client.post(
        f"/regions/{GRID}/leaders",
        {
            "leader_name": "李强",
            "leader_phone": "13900001111",
            "start_date": TODAY.isoformat(),
            "rotate": True,
        },
    )
    listed = client.get(f"/regions/{GRID}/leaders")

    assert appointed.status_code == 201
    assert appointed.json() == {
        "grid_code": GRID,
        "leader_name": "张卫国",
        "leader_phone": "",
        "start_date": start.isoformat(),
        "end_date": None,
    }
    assert rotated.status_code == 201
    assert listed.json() == [
        {
            "grid_code": GRID,
            "leader_name": "李强",
            "leader_phone": "13900001111",
            "start_date": TODAY.isoformat(),
            "end_date": None,
        },
        {
            "grid_code": GRID,
            "leader_name": "张卫国",
            "leader_phone": "",
            "start_date": start.isoformat(),
            "end_date": (TODAY - dt.timedelta(days=1)).isoformat(),
        },
    ]


def test_a_second_appointment_is_a_400_at_the_leader_name(api: Any) -> None:
    client = api("town_staff")
    client.post(f"/regions/{GRID}/leaders", {"leader_name": "张卫国", "start_date": TODAY.isoformat()})

    response = client.post(f"/regions/{GRID}/leaders", {"leader_name": "李强", "start_date": TODAY.isoformat()})

    assert fields_of(response) == [("leader_name", "leader_in_office")]
    assert GridLeaderTerm.objects.get(grid__code=GRID).leader_name == "张卫国"


def test_a_rotation_not_after_the_current_start_is_a_400_at_the_start_date(api: Any) -> None:
    client = api("town_staff")
    client.post(f"/regions/{GRID}/leaders", {"leader_name": "张卫国", "start_date": TODAY.isoformat()})

    response = client.post(
        f"/regions/{GRID}/leaders", {"leader_name": "李强", "start_date": TODAY.isoformat(), "rotate": True}
    )

    assert fields_of(response) == [("start_date", "overlap")]
    assert GridLeaderTerm.objects.get(grid__code=GRID).end_date is None


def test_an_appointment_to_a_village_is_a_400_at_the_grid(api: Any) -> None:
    response = api("town_staff").post(
        f"/regions/{VILLAGE}/leaders", {"leader_name": "张卫国", "start_date": TODAY.isoformat()}
    )

    assert fields_of(response) == [("grid", "not_a_grid")]


def test_an_appointment_without_a_start_date_is_a_400_naming_it(api: Any) -> None:
    response = api("town_staff").post(f"/regions/{GRID}/leaders", {"leader_name": "张卫国"})

    assert fields_of(response) == [("start_date", "missing")]


def test_an_appointment_by_a_village_user_is_a_403(api: Any) -> None:
    response = api("village_staff").post(
        f"/regions/{GRID}/leaders", {"leader_name": "张卫国", "start_date": TODAY.isoformat()}
    )

    assert error_of(response, 403)["code"] == "forbidden"
    assert not GridLeaderTerm.objects.exists()


def test_the_leaders_of_another_towns_grid_are_a_404(net: Network, api: Any) -> None:
    GridLeaderTerm.objects.create(grid=net.other_grid, leader_name="李强", start_date=TODAY)
    client = api("town_staff")

    assert error_of(client.get(f"/regions/{OTHER_GRID}/leaders"), 404)["code"] == "not_found"
    response = client.post(f"/regions/{OTHER_GRID}/leaders", {"leader_name": "张卫国", "start_date": TODAY.isoformat()})
    assert error_of(response, 404)["code"] == "not_found"
    assert GridLeaderTerm.objects.count() == 1
