"""The “老兵本色” points API: the catalog, entries on the kit (and with evidence files), a veteran's ledger,
corrections and redemptions, the rewards, a quarter's frozen ranking and the figures by area.

Every operation declares its access (``@endpoint``) and reads through ``visible_to``: another area's veteran,
entry or ledger row is not found (404). A veteran signed in for themself (``points.submit_own``) reads the
catalog and their own ledger, and submits their own entries with evidence. Entries and redemptions are made
from phones: their create operations take an ``Idempotency-Key`` header (``core.idempotency``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Header, Router, Schema, Status, UploadedFile

from core import idempotency
from core.access import Target, endpoint
from core.api import IsoDate, ReversalIn, json_form_field, upload_digest
from core.errors import invalid
from core.ids import Id, Int64
from core.pagination import keyset_page
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from points import entries as services
from points.figures import figures
from points.models import Entry, Item, Objection, Phase, PointEntry, Ranking, RankingState, Reward
from points.quarters import label, parse_quarter, quarter_of
from points.ranking import covering, objection_open, rows
from points.ranking_register import OBJECTIONS_REGISTER
from points.register import ENTRIES
from regions.models import Region
from regions.selectors import scoped_area
from veterans.models import Veteran
from workflow.kit import subject_detail, subject_router
from workflow.services.access import region_names

router = Router(tags=["points"])

VETERAN = Target(Veteran, "pk", "veteran_id")
LEDGER_ROW = Target(PointEntry, "pk", "row_id")
#: The most evidence files one entry takes.
MAX_FILES = 10
#: The most ids an entry's ``veterans`` list may hold before it is read at all (the service allows
#: ``services.MAX_PEOPLE`` and says so in its own words).
MAX_IDS = 1000


# --- the catalog --------------------------------------------------------------------------------------------------


class CatalogItemOut(Schema):
    code: str
    version_id: int
    name: str
    basis: str
    points: int
    deduction: bool
    quarter_cap: int | None
    year_cap: int | None
    submitters: list[str]
    town_from: int | None
    evidence: str
    evidence_hint: str
    effective_from: dt.date


class AspectOut(Schema):
    code: str
    name: str
    items: list[CatalogItemOut]


class CatalogOut(Schema):
    day: dt.date
    aspects: list[AspectOut]


@router.get("/points/catalog", response=CatalogOut)
@endpoint(("points.view", "points.submit_own"))
def points_catalog(request: AuthedRequest, day: IsoDate | None = None) -> dict[str, Any]:
    """The aspects and their items as in force on ``day`` (today by default), in the catalog's order."""
    day = day or timezone.localdate()
    aspects: dict[int, dict[str, Any]] = {}
    for v in services.catalog_on(day):
        aspect = v.item.aspect
        shown = aspects.setdefault(aspect.pk, {"code": aspect.code, "name": aspect.name, "items": []})
        shown["items"].append({
            "code": v.item.code, "version_id": v.pk, "name": v.name, "basis": v.basis, "points": v.points,
            "deduction": v.deduction, "quarter_cap": v.quarter_cap, "year_cap": v.year_cap,
            "submitters": list(v.submitters), "town_from": v.town_from, "evidence": v.evidence,
            "evidence_hint": v.evidence_hint, "effective_from": v.effective_from,
        })  # fmt: skip
    return {"day": day, "aspects": list(aspects.values())}


# --- entries (the kit's register, and with evidence files) -----------------------------------------------------


class EntryIn(Schema):
    #: the veterans who took part (one entry records a group activity of one village)
    veterans: list[Id] = Field(..., max_length=MAX_IDS)
    #: the item's code (``GET /points/catalog``)
    item: str = Field(..., max_length=30)
    day: IsoDate
    #: hours (an item scored per hour) or occasions (per occasion); ignored for a fixed item
    quantity: Decimal | None = Field(None, ge=-10000, le=10000)
    description: str = Field("", max_length=500)


def _item(code: str) -> Item:
    found = Item.objects.filter(code=code.strip()).first()
    if found is None:
        raise invalid("item", _("No item of the catalog has this code."), code="unknown_item")
    return found


def entry_create(actor: Any, payload: EntryIn, evidence: list[Any] | None = None) -> Entry:
    """Submit an entry: the service checks who may submit it, for whom (their scope), the caps and the evidence."""
    # The service reads the people by their ids under the actor's scope and refuses those it does not find.
    people = [Veteran(pk=pk) for pk in payload.veterans]
    data = services.EntryInput(
        veterans=people, item=_item(payload.item), day=payload.day, quantity=payload.quantity,
        description=payload.description, evidence=evidence or [],
    )  # fmt: skip
    return services.entry_submit(actor=actor, data=data)


entries_router = subject_router(ENTRIES, create_in=EntryIn, create=entry_create)


@router.post("/points/entries", response={201: Any, 200: Any}, operation_id="points_entries_with_evidence")
@endpoint(("points.submit", "points.submit_own"))
def points_entries_with_evidence(
    request: AuthedRequest,
    data: str | None = Form(None),
    evidence: list[UploadedFile] | None = File(None),  # noqa: B008 - ninja reads the uploads from it
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
) -> Status[Any]:
    """Submit an entry with its evidence (multipart: the entry as JSON in ``data``, the files in ``evidence``).
    The same ``Idempotency-Key`` with the same entry and files answers 200 with the first one, and makes no
    second."""
    key = idempotency.header_key(idempotency_key)
    payload = json_form_field(data, EntryIn)
    files = list(evidence or [])
    if len(files) > MAX_FILES:
        raise invalid("evidence", _("At most %(n)s files with one entry."), code="too_many", n=MAX_FILES)
    request_seen = {**payload.dict(), "evidence": [upload_digest(f) for f in files]}
    entry, new = idempotency.once(
        actor=request.user, key=key, request=request_seen, create=lambda: entry_create(request.user, payload, files)
    )
    fresh = Entry.objects.select_related(*ENTRIES.related).get(pk=entry.pk)
    return Status(201 if new else 200, subject_detail(ENTRIES, fresh))


# --- the ledger ---------------------------------------------------------------------------------------------------


class PointsLedgerRowOut(Schema):
    id: int
    veteran_id: int
    kind: str
    day: dt.date
    quarter: str
    points: int
    aspect: str | None
    item_name: str | None
    entry_case_id: int | None
    reward: str | None
    reason: str
    reverses_id: int | None
    reversed_by_id: int | None
    created_at: dt.datetime
    region_code: str


class PointsLedgerOut(Schema):
    veteran_id: int
    balance: int
    owed: int
    items: list[PointsLedgerRowOut]
    next: str | None


def _reversed_by(row: PointEntry) -> int | None:
    try:
        return int(row.reversed_by.pk)  # the reverse one-to-one of ``reverses``
    except PointEntry.DoesNotExist:
        return None


def row_out(row: PointEntry) -> dict[str, Any]:
    return {
        "id": row.pk, "veteran_id": row.veteran_id, "kind": row.kind, "day": row.day, "quarter": row.quarter,
        "points": row.points, "aspect": row.aspect.code if row.aspect else None,
        "item_name": row.version.name if row.version else None,
        "entry_case_id": row.entry.case_id if row.entry else None,
        "reward": row.reward.code if row.reward else None, "reason": row.reason, "reverses_id": row.reverses_id,
        "reversed_by_id": _reversed_by(row), "created_at": row.created_at, "region_code": row.region_code,
    }  # fmt: skip


def _own(request: AuthedRequest, veteran_id: int) -> bool:
    """The caller is the veteran themself, signed in for their own record."""
    user = request.user
    return bool(user.can("points.submit_own") and user.veteran_id is not None and user.veteran_id == veteran_id)


@router.get("/points/veterans/{veteran_id}/ledger", response=PointsLedgerOut)
@endpoint(("points.view", "points.submit_own"), target=VETERAN)
def points_ledger(request: AuthedRequest, veteran_id: Id, limit: Int64 = 50, cursor: str = "") -> dict[str, Any]:
    """The veteran's balance, what a deduction left owing, and their ledger rows, newest first."""
    if _own(request, veteran_id):
        veteran = Veteran.objects.get(pk=veteran_id)
        rows = PointEntry.objects.filter(veteran=veteran).select_related(
            "version", "aspect", "reward", "entry", "reversed_by"
        )
    else:
        veteran = get_visible_or_404(Veteran.objects.all(), request.user, pk=veteran_id)
        rows = services.ledger_of(request.user, veteran)
    items, next_cursor = keyset_page(rows, key="id", cursor=cursor or None, limit=limit, descending=True)
    balance, owed = services.balance_of(veteran)
    return {"veteran_id": veteran.pk, "balance": balance, "owed": owed, "items": [row_out(r) for r in items],
            "next": next_cursor}  # fmt: skip


def _fresh_row(request: AuthedRequest, row: PointEntry) -> dict[str, Any]:
    shown = PointEntry.objects.select_related("version", "aspect", "reward", "entry").get(pk=row.pk)
    return row_out(shown)


@router.post("/points/ledger/{row_id}/correct", response=PointsLedgerRowOut)
@endpoint("points.correct", target=LEDGER_ROW)
def points_ledger_correct(request: AuthedRequest, row_id: Id, payload: ReversalIn) -> dict[str, Any]:
    """Reverse an award or a deduction entered in error, with the reason: the reversing row."""
    get_visible_or_404(PointEntry.objects.all(), request.user, "correct", pk=row_id)
    reversal = services.correct(actor=request.user, row=row_id, reason=payload.reason)
    return _fresh_row(request, reversal)


@router.post("/points/ledger/{row_id}/cancel", response=PointsLedgerRowOut)
@endpoint("points.redeem", target=LEDGER_ROW)
def points_ledger_cancel(request: AuthedRequest, row_id: Id, payload: ReversalIn) -> dict[str, Any]:
    """Give back a redemption's points (the gift returned, the service not given): the reversing row."""
    get_visible_or_404(PointEntry.objects.all(), request.user, pk=row_id)
    reversal = services.cancel_redemption(actor=request.user, row=row_id, reason=payload.reason)
    return _fresh_row(request, reversal)


# --- rewards and redemptions ----------------------------------------------------------------------------------------


class RewardOut(Schema):
    code: str
    name: str
    kind: str
    cost: int
    stock: int | None
    description: str


@router.get("/points/rewards", response=list[RewardOut])
@endpoint(("points.view", "points.submit_own"))
def points_rewards(request: AuthedRequest) -> list[dict[str, Any]]:
    """What points may be redeemed for now."""
    return [
        {"code": r.code, "name": r.name, "kind": r.kind, "cost": r.cost, "stock": r.stock, "description": r.description}
        for r in Reward.objects.filter(active=True)
    ]


class RedemptionIn(Schema):
    veteran: Id
    #: the reward's code (``GET /points/rewards``)
    reward: str = Field(..., max_length=30)
    note: str = Field("", max_length=500)


@router.post("/points/redemptions", response={201: PointsLedgerRowOut, 200: PointsLedgerRowOut})
@endpoint(("points.redeem", "points.redeem_own"))
def points_redemptions(
    request: AuthedRequest,
    payload: RedemptionIn,
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
) -> Status[Any]:
    """Spend a veteran's points on a reward: the ledger's debit. Refused when the balance is short."""
    key = idempotency.header_key(idempotency_key)
    prize = Reward.objects.filter(code=payload.reward.strip()).first()
    if prize is None:
        raise invalid("reward", _("This reward is not offered."), code="not_offered")
    row, new = idempotency.once(
        actor=request.user, key=key, request=payload.dict(),
        create=lambda: services.redeem(actor=request.user, veteran=payload.veteran, reward=prize, note=payload.note),
    )  # fmt: skip
    return Status(201 if new else 200, _fresh_row(request, row))


# --- the quarter's ranking ------------------------------------------------------------------------------------------


class RankingRowOut(Schema):
    veteran_id: int
    name: str
    region_code: str
    grid: str
    village: str
    town: str
    score: int
    entries: int
    rank_grid: int | None
    rank_village: int
    rank_town: int
    rank_city: int | None


class RankingOut(Schema):
    case_id: int
    quarter: str
    quarter_label: str
    #: the area the ranking was frozen for (a town, or the city)
    ranking_region: str
    #: the area the rows are narrowed to
    region: str
    state: str
    phase: str
    people: int
    frozen_at: dt.datetime
    final_at: dt.datetime | None
    items: list[RankingRowOut]
    next: str | None


@router.get("/points/rankings", response=RankingOut)
@endpoint("points.view", errors=(404,))
def points_rankings(
    request: AuthedRequest, quarter: str = "", region: str = "", limit: Int64 = 50, cursor: str = ""
) -> dict[str, Any]:
    """A quarter's frozen ranking: the final rows once published, until then the publicised ones; best score
    first. ``region`` (a town, village or grid code) narrows the rows to that area; without it, the ranking
    that holds the caller's own area, whole. 404 when no ranking of the quarter the caller sees covers it."""
    key = parse_quarter(quarter)
    area = None
    if region.strip():
        area = Region.objects.filter(code=region.strip()).first()
        if area is None:
            raise invalid("region", _("No region has this code."), code="unknown_region")
    scope = request.user.scope_region
    # the rankings the caller sees: their area's and those seen from within it (Ranking.objects.visible_to)
    seen = Ranking.objects.visible_to(request.user)
    ranking = covering(key, area.code if area is not None else scope.code if scope else "", among=seen)
    if ranking is None:
        raise Http404
    phase = Phase.FINAL if ranking.state == RankingState.FINAL else Phase.NOTICE
    within = rows(ranking, within=area.code if area is not None else "")
    items, next_cursor = keyset_page(within, key=("score", "id"), cursor=cursor or None, limit=limit, descending=True)
    codes = {c for r in items for c in (r.grid_code, r.village_code, r.town_code) if c}
    names = region_names(codes)
    return {
        "case_id": ranking.case_id, "quarter": key, "quarter_label": label(key), "ranking_region": ranking.region_code,
        "region": area.code if area is not None else ranking.region_code, "state": ranking.state, "phase": phase,
        "people": ranking.people, "frozen_at": ranking.frozen_at, "final_at": ranking.final_at,
        "items": [
            {"veteran_id": r.veteran_id, "name": r.name, "region_code": r.region_code,
             "grid": names.get(r.grid_code, ""), "village": names.get(r.village_code, ""),
             "town": names.get(r.town_code, ""), "score": r.score, "entries": r.entries, "rank_grid": r.rank_grid,
             "rank_village": r.rank_village, "rank_town": r.rank_town, "rank_city": r.rank_city}
            for r in items
        ],
        "next": next_cursor,
    }  # fmt: skip


# --- the figures ---------------------------------------------------------------------------------------------------


class AspectPoints(Schema):
    aspect: str
    name: str
    points: int


class FigureRowOut(Schema):
    code: str
    name: str
    level: str
    living: int
    participants: int
    #: participants ÷ living veterans, as a percentage with one decimal ("12.5"); null when none live there
    rate: Decimal | None
    points: int
    aspects: list[AspectPoints]


class PointsFiguresOut(Schema):
    quarter: str
    region: str
    region_name: str
    total: FigureRowOut
    areas: list[FigureRowOut]


@router.get("/points/figures", response=PointsFiguresOut)
@endpoint("points.view")
def points_figures(request: AuthedRequest, quarter: str = "", region: str = "") -> dict[str, Any]:
    """Participation and points by aspect in a quarter, for an area of the caller's scope and each area under it
    (a city's towns, a town's villages, a village's grids)."""
    key = parse_quarter(quarter) if quarter.strip() else quarter_of(timezone.localdate())
    area = scoped_area(request.user, region)
    total, areas = figures(area.code, key)
    return {"quarter": key, "region": area.code, "region_name": area.name, "total": total, "areas": areas}


# --- objections to a publicised ranking (the kit's register) -------------------------------------------------


class ObjectionIn(Schema):
    #: the ranking (its ``id`` in ``GET /points/rankings``) and the veteran whose row is disputed
    ranking: Id
    veteran: Id
    #: the ledger row disputed (an award or a deduction of the quarter, ``GET /points/veterans/{id}/ledger``)
    disputed: Id
    claim: str = Field(..., max_length=1000)


def objection_create(actor: Any, payload: ObjectionIn) -> Objection:
    """Raise an objection within the ranking's objection period: the service checks who may, for whom and when."""
    return objection_open(actor=actor, ranking=payload.ranking, veteran=payload.veteran, disputed=payload.disputed,
                          claim=payload.claim)  # fmt: skip


objections_router = subject_router(OBJECTIONS_REGISTER, create_in=ObjectionIn, create=objection_create)

router.add_router("", entries_router)
router.add_router("", objections_router)
