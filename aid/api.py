"""The hardship aid API, under ``/api/v1/aid/``: applications on the kit (list, one, propose, act), the fund's
balance and ledger, donations, corrections, disbursement ceremonies and the figures.

Every operation declares its access (``@endpoint``) and reads through ``visible_to``: another area's
application or another city's ledger row is not found (404). The create operations take an
``Idempotency-Key`` header (``core.idempotency``): the same key again answers 200 with what the first made.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Router, Schema, Status

from aid import selectors, services
from aid.figures import fund_flows, stages
from aid.models import Application, Ceremony, EntryKind, FundEntry
from aid.register import APPLICATIONS
from core import idempotency
from core.access import Target, endpoint
from core.api import IsoDate, ReversalIn
from core.errors import bad_choice, invalid
from core.ids import Id, Int64
from core.pagination import keyset_page
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from workflow.kit import subject_router

router = Router(tags=["aid"])

LEDGER_ROW = Target(FundEntry, "pk", "entry_id")
CEREMONY = Target(Ceremony, "pk", "ceremony_id")
#: The most applications one ceremony's request may name before it is read at all (the service allows
#: ``services.MAX_BATCH`` and says so in its own words).
MAX_IDS = 1000


# --- applications (the kit's register) ------------------------------------------------------------------------


class ApplicationIn(Schema):
    veteran: Id
    #: living, illness, disaster, schooling, other
    need: str = Field(..., max_length=12)
    circumstances: str = Field(..., max_length=1000)
    #: yuan, more than nothing, with at most two decimals: "1280.50"
    requested: Decimal


def application_create(actor: Any, payload: ApplicationIn) -> Application:
    return services.application_propose(actor=actor, veteran=payload.veteran, need=payload.need,
                                        circumstances=payload.circumstances, requested=payload.requested)  # fmt: skip


applications_router = subject_router(APPLICATIONS, create_in=ApplicationIn, create=application_create)


# --- the fund and its ledger ------------------------------------------------------------------------------------


class FundOut(Schema):
    name: str
    region_code: str
    balance: Decimal
    donated: Decimal
    granted: Decimal
    #: approved applications not yet paid, and what paying them all would take
    payable: int
    payable_total: Decimal


@router.get("/aid/fund", response=FundOut)
@endpoint("aid.fund")
def aid_fund(request: AuthedRequest) -> dict[str, Any]:
    """The fund of the caller's city: its balance, what came in and went out, and what waits to be paid."""
    fund = selectors.fund_of(request.user)
    waiting = [a.approved for a in selectors.payable(request.user, fund) if a.approved is not None]
    return {"name": fund.name, "region_code": fund.region_code, "balance": fund.balance, **selectors.totals(fund),
            "payable": len(waiting), "payable_total": sum(waiting, Decimal("0.00"))}  # fmt: skip


class FundEntryOut(Schema):
    id: int
    kind: str
    day: dt.date
    amount: Decimal
    region_code: str
    donor: str | None
    donor_kind: str | None
    #: the application a grant paid (its case's id) and the ceremony that paid it
    application_case_id: int | None
    application_number: str | None
    ceremony_id: int | None
    reference: str
    note: str
    reason: str
    reverses_id: int | None
    reversed_by_id: int | None
    created_at: dt.datetime


class FundLedgerOut(Schema):
    items: list[FundEntryOut]
    next: str | None


def _reversed_by(row: FundEntry) -> int | None:
    try:
        return int(row.reversed_by.pk)  # the reverse one-to-one of ``reverses``
    except FundEntry.DoesNotExist:
        return None


def row_out(row: FundEntry) -> dict[str, Any]:
    application = row.application
    return {
        "id": row.pk, "kind": row.kind, "day": row.day, "amount": row.amount, "region_code": row.region_code,
        "donor": row.donor.name if row.donor else None, "donor_kind": row.donor.kind if row.donor else None,
        "application_case_id": application.case_id if application else None,
        "application_number": application.case.number if application else None, "ceremony_id": row.ceremony_id,
        "reference": row.reference, "note": row.note, "reason": row.reason, "reverses_id": row.reverses_id,
        "reversed_by_id": _reversed_by(row), "created_at": row.created_at,
    }  # fmt: skip


def _kind(kind: str) -> str:
    kind = kind.strip()
    if kind and kind not in EntryKind.values:
        raise bad_choice("kind", EntryKind.choices)
    return kind


@router.get("/aid/fund/ledger", response=FundLedgerOut)
@endpoint("aid.fund")
def aid_fund_ledger(request: AuthedRequest, kind: str = "", limit: Int64 = 50, cursor: str = "") -> dict[str, Any]:
    """The fund's ledger rows, newest first (``kind``: donation or grant)."""
    rows = selectors.ledger(request.user, selectors.fund_of(request.user), _kind(kind))
    items, next_cursor = keyset_page(rows, key="id", cursor=cursor or None, limit=limit, descending=True)
    return {"items": [row_out(r) for r in items], "next": next_cursor}


def _fresh(row: FundEntry) -> dict[str, Any]:
    shown = FundEntry.objects.select_related("donor", "application__case", "reversed_by").get(pk=row.pk)
    return row_out(shown)


@router.post("/aid/fund/ledger/{entry_id}/reverse", response=FundEntryOut)
@endpoint("aid.fund_manage", target=LEDGER_ROW)
def aid_fund_reverse(request: AuthedRequest, entry_id: Id, payload: ReversalIn) -> dict[str, Any]:
    """Reverse a donation or a grant entered in error, with the reason: the reversing row."""
    get_visible_or_404(FundEntry.objects.all(), request.user, pk=entry_id)
    return _fresh(services.entry_reverse(actor=request.user, entry=entry_id, reason=payload.reason))


# --- donations ------------------------------------------------------------------------------------------------------


class DonationIn(Schema):
    #: who gave: 平湖市民营企业拥军协会, a company, a person
    donor: str = Field(..., max_length=100)
    #: company, association or person
    donor_kind: str = Field(..., max_length=12)
    #: yuan, more than nothing, with at most two decimals
    amount: Decimal
    received_on: IsoDate
    reference: str = Field("", max_length=60)
    note: str = Field("", max_length=500)
    #: the area it was given for (a town's code); empty: the city as a whole
    region: str = Field("", max_length=15)


@router.get("/aid/donations", response=FundLedgerOut)
@endpoint("aid.fund")
def aid_donations(request: AuthedRequest, limit: Int64 = 50, cursor: str = "") -> dict[str, Any]:
    """The donations to the fund (and their reversals), newest first."""
    rows = selectors.ledger(request.user, selectors.fund_of(request.user), EntryKind.DONATION)
    items, next_cursor = keyset_page(rows, key="id", cursor=cursor or None, limit=limit, descending=True)
    return {"items": [row_out(r) for r in items], "next": next_cursor}


@router.post("/aid/donations", response={201: FundEntryOut, 200: FundEntryOut})
@endpoint("aid.fund_manage")
def aid_donation_create(
    request: AuthedRequest,
    payload: DonationIn,
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
) -> Status[Any]:
    """Record a donation with its donor: the fund's balance grows by it."""
    key = idempotency.header_key(idempotency_key)
    row, new = idempotency.once(
        actor=request.user, key=key, request=payload.dict(),
        create=lambda: services.donation_record(
            actor=request.user, donor=payload.donor, donor_kind=payload.donor_kind, amount=payload.amount,
            received_on=payload.received_on, reference=payload.reference, note=payload.note, region=payload.region,
        ),
    )  # fmt: skip
    return Status(201 if new else 200, _fresh(row))


# --- disbursement ceremonies -----------------------------------------------------------------------------------------


class GrantOut(Schema):
    entry_id: int
    application_case_id: int
    number: str
    veteran_id: int
    veteran_name: str
    amount: Decimal
    reversed: bool


class CeremonyOut(Schema):
    id: int
    name: str
    held_on: dt.date
    place: str
    total: Decimal
    grants: int
    created_at: dt.datetime


class CeremonyDetail(CeremonyOut):
    items: list[GrantOut]


class CeremonyPage(Schema):
    items: list[CeremonyOut]
    next: str | None


def ceremony_out(c: Ceremony) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "held_on": c.held_on, "place": c.place, "total": c.total,
            "grants": c.grants, "created_at": c.created_at}  # fmt: skip


def _grant_out(r: FundEntry) -> dict[str, Any]:
    application = r.application
    assert application is not None  # a grant row has its application (aid_ledger_sign_follows_kind)
    return {
        "entry_id": r.pk,
        "application_case_id": application.case_id,
        "number": application.case.number,
        "veteran_id": application.veteran_id,
        "veteran_name": application.veteran.name,
        "amount": -r.amount,
        "reversed": _reversed_by(r) is not None,
    }


def ceremony_detail(c: Ceremony) -> dict[str, Any]:
    items = [_grant_out(r) for r in selectors.ceremony_grants(c)]
    return {**ceremony_out(c), "items": items}


class CeremonyIn(Schema):
    name: str = Field(..., max_length=100)
    held_on: IsoDate
    place: str = Field("", max_length=100)
    #: the approved applications to pay, by their case's id (``GET /aid/applications``)
    applications: list[Id] = Field(..., max_length=MAX_IDS)


@router.get("/aid/ceremonies", response=CeremonyPage)
@endpoint("aid.fund")
def aid_ceremonies(request: AuthedRequest, limit: Int64 = 50, cursor: str = "") -> dict[str, Any]:
    """The disbursement ceremonies held, newest first."""
    rows = selectors.ceremonies(request.user)
    items, next_cursor = keyset_page(rows, key="id", cursor=cursor or None, limit=limit, descending=True)
    return {"items": [ceremony_out(c) for c in items], "next": next_cursor}


@router.get("/aid/ceremonies/{ceremony_id}", response=CeremonyDetail)
@endpoint("aid.fund", target=CEREMONY)
def aid_ceremony(request: AuthedRequest, ceremony_id: Id) -> dict[str, Any]:
    """One ceremony and the grants it paid."""
    return ceremony_detail(get_visible_or_404(Ceremony.objects.all(), request.user, pk=ceremony_id))


@router.post("/aid/ceremonies", response={201: CeremonyDetail, 200: CeremonyDetail})
@endpoint("aid.fund_manage")
def aid_ceremony_create(
    request: AuthedRequest,
    payload: CeremonyIn,
    idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
) -> Status[Any]:
    """Hold a ceremony: pay every chosen approved application its approved amount, all in one step. Refused
    whole (nothing paid) when one of them cannot be paid or the fund cannot cover the batch (the shortfall
    is named)."""
    key = idempotency.header_key(idempotency_key)
    ceremony, new = idempotency.once(
        actor=request.user, key=key, request=payload.dict(),
        create=lambda: services.ceremony_hold(actor=request.user, name=payload.name, held_on=payload.held_on,
                                              place=payload.place, applications=payload.applications),
    )  # fmt: skip
    return Status(201 if new else 200, ceremony_detail(ceremony))


# --- the figures ------------------------------------------------------------------------------------------------------


class MonthFlow(Schema):
    month: int
    #: donations less their reversals, grants less theirs, in yuan
    money_in: Decimal = Field(..., alias="in")
    money_out: Decimal = Field(..., alias="out")


class AreaFlow(Schema):
    code: str
    name: str
    money_in: Decimal = Field(..., alias="in")
    money_out: Decimal = Field(..., alias="out")


class AidFiguresOut(Schema):
    year: int
    money_in: Decimal = Field(..., alias="in")
    money_out: Decimal = Field(..., alias="out")
    months: list[MonthFlow]
    areas: list[AreaFlow]
    #: the applications the caller sees, by stage: check, approve, approved, paid, refused, withdrawn
    stages: dict[str, int]


@router.get("/aid/figures", response=AidFiguresOut, by_alias=True)
@endpoint("aid.fund")
def aid_figures(request: AuthedRequest, year: Int64 | None = None) -> dict[str, Any]:
    """The fund's money in and out in a year (this year by default), by month and by town, and the
    applications by stage."""
    if year is not None and not 2000 <= year <= 2100:
        raise invalid("year", _("A year from 2000 to 2100."), code="bad_year")
    chosen = year if year is not None else timezone.localdate().year
    flows = fund_flows(selectors.fund_of(request.user), chosen)
    return {**flows, "stages": stages(request.user)}


router.add_router("", applications_router)
