"""The veterans' portal in the browser at 390 px: a veteran opens their account with their ID number and the code
sent to the phone on their record, signs in again by SMS code, sees their points and payments, raises a need
that the station resolves and answers its 回访, switches to the larger type (适老化), and nothing scrolls sideways
in either mode."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.models import SmsCode
from accounts.testing import build_network
from benefits.tests.helpers import entitlement, standard
from benefits.tests.test_generation import generate, pay
from care.models import Need
from care.tests.helpers import do
from core import notify
from core.crypto import decrypt
from e2e.conftest import no_sideways_scroll, screenshot
from veterans.tests.factories import register

pytestmark = pytest.mark.browser


@pytest.fixture
def live_portal(transactional_db, live_server):
    net = build_network()
    veteran = register(net.users["city_staff"], net.grid, name="赵卫国", phone="13905730001")
    standard("disability", "2000.00", grade=6, cause="war")
    entitlement(net, veteran=veteran, since="2026-11-01")
    pay(net, generate(net, "2026-11").batch)
    notify.outbox.clear()
    with override_settings(SMS_BACKEND="core.notify.OutboxSmsBackend"):
        yield net, veteran, live_server.url


def last_code() -> str:
    found = re.search(r"\d{6}", notify.outbox[-1][1])
    assert found is not None
    return found.group(0)


def test_a_veteran_opens_their_account_signs_in_by_sms_and_reads_their_own_on_a_phone(phone, live_portal):
    net, veteran, base = live_portal
    phone.goto(f"{base}/me/sign-in/")
    no_sideways_scroll(phone)
    phone.click("text=用身份证号开通")
    phone.fill("#id_name", "赵卫国")
    phone.fill("#id_id_number", decrypt(veteran.id_number_enc))
    phone.click("main form.card button[type=submit]")
    assert notify.outbox[-1][0] == "13905730001"  # sent to the phone on the record (the page does not say so)
    phone.fill("#id_code", last_code())
    phone.click("main form.card button[type=submit]")
    phone.wait_for_url(f"{base}/me/")
    assert "赵卫国" in phone.locator("h1").inner_text()
    assert "2000.00" in phone.locator("main").inner_text()  # the last month paid
    no_sideways_scroll(phone)
    screenshot(phone, "portal-home-phone")

    # signed out, then in again by the code sent to the same phone
    phone.click("footer button")
    phone.goto(f"{base}/me/")
    phone.wait_for_url(re.compile(r".*/me/sign-in/.*"))

    SmsCode.objects.update(created_at=timezone.now() - timezone.timedelta(minutes=2))
    phone.fill("#id_phone", "13905730001")
    phone.click("main form.card button[type=submit]")
    phone.fill("#id_code", last_code())
    phone.click("main form.card button[type=submit]")
    phone.wait_for_url(f"{base}/me/")

    phone.click("nav.tabs >> text=待遇")
    month = phone.locator("section.month").first
    assert "2026-11" in month.inner_text() and "残疾抚恤金" in month.inner_text()
    no_sideways_scroll(phone)
    phone.click("nav.tabs >> text=积分")
    assert phone.locator("#balance").inner_text() == "0"

    # a need raised on the phone, resolved by the town's station, and its 回访 answered on the phone
    phone.click("nav.tabs >> text=首页")
    phone.click("#needs-card")
    phone.select_option("#id_category", "housing")
    phone.fill("#id_description", "屋顶漏雨，想请人修一下")
    phone.click("main form.card button[type=submit]")
    assert "屋顶漏雨" in phone.locator("section.need").first.inner_text()
    need = Need.objects.get(description="屋顶漏雨，想请人修一下")
    do(net.users["town_staff"], need, "resolve", "已联系施工队修好")
    phone.reload()
    phone.locator("form.followup input[value=very]").check()
    phone.click("form.followup button[type=submit]")
    phone.wait_for_selector("form.followup", state="detached")
    assert Need.objects.get(pk=need.pk).satisfaction == "very"
    no_sideways_scroll(phone)

    # the larger type: 22 px, buttons at least 44 px high, still nothing sideways
    phone.click("header.bar button")
    assert "elder" in (phone.locator("body").get_attribute("class") or "")
    size = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 18
    heights = phone.evaluate("[...document.querySelectorAll('main a.big, main button, nav.tabs a')]"
                             ".map(e => e.getBoundingClientRect().height)")  # fmt: skip
    assert heights and min(heights) >= 44
    no_sideways_scroll(phone)
    screenshot(phone, "portal-points-elder-phone")
