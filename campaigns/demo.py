"""The campaigns of Pinghu's demo, made through the real services:

- 2026年春节"四全"走访慰问 (2026-01-20 … 2026-02-28) over the city's 优抚对象, with a 新春大礼包: about 95% of its
  people visited (each visit a regular-contact visit too), greeted and saluted, some helped, most households
  given the gift; then closed, with its report;
- 2026年"八一"走访慰问 (2026-07-20 … 2026-08-10) over the same people, open, about 60% visited.

Each mark is made by the demo user whose area holds the person (the first grid's leader, the first village's
station, a town's station, else the city's staff). Deterministic: the people reached are a seeded shuffle's first
95% (a share, not a draw each, so the coverage is the same on every load). A day is the period's, never later than
today, nor more than a year ago (a visit is logged within a year: ``care.services``).

Idempotent: nothing is loaded when any campaign exists already.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from campaigns.models import Audience, Campaign, CampaignTarget, Kind
from campaigns.services import CampaignInput, action_record, campaign_close, campaign_create, campaign_open, gift_give
from core.context import batch as audit_batch
from regions.demo import CITY_CODE

SPRING = ("2026年春节“四全”走访慰问", Kind.SPRING_FESTIVAL, dt.date(2026, 1, 20), dt.date(2026, 2, 28), "新春大礼包")
AUGUST = ("2026年“八一”走访慰问", Kind.AUGUST_FIRST, dt.date(2026, 7, 20), dt.date(2026, 8, 10), "")
#: shares of the spring campaign's people: visited (and greeted, saluted), helped, given the gift
REACHED, HELPED, GIFTED = 0.95, 0.12, 0.93
AUGUST_REACHED = 0.60
MODES = ["home"] * 7 + ["phone", "wechat", "station"]
HELP = ("送慰问金500元（演示）", "帮助联系就医（演示）", "协调解决取暖用品（演示）", "代办优待证（演示）")


def _marker(users: list[Any], code: str) -> Any:
    """The demo user of the narrowest area holding ``code`` who marks campaign actions."""
    fit = [u for u in users if u.scope_region_id and u.can("campaigns.record") and code.startswith(u.scope_prefix)]
    return max(fit, key=lambda u: len(u.scope_prefix))


def _day(rng: random.Random, first: dt.date, last: dt.date, today: dt.date) -> dt.date:
    day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
    return max(min(day, today), today - dt.timedelta(days=365), first)


def _campaign(actor: Any, spec: tuple[str, str, dt.date, dt.date, str]) -> Campaign:
    name, kind, first, last, gift = spec
    data = CampaignInput(name=name, kind=kind, starts_on=first, ends_on=last, region_code=CITY_CODE,
                         audience=Audience.SPECIAL_CARE, gift_name=gift)  # fmt: skip
    return campaign_open(actor=actor, campaign=campaign_create(actor=actor, data=data))


def _mark(campaign: Campaign, users: list[Any], share: float, rng: random.Random, today: dt.date, *,
          helped: float = 0.0, gifted: float = 0.0) -> dict[str, int]:  # fmt: skip
    targets = list(CampaignTarget.objects.filter(campaign=campaign).order_by("id"))
    rng.shuffle(targets)
    reached = round(len(targets) * share)
    done = {"visited": 0, "gifts": 0}
    for index, target in enumerate(targets):
        actor = _marker(users, target.region_code)
        day = _day(rng, campaign.starts_on, campaign.ends_on, today)
        if index < reached:
            action_record(actor=actor, target_id=target.pk, action="visit", day=day, mode=rng.choice(MODES),
                          note=f"{campaign.name}（演示）")  # fmt: skip
            action_record(actor=actor, target_id=target.pk, action="greeting", day=day)
            action_record(actor=actor, target_id=target.pk, action="salute", day=day)
            done["visited"] += 1
            if rng.random() < helped:
                action_record(actor=actor, target_id=target.pk, action="help", day=day, note=rng.choice(HELP))
        if campaign.gift_name and rng.random() < gifted:
            gift_give(actor=actor, target_id=target.pk, day=day)
            done["gifts"] += 1
    return done


def load_campaigns_demo(users: dict[str, Any], today: dt.date | None = None) -> dict[str, int]:
    """Load the campaigns demo (see the module's docstring); return what was added."""
    today = today or timezone.localdate()
    city = next((u for u in users.values() if u.role == Role.CITY_STAFF), None)
    if city is None or Campaign.objects.exists() or today < SPRING[2]:
        return {}
    markers = [u for u in users.values() if u.is_active]
    rng = random.Random(20260120)
    added: dict[str, int] = {}
    with audit_batch(), transaction.atomic():
        spring = _campaign(city, SPRING)
        done = _mark(spring, markers, REACHED, rng, today, helped=HELPED, gifted=GIFTED)
        campaign_close(actor=city, campaign=spring)
        added |= {"campaigns": 1, "people of the spring campaign": spring.targets,
                  "of them visited": done["visited"], "households given the 新春大礼包": done["gifts"]}  # fmt: skip
        if today >= AUGUST[2]:
            august = _campaign(city, AUGUST)
            done = _mark(august, markers, AUGUST_REACHED, rng, today)
            added["campaigns"] += 1
            added["people visited in the 八一 campaign (open)"] = done["visited"]
    return added
