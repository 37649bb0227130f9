"""The campaign pages: the list, a new campaign, its progress, a grid leader's cards at 390 px (one tap calls,
one marks, each form kept by the outbox), the report and its PDF."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import Network
from audit.models import AuditEntry
from campaigns.models import Campaign, CampaignGift, CampaignTarget, State
from campaigns.services import campaign_refresh
from campaigns.tests.helpers import draft, opened, person

pytestmark = pytest.mark.django_db


def test_the_city_makes_a_campaign_on_its_page_and_opens_it(net: Network) -> None:
    person(net, net.grid)
    client = net.client("city_staff")
    page = client.get("/campaigns/new/")
    assert page.status_code == 200 and "烈士遗属" in page.content.decode()
    today = timezone.localdate()
    form = {"name": "2026年春节走访慰问", "kind": "spring_festival", "starts_on": str(today), "ends_on": str(today),
            "region_code": net.city.code, "audience": "special_care", "actions": ["visit", "greeting"],
            "gift_name": "新春大礼包"}  # fmt: skip
    made = client.post("/campaigns/new/", form)
    assert made.status_code == 302
    campaign = Campaign.objects.get()
    assert client.post(f"/campaigns/{campaign.pk}/open/").status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == State.OPEN and campaign.targets == 1
    detail = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "当湖街道" in detail and 'id="coverage"' in detail and "结束活动" in detail


def test_a_refused_campaign_form_says_why_at_the_field(net: Network) -> None:
    response = net.client("city_staff").post("/campaigns/new/", {"name": "x", "kind": "spring_festival",
                                             "starts_on": "2026-02-01", "ends_on": "2026-01-01",
                                             "region_code": net.city.code, "audience": "special_care",
                                             "actions": ["visit"]})  # fmt: skip
    assert response.status_code == 400
    assert "结束日期早于开始日期" in response.content.decode()


def test_the_grid_leaders_cards_call_and_mark_in_one_tap(net: Network) -> None:
    here = person(net, net.grid, phone="13812345678")
    person(net, net.other_grid)
    campaign = opened(net)
    client = net.client("grid_leader")
    response = client.get(f"/campaigns/{campaign.pk}/mine/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert page.count('class="person-card') == 1 and here.name in page
    assert 'href="tel:13812345678"' in page
    assert 'name="viewport" content="width=device-width' in page
    forms = re.findall(r'<form [^>]*data-outbox="[^"]+"[^>]*>', page)
    assert len(forms) == 5  # visit, greeting, salute, help and the gift
    assert all('id="record-' in f for f in forms)
    assert AuditEntry.objects.filter(action="care.phone_shown").count() == 1
    target = CampaignTarget.objects.get(campaign=campaign, veteran=here)
    sent = client.post(f"/campaigns/targets/{target.pk}/record/", {"once": "k-1", "action": "gift"})
    assert sent.status_code == 302
    again = client.post(f"/campaigns/targets/{target.pk}/record/", {"once": "k-1", "action": "gift"}, follow=True)
    assert "这条已经登记过了" in again.content.decode()
    assert CampaignGift.objects.count() == 1
    client.post(f"/campaigns/targets/{target.pk}/record/", {"once": "k-2", "action": "visit", "mode": "phone"})
    target.refresh_from_db()
    assert target.reached
    refused = client.post(f"/campaigns/targets/{target.pk}/record/", {"once": "k-3", "action": "gift"})
    assert refused.status_code == 400 and "该户的礼品已由" in refused.content.decode()
    assert f'id="record-{target.pk}-gift"' in refused.content.decode()


def test_a_closed_campaign_shows_its_report_and_takes_no_marks(net: Network) -> None:
    veteran = person(net, net.grid)
    campaign = opened(net)
    target = CampaignTarget.objects.get(campaign=campaign, veteran=veteran)
    staff = net.client("city_staff")
    closed = staff.post(f"/campaigns/{campaign.pk}/close/")
    assert closed.status_code == 302 and closed["Location"].endswith(f"/campaigns/{campaign.pk}/report/")
    report = staff.get(f"/campaigns/{campaign.pk}/report/").content.decode()
    assert "对象人数 1" in report and "未走访 1" in report
    pdf = staff.get(f"/campaigns/{campaign.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    leader = net.client("grid_leader")
    mine = leader.get(f"/campaigns/{campaign.pk}/mine/").content.decode()
    assert "data-outbox" not in mine and "不能再登记" in mine
    refused = leader.post(f"/campaigns/targets/{target.pk}/record/", {"once": "k-9", "action": "visit"})
    assert refused.status_code == 400 and "不能再登记" in refused.content.decode()


def test_a_town_cannot_close_the_citys_campaign_and_a_grid_leader_cannot_open_one(net: Network) -> None:
    campaign = opened(net)
    response = net.client("town_staff").post(f"/campaigns/{campaign.pk}/close/", follow=True)
    assert "只有其工作人员可以修改" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.state == State.OPEN
    assert net.client("grid_leader").post(f"/campaigns/{draft(net).pk}/open/").status_code == 403


def test_the_list_shows_the_campaigns_of_the_users_area(net: Network) -> None:
    opened(net, name="全市春节慰问")
    opened(net, net.zhapu, name="乍浦八一慰问")
    page = net.client("grid_leader").get("/campaigns/").content.decode()
    assert "全市春节慰问" in page and "乍浦八一慰问" not in page
    assert "走访慰问活动" in net.client("grid_leader").get("/").content.decode()


def test_the_persons_timeline_shows_the_gift_received(net: Network) -> None:
    veteran = person(net, net.grid)
    campaign = opened(net)
    target = CampaignTarget.objects.get(campaign=campaign, veteran=veteran)
    net.client("grid_leader").post(f"/campaigns/targets/{target.pk}/record/", {"once": "t-1", "action": "gift"})
    page = net.client("village_staff").get(f"/veterans/{veteran.pk}/").content.decode()
    assert "活动礼品：新春大礼包" in page


def test_the_grid_leaders_list_costs_the_same_queries_for_more_people(
    net: Network, django_assert_max_num_queries: Any
) -> None:
    for _i in range(3):
        person(net, net.grid)
    campaign = opened(net)
    client = net.client("grid_leader")
    client.get(f"/campaigns/{campaign.pk}/mine/")  # the session and the catalogues warmed
    with django_assert_max_num_queries(30) as few:
        client.get(f"/campaigns/{campaign.pk}/mine/")
    for _i in range(6):
        person(net, net.grid)
    campaign_refresh(actor=net.users["city_staff"], campaign=campaign)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/campaigns/{campaign.pk}/mine/").content.decode().count('class="person-card') == 9


def test_the_list_counts_all_not_yet_visited_and_says_when_it_shows_only_the_first(
    net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaigns import views

    for _n in range(3):
        person(net, net.grid)
    campaign = opened(net)
    monkeypatch.setattr(views, "MINE_LIMIT", 2)
    page = net.client("grid_leader").get(f"/campaigns/{campaign.pk}/mine/").content.decode()
    assert page.count('class="person-card') == 2 and 'id="more"' in page
    assert "3 人未走访" in page  # all three, not the two cards shown
