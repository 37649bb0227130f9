"""Every page of the veterans' portal passes axe-core's accessibility check with no critical violation, in the
standard mode and in the larger type (适老化), at 390 px."""

from __future__ import annotations

import pytest
from django.test import override_settings

from accounts.models import User
from accounts.testing import TEST_PASSWORD, build_network
from benefits.tests.helpers import entitlement, standard
from benefits.tests.test_generation import generate, pay
from care.models import NeedSource
from care.services import NeedInput, need_raise
from care.tests.helpers import do
from e2e.conftest import critical_violations, no_sideways_scroll
from e2e.test_login import sign_in
from veterans.tests.factories import register

pytestmark = pytest.mark.browser

PAGES = ["/me/", "/me/record/", "/me/points/", "/me/payments/", "/me/contacts/", "/me/needs/", "/me/notices/",
         "/me/petitions/", "/me/policies/", "/me/aid/",
         "/me/family/"]  # fmt: skip


@pytest.fixture
def live_veteran(transactional_db, live_server):
    net = build_network()
    veteran = register(net.users["city_staff"], net.grid, name="赵卫国", phone="13905730001")
    user = net.users["veteran"]
    user.veteran, user.phone = veteran, "13905730001"
    user.save(update_fields=["veteran", "phone"])
    standard("disability", "2000.00", grade=6, cause="war")
    entitlement(net, veteran=veteran, since="2026-11-01")
    pay(net, generate(net, "2026-11").batch)
    need = need_raise(actor=User.objects.get(pk=user.pk), veteran_id=veteran.pk, source=NeedSource.VETERAN,
                      need=NeedInput("housing", "屋顶漏雨"))  # fmt: skip
    do(net.users["town_staff"], need, "resolve", "已修好")  # a 回访 form on the needs page
    with override_settings(SMS_BACKEND="core.notify.OutboxSmsBackend"):
        yield net, live_server.url


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "larger-type"])
def test_every_portal_page_has_no_critical_accessibility_violation(phone, live_veteran, elder):
    _net, base = live_veteran
    phone.goto(f"{base}/me/sign-in/")
    assert critical_violations(phone) == []
    phone.goto(f"{base}/me/open/")
    assert critical_violations(phone) == []
    sign_in(phone, base, "veteran", TEST_PASSWORD)
    if elder:
        phone.goto(f"{base}/me/")
        phone.click("header.bar button")
        assert "elder" in (phone.locator("body").get_attribute("class") or "")
    problems = {}
    for path in PAGES:
        phone.goto(f"{base}{path}")
        found = critical_violations(phone)
        if found:
            problems[path] = found
        no_sideways_scroll(phone)
    assert problems == {}


def test_the_check_finds_a_critical_violation_when_there_is_one(phone):
    phone.set_content('<html lang="zh"><body><main><img src="x.png"><button></button></main></body></html>')
    found = critical_violations(phone)
    assert any(v.startswith("image-alt") for v in found) and any(v.startswith("button-name") for v in found)
