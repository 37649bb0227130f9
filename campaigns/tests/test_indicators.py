"""走访慰问 on the cockpit says what a campaign's coverage page says (``campaigns.figures.coverage``) at every
level: the people to reach, those visited, the households given the gift; each mark is stale until the refresh."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import Network
from campaigns.figures import coverage
from campaigns.models import Campaign, CampaignTarget
from campaigns.services import action_record, campaign_refresh, gift_give
from campaigns.tests.helpers import opened, person
from cockpit import build, selectors
from cockpit.kit import INDICATORS
from cockpit.models import Dirty
from cockpit.testing import disagreements

pytestmark = pytest.mark.django_db

KEYS = ["campaigns.coverage"]
YEAR = str(timezone.localdate().year)


def areas(net: Network) -> list[Any]:
    return [net.city, net.danghu, net.zhapu, net.village, net.other_village, net.grid, net.other_grid]


def figure(region: Any) -> dict[str, int]:
    found = selectors.overview(region, YEAR, KEYS)[0]
    return {m.key: int(found.measure(m.key)) for m in found.indicator.measures}


def target(campaign: Campaign, veteran: Any) -> CampaignTarget:
    return CampaignTarget.objects.get(campaign=campaign, veteran=veteran)


def agrees_with_the_campaign_page(net: Network, campaign: Campaign) -> None:
    for region in areas(net):
        total, _areas = coverage(campaign, region.code)
        rows = selectors.breakdown(INDICATORS["campaigns.coverage"], region, YEAR, by="campaign")
        found = next((r.values for r in rows if r.key == str(campaign.pk)), {})
        mine = {k: int(found.get(k, 0)) for k in ("reached", "targets", "gifts")}
        assert mine == {"reached": total["reached"], "targets": total["targets"], "gifts": total["gifts"]}


@pytest.fixture
def campaign(net: Network) -> dict[str, Any]:
    people = [person(net, net.grid), person(net, net.grid), person(net, net.other_grid)]
    made = opened(net)
    action_record(actor=net.users["grid_leader"], target_id=target(made, people[0]).pk, action="visit", mode="home")
    gift_give(actor=net.users["grid_leader"], target_id=target(made, people[0]).pk)
    return {"campaign": made, "people": people}


def test_a_campaign_is_counted_as_its_page_counts_it(net: Network, campaign: dict[str, Any]) -> None:
    build.rebuild(KEYS)
    assert figure(net.city) == {"reached": 1, "targets": 3, "gifts": 1}
    assert figure(net.grid) == {"reached": 1, "targets": 2, "gifts": 1}
    assert figure(net.zhapu) == {"reached": 0, "targets": 1, "gifts": 0}
    link = INDICATORS["campaigns.coverage"].records(net.danghu.code, {"campaign": str(campaign["campaign"].pk)})  # type: ignore[misc]
    assert link == f"/campaigns/{campaign['campaign'].pk}/?region={net.danghu.code}"
    agrees_with_the_campaign_page(net, campaign["campaign"])
    assert disagreements(areas(net), KEYS) == []


def test_each_mark_and_newcomer_is_stale_until_the_refresh(
    net: Network, campaign: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    build.rebuild(KEYS)
    made, people = campaign["campaign"], campaign["people"]
    staff = net.users["city_staff"]
    with django_capture_on_commit_callbacks(execute=True):
        action_record(actor=staff, target_id=target(made, people[2]).pk, action="visit", mode="phone")
    with django_capture_on_commit_callbacks(execute=True):
        gift_give(actor=staff, target_id=target(made, people[2]).pk)
    newcomer = person(net, net.village)
    with django_capture_on_commit_callbacks(execute=True):
        campaign_refresh(actor=staff, campaign=made)
    assert {net.other_grid.code, net.village.code} <= set(Dirty.objects.values_list("region_code", flat=True))
    assert figure(net.city) == {"reached": 1, "targets": 3, "gifts": 1}  # as of the last build
    assert disagreements(areas(net), KEYS) != []

    build.refresh()
    assert figure(net.city) == {"reached": 2, "targets": 4, "gifts": 2}
    assert figure(net.other_grid) == {"reached": 1, "targets": 1, "gifts": 1}
    assert target(made, newcomer).region_code == net.village.code
    agrees_with_the_campaign_page(net, made)
    assert disagreements(areas(net), KEYS) == []
