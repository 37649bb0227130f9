"""Regular contact and needs in the browser.

A grid leader on a phone (390 px) opens "my people", overdue first, calls with one tap and logs a visit in
three taps with a need found on it; the town station resolves the need at a desk; the village station does the
回访. And a visit recorded with the network cut is kept on the phone, sent when the signal returns and stored
once, however often the page sends it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.testing import build_network
from care.models import Need, Visit
from care.tests.helpers import PNG, log, seeded
from e2e.conftest import no_sideways_scroll, screenshot, until
from e2e.test_benefits import switch
from e2e.test_login import sign_in
from e2e.test_offline import SAVED, phone_context, waiting
from e2e.test_petition import act
from veterans.tests.factories import register as register_veteran
from workflow.models import Task

pytestmark = pytest.mark.browser


@pytest.fixture
def live_net(transactional_db, live_server):
    seeded()  # the contact frequencies, which the transactional flush emptied
    net = build_network()
    staff = net.users["city_staff"]
    seen = register_veteran(staff, net.grid, name="李卫东", phone="13905731234")
    never = register_veteran(staff, net.grid, name="张建国", phone="13805739876", address="新埭镇鱼圻塘村3组12号")
    log(staff, seen, days_ago=20)
    return net, never, seen, live_server.url


def test_a_need_found_on_a_phone_visit_is_resolved_and_followed_up(phone, page, live_net):
    _net, never, _seen, base = live_net
    sign_in(phone, base, "grid_leader")
    phone.wait_for_url(f"{base}/")
    assert "我联系的人中超期未联系" in phone.locator("#reminders").inner_text()
    assert "我联系的人" in phone.locator("#workspace").inner_text()  # their work, as big tiles
    no_sideways_scroll(phone)
    screenshot(phone, "care-grid-leader-home-phone")
    phone.click("#reminders a")
    phone.wait_for_selector("#people")
    cards = phone.locator("#people .person-card")
    assert cards.nth(0).get_attribute("id") == f"person-{never.pk}"  # never contacted: overdue, first
    assert "已超期" in cards.nth(0).inner_text()
    assert cards.nth(0).locator("a.call").get_attribute("href") == "tel:13805739876"
    no_sideways_scroll(phone)
    screenshot(phone, "care-my-people-phone")

    # three taps: the card's button, the way of contact, save; the need found goes with it
    cards.nth(0).locator("a.visit").click()
    phone.check("input[name=mode][value=home]")
    phone.select_option("select[name=need_category]", "housing")
    phone.fill("textarea[name=need_description]", "老房屋顶漏雨，需要修缮")
    no_sideways_scroll(phone)
    screenshot(phone, "care-visit-phone")
    phone.click("#save-visit")
    phone.wait_for_selector("#people")
    assert "走访已记录" in phone.content()
    assert Visit.objects.filter(veteran=never).count() == 1
    need = Need.objects.get(case__veteran=never)
    assert need.source == "visit"

    need_url = f"{base}/care/needs/{need.case_id}/"
    switch(page, base, "town_staff", need_url)
    assert "老房屋顶漏雨" in page.content()
    act(page, "resolve", note="联系镇建设办，已安排修缮屋顶")
    assert list(Task.objects.filter(case=need.case, status=Task.Status.OPEN).values_list("step", flat=True)) == [
        "followup"
    ]

    switch(page, base, "village_staff", need_url)
    act(page, "satisfied", rating="very")
    need.refresh_from_db()
    need.case.refresh_from_db()
    assert need.case.state == "done" and need.satisfaction == "very"
    screenshot(page, "care-need-closed")


def test_a_visit_logged_offline_is_sent_when_the_signal_returns_and_stored_once(browser, live_net, tmp_path):
    _net, never, _seen, base = live_net
    photo = tmp_path / "走访.png"
    photo.write_bytes(PNG)
    context, tab = phone_context(browser)
    try:
        sign_in(tab, base, "grid_leader")
        tab.wait_for_url(f"{base}/")
        tab.goto(f"{base}/care/visits/new/?veteran={never.pk}")
        tab.evaluate("navigator.serviceWorker.ready.then(() => true)")
        tab.reload()  # now under the worker, which keeps this page
        assert tab.evaluate("!!navigator.serviceWorker.controller")

        context.set_offline(True)
        tab.check("input[name=mode][value=home]")
        tab.set_input_files("input[name=photo]", str(photo))
        tab.select_option("select[name=need_category]", "medical")
        tab.fill("textarea[name=need_description]", "需要联系家庭医生上门")
        tab.click("#save-visit")
        tab.wait_for_selector(f"#outbox .outbox-said:has-text('{SAVED}')")
        assert waiting(tab) == 1
        assert Visit.objects.count() == 1  # only the one logged before the test
        no_sideways_scroll(tab)
        screenshot(tab, "care-visit-kept-offline")

        tab.reload()  # the page opens again with no network, from the phone's copy; the record is still there
        tab.wait_for_selector("#visit-form")
        until(tab, "window.outbox && document.getElementById('outbox')?.dataset.waiting === '1'")

        context.set_offline(False)
        tab.evaluate("Promise.all([window.outbox.replay(), window.outbox.replay()])")
        until(tab, "document.getElementById('outbox')?.dataset.waiting === '0'")
        tab.evaluate("window.outbox.replay()")  # and once more: nothing is left to send
        visits = Visit.objects.filter(veteran=never)
        assert visits.count() == 1
        visit = visits.get()
        assert visit.mode == "home" and visit.photos.count() == 1
        assert Need.objects.filter(case__veteran=never, visit=visit).count() == 1
    finally:
        context.close()


def test_a_visit_form_kept_on_the_phone_dates_the_visit_on_the_phones_today(browser, live_net):
    _net, never, _seen, base = live_net
    context, tab = phone_context(browser, service_workers="block", timezone_id="Asia/Shanghai")
    try:
        sign_in(tab, base, "grid_leader")
        tab.wait_for_url(f"{base}/")
        later = timezone.localtime() + dt.timedelta(days=3)  # the page was kept three days ago
        tab.clock.set_fixed_time(later)
        tab.goto(f"{base}/care/visits/new/?veteran={never.pk}")
        until(tab, f"document.querySelector('input[name=visited_on]').value === '{later.date().isoformat()}'")
    finally:
        context.close()
