"""The visits and needs API through its HTTP paths: refusals at their fields, Idempotency-Key repeats, another
area's records, the lists' filters and the 回访 answer."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.testing import Network
from care.models import Need, Visit
from care.tests.helpers import PNG, do, log, photo, raise_need
from veterans.tests.factories import register as register_veteran

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate().isoformat()


def fields(response: Any) -> dict[str, str]:
    """The refused fields of an error answer, each with its code."""
    body = response.json()["error"]
    return {f["field"]: f["code"] for f in body["fields"]} or {body.get("field") or "": body["code"]}


def post(client: Any, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, body, content_type="application/json", headers=headers)


def _body(veteran: Any, **overrides: Any) -> dict[str, Any]:
    return {"veteran_id": veteran.pk, "visited_on": TODAY, "mode": "home", "note": "聊了家常", **overrides}


def test_a_visit_with_a_need_is_logged_once_per_key(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    client = net.api_client("grid_leader")
    body = _body(veteran, needs=[{"category": "living", "description": "需要助餐"}])
    first = post(client, "/api/v1/visits", body, **{"Idempotency-Key": "v-1"})
    assert first.status_code == 201, first.content
    shown = first.json()
    assert (shown["veteran_id"], shown["mode"], len(shown["needs"])) == (veteran.pk, "home", 1)
    again = post(client, "/api/v1/visits", body, **{"Idempotency-Key": "v-1"})
    assert again.status_code == 200 and again.json()["id"] == shown["id"]
    assert Visit.objects.count() == 1 and Need.objects.count() == 1


def test_the_same_key_with_another_visit_is_refused(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    client = net.api_client("grid_leader")
    assert post(client, "/api/v1/visits", _body(veteran), **{"Idempotency-Key": "v-2"}).status_code == 201
    other = post(client, "/api/v1/visits", _body(veteran, mode="phone"), **{"Idempotency-Key": "v-2"})
    assert other.status_code == 409
    assert fields(other) == {"": "idempotency_key_reused"}
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    ("override", "field", "code"),
    [
        ({"visited_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, "visited_on", "future"),
        ({"mode": "pigeon"}, "mode", "unknown_mode"),
        ({"needs": [{"category": "money", "description": "x"}]}, "needs.0.category", "unknown_category"),
    ],
)
def test_bad_visits_are_refused_at_their_field(net: Network, override: dict[str, Any], field: str, code: str) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    response = post(net.api_client("grid_leader"), "/api/v1/visits", _body(veteran, **override))
    assert response.status_code == 400, response.content
    assert fields(response) == {field: code}
    assert not Visit.objects.exists()


def test_a_veteran_out_of_scope_is_refused(net: Network) -> None:
    elsewhere = register_veteran(net.users["city_staff"], net.other_grid)
    response = post(net.api_client("grid_leader"), "/api/v1/visits", _body(elsewhere))
    assert response.status_code == 400
    assert fields(response) == {"veteran_id": "not_visible"}


def test_a_date_that_is_not_iso_is_refused(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    response = post(net.api_client("grid_leader"), "/api/v1/visits", _body(veteran, visited_on="2026/1/1"))
    assert response.status_code in (400, 422)


def test_visits_are_listed_by_person_area_and_day(net: Network) -> None:
    staff = net.users["city_staff"]
    here, there = register_veteran(staff, net.grid), register_veteran(staff, net.other_grid)
    old = log(staff, here, days_ago=100)
    new = log(staff, here, days_ago=1)
    log(staff, there, days_ago=1)
    client = net.api_client("city_staff")
    everyone = client.get("/api/v1/visits").json()["items"]
    assert len(everyone) == 3
    mine = client.get(f"/api/v1/visits?veteran={here.pk}").json()["items"]
    assert [v["id"] for v in mine] == [new.pk, old.pk]
    danghu = client.get(f"/api/v1/visits?region={net.danghu.code}").json()["items"]
    assert {v["id"] for v in danghu} == {new.pk, old.pk}
    since = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    recent = client.get(f"/api/v1/visits?region={net.danghu.code}&since={since}").json()["items"]
    assert [v["id"] for v in recent] == [new.pk]
    page = client.get("/api/v1/visits?limit=2").json()
    assert len(page["items"]) == 2 and page["next"]
    assert len(client.get(f"/api/v1/visits?limit=2&cursor={page['next']}").json()["items"]) == 1


def test_another_towns_visits_are_not_listed_nor_found(net: Network) -> None:
    staff = net.users["city_staff"]
    there = log(staff, register_veteran(staff, net.other_grid))
    client = net.api_client("town_staff")
    assert client.get("/api/v1/visits").json()["items"] == []
    assert client.get(f"/api/v1/visits/{there.pk}").status_code == 404
    assert client.get(f"/api/v1/visits?region={net.zhapu.code}").status_code == 400


def test_a_need_is_raised_once_per_key_and_listed(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.village)
    client = net.api_client("village_staff")
    body = {"veteran_id": veteran.pk, "category": "employment", "description": "想找工作"}
    first = post(client, "/api/v1/needs", body, **{"Idempotency-Key": "n-1"})
    assert first.status_code == 201, first.content
    assert post(client, "/api/v1/needs", body, **{"Idempotency-Key": "n-1"}).status_code == 200
    assert Need.objects.count() == 1
    case_id = first.json()["case_id"]
    listed = client.get("/api/v1/needs?category=employment").json()["items"]
    assert [n["case_id"] for n in listed] == [case_id]
    detail = client.get(f"/api/v1/needs/{case_id}").json()
    assert detail["source"] == "station" and detail["case"]["tasks"][0]["step"] == "handle"


def test_an_unknown_category_is_refused(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.village)
    body = {"veteran_id": veteran.pk, "category": "money", "description": "x"}
    response = post(net.api_client("village_staff"), "/api/v1/needs", body)
    assert response.status_code == 400 and fields(response) == {"category": "unknown_category"}


def test_the_follow_up_answer_reopens_or_closes_the_need(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    need = raise_need(net.users["grid_leader"], veteran)
    do(net.users["town_staff"], need, "resolve", "已办理")
    client = net.api_client("village_staff")
    url = f"/api/v1/needs/{need.case_id}/followup"
    bad = post(client, url, {"satisfied": True, "rating": "dissatisfied"})
    assert bad.status_code == 400 and fields(bad) == {"rating": "bad_rating"}
    reopened = post(client, url, {"satisfied": False, "note": "还没解决"})
    assert reopened.status_code == 200, reopened.content
    assert (reopened.json()["reopened"], reopened.json()["state"]) == (1, "open")
    assert post(client, url, {"satisfied": True, "rating": "very"}).status_code == 400  # not at its 回访 now
    do(net.users["town_staff"], Need.objects.get(pk=need.pk), "resolve", "已解决")
    closed = post(client, url, {"satisfied": True, "rating": "very"})
    assert closed.status_code == 200 and closed.json()["state"] == "done"
    assert closed.json()["satisfaction"] == "very"


def test_my_people_and_the_overdue_list(net: Network) -> None:
    staff = net.users["city_staff"]
    seen, unseen = register_veteran(staff, net.grid), register_veteran(staff, net.grid)
    log(staff, seen, days_ago=3)
    people = net.api_client("grid_leader").get("/api/v1/care/my-people").json()
    assert [(p["veteran_id"], p["overdue"]) for p in people] == [(unseen.pk, True), (seen.pk, False)]
    overdue = net.api_client("village_staff").get("/api/v1/care/overdue").json()["items"]
    assert [p["veteran_id"] for p in overdue] == [unseen.pk]


def test_coverage_of_an_area(net: Network) -> None:
    staff = net.users["city_staff"]
    log(staff, register_veteran(staff, net.grid))
    register_veteran(staff, net.grid)
    body = net.api_client("town_staff").get("/api/v1/care/coverage").json()
    assert body["total"]["code"] == net.danghu.code and body["total"]["rate"] == "50.0"
    assert net.api_client("town_staff").get(f"/api/v1/care/coverage?region={net.zhapu.code}").status_code == 400


# --- a visit with its photos (multipart) ---------------------------------------------------------------------


def _with_photos(client: Any, data: Any, photos: list[Any], **headers: str) -> Any:
    body: dict[str, Any] = {"data": data if isinstance(data, str) else json.dumps(data)}
    if photos:
        body["photo"] = photos
    return client.post("/api/v1/visits/with-photos", body, headers=headers)


def test_a_visit_with_photos_is_stored_once_per_key(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    client = net.api_client("grid_leader")
    body = _body(veteran, needs=[{"category": "housing", "description": "屋顶漏雨"}])
    first = _with_photos(client, body, [photo("门口.png"), photo("屋顶.png")], **{"Idempotency-Key": "vp-1"})
    assert first.status_code == 201, first.content
    assert first.json()["photos"] == 2 and len(first.json()["needs"]) == 1
    again = _with_photos(client, body, [photo("门口.png"), photo("屋顶.png")], **{"Idempotency-Key": "vp-1"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    other = _with_photos(client, body, [photo("门口.png")], **{"Idempotency-Key": "vp-1"})
    assert other.status_code == 409  # the same key with other photos
    visit = Visit.objects.get()
    assert visit.photos.count() == 2 and Need.objects.count() == 1


def test_a_visit_with_photos_refuses_a_wrong_file_too_many_and_bad_json(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    client = net.api_client("grid_leader")
    wrong = _with_photos(client, _body(veteran), [SimpleUploadedFile("a.exe", PNG)])
    assert wrong.status_code == 400 and fields(wrong)["photo"] == "bad_type"
    many = _with_photos(client, _body(veteran), [photo(f"{n}.png") for n in range(6)])
    assert many.status_code == 400 and fields(many)["photo"] == "too_many"
    assert fields(_with_photos(client, "[1, 2", []))["data"] == "bad_json"
    assert fields(_with_photos(client, "[" * 100_000, []))["data"] == "bad_json"  # deeper than the parser goes
    missing = _with_photos(client, {"veteran_id": veteran.pk}, [])
    assert missing.status_code == 400 and "visited_on" in fields(missing)
    future = _with_photos(client, _body(veteran, visited_on="2099-01-01"), [photo()])
    assert future.status_code == 400 and fields(future)["visited_on"] == "future"
    assert not Visit.objects.exists()
    # another area's person is refused like the JSON twin
    far = register_veteran(net.users["city_staff"], net.other_village)
    assert fields(_with_photos(client, _body(far), [photo()]))["veteran_id"] == "not_visible"
