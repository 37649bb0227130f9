"""A campaign and one of its people in a region, for the generated access test."""

from __future__ import annotations

from accounts.testing import Network, sample
from campaigns.models import Campaign, CampaignTarget
from campaigns.tests.helpers import opened, person, town_of
from regions.models import Region


@sample(Campaign)
def campaign_in(net: Network, region: Region) -> Campaign:
    """An open campaign of the region's town, with one person of the region."""
    return target_in(net, region).campaign


@sample(CampaignTarget)
def target_in(net: Network, region: Region) -> CampaignTarget:
    veteran = person(net, region)
    campaign = opened(net, town_of(region), actor=net.users["city_admin"])
    return CampaignTarget.objects.select_related("campaign").get(campaign=campaign, veteran=veteran)  # type: ignore[no-any-return]
