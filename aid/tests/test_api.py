"""The hardship aid API through its HTTP paths: applications on the kit (propose, list, one, act), donations,
the fund and its ledger, corrections, ceremonies and the figures; refusals at their fields, Idempotency-Key
repeats, and another area's records."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import Network
from aid.models import Application, Ceremony, FundEntry
from aid.tests.helpers import approved, donate, propose
from veterans.tests.factories import register as register_veteran

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate().isoformat()


def fields(response: Any) -> dict[str, str]:
    """The refused fields of an error answer, each with its code."""
    body = response.json()["error"]
    return {f["field"]: f["code"] for f in body["fields"]} or {body.get("field") or "": body["code"]}


def post(client: Any, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, body, content_type="application/json", headers=headers)


def test_the_village_proposes_through_the_api_once_per_key(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    client = net.api_client("village_staff")
    body = {"veteran": veteran.pk, "need": "illness", "circumstances": "住院治疗", "requested": "2800.50"}
    first = post(client, "/api/v1/aid/applications", body, **{"Idempotency-Key": "k-1"})
    again = post(client, "/api/v1/aid/applications", body, **{"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 200), first.content
    assert first.json()["number"] == again.json()["number"] and Application.objects.count() == 1
    shown = first.json()
    assert shown["requested"] == "2800.50" and shown["state"] == "open" and shown["case"]["tasks"]


@pytest.mark.parametrize("requested, code", [("0", "not_positive"), ("-1", "not_positive"), ("1e9", "too_much"),
                                             ("0.005", "not_money")])  # fmt: skip
def test_a_bad_amount_is_refused_at_its_field(net: Network, requested: str, code: str) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    body = {"veteran": veteran.pk, "need": "living", "circumstances": "困难", "requested": requested}
    response = post(net.api_client("village_staff"), "/api/v1/aid/applications", body)
    assert response.status_code == 400 and fields(response) == {"requested": code}


def test_an_applicant_of_another_area_is_refused(net: Network) -> None:
    elsewhere = register_veteran(net.users["city_staff"], net.other_grid)
    body = {"veteran": elsewhere.pk, "need": "living", "circumstances": "困难", "requested": "100"}
    response = post(net.api_client("village_staff"), "/api/v1/aid/applications", body)
    assert response.status_code == 400 and fields(response) == {"veteran": "not_visible"}


def test_the_town_checks_and_the_city_approves_through_act(net: Network) -> None:
    application = propose(net, requested="5000")
    url = f"/api/v1/aid/applications/{application.case_id}"
    assert post(net.api_client("other_town_staff"), f"{url}/act", {"action": "forward"}).status_code == 404
    assert post(net.api_client("town_staff"), f"{url}/act", {"action": "forward"}).status_code == 200
    too_much = post(net.api_client("city_staff"), f"{url}/act", {"action": "approve", "data": {"amount": "9000"}})
    assert too_much.status_code == 400 and fields(too_much) == {"amount": "more_than_asked"}
    done = post(net.api_client("city_staff"), f"{url}/act", {"action": "approve", "data": {"amount": "4000"}})
    assert done.status_code == 200 and done.json()["approved"] == "4000.00" and done.json()["state"] == "done"


def test_the_list_is_scoped_to_the_callers_area(net: Network) -> None:
    mine, theirs = propose(net), propose(net, net.other_grid)
    listed = net.api_client("town_staff").get("/api/v1/aid/applications").json()["items"]
    assert [a["case_id"] for a in listed] == [mine.case_id]
    city = net.api_client("city_staff").get("/api/v1/aid/applications?state=open").json()["items"]
    assert {a["case_id"] for a in city} == {mine.case_id, theirs.case_id}
    assert net.api_client("town_staff").get(f"/api/v1/aid/applications/{theirs.case_id}").status_code == 404


def test_a_donation_is_recorded_once_per_key_and_the_fund_shows_it(net: Network) -> None:
    client = net.api_client("city_staff")
    body = {"donor": "平湖市民营企业拥军协会", "donor_kind": "association", "amount": "50000", "received_on": TODAY,
            "reference": "收据001"}  # fmt: skip
    first = post(client, "/api/v1/aid/donations", body, **{"Idempotency-Key": "d-1"})
    again = post(client, "/api/v1/aid/donations", body, **{"Idempotency-Key": "d-1"})
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    fund = client.get("/api/v1/aid/fund").json()
    assert (
        fund["balance"] == "50000.00" and fund["donated"] == "50000.00" and fund["name"] == "关心关爱退役军人帮扶基金"
    )
    assert client.get("/api/v1/aid/donations").json()["items"][0]["donor"] == "平湖市民营企业拥军协会"
    assert net.api_client("town_staff").get("/api/v1/aid/fund").status_code == 403


@pytest.mark.parametrize("amount", ["0", "-100", "100000000", "1.234"])
def test_a_bad_donation_is_refused(net: Network, amount: str) -> None:
    body = {"donor": "张三", "donor_kind": "person", "amount": amount, "received_on": TODAY}
    response = post(net.api_client("city_staff"), "/api/v1/aid/donations", body)
    assert response.status_code == 400 and "amount" in fields(response)
    assert not FundEntry.objects.exists()


def test_a_ceremony_pays_the_batch_or_names_the_shortfall(net: Network) -> None:
    donate(net, "3000")
    one, two = approved(net, requested="2000"), approved(net, net.other_grid, requested="1500")
    client = net.api_client("city_staff")
    body = {"name": "春节发放仪式", "held_on": TODAY, "applications": [one.case_id, two.case_id]}
    short = post(client, "/api/v1/aid/ceremonies", body)
    assert short.status_code == 400 and fields(short) == {"applications": "fund_short"}
    assert "500.00" in short.json()["error"]["fields"][0]["message"]
    body["applications"] = [one.case_id]
    made = post(client, "/api/v1/aid/ceremonies", body, **{"Idempotency-Key": "c-1"})
    assert (
        made.status_code == 201 and made.json()["total"] == "2000.00" and made.json()["items"][0]["amount"] == "2000.00"
    )
    twice = post(client, "/api/v1/aid/ceremonies", {**body, "name": "再发"})
    assert twice.status_code == 400 and fields(twice) == {"applications": "already_paid"}
    shown = client.get(f"/api/v1/aid/ceremonies/{made.json()['id']}").json()
    assert shown["grants"] == 1 and Ceremony.objects.count() == 1
    ledger = client.get("/api/v1/aid/fund/ledger?kind=grant").json()["items"]
    assert [r["amount"] for r in ledger] == ["-2000.00"] and ledger[0]["application_case_id"] == one.case_id


def test_a_row_is_reversed_with_its_reason(net: Network) -> None:
    row = donate(net, "300")
    client = net.api_client("city_staff")
    assert (
        post(net.api_client("auditor"), f"/api/v1/aid/fund/ledger/{row.pk}/reverse", {"reason": "x"}).status_code == 403
    )
    response = post(client, f"/api/v1/aid/fund/ledger/{row.pk}/reverse", {"reason": "重复录入"})
    assert response.status_code == 200 and response.json()["amount"] == "-300.00"
    again = post(client, f"/api/v1/aid/fund/ledger/{row.pk}/reverse", {"reason": "重复录入"})
    assert again.status_code == 400 and fields(again) == {"reverses": "already_reversed"}
    assert client.get("/api/v1/aid/fund").json()["balance"] == "0.00"


def test_the_figures_count_money_by_month_and_area_and_applications_by_stage(net: Network) -> None:
    donate(net, "1000")
    donate(net, "400", region=net.zhapu.code)
    approved_one = approved(net, requested="300")
    from aid.tests.helpers import hold

    hold(net, approved_one)
    propose(net)
    body = net.api_client("city_staff").get("/api/v1/aid/figures").json()
    month = timezone.localdate().month
    assert body["in"] == "1400.00" and body["out"] == "300.00"
    assert body["months"][month - 1] == {"month": month, "in": "1400.00", "out": "300.00"}
    areas = {a["code"]: (a["in"], a["out"]) for a in body["areas"]}
    assert areas[net.danghu.code] == ("0.00", "300.00") and areas[net.zhapu.code] == ("400.00", "0.00")
    assert areas[net.city.code] == ("1000.00", "0.00")
    assert body["stages"] == {"check": 1, "approve": 0, "approved": 0, "paid": 1, "refused": 0, "withdrawn": 0}
    assert net.api_client("city_staff").get("/api/v1/aid/figures?year=1999").status_code == 400
