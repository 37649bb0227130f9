"""The registry's REST API at /api/v1/veterans."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.testing import Network
from audit.models import AuditEntry
from veterans.models import Tag, Veteran, VeteranCategory
from veterans.services import veteran_as_input
from veterans.tests.factories import register, valid_row

TODAY = timezone.localdate()
ERROR_KEYS = {"status", "code", "message", "message_en", "fields"}
ITEM_KEYS = {
    "id",
    "name",
    "gender",
    "birth_date",
    "id_number_masked",
    "phone_masked",
    "region_code",
    "region_name",
    "enlisted_on",
    "discharged_on",
    "discharge_type",
    "branch",
    "political_status",
    "party_joined_on",
    "status",
    "deceased_on",
    "categories",
    "tags",
}
REASON = {"reason": "核对身份信息"}


@pytest.fixture
def vet(net: Network) -> Veteran:
    return register(
        net.users["town_staff"],
        net.grid,
        name="张三丽",
        phone="13800005678",
        categories=["在乡复员军人"],
        address="东湖路1号",
    )


@pytest.fixture
def other_vet(net: Network) -> Veteran:
    return register(net.users["other_town_staff"], net.other_village, name="海上人")


def send(client: Client, method: str, path: str, body: dict[str, Any] | None = None) -> HttpResponse:
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, body or {}, content_type="application/json")


def error_of(response: HttpResponse, status: int) -> dict[str, Any]:
    """The error body, after checking its status and its shape."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS
    assert body["error"]["status"] == status
    assert body["error"]["message"] and body["error"]["message_en"]
    return body["error"]


def fields_of(response: HttpResponse) -> dict[str, str]:
    """{field: code} of a 400 answer."""
    return {item["field"]: item["code"] for item in error_of(response, 400)["fields"]}


def full_id(veteran: Veteran) -> str:
    return veteran_as_input(veteran)["id_number"]


def endpoints(pk: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("get", "/api/v1/veterans", None),
        ("get", f"/api/v1/veterans/{pk}", None),
        ("post", "/api/v1/veterans", {"name": "某人"}),
        ("patch", f"/api/v1/veterans/{pk}", {"address": "某地"}),
        ("post", f"/api/v1/veterans/{pk}/reveal-id", REASON),
    ]


# --- who may call ------------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(5))
def test_it_answers_an_anonymous_caller_with_401(net: Network, vet: Veteran, index: int) -> None:
    method, path, body = endpoints(vet.pk)[index]

    assert error_of(send(Client(), method, path, body), 401)["code"] == "unauthenticated"


def test_it_refuses_a_bad_token(net: Network) -> None:
    response = Client(HTTP_AUTHORIZATION="Bearer not-a-token").get("/api/v1/veterans")

    assert error_of(response, 401)["code"] == "unauthenticated"


@pytest.mark.parametrize("role", ["liaison", "employer", "veteran"])
@pytest.mark.parametrize("index", range(5))
def test_it_refuses_a_role_that_does_not_see_the_registry(net: Network, vet: Veteran, role: str, index: int) -> None:
    method, path, body = endpoints(vet.pk)[index]

    assert error_of(send(net.api_client(role), method, path, body), 403)["code"] == "forbidden"


@pytest.mark.parametrize("role", ["auditor", "grid_leader"])
def test_a_viewer_may_list_and_read_but_not_write(net: Network, vet: Veteran, role: str) -> None:
    api = net.api_client(role)

    assert api.get("/api/v1/veterans").status_code == 200
    assert api.get(f"/api/v1/veterans/{vet.pk}").status_code == 200
    error_of(api.post("/api/v1/veterans", valid_row(net.grid), content_type="application/json"), 403)
    error_of(api.patch(f"/api/v1/veterans/{vet.pk}", {"address": "改"}, content_type="application/json"), 403)
    error_of(api.post(f"/api/v1/veterans/{vet.pk}/reveal-id", REASON, content_type="application/json"), 403)
    assert Veteran.objects.count() == 1
    assert not AuditEntry.objects.filter(action="veteran.reveal_id").exists()


def test_an_auditor_lists_the_whole_city(net: Network, vet: Veteran, other_vet: Veteran) -> None:
    items = net.api_client("auditor").get("/api/v1/veterans").json()["items"]

    assert {i["name"] for i in items} == {"张三丽", "海上人"}


def test_the_session_of_a_signed_in_user_works_too(net: Network, vet: Veteran) -> None:
    assert net.client("town_staff").get("/api/v1/veterans").status_code == 200


# --- the list ----------------------------------------------------------------------------------


def test_the_list_is_items_and_next_with_masked_numbers_only(net: Network, vet: Veteran) -> None:
    response = net.api_client("town_staff").get("/api/v1/veterans")

    body = response.json()
    assert set(body) == {"items", "next"} and body["next"] is None
    [item] = body["items"]
    assert set(item) >= ITEM_KEYS and not {"id_number", "phone", "id_number_enc", "phone_enc"} & set(item)
    assert item["id"] == vet.pk and item["name"] == "张三丽" and item["gender"] == vet.gender
    assert item["birth_date"] == vet.birth_date.isoformat()
    assert item["id_number_masked"] == full_id(vet)[:6] + "********" + full_id(vet)[-4:]
    assert item["phone_masked"] == "138****5678"
    assert (item["region_code"], item["region_name"]) == (net.grid.code, net.grid.name)
    assert (item["discharge_type"], item["status"], item["categories"]) == (
        "discharged",
        "living",
        ["demobilised_rural"],
    )
    assert full_id(vet) not in response.content.decode() and "13800005678" not in response.content.decode()


def test_the_list_never_holds_another_towns_veterans(net: Network, vet: Veteran, other_vet: Veteran) -> None:
    api = net.api_client("town_staff")

    assert [i["name"] for i in api.get("/api/v1/veterans").json()["items"]] == ["张三丽"]
    assert api.get("/api/v1/veterans", {"region": net.zhapu.code}).json()["items"] == []
    assert api.get("/api/v1/veterans", {"q": full_id(other_vet)}).json()["items"] == []


def test_the_list_filters_by_region_q_category_status_discharge_type_and_tag(net: Network) -> None:
    city = net.users["city_staff"]
    a = register(city, net.grid, name="网格人", categories=["参战参试退役人员"], discharge_type="转业")
    b = register(city, net.village, name="村里人")
    c = register(city, net.other_village, name="海边人")
    Veteran.objects.filter(pk=b.pk).update(status="deceased", deceased_on=TODAY)
    c.tags.set([Tag.objects.get(code="empty_nest")])
    api = net.api_client("city_staff")

    def found(**params: str) -> set[int]:
        response = api.get("/api/v1/veterans", params)
        assert response.status_code == 200, response.content
        return {i["id"] for i in response.json()["items"]}

    assert found(region=net.danghu.code) == {a.pk, b.pk}
    assert found(region=net.grid.code) == {a.pk}
    assert found(q="海边") == {c.pk}
    assert found(q="wgr") == {a.pk}
    assert found(q=full_id(b)[-6:]) == {b.pk}
    assert found(category="war_or_test_veteran") == {a.pk}
    assert found(status="deceased") == {b.pk}
    assert found(status="living") == {a.pk, c.pk}
    assert found(discharge_type="transferred") == {a.pk}
    assert found(tag="empty_nest") == {c.pk}
    assert found(region=net.danghu.code, status="living") == {a.pk}


def test_the_list_pages_with_limit_and_cursor(net: Network) -> None:
    actor = net.users["town_staff"]
    created = [register(actor, net.village, name=f"老兵{i}").pk for i in range(7)]
    api = net.api_client("town_staff")

    seen: list[int] = []
    cursor = ""
    pages = 0
    while True:
        body = api.get("/api/v1/veterans", {"limit": 3, "cursor": cursor}).json()
        seen += [i["id"] for i in body["items"]]
        pages += 1
        if body["next"] is None:
            break
        cursor = body["next"]

    assert pages == 3
    assert seen == sorted(created, reverse=True)  # newest first, none twice


@pytest.mark.parametrize(
    ("params", "field"),
    [({"cursor": "@@@"}, "cursor"), ({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"limit": "many"}, "limit")],
)
def test_a_bad_page_request_is_a_400_at_its_parameter(
    net: Network, vet: Veteran, params: dict[str, Any], field: str
) -> None:
    response = net.api_client("town_staff").get("/api/v1/veterans", params)

    assert field in fields_of(response)


def test_the_list_runs_a_fixed_number_of_queries(net: Network, django_assert_max_num_queries: Any) -> None:
    actor = net.users["town_staff"]
    for i in range(20):
        register(actor, net.village, name=f"老兵{i}", categories=["在乡复员军人"]).tags.set(Tag.objects.all()[:2])
    api = net.api_client("town_staff")

    # the token and its user, the user's region, the rows, their categories, their tags
    with django_assert_max_num_queries(7):
        response = api.get("/api/v1/veterans")
    assert len(response.json()["items"]) == 20


def test_the_list_asks_the_database_every_time(net: Network, vet: Veteran) -> None:
    """The compiled statement is kept between calls; the rows never are."""
    api = net.api_client("town_staff")
    first = api.get("/api/v1/veterans").json()["items"]

    newer = register(net.users["town_staff"], net.village, name="李四")
    second = api.get("/api/v1/veterans").json()["items"]  # on PostgreSQL, now a prepared statement
    newest = register(net.users["town_staff"], net.village, name="王五")
    third = api.get("/api/v1/veterans").json()["items"]

    assert [i["id"] for i in first] == [vet.pk]
    assert [i["id"] for i in second] == [newer.pk, vet.pk]
    assert [i["id"] for i in third] == [newest.pk, newer.pk, vet.pk]
    assert third[2] == first[0]


def test_the_same_query_from_another_scope_is_its_own(net: Network, vet: Veteran, other_vet: Veteran) -> None:
    mine = net.api_client("town_staff").get("/api/v1/veterans").json()["items"]
    theirs = net.api_client("other_town_staff").get("/api/v1/veterans").json()["items"]

    assert [i["id"] for i in mine] == [vet.pk]
    assert [i["id"] for i in theirs] == [other_vet.pk]


# --- one record --------------------------------------------------------------------------------


def test_it_reads_one_veteran(net: Network, vet: Veteran) -> None:
    body = net.api_client("grid_leader").get(f"/api/v1/veterans/{vet.pk}").json()

    assert body["id"] == vet.pk and body["id_number_masked"] == vet.id_number_masked
    assert "id_number" not in body


@pytest.mark.parametrize("pk", ["other", "missing"])
def test_another_towns_veteran_and_a_missing_one_look_the_same(net: Network, other_vet: Veteran, pk: str) -> None:
    target = other_vet.pk if pk == "other" else other_vet.pk + 1000

    error = error_of(net.api_client("town_staff").get(f"/api/v1/veterans/{target}"), 404)

    assert error["code"] == "not_found" and error["fields"] == []


# --- create ------------------------------------------------------------------------------------


def test_it_creates_a_veteran(net: Network) -> None:
    row = valid_row(
        net.village,
        name="赵六",
        phone="13912345678",
        categories=["残疾军人"],
        disability_grade=4,
        disability_cause="因战",
        tags=["困难"],
        political_status="中共党员",
    )

    response = net.api_client("village_staff").post("/api/v1/veterans", row, content_type="application/json")

    assert response.status_code == 201, response.content
    body = response.json()
    veteran = Veteran.objects.get(pk=body["id"])
    assert full_id(veteran) == row["id_number"] and veteran.phone_masked == "139****5678"
    assert (body["categories"], body["tags"], body["political_status"]) == (
        ["disabled_soldier"],
        ["hardship"],
        "party_member",
    )
    assert row["id_number"] not in response.content.decode()
    entry = AuditEntry.objects.get(action="veteran.create")
    assert entry.actor_username == "village_staff" and row["id_number"] not in str(entry.after)


def test_a_bad_id_number_and_an_unknown_region_are_reported_at_their_fields(net: Network) -> None:
    row = valid_row(net.village, region_code=net.other_village.code)
    row["id_number"] = row["id_number"][:-1] + ("0" if row["id_number"][-1] != "0" else "1")

    response = net.api_client("town_staff").post("/api/v1/veterans", row, content_type="application/json")

    assert fields_of(response) == {"id_number": "id_checksum", "region_code": "unknown_region"}
    error = error_of(response, 400)
    assert error["code"] == "invalid"
    assert all(item["message"] and item["message_en"] for item in error["fields"])
    assert not Veteran.objects.exists()


def test_every_missing_required_field_is_reported(net: Network) -> None:
    response = net.api_client("town_staff").post("/api/v1/veterans", {}, content_type="application/json")

    assert fields_of(response) == {
        "name": "required",
        "id_number": "required",
        "region_code": "required",
        "enlisted_on": "required",
        "discharged_on": "required",
        "discharge_type": "required",
    }


def test_a_value_of_the_wrong_type_is_reported_at_its_field(net: Network) -> None:
    row = valid_row(net.village, categories={"not": "a list"})

    response = net.api_client("town_staff").post("/api/v1/veterans", row, content_type="application/json")

    assert "categories" in fields_of(response)


def test_it_refuses_an_id_number_already_registered(net: Network, other_vet: Veteran) -> None:
    # The other record's service dates too: a row's own dates follow its own birth year, which may be earlier.
    theirs = veteran_as_input(other_vet)
    row = valid_row(net.village, **{k: theirs[k] for k in ("id_number", "enlisted_on", "discharged_on")})

    response = net.api_client("town_staff").post("/api/v1/veterans", row, content_type="application/json")

    assert fields_of(response) == {"id_number": "duplicate"}
    assert Veteran.objects.count() == 1


# --- update ------------------------------------------------------------------------------------


def test_patch_changes_only_what_it_names(net: Network, vet: Veteran) -> None:
    vet.tags.set([Tag.objects.get(code="hardship")])
    before = veteran_as_input(vet)

    response = net.api_client("town_staff").patch(
        f"/api/v1/veterans/{vet.pk}", {"address": "新仓路2号"}, content_type="application/json"
    )

    assert response.status_code == 200, response.content
    vet.refresh_from_db()
    assert veteran_as_input(vet) == before | {"address": "新仓路2号"}
    assert response.json()["tags"] == ["hardship"]
    assert set(AuditEntry.objects.get(action="veteran.update").after) == {"address", "categories"}


@pytest.mark.parametrize("body", [b"[null, null]", b'"x"', b"1", b"null", b"[]"])
def test_patch_with_a_body_that_is_no_object_is_refused_and_not_audited(
    net: Network, vet: Veteran, body: bytes
) -> None:
    response = net.api_client("town_staff").generic(
        "PATCH", f"/api/v1/veterans/{vet.pk}", body, content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "not_an_object"
    assert response.json()["error"]["message"] and response.json()["error"]["message_en"]
    assert not AuditEntry.objects.filter(action="veteran.update").exists()


def test_patch_of_nothing_changes_nothing_and_writes_no_audit_entry(net: Network, vet: Veteran) -> None:
    before = veteran_as_input(vet)

    response = net.api_client("town_staff").patch(f"/api/v1/veterans/{vet.pk}", {}, content_type="application/json")

    assert response.status_code == 200, response.content
    vet.refresh_from_db()
    assert veteran_as_input(vet) == before
    assert not AuditEntry.objects.filter(action="veteran.update").exists()


def test_patch_of_only_the_phone_is_audited_without_the_number(net: Network, vet: Veteran) -> None:
    response = net.api_client("town_staff").patch(
        f"/api/v1/veterans/{vet.pk}", {"phone": "13900002222"}, content_type="application/json"
    )

    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.get(action="veteran.update")
    assert entry.after["phone_changed"] is True and entry.after["phone_masked"] == "139****2222"
    assert "13900002222" not in json.dumps(entry.after)


def test_patch_of_the_categories_ends_the_old_period(net: Network, vet: Veteran) -> None:
    response = net.api_client("town_staff").patch(
        f"/api/v1/veterans/{vet.pk}", {"categories": ["烈士遗属"]}, content_type="application/json"
    )

    assert response.json()["categories"] == ["martyr_family"]
    ends = dict(VeteranCategory.objects.filter(veteran=vet).values_list("category", "end_date"))
    assert ends == {"demobilised_rural": TODAY, "martyr_family": None}


def test_patch_with_an_error_changes_nothing(net: Network, vet: Veteran) -> None:
    response = net.api_client("town_staff").patch(
        f"/api/v1/veterans/{vet.pk}",
        {"name": "改名", "region_code": net.other_village.code, "phone": "110"},
        content_type="application/json",
    )

    assert fields_of(response) == {"region_code": "unknown_region", "phone": "bad_phone"}
    vet.refresh_from_db()
    assert vet.name == "张三丽" and vet.region_code == net.grid.code
    assert not AuditEntry.objects.filter(action="veteran.update").exists()


def test_patch_of_another_towns_veteran_is_404(net: Network, other_vet: Veteran) -> None:
    response = net.api_client("town_staff").patch(
        f"/api/v1/veterans/{other_vet.pk}", {"name": "改名"}, content_type="application/json"
    )

    error_of(response, 404)
    other_vet.refresh_from_db()
    assert other_vet.name == "海上人"


# --- reveal ------------------------------------------------------------------------------------


def test_a_town_user_reveals_the_full_id_number_with_a_reason(net: Network, vet: Veteran) -> None:
    response = net.api_client("town_staff").post(
        f"/api/v1/veterans/{vet.pk}/reveal-id", REASON, content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json() == {"id_number": full_id(vet)}
    entry = AuditEntry.objects.get(action="veteran.reveal_id")
    assert (entry.reason, entry.object_id, entry.actor_username) == (REASON["reason"], str(vet.pk), "town_staff")


def test_a_village_user_may_not_reveal(net: Network, vet: Veteran) -> None:
    response = net.api_client("village_staff").post(
        f"/api/v1/veterans/{vet.pk}/reveal-id", REASON, content_type="application/json"
    )

    error_of(response, 403)
    assert not AuditEntry.objects.filter(action="veteran.reveal_id").exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "missing"),
        ({"reason": "看看"}, "reason_required"),
        ({"reason": "   "}, "reason_required"),
        ({"reason": "长" * 201}, "too_long"),
    ],
)
def test_revealing_without_a_proper_reason_is_a_400(
    net: Network, vet: Veteran, body: dict[str, Any], code: str
) -> None:
    response = net.api_client("town_staff").post(
        f"/api/v1/veterans/{vet.pk}/reveal-id", body, content_type="application/json"
    )

    assert fields_of(response) == {"reason": code}
    assert full_id(vet) not in response.content.decode()
    assert not AuditEntry.objects.filter(action="veteran.reveal_id").exists()


def test_revealing_another_towns_veteran_is_404(net: Network, other_vet: Veteran) -> None:
    response = net.api_client("town_staff").post(
        f"/api/v1/veterans/{other_vet.pk}/reveal-id", REASON, content_type="application/json"
    )

    error_of(response, 404)
    assert not AuditEntry.objects.filter(action="veteran.reveal_id").exists()


# --- the list's compiled statements ------------------------------------------------------------


def _list_key(user: Any) -> Any:
    from core.pagination import statement_key
    from veterans.selectors import VeteranFilters, veteran_list

    return statement_key(veteran_list, {"user": user, "filters": VeteranFilters(), "today": TODAY})


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("role", "village_staff"), ("scope_region", "zhapu"), ("is_active", False), ("department", "police")],
)
def test_the_list_statement_is_keyed_by_each_attribute_of_the_user(net: Network, attribute: str, value: Any) -> None:
    user = net.users["town_staff"]
    before = _list_key(user)
    assert _list_key(User.objects.select_related("scope_region").get(pk=user.pk)) == before  # the same user, read again

    setattr(user, attribute, getattr(net, value) if attribute == "scope_region" else value)

    assert _list_key(user) != before


def test_a_user_whose_scope_changed_since_the_last_request_gets_the_new_answer(
    net: Network, vet: Veteran, other_vet: Veteran
) -> None:
    api = net.api_client("town_staff")
    first = [i["id"] for i in api.get("/api/v1/veterans").json()["items"]]
    User.objects.filter(username="town_staff").update(scope_region=net.zhapu)

    second = [i["id"] for i in api.get("/api/v1/veterans").json()["items"]]

    assert (first, second) == ([vet.pk], [other_vet.pk])
