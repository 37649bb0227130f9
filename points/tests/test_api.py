"""The points API through its HTTP paths: the catalog, entries (JSON and with evidence), the ledger, corrections,
redemptions and the ranking; refusals at their fields, Idempotency-Key repeats, and another area's records."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import Network
from points.models import Entry, Kind, PointEntry
from points.tests.helpers import PNG, approver, decide, photo, submit
from veterans.tests.factories import register as register_veteran
from workflow.models import Attachment

pytestmark = pytest.mark.django_db

YESTERDAY = (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def fields(response: Any) -> dict[str, str]:
    """The refused fields of an error answer, each with its code."""
    body = response.json()["error"]
    return {f["field"]: f["code"] for f in body["fields"]} or {body.get("field") or "": body["code"]}


def post(client: Any, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, body, content_type="application/json", headers=headers)


def booked(net: Network, veteran: Any, code: str = "volunteer-service", quantity: str = "3", **kw: Any) -> PointEntry:
    entry = submit(net.users["city_staff"], [veteran], code, quantity=quantity, **kw)
    decide(entry, approver(net, entry))
    return PointEntry.objects.get(entry=entry)


# --- the catalog ------------------------------------------------------------------------------------------------


def test_the_catalog_lists_the_aspects_and_their_items_in_force(net: Network) -> None:
    response = net.api_client("grid_leader").get("/api/v1/points/catalog")
    assert response.status_code == 200
    aspects = response.json()["aspects"]
    assert len(aspects) == 7
    items = {i["code"]: i for a in aspects for i in a["items"]}
    assert len(items) == 27
    service = items["volunteer-service"]
    assert (service["basis"], service["points"], service["quarter_cap"], service["evidence"]) == (
        "per_hour", 1, 40, "photo")  # fmt: skip
    assert items["conduct-covenant"]["deduction"] is True


def test_the_catalog_is_open_to_a_veteran_and_closed_to_a_liaison(net: Network) -> None:
    assert net.api_client("veteran").get("/api/v1/points/catalog").status_code == 200
    assert net.api_client("liaison").get("/api/v1/points/catalog").status_code == 403


def test_the_catalog_before_the_scheme_is_empty_and_a_bad_day_is_refused(net: Network) -> None:
    client = net.api_client("city_staff")
    assert client.get("/api/v1/points/catalog", {"day": "2020-01-01"}).json()["aspects"] == []
    response = client.get("/api/v1/points/catalog", {"day": "yesterday"})
    assert response.status_code == 400 and "day" in fields(response)


# --- entries -----------------------------------------------------------------------------------------------------


def test_an_entry_without_evidence_opens_once_per_idempotency_key(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    client = net.api_client("grid_leader")
    body = {"veterans": [a.pk], "item": "safety-mediation", "day": YESTERDAY, "quantity": "2"}
    first = post(client, "/api/v1/points-entries", body, **{"Idempotency-Key": "m-1"})
    assert first.status_code == 201, first.content
    shown = first.json()
    assert (shown["item"], shown["points_each"], shown["veterans"], shown["state"]) == (
        "safety-mediation", 6, [a.pk], "open")  # fmt: skip
    again = post(client, "/api/v1/points-entries", body, **{"Idempotency-Key": "m-1"})
    assert again.status_code == 200 and again.json()["case_id"] == shown["case_id"]
    assert Entry.objects.count() == 1


def test_an_item_that_needs_evidence_is_refused_without_it_at_its_field(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    body = {"veterans": [a.pk], "item": "volunteer-service", "day": YESTERDAY, "quantity": "3"}
    response = post(net.api_client("grid_leader"), "/api/v1/points-entries", body)
    assert response.status_code == 400
    assert fields(response)["evidence"] == "evidence_required"
    assert not Entry.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"item": "no-such-item"}, "item", "unknown_item"),
        ({"quantity": "1.5"}, "quantity", "bad_occasions"),
        ({"day": "2999-01-01"}, "day", "future"),
        ({"veterans": []}, "veterans", "required"),
        ({"veterans": list(range(1, 202))}, "veterans", "too_many"),
    ],
)
def test_a_bad_entry_is_refused_at_its_field(net: Network, change: dict[str, Any], field: str, code: str) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    body = {"veterans": [a.pk], "item": "safety-mediation", "day": YESTERDAY, "quantity": "2", **change}
    response = post(net.api_client("grid_leader"), "/api/v1/points-entries", body)
    assert response.status_code == 400, response.content
    assert fields(response)[field] == code


def test_a_huge_list_of_veterans_is_refused_before_it_is_read(net: Network) -> None:
    body = {"veterans": list(range(1, 5000)), "item": "safety-mediation", "day": YESTERDAY}
    response = post(net.api_client("grid_leader"), "/api/v1/points-entries", body)
    assert response.status_code == 400 and "veterans" in fields(response)


def test_another_towns_veteran_is_not_the_submitters_to_record(net: Network) -> None:
    other = register_veteran(net.users["city_staff"], net.other_grid)
    body = {"veterans": [other.pk], "item": "safety-mediation", "day": YESTERDAY, "quantity": "1"}
    response = post(net.api_client("grid_leader"), "/api/v1/points-entries", body)
    assert response.status_code == 400 and fields(response)["veterans"] == "not_visible"


def multipart(client: Any, data: dict[str, Any], files: list[Any], **headers: str) -> Any:
    return client.post("/api/v1/points/entries", {"data": json.dumps(data), "evidence": files}, headers=headers)


def test_an_entry_with_its_photo_is_kept_once_with_the_file(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    client = net.api_client("grid_leader")
    data = {"veterans": [a.pk], "item": "volunteer-service", "day": YESTERDAY, "quantity": "3"}
    first = multipart(client, data, [photo()], **{"Idempotency-Key": "p-1"})
    assert first.status_code == 201, first.content
    case_id = first.json()["case_id"]
    assert Attachment.objects.filter(case_id=case_id).count() == 1
    again = multipart(client, data, [photo()], **{"Idempotency-Key": "p-1"})
    assert again.status_code == 200 and again.json()["case_id"] == case_id
    assert Entry.objects.count() == 1 and Attachment.objects.count() == 1


def test_a_multipart_entry_refuses_a_wrong_file_and_bad_json(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    client = net.api_client("grid_leader")
    data = {"veterans": [a.pk], "item": "volunteer-service", "day": YESTERDAY, "quantity": "3"}
    from django.core.files.uploadedfile import SimpleUploadedFile

    wrong = multipart(client, data, [SimpleUploadedFile("a.exe", PNG)])
    assert wrong.status_code == 400 and fields(wrong)["evidence"] == "bad_type"
    bad = client.post("/api/v1/points/entries", {"data": "[1, 2"})
    assert bad.status_code == 400 and fields(bad)["data"] == "bad_json"
    assert not Entry.objects.exists()


def test_a_veteran_submits_their_own_entry_with_evidence(net: Network) -> None:
    me = register_veteran(net.users["city_staff"], net.village)
    user = net.users["veteran"]
    user.veteran = me
    user.save(update_fields=["veteran"])
    data = {"veterans": [me.pk], "item": "volunteer-service", "day": YESTERDAY, "quantity": "2"}
    response = multipart(net.api_client("veteran"), data, [photo()])
    assert response.status_code == 201, response.content
    assert response.json()["submitted_as"] == "veteran"


def test_the_village_approves_an_entry_through_the_kit_and_the_points_are_booked(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    entry = submit(net.users["grid_leader"], [a], "volunteer-service", quantity="4")
    url = f"/api/v1/points-entries/{entry.case_id}/act"
    assert post(net.api_client("grid_leader"), url, {"action": "approve"}).status_code == 400  # not theirs to decide
    response = post(net.api_client("village_staff"), url, {"action": "approve"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "done"
    assert list(PointEntry.objects.values_list("veteran_id", "points")) == [(a.pk, 4)]


def test_the_entries_list_filters_by_veteran_and_hides_another_town(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    other = register_veteran(net.users["city_staff"], net.other_grid)
    mine = submit(net.users["city_staff"], [a])
    theirs = submit(net.users["city_staff"], [other])
    client = net.api_client("town_staff")
    listed = client.get("/api/v1/points-entries").json()["items"]
    assert [e["case_id"] for e in listed] == [mine.case_id]
    assert client.get(f"/api/v1/points-entries/{theirs.case_id}").status_code == 404
    by_veteran = net.api_client("city_staff").get("/api/v1/points-entries", {"veteran": other.pk}).json()["items"]
    assert [e["case_id"] for e in by_veteran] == [theirs.case_id]


# --- the ledger, corrections and redemptions --------------------------------------------------------------------


def test_the_ledger_shows_the_balance_and_the_rows_newest_first_in_pages(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    first = booked(net, a, quantity="3")
    second = booked(net, a, "safety-mediation", quantity="1", evidence=False)
    client = net.api_client("village_staff")
    page = client.get(f"/api/v1/points/veterans/{a.pk}/ledger", {"limit": 1}).json()
    assert (page["balance"], page["owed"]) == (6, 0)
    assert [r["id"] for r in page["items"]] == [second.pk] and page["next"]
    rest = client.get(f"/api/v1/points/veterans/{a.pk}/ledger", {"limit": 1, "cursor": page["next"]}).json()
    assert [(r["id"], r["points"], r["kind"]) for r in rest["items"]] == [(first.pk, 3, "award")]
    assert rest["next"] is None


def test_another_towns_veteran_ledger_is_not_found(net: Network) -> None:
    other = register_veteran(net.users["city_staff"], net.other_grid)
    assert net.api_client("town_staff").get(f"/api/v1/points/veterans/{other.pk}/ledger").status_code == 404
    assert net.api_client("other_town_staff").get(f"/api/v1/points/veterans/{other.pk}/ledger").status_code == 200


def test_a_veteran_reads_their_own_ledger_only(net: Network) -> None:
    me = register_veteran(net.users["city_staff"], net.village)
    someone = register_veteran(net.users["city_staff"], net.village)
    user = net.users["veteran"]
    user.veteran = me
    user.save(update_fields=["veteran"])
    booked(net, me, "safety-mediation", quantity="1", evidence=False)
    client = net.api_client("veteran")
    own = client.get(f"/api/v1/points/veterans/{me.pk}/ledger")
    assert own.status_code == 200 and own.json()["balance"] == 3
    assert client.get(f"/api/v1/points/veterans/{someone.pk}/ledger").status_code == 404


def test_a_correction_reverses_the_row_once(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    row = booked(net, a, quantity="3")
    client = net.api_client("town_staff")
    response = post(client, f"/api/v1/points/ledger/{row.pk}/correct", {"reason": "录错了人"})
    assert response.status_code == 200, response.content
    reversal = response.json()
    assert (reversal["points"], reversal["reverses_id"], reversal["reason"]) == (-3, row.pk, "录错了人")
    ledger = client.get(f"/api/v1/points/veterans/{a.pk}/ledger").json()
    assert ledger["balance"] == 0
    assert next(r for r in ledger["items"] if r["id"] == row.pk)["reversed_by_id"] == reversal["id"]
    twice = post(client, f"/api/v1/points/ledger/{row.pk}/correct", {"reason": "再来一次"})
    assert twice.status_code == 400
    assert post(client, f"/api/v1/points/ledger/{row.pk}/correct", {"reason": ""}).status_code == 400


def test_a_correction_needs_the_capability_and_the_area(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    row = booked(net, a)
    url = f"/api/v1/points/ledger/{row.pk}/correct"
    assert post(net.api_client("village_staff"), url, {"reason": "x"}).status_code == 403
    assert post(net.api_client("other_town_staff"), url, {"reason": "x"}).status_code == 404
    assert PointEntry.objects.count() == 1


def test_the_rewards_are_listed(net: Network) -> None:
    rewards = net.api_client("village_staff").get("/api/v1/points/rewards").json()
    assert {k: v for k, v in rewards[2].items() if k in ("code", "cost")} == {"code": "books", "cost": 30}


def test_a_redemption_is_made_once_per_key_and_refused_when_short(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    booked(net, a, quantity="24")  # 24 points
    client = net.api_client("village_staff")
    body = {"veteran": a.pk, "reward": "home-care", "note": "理发"}
    first = post(client, "/api/v1/points/redemptions", body, **{"Idempotency-Key": "r-1"})
    assert first.status_code == 201, first.content
    assert (first.json()["points"], first.json()["kind"], first.json()["reward"]) == (-20, "redemption", "home-care")
    again = post(client, "/api/v1/points/redemptions", body, **{"Idempotency-Key": "r-1"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert PointEntry.objects.filter(kind=Kind.REDEMPTION).count() == 1
    short = post(client, "/api/v1/points/redemptions", body)
    assert short.status_code == 400 and fields(short)["reward"] == "balance_short"
    unknown = post(client, "/api/v1/points/redemptions", {**body, "reward": "yacht"})
    assert unknown.status_code == 400 and fields(unknown)["reward"] == "not_offered"


def test_a_redemption_for_another_towns_veteran_is_refused(net: Network) -> None:
    other = register_veteran(net.users["city_staff"], net.other_grid)
    response = post(net.api_client("village_staff"), "/api/v1/points/redemptions",
                    {"veteran": other.pk, "reward": "home-care"})  # fmt: skip
    assert response.status_code == 400 and fields(response)["veteran"] == "not_found"


def test_a_cancelled_redemption_gives_the_points_back(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    award = booked(net, a, quantity="24")
    client = net.api_client("village_staff")
    spent = post(client, "/api/v1/points/redemptions", {"veteran": a.pk, "reward": "home-care"}).json()
    response = post(client, f"/api/v1/points/ledger/{spent['id']}/cancel", {"reason": "未到场"})
    assert response.status_code == 200 and response.json()["points"] == 20
    assert client.get(f"/api/v1/points/veterans/{a.pk}/ledger").json()["balance"] == 24
    not_one = post(client, f"/api/v1/points/ledger/{award.pk}/cancel", {"reason": "x"})
    assert not_one.status_code == 400 and fields(not_one)["row"] == "not_found"


# --- the ranking ------------------------------------------------------------------------------------------------


def last_quarter() -> tuple[str, dt.date]:
    """The last quarter that has ended, and its last day."""
    from points.quarters import quarter_of

    today = timezone.localdate()
    end = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1) - dt.timedelta(days=1)
    return quarter_of(end), end


def test_a_frozen_ranking_is_shown_whole_and_narrowed_to_a_village(net: Network) -> None:
    from points.ranking import freeze

    quarter, day = last_quarter()
    staff = net.users["city_staff"]
    a, b = register_veteran(staff, net.grid), register_veteran(staff, net.village)
    booked(net, a, quantity="5", day=day)
    booked(net, b, "safety-mediation", quantity="1", day=day, evidence=False)
    freeze(actor=net.users["town_staff"], quarter=quarter, region=net.danghu)
    client = net.api_client("grid_leader")
    whole = client.get("/api/v1/points/rankings", {"quarter": quarter})
    assert whole.status_code == 200, whole.content
    body = whole.json()
    assert (body["phase"], body["ranking_region"], body["people"]) == ("notice", net.danghu.code, 2)
    assert [(r["veteran_id"], r["score"], r["rank_town"], r["village"]) for r in body["items"]] == [
        (a.pk, 5, 1, "东湖村"), (b.pk, 3, 2, "东湖村")]  # fmt: skip
    grid = client.get("/api/v1/points/rankings", {"quarter": quarter, "region": net.grid.code}).json()
    assert [r["veteran_id"] for r in grid["items"]] == [a.pk]
    paged = client.get("/api/v1/points/rankings", {"quarter": quarter, "limit": 1}).json()
    assert len(paged["items"]) == 1 and paged["next"]


def test_a_ranking_not_frozen_is_not_found_and_bad_input_is_refused(net: Network) -> None:
    quarter, _day = last_quarter()
    client = net.api_client("town_staff")
    assert client.get("/api/v1/points/rankings", {"quarter": quarter}).status_code == 404
    bad = client.get("/api/v1/points/rankings", {"quarter": "2026Q5"})
    assert bad.status_code == 400 and fields(bad)["quarter"] == "bad_quarter"
    unknown = client.get("/api/v1/points/rankings", {"quarter": quarter, "region": "999999999999"})
    assert unknown.status_code == 400 and fields(unknown)["region"] == "unknown_region"


def test_an_objection_through_the_api_within_the_period_and_its_decision(net: Network) -> None:
    from points.models import Objection, Outcome
    from points.quarters import quarter_of
    from points.ranking import freeze
    from points.tests.test_entries import past_quarter_days

    person = register_veteran(net.users["city_staff"], net.grid)
    day = past_quarter_days()[0]
    entry = submit(net.users["grid_leader"], [person], day=day, quantity="4")
    decide(entry, approver(net, entry))
    ranking, _made = freeze(actor=net.users["town_staff"], quarter=quarter_of(day), region=net.danghu)
    row = PointEntry.objects.get(veteran=person)
    client = net.api_client("village_staff")
    body = {"ranking": ranking.pk, "veteran": person.pk, "disputed": row.pk, "claim": "未参加"}
    made = client.post("/api/v1/points-objections", body, content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY="obj-1")  # fmt: skip
    assert made.status_code == 201, made.content
    again = client.post("/api/v1/points-objections", body, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="obj-1")  # fmt: skip
    assert again.status_code == 200 and Objection.objects.count() == 1
    case_id = made.json()["case_id"]
    refused = client.post("/api/v1/points-objections", {**body, "disputed": 999999}, content_type="application/json")
    assert refused.status_code in (400, 422) and "disputed" in refused.content.decode()
    town = net.api_client("town_staff")
    decided = town.post(f"/api/v1/points-objections/{case_id}/act", {"action": "uphold", "note": "核实"},
                        content_type="application/json")  # fmt: skip
    assert decided.status_code == 200, decided.content
    objection = Objection.objects.get()
    assert objection.outcome == Outcome.UPHELD and objection.reversal is not None
    assert net.api_client("other_town_staff").get(f"/api/v1/points-objections/{case_id}").status_code == 404
