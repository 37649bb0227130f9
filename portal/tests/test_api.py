"""The portal's API under /api/v1/me/…: sign in by SMS code for a token, one's own record, points, payments and
contacts; any other veteran's id is a 404; the family members acting for one, created once per key."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import Proxy, SmsCode
from benefits.tests.helpers import entitlement, standard
from benefits.tests.test_generation import generate, pay
from core.crypto import decrypt
from portal import signin
from portal.tests.conftest import People, last_code

pytestmark = pytest.mark.django_db

READS = [
    "/api/v1/me/record",
    "/api/v1/me/points",
    "/api/v1/me/payments",
    "/api/v1/me/contacts",
    "/api/v1/me/needs",
    "/api/v1/me/petitions",
]


def opened(people: People, outbox: list[tuple[str, str]], veteran: Any | None = None) -> Client:
    veteran = veteran or people.own
    body = {"name": veteran.name, "id_number": decrypt(veteran.id_number_enc)}
    client = Client()
    sent = client.post("/api/v1/me/open-codes", body, content_type="application/json")
    assert sent.status_code == 202 and sent.json()["detail"] == str(signin.BIND_SENT)
    code = last_code(outbox, decrypt(veteran.phone_enc))
    made = client.post("/api/v1/me/open", {**body, "code": code}, content_type="application/json")
    assert made.status_code == 201 and made.json()["veteran_id"] == veteran.pk
    assert made["Cache-Control"] == "no-store"
    return Client(HTTP_AUTHORIZATION=f"Bearer {made.json()['token']}")


def test_a_veteran_signs_in_for_a_token_and_reads_their_own(people: People, outbox: list[tuple[str, str]]) -> None:
    standard("disability", "2000.00", grade=6, cause="war")
    entitlement(people.net, veteran=people.own, since="2026-11-01")
    pay(people.net, generate(people.net, "2026-11").batch)
    opened(people, outbox)
    SmsCode.objects.all().delete()
    phone = Client()
    assert phone.post("/api/v1/me/codes", {"phone": "13900001111"}, content_type="application/json").status_code == 202
    code = last_code(outbox, "13900001111")
    wrong = {"phone": "13900001111", "code": "000001" if code != "000001" else "000002"}
    refused = phone.post("/api/v1/me/sign-in", wrong, content_type="application/json")
    assert refused.status_code == 400 and "code_wrong" in refused.content.decode()
    right = {"phone": "13900001111", "code": code}
    token = phone.post("/api/v1/me/sign-in", right, content_type="application/json").json()["token"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/me/veterans").json() == [{"id": people.own.pk, "name": "张三丽", "own": True}]
    record = api.get("/api/v1/me/record").json()
    assert record["id"] == people.own.pk and record["phone"] == "139****1111" and "*" in record["id_number"]
    payments = api.get("/api/v1/me/payments").json()
    assert payments[0]["month"] == "2026-11" and payments[0]["paid"] == "2000.00"
    assert api.get("/api/v1/me/points").json()["balance"] == 0
    for url in READS:
        for other in (people.other.pk, people.far.pk):
            assert api.get(url, {"for": other}).status_code == 404, (url, other)
        assert api.get(url, {"for": people.own.pk}).status_code == 200


def test_staff_and_strangers_get_nothing_from_the_portal_api(people: People) -> None:
    staff = people.net.api_client("city_staff")
    for url in READS:
        assert staff.get(url).status_code == 403
        assert Client().get(url).status_code == 401


def test_too_many_codes_answer_429(people: People, outbox: list[tuple[str, str]]) -> None:
    opened(people, outbox)
    assert (
        Client().post("/api/v1/me/codes", {"phone": "13900001111"}, content_type="application/json").status_code == 202
    )
    again = Client().post("/api/v1/me/codes", {"phone": "13900001111"}, content_type="application/json")
    assert again.status_code == 429 and ("minute" in again.content.decode() or "一分钟" in again.content.decode())
    bad = Client().post("/api/v1/me/codes", {"phone": "12"}, content_type="application/json")
    assert bad.status_code == 400 and "bad_phone" in bad.content.decode()


def test_a_family_member_is_authorised_once_per_key(people: People, outbox: list[tuple[str, str]]) -> None:
    api = opened(people, outbox)
    body = {"name": "张小丽", "phone": "13700007777", "relation": "child"}
    first = api.post("/api/v1/me/proxies", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    again = api.post("/api/v1/me/proxies", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert (first.status_code, again.status_code) == (201, 200) and first.json() == again.json()
    assert Proxy.objects.count() == 1
    bad = api.post("/api/v1/me/proxies", {**body, "relation": "boss"}, content_type="application/json")
    assert bad.status_code == 400
    family = Client()
    family.post("/api/v1/me/codes", {"phone": "13700007777"}, content_type="application/json")
    token = family.post("/api/v1/me/sign-in", {"phone": "13700007777", "code": last_code(outbox, "13700007777")},
                        content_type="application/json").json()["token"]  # fmt: skip
    acting = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert acting.get("/api/v1/me/record").json()["id"] == people.own.pk
    assert acting.post("/api/v1/me/proxies", body, content_type="application/json").status_code == 403
    proxy_id = first.json()["id"]
    assert api.delete(f"/api/v1/me/proxies/{proxy_id + 99}").status_code == 404
    assert api.delete(f"/api/v1/me/proxies/{proxy_id}").json()["revoked_at"] is not None
    assert acting.get("/api/v1/me/record").status_code == 404


def test_needs_through_the_api_raised_once_per_key_and_followed_up(people: People,
                                                                  outbox: list[tuple[str, str]]) -> None:  # fmt: skip
    from care.models import Need
    from care.tests.helpers import do

    api = opened(people, outbox)
    body = {"category": "medical", "description": "想了解住院报销"}
    first = api.post("/api/v1/me/needs", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="n1")
    again = api.post("/api/v1/me/needs", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="n1")
    assert (first.status_code, again.status_code) == (201, 200) and Need.objects.count() == 1
    assert first.json()["step"] and first.json()["followup_task_id"] is None
    assert api.post("/api/v1/me/needs", {"category": "x", "description": ""},
                    content_type="application/json").status_code == 400  # fmt: skip
    other = api.post(f"/api/v1/me/needs?for={people.other.pk}", body, content_type="application/json")
    assert other.status_code == 404 and Need.objects.count() == 1
    do(people.net.users["town_staff"], Need.objects.get(), "resolve", "已说明报销流程")
    task = api.get("/api/v1/me/needs").json()[0]["followup_task_id"]
    assert task is not None
    why = api.post(f"/api/v1/me/needs/followups/{task}", {"rating": "dissatisfied"}, content_type="application/json")
    assert why.status_code == 400
    assert api.post(f"/api/v1/me/needs/followups/{task + 1000}", {"rating": "very"},
                    content_type="application/json").status_code == 404  # fmt: skip
    done = api.post(f"/api/v1/me/needs/followups/{task}", {"rating": "very"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["satisfaction"] == "very" and done.json()["step"] == ""
