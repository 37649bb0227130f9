"""The campaigns demo: the 2026 Spring Festival campaign over the city's 优抚对象, about 95% reached and closed
with most households given the gift; the 八一 campaign open. Loaded once."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.testing import Network
from campaigns.demo import load_campaigns_demo
from campaigns.figures import coverage
from campaigns.models import Campaign, CampaignTarget, Kind, State
from campaigns.tests.helpers import person
from care.models import Visit

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 3)


def test_the_spring_festival_campaign_reaches_about_95_percent_and_is_closed(net: Network) -> None:
    for i in range(60):
        person(net, net.grid if i % 3 else net.other_grid, category="martyr_family" if i % 10 == 0 else "rural_over_60")
    person(net, net.grid, category=None)  # not in special care: not targeted
    users = {u.username: u for u in net.users.values()}
    added = load_campaigns_demo(users, today=TODAY)
    assert added["campaigns"] == 2 and added["people of the spring campaign"] == 60
    spring = Campaign.objects.get(kind=Kind.SPRING_FESTIVAL)
    assert spring.state == State.CLOSED and spring.gift_name == "新春大礼包"
    total, _towns = coverage(spring)
    assert total["targets"] == 60 and 94 <= total["rate"] <= 96
    assert total["greeting"] == total["salute"] == total["reached"]
    assert 0.8 * 60 <= total["gifts"] < 60
    mine = CampaignTarget.objects.filter(campaign=spring, region_code=net.grid.code, visit_on__isnull=False)
    assert set(mine.values_list("visit_by", flat=True)) == {net.users["grid_leader"].pk}
    assert Visit.objects.count() >= total["reached"]
    august = Campaign.objects.get(kind=Kind.AUGUST_FIRST)
    assert august.state == State.OPEN and 0 < coverage(august)[0]["reached"] < 60
    assert load_campaigns_demo(users, today=TODAY) == {}
