"""The campaigns API: the campaigns (list, make, open, refresh, close), a campaign's people (by grid, those not
reached), an action of 四全 or the gift marked for one person, and the coverage by area.

Every operation declares its access (``@endpoint``) and reads through ``visible_to``: another area's campaign or
person is not found (404). The writes a phone makes (an action, a gift) and the campaign's creation take an
``Idempotency-Key`` header (``core.idempotency``): sent twice, stored once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Header, Router, Schema, Status

from campaigns import selectors, services
from campaigns.figures import coverage, scoped_area
from campaigns.models import Campaign, CampaignGift, CampaignTarget
from core import idempotency
from core.access import Target, endpoint
from core.api import IsoDate
from core.ids import Id, Int64
from core.pagination import keyset_page
from core.scoping import get_visible_or_404
from core.types import AuthedRequest

router = Router(tags=["campaigns"])

CAMPAIGN = Target(Campaign, "pk", "campaign_id")
TARGET = Target(CampaignTarget, "pk", "target_id")


class CampaignIn(Schema):
    name: str = Field(..., max_length=100)
    #: spring_festival (春节), august_first (八一), custom
    kind: str = Field(..., max_length=20)
    starts_on: IsoDate
    ends_on: IsoDate
    #: the city's or one town's code
    region_code: str = Field(..., max_length=15)
    #: special_care (优抚对象) or all_veterans
    audience: str = Field(..., max_length=20)
    #: special-care categories (martyr_family, disabled_soldier …); empty: every category
    categories: list[str] = Field([], max_length=20)
    #: tag codes: people with one of them only
    tags: list[str] = Field([], max_length=20)
    #: some of visit, greeting, salute, help
    actions: list[str] = Field(["visit", "greeting", "salute", "help"], max_length=4)
    gift_name: str = Field("", max_length=100)


class CampaignOut(Schema):
    id: int
    name: str
    kind: str
    starts_on: dt.date
    ends_on: dt.date
    region_code: str
    audience: str
    categories: list[str]
    tags: list[str]
    actions: list[str]
    gift_name: str
    state: str
    targets: int
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None


class CampaignPage(Schema):
    items: list[CampaignOut]
    next: str | None


def campaign_out(c: Campaign) -> dict[str, Any]:
    return {f: getattr(c, f) for f in CampaignOut.model_fields if f != "id"} | {"id": c.pk}


@router.get("/campaigns", response=CampaignPage, operation_id="campaigns_list")
@endpoint("campaigns.view")
def campaigns_list(request: AuthedRequest, state: str = "", limit: Int64 = 50, cursor: str = "") -> dict[str, Any]:
    """The campaigns you see (your area's, and those of the areas yours lies in), newest first; ``state``: draft,
    open or closed."""
    qs = selectors.campaigns(request.user, state.strip())
    items, next_cursor = keyset_page(qs, key="id", cursor=cursor or None, limit=limit, descending=True)
    return {"items": [campaign_out(c) for c in items], "next": next_cursor}


@router.post("/campaigns", response={201: CampaignOut, 200: CampaignOut}, operation_id="campaigns_create")
@endpoint("campaigns.manage", errors=(409,))
def campaigns_create(
    request: AuthedRequest, payload: CampaignIn, idempotency_key: str | None = Header(None, alias=idempotency.HEADER)
) -> Status[Any]:
    """A draft campaign of the city or one town of your area. The same ``Idempotency-Key`` again answers 200 with
    the campaign the first request made."""
    key = idempotency.header_key(idempotency_key)
    data = services.CampaignInput(
        name=payload.name, kind=payload.kind.strip(), starts_on=payload.starts_on, ends_on=payload.ends_on,
        region_code=payload.region_code, audience=payload.audience.strip(), categories=payload.categories,
        tags=payload.tags, actions=[a.strip() for a in payload.actions], gift_name=payload.gift_name,
    )  # fmt: skip
    made, new = idempotency.once(actor=request.user, key=key, request=payload.dict(),
                                 create=lambda: services.campaign_create(actor=request.user, data=data))  # fmt: skip
    return Status(201 if new else 200, campaign_out(made))


@router.get("/campaigns/{campaign_id}", response=CampaignOut, operation_id="campaigns_get")
@endpoint("campaigns.view", target=CAMPAIGN)
def campaigns_get(request: AuthedRequest, campaign_id: Id) -> dict[str, Any]:
    return campaign_out(get_visible_or_404(Campaign.objects.all(), request.user, pk=campaign_id))


@router.post("/campaigns/{campaign_id}/open", response=CampaignOut, operation_id="campaigns_open")
@endpoint("campaigns.manage", target=CAMPAIGN)
def campaigns_open(request: AuthedRequest, campaign_id: Id) -> dict[str, Any]:
    """Open a draft: its people are assigned to their grids."""
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=campaign_id)
    return campaign_out(services.campaign_open(actor=request.user, campaign=campaign))


class CampaignRefreshOut(Schema):
    added: int
    targets: int


@router.post("/campaigns/{campaign_id}/refresh", response=CampaignRefreshOut, operation_id="campaigns_refresh")
@endpoint("campaigns.manage", target=CAMPAIGN)
def campaigns_refresh(request: AuthedRequest, campaign_id: Id) -> dict[str, Any]:
    """Add the people who came in since the campaign opened; again, nobody twice."""
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=campaign_id)
    added = services.campaign_refresh(actor=request.user, campaign=campaign)
    campaign.refresh_from_db()
    return {"added": added, "targets": campaign.targets}


@router.post("/campaigns/{campaign_id}/close", response=CampaignOut, operation_id="campaigns_close")
@endpoint("campaigns.manage", target=CAMPAIGN)
def campaigns_close(request: AuthedRequest, campaign_id: Id) -> dict[str, Any]:
    """Close an open campaign: nothing more is recorded on it."""
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=campaign_id)
    return campaign_out(services.campaign_close(actor=request.user, campaign=campaign))


class CampaignTargetOut(Schema):
    id: int
    veteran_id: int
    name: str
    region_code: str
    phone_masked: str
    reached: bool
    visit_on: dt.date | None
    greeting_on: dt.date | None
    salute_on: dt.date | None
    help_on: dt.date | None
    gift_given: bool


class CampaignTargetPage(Schema):
    items: list[CampaignTargetOut]
    next: str | None


def target_out(t: Any) -> dict[str, Any]:
    return {"id": t.pk, "veteran_id": t.veteran_id, "name": t.veteran.name, "region_code": t.region_code,
            "phone_masked": t.veteran.phone_masked, "reached": t.reached, "visit_on": t.visit_on,
            "greeting_on": t.greeting_on, "salute_on": t.salute_on, "help_on": t.help_on,
            "gift_given": bool(getattr(t, "gift_given", False))}  # fmt: skip


@router.get("/campaigns/{campaign_id}/targets", response=CampaignTargetPage, operation_id="campaigns_targets")
@endpoint("campaigns.view", target=CAMPAIGN)
def campaigns_targets(request: AuthedRequest, campaign_id: Id, grid: str = "", unreached: bool = False,
                      limit: Int64 = 50, cursor: str = "") -> dict[str, Any]:  # fmt: skip
    """The campaign's people of your area, by id: of one grid (or any area under yours: ``grid``, a code), and
    only those not yet visited with ``unreached=true``."""
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=campaign_id)
    within = scoped_area(request.user, campaign, grid).prefix if grid.strip() else ""
    qs = selectors.targets(request.user, campaign, within=within, unreached=unreached)
    items, next_cursor = keyset_page(qs, key="id", cursor=cursor or None, limit=limit)
    return {"items": [target_out(t) for t in items], "next": next_cursor}


class CampaignActionIn(Schema):
    #: visit (全走访), greeting (全祝福), salute (全致敬), help (全帮扶)
    action: str = Field(..., max_length=10)
    #: the day it was done (today when not given)
    day: IsoDate | None = None
    #: for a visit: home, phone, wechat or station
    mode: str = Field("home", max_length=10)
    #: for help: what was given (required)
    note: str = Field("", max_length=500)


def _target_fresh(target: CampaignTarget) -> dict[str, Any]:
    shown = selectors.targets_by_pk(target)
    return target_out(shown)


@router.post("/campaigns/targets/{target_id}/actions", response={201: CampaignTargetOut, 200: CampaignTargetOut},
             operation_id="campaigns_action_record")  # fmt: skip
@endpoint("campaigns.record", target=TARGET, errors=(409,))
def campaigns_action_record(
    request: AuthedRequest, target_id: Id, payload: CampaignActionIn,
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
) -> Status[Any]:  # fmt: skip
    """Mark an action of 四全 done for one person of your area (a visit logs a regular-contact visit too). Once per
    person and action: another attempt is refused (409) with who marked it and when; the same
    ``Idempotency-Key`` again answers 200."""
    get_visible_or_404(CampaignTarget.objects.all(), request.user, pk=target_id)
    key = idempotency.header_key(idempotency_key)

    def create() -> CampaignTarget:
        return services.action_record(actor=request.user, target_id=target_id, action=payload.action.strip(),
                                      day=payload.day, mode=payload.mode.strip(), note=payload.note)  # fmt: skip

    made, new = idempotency.once(actor=request.user, key=key, request=payload.dict() | {"target": target_id},
                                 create=create)  # fmt: skip
    return Status(201 if new else 200, _target_fresh(made))


class CampaignGiftIn(Schema):
    day: IsoDate | None = None
    note: str = Field("", max_length=200)


class CampaignGiftOut(Schema):
    id: int
    campaign_id: int
    target_id: int
    household: str
    given_on: dt.date
    given_by: str


def gift_out(g: CampaignGift) -> dict[str, Any]:
    return {"id": g.pk, "campaign_id": g.campaign_id, "target_id": g.target_id, "household": g.household,
            "given_on": g.given_on, "given_by": g.given_by.get_full_name() or g.given_by.username}  # fmt: skip


@router.post("/campaigns/targets/{target_id}/gift", response={201: CampaignGiftOut, 200: CampaignGiftOut},
             operation_id="campaigns_gift_give")  # fmt: skip
@endpoint("campaigns.record", target=TARGET, errors=(409,))
def campaigns_gift_give(
    request: AuthedRequest, target_id: Id, payload: CampaignGiftIn,
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
) -> Status[Any]:  # fmt: skip
    """Record the campaign's gift handed to this person's household: once per household. Another attempt (by you
    or another grid leader) is refused (409) naming who gave it and when; the same ``Idempotency-Key`` again
    answers 200 with the gift."""
    get_visible_or_404(CampaignTarget.objects.all(), request.user, pk=target_id)
    key = idempotency.header_key(idempotency_key)
    made, new = idempotency.once(
        actor=request.user, key=key, request=payload.dict() | {"target": target_id},
        create=lambda: services.gift_give(actor=request.user, target_id=target_id, day=payload.day, note=payload.note),
    )  # fmt: skip
    gift = CampaignGift.objects.select_related("given_by").get(pk=made.pk)
    return Status(201 if new else 200, gift_out(gift))


class CampaignCoverageRow(Schema):
    code: str
    name: str
    level: str
    targets: int
    reached: int
    unreached: int
    rate: Decimal | None
    visit: int
    greeting: int
    salute: int
    help: int
    gifts: int
    leader: str = ""


class CampaignCoverageOut(Schema):
    total: CampaignCoverageRow
    areas: list[CampaignCoverageRow]


@router.get("/campaigns/{campaign_id}/coverage", response=CampaignCoverageOut, operation_id="campaigns_coverage")
@endpoint("campaigns.view", target=CAMPAIGN)
def campaigns_coverage(request: AuthedRequest, campaign_id: Id, region: str = "") -> dict[str, Any]:
    """Progress and coverage in your part of the campaign's area (or ``region`` under it) and in each area one
    level down: people targeted, reached, each action, gifts."""
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=campaign_id)
    total, areas = coverage(campaign, scoped_area(request.user, campaign, region).code)
    return {"total": total, "areas": areas}
