"""The martyrs' API through its HTTP paths: refusals at their fields in both languages, Idempotency-Key replays,
another area's records not found, and the figures."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.testing import Network
from audit.models import AuditEntry
from martyrs.models import Martyr, MartyrFamily, RecordChange, Remembrance, Upkeep
from martyrs.tests.helpers import TODAY, family, kin, martyr, memorial, upkeep

pytestmark = pytest.mark.django_db


def fields(response: Any) -> dict[str, str]:
    body = response.json()["error"]
    return {f["field"]: f["code"] for f in body["fields"]} or {body.get("field") or "": body["code"]}


def send(client: Any, method: str, url: str, body: dict[str, Any], **headers: str) -> Any:
    return getattr(client, method)(url, body, content_type="application/json", headers=headers)


def test_a_martyr_is_registered_and_read_back(net: Network) -> None:
    client = net.api_client("town_staff")
    body = {"name": "王英", "region": net.village.code, "gender": "F", "born": "1922", "sacrificed": "1944-06",
            "unit": "新四军某部"}  # fmt: skip
    made = send(client, "post", "/api/v1/martyrs", body)
    assert made.status_code == 201, made.content
    shown = made.json()
    assert (shown["born"], shown["born_precision"], shown["sacrificed"], shown["synthetic"]) == (
        "1922", "year", "1944-06", False)  # fmt: skip
    assert client.get(f"/api/v1/martyrs/{shown['id']}").json()["name"] == "王英"
    listed = client.get("/api/v1/martyrs?q=王").json()
    assert [m["id"] for m in listed["items"]] == [shown["id"]]
    changed = send(client, "put", f"/api/v1/martyrs/{shown['id']}", body | {"place_of_sacrifice": "浙东"})
    assert changed.status_code == 200 and changed.json()["place_of_sacrifice"] == "浙东"


def test_bad_dates_are_refused_at_their_field_in_both_languages(net: Network) -> None:
    client = net.api_client("town_staff")
    body = {"name": "王英", "region": net.village.code, "born": "1950", "sacrificed": "1949"}
    refused = send(client, "post", "/api/v1/martyrs", body)
    assert refused.status_code == 400
    assert fields(refused) == {"sacrificed": "before_birth"}
    item = refused.json()["error"]["fields"][0]
    assert item["message"] == "牺牲日期早于出生日期。" and "before the date of birth" in item["message_en"]
    bad = send(client, "post", "/api/v1/martyrs", body | {"born": "19五0", "sacrificed": "2999-01-01",
                                                        "region": net.other_village.code})  # fmt: skip
    assert fields(bad) == {"born": "bad_date", "sacrificed": "future", "region": "unknown_region"}
    assert not Martyr.objects.exists()


def test_another_areas_records_are_not_found(net: Network) -> None:
    staff = net.users["other_town_staff"]
    theirs = family(staff, net.other_grid)
    place = memorial(staff, net.other_village)
    client = net.api_client("town_staff")
    for url in (f"/api/v1/martyrs/{theirs.martyr_id}", f"/api/v1/martyrs/families/{theirs.pk}",
                f"/api/v1/memorials/{place.pk}", f"/api/v1/memorials/{place.pk}/upkeep"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    record = send(client, "patch", f"/api/v1/martyrs/families/{theirs.pk}", {"living": "改"})
    assert record.status_code == 404
    visit = send(client, "post", f"/api/v1/memorials/{place.pk}/remembrances",
                 {"visited_on": TODAY.isoformat(), "group": "学校", "people": 10})  # fmt: skip
    assert visit.status_code == 404
    assert client.get("/api/v1/martyrs").json()["items"] == []


def test_family_members_are_linked_and_their_record_read_with_an_audit_entry(net: Network) -> None:
    staff = net.users["town_staff"]
    hero = martyr(staff, net.village)
    person = kin(staff, net.grid)
    client = net.api_client("town_staff")
    linked = send(client, "post", f"/api/v1/martyrs/{hero.pk}/family", {"veteran_id": person.pk, "relation": "child"})
    assert linked.status_code == 201, linked.content
    shown = linked.json()
    assert shown["phone_masked"].startswith("139") and "*" in shown["phone_masked"]
    wrong = send(client, "post", f"/api/v1/martyrs/{hero.pk}/family", {"veteran_id": person.pk, "relation": "uncle"})
    assert fields(wrong) == {"veteran_id": "already_linked", "relation": "bad_choice"}
    before = AuditEntry.objects.filter(action="martyrs.record_view").count()
    got = client.get(f"/api/v1/martyrs/families/{shown['id']}")
    assert got.status_code == 200
    assert AuditEntry.objects.filter(action="martyrs.record_view").count() == before + 1
    assert [f["id"] for f in client.get(f"/api/v1/martyrs/{hero.pk}/family").json()] == [shown["id"]]


def test_a_record_update_is_made_once_per_key(net: Network) -> None:
    staff = net.users["town_staff"]
    linked = family(staff, net.grid, responsible=net.users["village_staff"])
    client = net.api_client("village_staff")
    url = f"/api/v1/martyrs/families/{linked.pk}"
    first = send(client, "patch", url, {"living": "独居", "employment": "退休"}, **{"Idempotency-Key": "r-1"})
    assert first.status_code == 200, first.content
    assert (first.json()["living"], first.json()["schooling"]) == ("独居", "")
    again = send(client, "patch", url, {"living": "独居", "employment": "退休"}, **{"Idempotency-Key": "r-1"})
    assert again.status_code == 200
    assert RecordChange.objects.filter(family=linked, changed_by=net.users["village_staff"]).count() == 1
    other = send(client, "patch", url, {"living": "与子女同住"}, **{"Idempotency-Key": "r-1"})
    assert other.status_code == 409
    too_long = send(client, "patch", url, {"note": "长" * 1001})
    assert too_long.status_code in (400, 422) and "note" in fields(too_long)


def test_only_the_responsible_person_or_managers_update_the_record(net: Network) -> None:
    linked = family(net.users["town_staff"], net.grid)
    refused = send(net.api_client("village_staff"), "patch", f"/api/v1/martyrs/families/{linked.pk}", {"living": "x"})
    assert refused.status_code == 400 and fields(refused) == {"": "not_responsible"}
    named = send(net.api_client("town_staff"), "put", f"/api/v1/martyrs/families/{linked.pk}/responsible",
                 {"user_id": net.users["other_town_staff"].pk})  # fmt: skip
    assert fields(named) == {"responsible": "not_in_area"}
    named = send(net.api_client("town_staff"), "put", f"/api/v1/martyrs/families/{linked.pk}/responsible",
                 {"user_id": net.users["village_staff"].pk})  # fmt: skip
    assert named.status_code == 200 and named.json()["responsible_id"] == net.users["village_staff"].pk
    mine = net.api_client("village_staff").get("/api/v1/martyrs/my-families").json()
    assert [(m["family"]["id"], m["overdue"]) for m in mine] == [(linked.pk, True)]
    assert MartyrFamily.objects.get(pk=linked.pk).responsible_id == net.users["village_staff"].pk


def test_upkeep_and_remembrance_are_recorded_once_per_key(net: Network) -> None:
    place = memorial(net.users["town_staff"], net.village)
    client = net.api_client("town_staff")
    body = {"done_on": TODAY.isoformat(), "work": "绿化修剪", "cost": "880.00", "done_by": "园林所"}
    url = f"/api/v1/memorials/{place.pk}/upkeep"
    first = send(client, "post", url, body, **{"Idempotency-Key": "u-1"})
    assert first.status_code == 201, first.content
    again = send(client, "post", url, body, **{"Idempotency-Key": "u-1"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Upkeep.objects.count() == 1
    negative = send(client, "post", url, body | {"cost": "-5"})
    assert fields(negative) == {"cost": "negative"}
    reversal = send(client, "post", f"/api/v1/memorials/upkeep/{first.json()['id']}/reverse", {"reason": "录错"})
    assert reversal.status_code == 201 and reversal.json()["cost"] == "-880.00"
    visit = {"visited_on": TODAY.isoformat(), "group": "中心小学", "people": 45, "note": "清明祭扫"}
    rurl = f"/api/v1/memorials/{place.pk}/remembrances"
    made = send(client, "post", rurl, visit, **{"Idempotency-Key": "q-1"})
    assert made.status_code == 201
    assert send(client, "post", rurl, visit, **{"Idempotency-Key": "q-1"}).status_code == 200
    assert Remembrance.objects.count() == 1
    future = send(client, "post", rurl, visit | {"visited_on": "2999-04-04"})
    assert fields(future) == {"visited_on": "future"}
    nobody = send(client, "post", rurl, visit | {"people": 0})
    assert nobody.status_code in (400, 422) and "people" in fields(nobody), nobody.content
    item = nobody.json()["error"]["fields"][0]
    assert item["message"] and item["message_en"] and item["message"] != item["message_en"]


def test_figures_count_families_and_facilities(net: Network) -> None:
    staff = net.users["town_staff"]
    family(staff, net.grid, responsible=net.users["village_staff"])
    family(staff, net.grid)
    upkeep(staff, memorial(staff, net.village, condition="repair"))
    got = net.api_client("town_staff").get("/api/v1/martyrs/figures").json()
    assert (got["total"]["families"], got["total"]["with_responsible"], got["total"]["contacted"]) == (2, 1, 0)
    assert {m["condition"]: m["count"] for m in got["memorials"]} == {"good": 0, "fair": 0, "repair": 1}
    other = net.api_client("town_staff").get(f"/api/v1/martyrs/figures?region={net.other_village.code}")
    assert other.status_code == 400
