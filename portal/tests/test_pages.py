"""The portal's pages: sign in by SMS code, one's own record, points and payments; another veteran's id is a 404
on every page; the 适老化 switch; the family members who act for one."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import Proxy, SmsCode, User
from benefits.tests.helpers import entitlement, standard
from benefits.tests.test_generation import generate, pay
from core.crypto import decrypt
from portal.tests.conftest import People, last_code

pytestmark = pytest.mark.django_db

PAGES = ["/me/", "/me/record/", "/me/points/", "/me/payments/", "/me/contacts/"]


def signed_in(people: People, outbox: list[tuple[str, str]], veteran: Any | None = None) -> tuple[Client, User]:
    """A phone that opened its account on the pages and is signed in."""
    veteran = veteran or people.own
    client = Client()
    number = decrypt(veteran.id_number_enc)
    page = client.post("/me/open/", {"name": veteran.name, "id_number": number})
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    code = last_code(outbox, decrypt(veteran.phone_enc))
    opened = client.post("/me/open/", {"name": veteran.name, "id_number": number, "code": code})
    assert opened.status_code == 302 and opened["Location"] == "/me/"
    return client, User.objects.get(veteran=veteran)


def test_a_veteran_signs_in_by_the_code_and_sees_their_own_pages(people: People,
                                                                 outbox: list[tuple[str, str]]) -> None:  # fmt: skip
    _client, user = signed_in(people, outbox)
    SmsCode.objects.all().delete()
    phone = Client()
    assert phone.get("/me/")["Location"].startswith("/me/sign-in/")  # not signed in: the portal's own sign-in
    asked = phone.post("/me/sign-in/", {"phone": "13900001111"})
    assert asked.status_code == 200 and 'name="code"' in asked.content.decode()
    wrong = phone.post("/me/sign-in/", {"phone": "13900001111", "code": "12345"})
    assert wrong.status_code == 400
    done = phone.post("/me/sign-in/", {"phone": "13900001111", "code": last_code(outbox, "13900001111")})
    assert done.status_code == 302 and done["Location"] == "/me/"
    assert phone.get("/")["Location"] == "/me/"  # the site's home sends a veteran to their own
    for url in PAGES:
        assert phone.get(url).status_code == 200, url
    assert "张三丽" in phone.get("/me/").content.decode()
    record = phone.get("/me/record/").content.decode()
    assert "13900001111" not in record and "139****1111" in record  # masked
    assert user.veteran is not None and user.veteran.id_number_masked in record


def test_another_veterans_id_is_a_404_on_every_page(people: People, outbox: list[tuple[str, str]]) -> None:
    client, _user = signed_in(people, outbox)
    for url in PAGES:
        for other in (people.other.pk, people.far.pk, 10**9, "abc"):
            assert client.get(url, {"for": other}).status_code == 404, (url, other)
        assert client.get(url, {"for": people.own.pk}).status_code == 200


def test_staff_do_not_use_the_portal_and_a_veteran_not_the_staff_pages(
    people: People, outbox: list[tuple[str, str]]
) -> None:
    assert people.net.client("city_staff").get("/me/").status_code == 403
    client, _user = signed_in(people, outbox)
    for url in ("/veterans/", "/benefits/lines/", "/cockpit/", f"/veterans/{people.own.pk}/"):
        assert client.get(url).status_code in (403, 404), url


def test_the_payments_page_shows_each_month_by_program(people: People, outbox: list[tuple[str, str]]) -> None:
    standard("disability", "2000.00", grade=6, cause="war")
    entitlement(people.net, veteran=people.own, since="2026-10-01")
    entitlement(people.net, veteran=people.other, since="2026-10-01")
    pay(people.net, generate(people.net, "2026-10").batch)
    pay(people.net, generate(people.net, "2026-11").batch)
    client, _user = signed_in(people, outbox)
    page = client.get("/me/payments/")
    months = page.context["months"]
    assert [m.month for m in months] == ["2026-11", "2026-10"]
    assert all(m.paid == 2000 and len(m.lines) == 1 for m in months)
    assert {line.entitlement.veteran_id for m in months for line in m.lines} == {people.own.pk}
    html = page.content.decode()
    line = months[0].lines[0]
    assert "残疾抚恤金" in html and line.entitlement.account_masked in html  # the account masked
    assert line.entitlement.account_masked.startswith("****")  # only the last four digits shown
    assert decrypt(line.entitlement.account_enc) not in html


def test_the_larger_type_switch_is_kept_on_the_phone(people: People, outbox: list[tuple[str, str]]) -> None:
    client, _user = signed_in(people, outbox)
    assert 'class="portal"' in client.get("/me/").content.decode()
    switched = client.post("/me/mode/", {"next": "/me/points/"})
    assert switched.status_code == 302 and switched["Location"] == "/me/points/"
    assert 'class="portal elder"' in client.get("/me/points/").content.decode()
    assert client.post("/me/mode/", {"next": "https://example.com/"})["Location"] == "/me/"  # no open redirect
    assert 'class="portal"' in client.get("/me/").content.decode()


def test_too_many_codes_answer_429_with_the_reason(people: People, outbox: list[tuple[str, str]]) -> None:
    signed_in(people, outbox)
    phone = Client()
    assert phone.post("/me/sign-in/", {"phone": "13900001111"}).status_code == 200
    assert phone.post("/me/sign-in/", {"phone": "13900001111"}).status_code == 429  # within a minute of the last
    assert phone.post("/me/sign-in/", {"phone": "12345"}).status_code == 400


def test_a_family_member_is_authorised_on_the_page_and_acts_until_revoked(
    people: People, outbox: list[tuple[str, str]]
) -> None:
    client, _user = signed_in(people, outbox)
    refused = client.post("/me/family/", {"name": "张小丽", "phone": "1370000", "relation": "child"})
    assert refused.status_code == 400
    done = client.post("/me/family/", {"name": "张小丽", "phone": "13700007777", "relation": "child"})
    assert done.status_code == 302
    family = Client()
    family.post("/me/sign-in/", {"phone": "13700007777"})
    family.post("/me/sign-in/", {"phone": "13700007777", "code": last_code(outbox, "13700007777")})
    home = family.get("/me/")
    assert home.status_code == 200 and "张三丽" in home.content.decode()
    assert family.get("/me/", {"for": people.other.pk}).status_code == 404
    proxy = Proxy.objects.get()
    assert family.post("/me/family/", {"revoke": proxy.pk + 1}).status_code == 404
    client.post("/me/family/", {"revoke": proxy.pk})
    assert "unlinked" in family.get("/me/").content.decode()  # acts for nobody now


def test_the_station_opens_the_account_and_records_a_family_member(
    people: People, outbox: list[tuple[str, str]]
) -> None:
    station = people.net.client("town_staff")
    url = f"/me/station/{people.other.pk}/"
    assert f'href="{url}"' in station.get(f"/veterans/{people.other.pk}/").content.decode()  # on the record's page
    assert station.post(url, {"action": "open", "phone": "0573-8501"}).status_code == 400
    assert station.post(url, {"action": "open", "phone": "13800001234"}).status_code == 302
    page = station.get(url).content.decode()
    assert "138****1234" in page and "13800001234" not in page
    assert User.objects.get(veteran=people.other).phone == "13800001234"
    assert station.post(url, {"action": "proxy", "name": "李小四", "phone": "13700001234",
                              "relation": "child"}).status_code == 302  # fmt: skip
    proxy = Proxy.objects.get(veteran=people.other)
    assert station.post(url, {"action": "revoke", "proxy": proxy.pk}).status_code == 302
    assert Proxy.objects.get().revoked_at is not None
    # another town's station has no such page for this veteran, and a grid leader none at all
    assert people.net.client("other_town_staff").get(url).status_code == 404
    assert people.net.client("grid_leader").get(url).status_code in (403, 404)
    assert station.get(f"/me/station/{people.far.pk}/").status_code == 404
    assert outbox == []  # nothing is sent until the veteran asks for a code


def test_the_points_page_leads_to_the_entry_form_the_veteran_submits_on(
    people: People, outbox: list[tuple[str, str]]
) -> None:
    client, _user = signed_in(people, outbox)
    page = client.get("/me/points/").content.decode()
    assert 'href="/points/entries/new/"' in page
    form = client.get("/points/entries/new/")
    assert form.status_code == 200 and 'name="item"' in form.content.decode()  # the same form and service
