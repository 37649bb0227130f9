"""Scoped reads of the campaigns: the campaigns a user sees (their area's, and those of the areas they lie
within), a campaign's people in the user's area, and the ones a grid leader still has to reach."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from campaigns.models import Campaign, CampaignGift, CampaignTarget


def campaigns(user: Any, state: str = "") -> QuerySet[Campaign]:
    qs = Campaign.objects.visible_to(user)
    return qs.filter(state=state) if state else qs


def targets(user: Any, campaign: Campaign, *, within: str = "", unreached: bool = False) -> QuerySet[CampaignTarget]:
    """The campaign's people of the user's area (or of ``within`` under it), by id; only those not yet visited
    with ``unreached``."""
    qs = CampaignTarget.objects.visible_to(user, within=within).filter(campaign=campaign).select_related("veteran")
    if unreached:
        qs = qs.filter(visit_on__isnull=True)
    return qs.annotate(
        gift_given=Exists(CampaignGift.objects.filter(campaign=campaign, household=OuterRef("household")))
    )


def left_to_do(campaign: Campaign) -> Q:
    """A target with something of the campaign still to do: an action not marked, or its household's gift."""
    left = Q()
    first = True
    for action in campaign.actions:
        clause = Q(**{f"{action}_on__isnull": True})
        left = clause if first else left | clause
        first = False
    if campaign.gift_name:
        left = left | Q(gift_given=False) if not first else Q(gift_given=False)
    return left


def to_reach(user: Any, campaign: Campaign) -> QuerySet[CampaignTarget]:
    """The people of the user's area with something still to do, those not yet visited first, then by name: a
    grid leader's list on their phone."""
    qs = targets(user, campaign)
    if getattr(user, "scope_region_id", None):
        # where the person lives now: someone who moved away since the campaign opened is no longer on this list
        qs = qs.filter(veteran__region_code__startswith=user.scope_prefix)
    return qs.filter(left_to_do(campaign)).order_by(F("visit_on").desc(nulls_first=True), "veteran__name", "id")


def targets_by_pk(target: CampaignTarget) -> Any:
    """One target again as the lists show it (its person, whether its household has the gift)."""
    gift = Exists(CampaignGift.objects.filter(campaign_id=target.campaign_id, household=OuterRef("household")))
    return CampaignTarget.objects.select_related("veteran").annotate(gift_given=gift).get(pk=target.pk)
