"""“老兵本色” points in the browser: a grid leader on a phone records a group activity with a photo for two
veterans, the village station approves it at a desk, and the ledger shows each one's balance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.testing import build_network
from e2e.conftest import no_sideways_scroll, screenshot
from e2e.test_benefits import switch
from e2e.test_login import sign_in
from e2e.test_petition import act
from points.tests.helpers import PNG, item
from veterans.tests.factories import register as register_veteran

pytestmark = pytest.mark.browser


@pytest.fixture
def live_net(transactional_db, live_server):
    return build_network(), live_server.url


def test_a_group_entry_from_a_phone_is_approved_and_booked(phone, page, live_net, tmp_path):
    net, base = live_net
    item("volunteer-service")
    a = register_veteran(net.users["city_staff"], net.grid, name="张建国")
    b = register_veteran(net.users["city_staff"], net.grid, name="李卫东")
    photo = tmp_path / "活动.png"
    photo.write_bytes(PNG)
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    sign_in(phone, base, "grid_leader")
    phone.wait_for_url(f"{base}/")
    phone.goto(f"{base}/points/entries/new/")
    no_sideways_scroll(phone)
    phone.check(f"input[name=veterans][value='{a.pk}']")
    phone.check(f"input[name=veterans][value='{b.pk}']")
    phone.select_option("select[name=item]", "volunteer-service")
    phone.fill("input[name=day]", yesterday.isoformat())
    phone.fill("input[name=quantity]", "3")
    phone.fill("textarea[name=description]", "村道清扫")
    phone.set_input_files("input[name=evidence]", str(photo))
    no_sideways_scroll(phone)
    screenshot(phone, "points-entry-phone")
    phone.click("#entry-form button[type=submit]")
    phone.wait_for_selector("#participants")
    entry_url = phone.url
    people = phone.locator("#participants").inner_text()
    assert "张建国" in people and "李卫东" in people
    no_sideways_scroll(phone)

    switch(page, base, "village_staff", entry_url)
    assert "活动.png" in page.locator("main").inner_text()
    act(page, "approve")
    page.wait_for_selector("#case-state")
    assert "办结" in page.locator("#case-state").inner_text() or "Concluded" in page.locator("#case-state").inner_text()

    page.goto(f"{base}/points/veterans/{a.pk}/")
    assert page.locator("#balance").inner_text() == "3"
    phone.goto(f"{base}/points/veterans/{b.pk}/")
    assert phone.locator("#balance").inner_text() == "3"
    no_sideways_scroll(phone)


def test_the_towns_ranking_notice_on_a_desk_and_a_phone(phone, page, live_net):
    """The town freezes the quarter through the page; the notice lists the rows best first with their places,
    narrows to a village, and a village's grid leader reads it on a phone and reaches the objection form."""
    from points.quarters import quarter_of
    from points.tests.test_entries import past_quarter_days
    from points.tests.test_ranking import booked

    net, base = live_net
    people = [register_veteran(net.users["city_staff"], net.grid, name=n) for n in ("王海峰", "陈志刚", "刘建军")]
    one, two, _three = past_quarter_days()
    for hours, person in zip(("5", "3", "3"), people, strict=True):
        booked(net, [person], hours, one if hours == "5" else two)

    sign_in(page, base, "town_staff")
    page.goto(f"{base}/points/rankings/")
    page.fill("#freeze-form input[name=quarter]", quarter_of(one))
    page.click("#freeze-form button[type=submit]")
    page.wait_for_selector("#ranking-rows")
    rows = page.locator("#ranking-rows tbody tr")
    assert rows.count() == 3
    assert rows.nth(0).locator("td").nth(1).inner_text() == "王海峰"
    assert [rows.nth(i).locator("td").nth(0).inner_text() for i in range(3)] == ["1", "2", "2"]  # a tie shares
    page.select_option("select[name=within]", net.village.code)
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("#ranking-rows")
    assert page.locator("#ranking-rows tbody tr").count() == 3
    screenshot(page, "points-ranking-desktop")
    notice = page.url

    page.click("#notice-link")
    page.wait_for_selector("#ranking-rows")
    assert page.locator("#ranking-rows tbody tr").count() == 3
    notice = page.url

    sign_in(phone, base, "grid_leader")
    phone.goto(notice)
    phone.wait_for_selector("#ranking-rows")
    no_sideways_scroll(phone)
    assert phone.locator("#ranking-rows td[data-label='名次']").count() == 3  # each card says what its figure is
    screenshot(phone, "points-ranking-phone")
