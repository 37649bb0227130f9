"""A petition from registration to archive, in the browser, by the bureau and the town station taking turns."""

from __future__ import annotations

import pytest

from accounts.testing import build_network
from e2e.conftest import pick, screenshot
from e2e.test_login import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_net(transactional_db, live_server):
    return build_network(), live_server.url


def act(page, action: str, note: str = "", **fields: str) -> None:
    """Fill the form of one action on the case page and submit it."""
    form = page.locator("form.action-form", has=page.locator(f"button[value={action}]"))
    if note:
        form.locator("textarea").fill(note)
    for name, value in fields.items():
        control = form.locator(f"[name$='-{name}']")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    form.locator(f"button[value={action}]").click()
    page.wait_for_load_state()


def switch(page, base: str, username: str, case_url: str) -> None:
    page.context.clear_cookies()
    sign_in(page, base, username)
    page.wait_for_url(f"{base}/")
    page.goto(case_url)


def test_a_petition_walks_from_registration_to_archive(page, live_net):
    net, base = live_net
    sign_in(page, base, "city_staff")
    page.goto(f"{base}/petitions/new/")
    page.select_option("select[name=channel]", "visit")
    page.fill("input[name=received_on]", "2026-11-20")
    page.fill("input[name=petitioner_name]", "李建国")
    page.fill("input[name=phone]", "13800001234")
    pick(page, "region_code", "东湖", "当湖街道 › 东湖村")
    page.select_option("select[name=subject]", "benefits")
    page.fill("textarea[name=content]", "反映优抚金未按时发放。")
    page.click("form.panel button[type=submit]")
    page.wait_for_selector("#case-state")
    case_url = page.url
    assert "受理告知" in page.content()

    act(page, "accept")
    assert page.locator("a[href$='letters/acceptance.pdf']").count() == 1
    act(page, "assign", unit=net.danghu.code)

    switch(page, base, "town_staff", case_url)
    act(page, "investigated", "走访核实，情况属实")
    act(page, "decide", "按政策补发", decision="support")

    switch(page, base, "city_staff", case_url)
    act(page, "reply", "经核实，已按政策补发。")

    switch(page, base, "town_staff", case_url)
    act(page, "visited", "电话回访，表示满意", satisfaction="satisfied")

    switch(page, base, "city_staff", case_url)
    act(page, "archive")
    assert page.locator("#case-state").inner_text() == "已办结"
    assert page.locator("a[href$='letters/reply.pdf']").count() == 1
    screenshot(page, "petition-archived")
