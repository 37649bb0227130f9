"""The demo veteran's journey at 390 px, on the Pinghu demo: ``veteran_demo`` signs in with the mobile the demo
prints and the SMS code the log backend shows, sees their points, payments and needs, raises a need that their
town's station resolves, and answers its 回访."""

from __future__ import annotations

import logging
import re
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.testing import TEST_PASSWORD
from care.models import Need
from care.tests.helpers import do, open_task
from e2e.conftest import no_sideways_scroll, screenshot, seed_catalogs

pytestmark = pytest.mark.browser


@pytest.fixture
def live_demo(transactional_db, live_server):
    seed_catalogs()  # a transactional test before this one emptied them
    out = StringIO()
    call_command("demo", "--veterans", "5000", "--password", TEST_PASSWORD, stdout=out)
    found = re.search(r"mobile of veteran_demo: (1\d{10})", out.getvalue())
    assert found is not None, "the demo prints veteran_demo's mobile"
    return found.group(1), live_server.url


def test_the_demo_veteran_signs_in_by_sms_and_a_need_goes_round_the_kit(phone, live_demo, caplog):
    mobile, base = live_demo
    own = User.objects.get(username="veteran_demo")
    assert own.veteran is not None and own.veteran.entitlements.exists()  # the demo pays them a pension

    caplog.set_level(logging.INFO, logger="laobing.notify")
    phone.goto(f"{base}/me/sign-in/")
    phone.fill("#id_phone", mobile)
    phone.click("main form.card button[type=submit]")
    phone.wait_for_selector("#id_code")
    logged = [r.getMessage() for r in caplog.records if r.name == "laobing.notify" and mobile[-4:] in r.getMessage()]
    code = re.search(r"\d{6}", logged[-1])  # the log backend shows the code
    assert code is not None
    phone.fill("#id_code", code.group(0))
    phone.click("main form.card button[type=submit]")
    phone.wait_for_url(f"{base}/me/")
    no_sideways_scroll(phone)

    phone.click("nav.tabs >> text=积分")
    assert int(phone.locator("#balance").inner_text()) > 0  # the points demo gave them some
    phone.click("nav.tabs >> text=待遇")
    assert phone.locator("section.month").count() >= 1
    no_sideways_scroll(phone)
    screenshot(phone, "portal-demo-payments-phone")

    phone.click("nav.tabs >> text=首页")
    phone.click("#needs-card")
    phone.select_option("#id_category", "living")
    phone.fill("#id_description", "家里老人行动不便，想申请上门帮助")
    phone.click("main form.card button[type=submit]")
    need = Need.objects.select_related("case").get(description="家里老人行动不便，想申请上门帮助")
    task = open_task(need)
    station = User.objects.get(role=task.role, scope_region__code=task.unit_code)
    do(station, need, "resolve", "已安排网格班长每周上门")
    phone.reload()
    card = phone.locator(f"section.need[data-need='{need.pk}']")
    card.locator("form.followup input[value=satisfied]").check()
    card.locator("form.followup button[type=submit]").click()
    phone.wait_for_selector(f"section.need[data-need='{need.pk}'] form.followup", state="detached")
    assert Need.objects.get(pk=need.pk).satisfaction == "satisfied"
    no_sideways_scroll(phone)
