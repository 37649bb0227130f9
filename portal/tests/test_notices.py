"""Notices to veterans: a payment made or held back, a need resolved (its 回访 due), a ranking publicised, each
once per event, in the portal always and by SMS unless the veteran opted out; family members acting for them are
told too."""

from __future__ import annotations

from typing import Any

import pytest

from benefits.tests.helpers import entitlement, standard
from benefits.tests.test_generation import generate, pay
from care.tests.helpers import do
from core.models import Notification
from points.quarters import quarter_of
from points.ranking import freeze
from points.tests.test_entries import past_quarter_days
from points.tests.test_ranking import booked
from portal import signin
from portal.tests.conftest import People
from portal.tests.test_needs import raised
from portal.tests.test_pages import signed_in

pytestmark = pytest.mark.django_db(transaction=True)  # the notices are sent after the commit, as in production


def sms_to(outbox: list[tuple[str, str]], phone: str) -> list[str]:
    return [text for to, text in outbox if to == phone]


def test_a_payment_made_and_one_held_back_are_told_once_in_the_portal_and_by_sms(
    people: People, outbox: list[tuple[str, str]]
) -> None:
    _client, user = signed_in(people, outbox)
    standard("disability", "2000.00", grade=6, cause="war")
    entitlement(people.net, veteran=people.own, since="2026-11-01")
    entitlement(people.net, veteran=people.other, since="2026-11-01")  # no account: nobody to tell
    entitlement(people.net, veteran=people.own, code="nursing", grade=4, since="2026-11-01", confirmed_year=2025)
    pay(people.net, generate(people.net, "2026-11").batch)
    titles = sorted(Notification.objects.filter(user=user).values_list("title", flat=True))
    assert len(titles) == 2 and any("已发放" in t for t in titles) and any("暂缓发放" in t for t in titles)
    assert len(sms_to(outbox, "13900001111")) == 1 + 2  # the code to open the account, then the two notices
    assert Notification.objects.filter(key__startswith="me.").count() == 2  # nobody else of the portal is told


def test_a_resolved_need_tells_the_veteran_and_the_family_member_acting_for_them(
    people: People, outbox: list[tuple[str, str]]
) -> None:
    client, user = signed_in(people, outbox)
    proxy = signin.proxy_grant(actor=user, veteran=people.own, phone="13700007777", name="张小丽", relation="child")
    need = raised(client)
    do(people.net.users["town_staff"], need, "resolve", "已修好")
    own = Notification.objects.get(user=user)
    theirs = Notification.objects.get(user=proxy.user)
    assert "回访" in own.title and own.url == "/me/needs/" and theirs.url == f"/me/needs/?for={people.own.pk}"
    assert sms_to(outbox, "13700007777")


def test_opting_out_of_sms_keeps_the_notices_in_the_portal(people: People, outbox: list[tuple[str, str]]) -> None:
    client, user = signed_in(people, outbox)
    assert client.post("/me/notices/", {"sms": "off"}).status_code == 302
    before = len(outbox)
    do(people.net.users["town_staff"], raised(client), "resolve", "已修好")
    assert len(outbox) == before and Notification.objects.filter(user=user).count() == 1
    page = client.get("/me/notices/").content.decode()
    assert "回访" in page and 'value="on"' in page
    assert Notification.objects.get(user=user).read_at is not None  # read when the page showed it


def test_a_publicised_ranking_tells_each_ranked_veteran_with_an_account(
    people: People, outbox: list[tuple[str, str]]
) -> None:
    _client, user = signed_in(people, outbox)
    one, _two, _three = past_quarter_days()
    booked(people.net, [people.own, people.other], "5", one)
    ranking, _made = freeze(actor=people.net.users["town_staff"], quarter=quarter_of(one), region=people.net.danghu)
    told: Any = Notification.objects.get(user=user)
    assert ranking.quarter in told.title and "公示" in told.title and "5" in told.body
    freeze(actor=people.net.users["town_staff"], quarter=quarter_of(one), region=people.net.danghu)
    assert Notification.objects.filter(user=user).count() == 1  # once


def test_a_policy_change_and_a_campaigns_greeting_reach_those_they_concern(
    people: People, outbox: list[tuple[str, str]]
) -> None:
    import datetime as dt
    from decimal import Decimal

    from benefits.standards import publish_standard
    from benefits.tests.helpers import program
    from campaigns.services import campaign_open
    from campaigns.tests.helpers import draft
    from veterans.models import VeteranCategory

    _client, user = signed_in(people, outbox)
    standard("disability", "2000.00", grade=6, cause="war")
    entitlement(people.net, veteran=people.own, since="2026-11-01")
    publish_standard(actor=people.net.users["city_admin"], program=program("disability"), amount=Decimal("2100.00"),
                     effective_from=dt.date(2027, 1, 1), grade=6, cause="war", document="浙退役军人发〔2026〕99号"
                     )  # fmt: skip
    publish_standard(actor=people.net.users["city_admin"], program=program("disability"), amount=Decimal("900.00"),
                     effective_from=dt.date(2027, 1, 1), grade=9, cause="war", document="同上")  # fmt: skip
    policy = Notification.objects.filter(user=user, key__startswith="me.standard:")
    assert policy.count() == 1 and "2100.00" in policy.get().body and "2027-01" in policy.get().body
    VeteranCategory.objects.create(veteran=people.own, category="disabled_soldier", start_date=dt.date(2020, 1, 1))
    campaign = draft(people.net)
    campaign_open(actor=people.net.users["city_staff"], campaign=campaign)
    greeting = Notification.objects.get(user=user, key__startswith="me.campaign:")
    assert campaign.name in greeting.title
