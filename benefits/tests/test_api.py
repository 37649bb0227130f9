"""The 抚恤补助 API: scoped reads, refusals at their fields, writes through the services, proposals over the kit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from accounts.testing import Network
from benefits.models import Entitlement, EntitlementStatus, Proposal
from benefits.tests.helpers import entitlement, new_account, standard
from benefits.tests.test_imports import paid_batch
from core.crypto import decrypt
from veterans.tests.factories import register
from workflow.models import Case

pytestmark = pytest.mark.django_db

API = "/api/v1"


def post(client: Client, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(API + path, body, content_type="application/json", headers=headers)


def fields(response: Any) -> list[str | None]:
    return [f["field"] for f in response.json()["error"]["fields"]]


# --- programs and standards ---------------------------------------------------------------------------------------


def test_programs_show_the_standard_in_force_and_the_history(net: Network) -> None:
    standard("disability", "2000.00", "2025-01-01", grade=6, cause="war")
    standard("disability", "2100.00", "2026-04-01", grade=6, cause="war")
    standard("disability", "9999.00", "2099-01-01", grade=6, cause="war")
    response = net.api_client("auditor").get(f"{API}/benefit-programs")
    assert response.status_code == 200
    disability = next(p for p in response.json() if p["code"] == "disability")
    assert [s["amount"] for s in disability["in_force"]] == ["2100.00"]
    assert [s["amount"] for s in disability["history"]] == ["2000.00", "2100.00", "9999.00"]
    assert disability["by_grade"] and disability["causes"] == ["war", "duty", "illness"]


def test_a_standard_is_published_by_the_city_admin_only(net: Network) -> None:
    body = {"program": "war_participant", "amount": "800.50", "effective_from": "2026-04"}
    response = post(net.api_client("city_admin"), "/benefit-standards", body)
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "800.50" and response.json()["effective_from"] == "2026-04-01"
    assert post(net.api_client("town_staff"), "/benefit-standards", body).status_code == 403
    bad = post(net.api_client("city_admin"), "/benefit-standards", {**body, "amount": "8.005"})
    assert bad.status_code == 400 and fields(bad) == ["amount"]
    bad = post(net.api_client("city_admin"), "/benefit-standards", {**body, "program": "nothing"})
    assert bad.status_code == 400 and fields(bad) == ["program"]
    bad = post(net.api_client("city_admin"), "/benefit-standards", {**body, "effective_from": "2026-13"})
    assert bad.status_code == 400 and fields(bad) == ["effective_from"]
    assert "%" not in bad.json()["error"]["fields"][0]["message"]


# --- entitlements -------------------------------------------------------------------------------------------------


def test_the_list_is_scoped_masked_and_filtered(net: Network) -> None:
    mine = entitlement(net, net.village)
    theirs = entitlement(net, net.other_village, code="war_participant")
    client = net.api_client("town_staff")
    response = client.get(f"{API}/entitlements")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["id"] for i in items] == [mine.pk]
    number, account = decrypt(mine.beneficiary_id_enc), decrypt(mine.account_enc)
    assert number not in response.content.decode() and account not in response.content.decode()
    assert (
        items[0]["beneficiary_id_masked"].endswith(number[-4:]) and items[0]["account_masked"] == f"****{account[-4:]}"
    )
    by_id = client.get(f"{API}/entitlements", {"q": number}).json()["items"]
    assert [i["id"] for i in by_id] == [mine.pk]
    city = net.api_client("city_staff")
    assert [i["id"] for i in city.get(f"{API}/entitlements", {"program": "war_participant"}).json()["items"]] == [
        theirs.pk
    ]
    assert [i["id"] for i in city.get(f"{API}/entitlements", {"region": net.zhapu.code}).json()["items"]] == [theirs.pk]
    for name, value in (("status", "dead"), ("program", "nothing"), ("region", "999")):
        bad = city.get(f"{API}/entitlements", {name: value})
        assert bad.status_code == 400 and fields(bad) == [name], bad.content
    assert client.get(f"{API}/entitlements/{theirs.pk}").status_code == 404
    assert client.get(f"{API}/entitlements/{mine.pk}").json()["program"] == "disability"


def test_suspend_resume_end_and_confirm(net: Network) -> None:
    item = entitlement(net, net.village, confirmed_year=2025)
    city = net.api_client("city_staff")
    bad = post(city, f"/entitlements/{item.pk}/suspend", {"reason": " "})
    assert bad.status_code == 400 and fields(bad) == ["reason"]
    suspended = post(city, f"/entitlements/{item.pk}/suspend", {"reason": "待核实"})
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    again = post(city, f"/entitlements/{item.pk}/suspend", {"reason": "待核实"})
    assert again.status_code == 400 and again.json()["error"]["code"] == "not_active"
    assert post(city, f"/entitlements/{item.pk}/resume", {"backpay": False}).json()["status"] == "active"
    # the village confirms (it may not manage)
    village = net.api_client("village_staff")
    assert post(village, f"/entitlements/{item.pk}/suspend", {"reason": "x"}).status_code == 403
    confirmed = post(village, f"/entitlements/{item.pk}/confirm", {"year": 2026})
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_year"] == 2026
    assert confirmed.json()["confirmed"] == 1
    assert post(village, f"/entitlements/{item.pk}/confirm", {"year": 1990}).status_code == 400
    bad = post(city, f"/entitlements/{item.pk}/end", {"last_month": "someday", "reason": "迁出"})
    assert bad.status_code == 400 and fields(bad) == ["last_month"]
    ended = post(city, f"/entitlements/{item.pk}/end", {"last_month": "2026-06", "reason": "迁出"})
    assert ended.json()["status"] == "ended" and ended.json()["to_month"] == "2026-06-01"
    assert (
        post(net.api_client("other_town_staff"), f"/entitlements/{item.pk}/confirm", {"year": 2026}).status_code == 404
    )


def test_a_beneficiarys_payments_and_the_overpayments(net: Network) -> None:
    standard("disability", "2000.00", grade=6, cause="war")
    item = entitlement(net, net.village, since="2026-10-01")
    paid_batch(net)
    client = net.api_client("town_staff")
    response = client.get(f"{API}/entitlements/{item.pk}/payments")
    assert response.status_code == 200
    lines = response.json()["items"]
    assert [(x["period"], x["amount"], x["outcome"], x["kind"]) for x in lines] == [
        ("2026-11-01", "2000.00", "paid", "regular"),
        ("2026-10-01", "2000.00", "paid", "arrears"),
    ]
    assert lines[0]["reference"] == f"{item.pk}-202611-B-1"
    assert net.api_client("other_town_staff").get(f"{API}/entitlements/{item.pk}/payments").status_code == 404
    by_veteran = client.get(f"{API}/veterans/{item.veteran_id}/payments").json()["items"]
    assert [x["id"] for x in by_veteran] == [x["id"] for x in lines]
    assert net.api_client("other_town_staff").get(f"{API}/veterans/{item.veteran_id}/payments").status_code == 404
    # a death in October: November was paid after it
    from benefits.entitlements import record_death

    record_death(actor=net.users["city_staff"], id_hash=item.beneficiary_id_hash, died_on=dt.date(2026, 10, 3),
                 source="公安死亡名单")  # fmt: skip
    over = client.get(f"{API}/overpayments").json()
    assert [(o["amount"], o["period"], o["state"]) for o in over["items"]] == [("2000.00", "2026-11-01", "open")]
    assert Decimal(over["open_total"]) == Decimal("2000.00")
    assert net.api_client("other_town_staff").get(f"{API}/overpayments").json()["items"] == []
    assert client.get(f"{API}/overpayments", {"state": "lost"}).status_code == 400
    assert client.get(f"{API}/entitlements/{item.pk}/payments").json()["items"][0]["overpayment_id"] is not None


# --- proposals ----------------------------------------------------------------------------------------------------


def proposal_body(veteran: Any, **overrides: Any) -> dict[str, Any]:
    body = {"veteran_id": veteran.pk, "program": "war_participant", "from_month": "2026-12",
            "bank_name": "平湖农商银行", "account": new_account(), "reason": "参战退役"}  # fmt: skip
    return {**body, **overrides}


def test_a_proposal_from_a_phone_is_opened_once_checked_by_the_town_and_approved_by_the_city(net: Network) -> None:
    veteran = register(net.users["city_staff"], net.village)
    village = net.api_client("village_staff")
    body = proposal_body(veteran)
    first = post(village, "/entitlement-proposals", body, **{"Idempotency-Key": "phone-1-abc"})
    assert first.status_code == 201, first.content
    case_id = first.json()["case_id"]
    assert first.json()["account_masked"].startswith("****") and body["account"] not in first.content.decode()
    retry = post(village, "/entitlement-proposals", body, **{"Idempotency-Key": "phone-1-abc"})
    assert retry.status_code == 200 and retry.json()["case_id"] == case_id
    assert Proposal.objects.count() == 1
    reused = post(village, "/entitlement-proposals", {**body, "reason": "另一件"}, **{"Idempotency-Key": "phone-1-abc"})
    assert reused.status_code == 409 and reused.json()["error"]["code"] == "idempotency_key_reused"
    # another user's same key is another request
    other = post(net.api_client("town_staff"), "/entitlement-proposals", proposal_body(veteran, program="demobilised"),
                 **{"Idempotency-Key": "phone-1-abc"})  # fmt: skip
    assert other.status_code == 201 and other.json()["case_id"] != case_id
    assert "phone-1-abc" not in str(Case.objects.get(pk=case_id).data)  # kept hashed

    assert net.api_client("other_town_staff").get(f"{API}/entitlement-proposals/{case_id}").status_code == 404
    listed = net.api_client("town_staff").get(f"{API}/entitlement-proposals", {"program": "war_participant"}).json()
    assert [p["case_id"] for p in listed["items"]] == [case_id]
    checked = post(net.api_client("town_staff"), f"/entitlement-proposals/{case_id}/act", {"action": "checked"})
    assert checked.status_code == 200, checked.content
    assert post(village, f"/entitlement-proposals/{case_id}/act", {"action": "approve"}).status_code == 400
    approved = post(net.api_client("city_staff"), f"/entitlement-proposals/{case_id}/act", {"action": "approve"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "done" and approved.json()["entitlement_id"] is not None
    started = Entitlement.objects.get(pk=approved.json()["entitlement_id"])
    assert (started.program.code, started.status, started.from_month) == (
        "war_participant",
        EntitlementStatus.ACTIVE,
        dt.date(2026, 12, 1),
    )


def test_a_bad_proposal_is_refused_at_its_fields(net: Network) -> None:
    veteran = register(net.users["city_staff"], net.village)
    elsewhere = register(net.users["city_staff"], net.other_village)
    village = net.api_client("village_staff")
    bad = post(village, "/entitlement-proposals", proposal_body(veteran, account="123", bank_name=" "))
    assert bad.status_code == 400 and sorted(fields(bad)) == ["account", "bank_name"]
    bad = post(village, "/entitlement-proposals", proposal_body(veteran, program="disability"))
    assert bad.status_code == 400 and fields(bad) == ["grade", "cause"]
    bad = post(village, "/entitlement-proposals", {"program": "war_participant"})
    assert bad.status_code == 400 and "veteran_id" in fields(bad)
    bad = post(village, "/entitlement-proposals", proposal_body(veteran, from_month="next month"))
    assert bad.status_code == 400 and fields(bad) == ["from_month"]
    bad = post(village, "/entitlement-proposals", proposal_body(veteran), **{"Idempotency-Key": "é" * 3})
    assert bad.status_code == 400 and fields(bad) == ["Idempotency-Key"]
    assert post(village, "/entitlement-proposals", proposal_body(elsewhere)).status_code == 404
    assert post(net.api_client("auditor"), "/entitlement-proposals", proposal_body(veteran)).status_code == 403
    assert Proposal.objects.count() == 0
