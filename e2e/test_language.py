"""An English-language browser (en-US) still gets the Chinese interface; the switcher is what changes it."""

from __future__ import annotations

import pytest

from accounts.testing import build_network
from e2e.conftest import screenshot
from e2e.test_login import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def english_page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_an_en_us_browser_gets_the_chinese_interface_until_the_user_switches(
    english_page, transactional_db, live_server
):
    build_network()
    page, base = english_page, live_server.url
    assert page.evaluate("navigator.language") == "en-US"
    sign_in(page, base, "town_staff")
    page.wait_for_url(f"{base}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "欢迎" in page.locator("h1").inner_text()
    bell = page.locator("#bell")
    assert bell.get_attribute("aria-label") == "通知" and bell.locator("svg").is_visible()
    screenshot(page, "home-en-us-browser")
    page.click("button[name=language][value=en]")
    page.wait_for_url(f"{base}/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_url(f"{base}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
