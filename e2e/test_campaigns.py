"""A Spring Festival campaign in the browser: the city opens it (its people go to their grids), a grid leader on
a phone (390 px) visits a person and hands over the household's gift, the station follows the progress, and the
city closes it with its report."""

from __future__ import annotations

import pytest

from accounts.testing import build_network
from campaigns.models import CampaignGift, CampaignTarget, State
from campaigns.tests.helpers import draft, person
from care.models import Visit
from e2e.conftest import no_sideways_scroll, screenshot
from e2e.test_benefits import switch
from e2e.test_login import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_net(transactional_db, live_server):
    net = build_network()
    first = person(net, net.grid, name="赵卫国", phone="13905730001")
    second = person(net, net.grid, name="钱建军")
    return net, first, second, live_server.url


def test_a_campaign_opened_by_the_city_is_marked_on_a_phone_and_closed_with_its_report(phone, page, live_net):
    net, first, second, base = live_net
    campaign = draft(net)
    url = f"{base}/campaigns/{campaign.pk}/"

    sign_in(page, base, "city_staff")
    page.wait_for_url(f"{base}/")
    page.goto(url)
    page.click("#open-campaign")
    page.wait_for_load_state()
    campaign.refresh_from_db()
    assert campaign.state == State.OPEN and CampaignTarget.objects.filter(campaign=campaign).count() == 2

    sign_in(phone, base, "grid_leader")
    phone.wait_for_url(f"{base}/")
    phone.goto(f"{url}mine/")
    target = CampaignTarget.objects.get(campaign=campaign, veteran=first)
    card = phone.locator(f"#target-{target.pk}")
    assert "未走访" in card.inner_text() and card.locator("a.call").get_attribute("href") == "tel:13905730001"
    no_sideways_scroll(phone)
    screenshot(phone, "campaign-mine-phone")
    phone.click(f"#record-{target.pk}-visit button[type=submit]")
    phone.wait_for_selector(f"#record-{target.pk}-visit", state="detached")  # marked: its button is gone
    phone.click(f"#record-{target.pk}-gift button[type=submit]")
    phone.wait_for_selector(f"#record-{target.pk}-gift", state="detached")
    target.refresh_from_db()
    assert target.visit_on is not None and Visit.objects.filter(veteran=first).count() == 1  # counts for care too
    assert CampaignGift.objects.filter(campaign=campaign, household=target.household).count() == 1
    no_sideways_scroll(phone)

    switch(page, base, "village_staff", url)
    coverage = page.locator("#coverage").inner_text()
    assert "50" in coverage  # one of the two reached
    switch(page, base, "city_staff", url)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#close-campaign")
    page.wait_for_load_state()
    campaign.refresh_from_db()
    assert campaign.state == State.CLOSED
    page.goto(f"{url}report/")
    summary = page.locator("#summary").inner_text()
    assert "2" in summary and "新春大礼包 1" in summary
    screenshot(page, "campaign-report")
    assert second.pk != first.pk
