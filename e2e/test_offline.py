"""A grid leader on a phone (390 px) records a points entry where the signal is gone: the outbox
(static/js/outbox.js) keeps it on the phone and sends it when the network is back, and the server's idempotency
key (core/idempotency.py) stores it once, however often the phone sends it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.testing import build_network
from e2e.conftest import PHONE, no_sideways_scroll, screenshot, until
from e2e.test_login import sign_in
from points.models import Entry, Participant
from points.tests.helpers import PNG, item
from veterans.tests.factories import register as register_veteran
from workflow.models import Attachment

pytestmark = pytest.mark.browser

SAVED = "已保存在手机上，联网后自动发送"

LOSE_THE_FIRST_ANSWER = """() => {
  const send = window.fetch;
  let lost = false;
  window.fetch = function (url, options) {
    return send.apply(this, arguments).then(function (response) {
      if (!lost && options && options.method === "POST") { lost = true; throw new TypeError("Failed to fetch"); }
      return response;
    });
  };
}"""


@pytest.fixture
def live_net(transactional_db, live_server):
    net = build_network()
    item("volunteer-service")
    person = register_veteran(net.users["city_staff"], net.grid, name="张建国")
    return net, person, live_server.url


def phone_context(browser, **options):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, **options)  # fmt: skip
    tab = context.new_page()
    tab.set_default_timeout(15000)
    return context, tab


def fill_entry(tab, person, photo=None) -> None:
    tab.check(f"input[name=veterans][value='{person.pk}']")
    tab.select_option("select[name=item]", "volunteer-service")
    tab.fill("input[name=day]", (timezone.localdate() - dt.timedelta(days=1)).isoformat())
    tab.fill("input[name=quantity]", "2")
    tab.fill("textarea[name=description]", "村道清扫")
    if photo is not None:
        tab.set_input_files("input[name=evidence]", str(photo))
    tab.click("#entry-form button[type=submit]")


def waiting(tab) -> int:
    return tab.evaluate("window.outbox.count()")


def test_an_entry_recorded_offline_is_sent_when_the_network_returns_and_stored_once(browser, live_net, tmp_path):
    _net, person, base = live_net
    photo = tmp_path / "活动.png"
    photo.write_bytes(PNG)
    context, tab = phone_context(browser)
    try:
        sign_in(tab, base, "grid_leader")
        tab.wait_for_url(f"{base}/")
        tab.goto(f"{base}/points/entries/new/")
        tab.evaluate("navigator.serviceWorker.ready.then(() => true)")
        tab.reload()  # now under the worker, which keeps this page (it says Offline-Page: keep)
        assert tab.evaluate("!!navigator.serviceWorker.controller")

        context.set_offline(True)
        fill_entry(tab, person, photo)
        tab.wait_for_selector(f"#outbox .outbox-said:has-text('{SAVED}')")
        assert waiting(tab) == 1
        assert tab.locator("#outbox .outbox-count").inner_text() == "1 条等待发送"
        no_sideways_scroll(tab)
        screenshot(tab, "offline-entry-kept")
        assert Entry.objects.count() == 0

        tab.reload()  # the page opens again without a network, from the phone's copy, and the queue still holds it
        tab.wait_for_selector("#entry-form")
        until(tab, "window.outbox && document.getElementById('outbox')?.dataset.waiting === '1'")
        assert waiting(tab) == 1

        context.set_offline(False)
        # the "online" event sends it; the page sends it twice more at once, and once more after
        tab.evaluate("Promise.all([window.outbox.replay(), window.outbox.replay()])")
        until(tab, "document.getElementById('outbox')?.dataset.waiting === '0'")
        tab.evaluate("window.outbox.replay()")
        assert waiting(tab) == 0
        assert Entry.objects.count() == 1
        entry = Entry.objects.get()
        assert [p.veteran_id for p in Participant.objects.filter(entry=entry)] == [person.pk]
        assert Attachment.objects.filter(case=entry.case).count() == 1  # the photo went as a blob, and came through
        assert "已发送" in tab.locator("#outbox .outbox-said").inner_text()
        screenshot(tab, "offline-entry-sent")
    finally:
        context.close()


def test_an_entry_whose_answer_was_lost_is_sent_again_and_stored_once(browser, live_net, tmp_path):
    _net, person, base = live_net
    photo = tmp_path / "活动.png"
    photo.write_bytes(PNG)
    context, tab = phone_context(browser, service_workers="block")
    try:
        sign_in(tab, base, "grid_leader")
        tab.wait_for_url(f"{base}/")
        tab.goto(f"{base}/points/entries/new/")

        # the first POST reaches the server, which stores the entry; the answer never reaches the page
        tab.evaluate(LOSE_THE_FIRST_ANSWER)
        fill_entry(tab, person, photo)
        tab.wait_for_selector(f"#outbox .outbox-said:has-text('{SAVED}')")
        assert Entry.objects.count() == 1  # stored, though the phone does not know it
        assert waiting(tab) == 1

        tab.evaluate("window.outbox.replay()")
        assert waiting(tab) == 0
        assert Entry.objects.count() == 1  # the same key: the server gave back the entry it had
    finally:
        context.close()


def test_a_refused_entry_is_kept_for_the_user_to_discard(browser, live_net):
    _net, _person, base = live_net
    context, tab = phone_context(browser, service_workers="block")
    try:
        sign_in(tab, base, "grid_leader")
        tab.wait_for_url(f"{base}/")
        tab.goto(f"{base}/points/entries/new/")
        context.set_offline(True)
        tab.click("#entry-form button[type=submit]")  # nothing chosen: the server will refuse it
        tab.wait_for_selector(f"#outbox .outbox-said:has-text('{SAVED}')")
        context.set_offline(False)
        tab.evaluate("window.outbox.replay()")
        tab.wait_for_selector("#outbox .outbox-item.state-refused")
        assert tab.locator("#outbox .outbox-item .error").count() >= 1
        assert waiting(tab) == 1
        screenshot(tab, "offline-entry-refused")
        tab.once("dialog", lambda dialog: dialog.accept())
        tab.locator("#outbox [data-outbox-action=discard]").click()
        until(tab, "document.getElementById('outbox')?.dataset.waiting === '0'")
        assert Entry.objects.count() == 0
    finally:
        context.close()
