"""At a phone's width (390 px): a responsible person's martyr families are cards that fit the screen, with a call
and a visit a thumb can reach, and the 一人一档 page fits too."""

from __future__ import annotations

import pytest

from accounts.testing import build_network
from e2e.conftest import PHONE, screenshot
from e2e.test_login import sign_in
from martyrs.tests.helpers import family

pytestmark = pytest.mark.browser


@pytest.fixture
def live_net(transactional_db, live_server):
    net = build_network()
    linked = family(net.users["town_staff"], net.grid, responsible=net.users["village_staff"])
    return net, linked, live_server.url


def no_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_my_martyr_families_are_cards_at_a_phones_width(phone, live_net):
    _net, linked, base = live_net
    sign_in(phone, base, "village_staff")
    phone.wait_for_url(f"{base}/")
    phone.goto(f"{base}/martyrs/mine/")
    card = phone.locator(f"#family-{linked.pk}")
    assert card.is_visible() and "从未联系" in card.inner_text()
    assert phone.locator(f"#family-{linked.pk} a.call").get_attribute("href") == "tel:13905731234"
    visit = phone.locator(f"#family-{linked.pk} a.visit").bounding_box()
    assert visit["height"] >= 40 and visit["x"] + visit["width"] <= PHONE["width"]
    assert no_overflow(phone)
    screenshot(phone, "phone-martyr-families")

    phone.locator(f"#family-{linked.pk} a", has_text="一人一档").click()
    phone.wait_for_url(f"{base}/martyrs/families/{linked.pk}/")
    assert phone.locator("#log-visit").is_visible()
    assert no_overflow(phone)
    screenshot(phone, "phone-martyr-family-record")
