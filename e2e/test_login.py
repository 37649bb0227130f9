from __future__ import annotations

import pytest

from accounts.testing import TEST_PASSWORD, build_network
from e2e.conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def live_net(transactional_db, live_server):
    return build_network(), live_server.url


def sign_in(page, base: str, username: str, password: str = TEST_PASSWORD) -> None:
    page.goto(f"{base}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_a_town_user_signs_in_and_sees_the_chinese_home_page(page, live_net):
    _net, base = live_net
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, base, "town_staff")
    page.wait_for_url(f"{base}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "欢迎" in page.locator("h1").inner_text()
    nav = page.locator("nav.nav").inner_text()
    assert "服务网络" in nav and "审计日志" not in nav
    assert "当湖街道" in page.locator(".lead").inner_text()
    screenshot(page, "home-town")
    # Drill down to the town's village; the other town is not reachable.
    page.click("nav.nav >> text=服务网络")
    assert "当湖街道" in page.locator("h1").inner_text()
    page.click("text=东湖村")
    assert "东湖村" in page.locator("h1").inner_text()
    assert not errors, errors  # no blocked script, no CSP violation
    response = page.goto(f"{base}/regions/330482100000/")
    assert response.status == 404


def test_a_wrong_password_is_refused_in_chinese(page, live_net):
    _net, base = live_net
    sign_in(page, base, "town_staff", "not-the-password-000")
    assert "/accounts/login/" in page.url
    assert "用户名或密码错误" in page.locator(".errors").inner_text()
