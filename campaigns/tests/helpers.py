"""Campaigns, their people and marks for the tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from campaigns.models import Audience, Campaign, Kind
from campaigns.services import CampaignInput, campaign_create, campaign_open
from regions.models import Level, Region, ancestor_code
from veterans.models import VeteranCategory
from veterans.tests.factories import register


def person(net: Any, region: Region, category: str | None = "disabled_soldier", **overrides: Any) -> Any:
    """A veteran of ``region``, in special care under ``category`` since 2020 (none: not in special care)."""
    veteran = register(net.users["city_admin"], region, **overrides)
    if category:
        VeteranCategory.objects.create(veteran=veteran, category=category, start_date=dt.date(2020, 1, 1))
    return veteran


def draft(net: Any, region: Region | None = None, *, actor: Any = None, audience: str = Audience.SPECIAL_CARE,
          categories: list[str] | None = None, gift: str = "新春大礼包", actions: list[str] | None = None,
          name: str = "2026年春节走访慰问") -> Campaign:  # fmt: skip
    today = timezone.localdate()
    data = CampaignInput(name=name, kind=Kind.SPRING_FESTIVAL, starts_on=today - dt.timedelta(days=10),
                         ends_on=today + dt.timedelta(days=30), region_code=(region or net.city).code,
                         audience=audience, categories=categories or [], gift_name=gift,
                         actions=actions or ["visit", "greeting", "salute", "help"])  # fmt: skip
    return campaign_create(actor=actor or net.users["city_staff"], data=data)


def opened(net: Any, region: Region | None = None, **kwargs: Any) -> Campaign:
    campaign = draft(net, region, **kwargs)
    return campaign_open(actor=kwargs.get("actor") or net.users["city_staff"], campaign=campaign)


def town_of(region: Region) -> Region:
    return Region.objects.get(code=ancestor_code(region.code, Level.TOWN))
