"""The 抚恤补助 API: programs and their standards, entitlements (list, get, suspend, resume, end, confirm),
a beneficiary's payments, overpayments, and proposals on the kit (list, get, propose, act).

Every operation declares its access (``@endpoint``) and reads through ``visible_to``: another region's
entitlement is not found (404). No answer carries a full ID or account number: they are masked.

Proposing is done from phones, on networks that drop answers: ``POST /entitlement-proposals`` (the kit's
router) takes an ``Idempotency-Key`` header, and the same key from the same user opens one proposal, however
often it is sent (``core.idempotency``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from benefits import entitlements as services
from benefits import proposals
from benefits.imports import amount_value
from benefits.models import (
    Entitlement,
    EntitlementStatus,
    Overpayment,
    OverpaymentState,
    PaymentLine,
    Program,
    Proposal,
    Standard,
)
from benefits.register import PROPOSALS
from benefits.standards import StandardTable, month_start, publish_standard
from core.access import Target, endpoint
from core.api import IsoDate
from core.errors import invalid
from core.ids import Id, Int64
from core.pagination import keyset_page
from core.parsing import date_value
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from core.validators import holds_number, id_text
from regions.models import Region
from veterans.models import Veteran
from veterans.search import id_lookup_hash
from workflow.kit import subject_router

router = Router(tags=["benefits"])

_NO_LIMIT = dt.date(9999, 12, 31)


def _month(value: str, field: str) -> dt.date:
    """A month as the API takes it: "2026-11" (or a day of it, "2026-11-01")."""
    day, _precision = date_value(value, field, required=True, allow_month=True, today=_NO_LIMIT)
    assert day is not None
    return day


def _one_of(field: str, value: str, values: list[str]) -> str:
    """A filter's value, refused at its field unless it is one of the codes the API takes."""
    if value not in values:
        raise invalid(field, _("%(value)s is not in the list; use one of: %(allowed)s."), code="bad_choice",
                      value=value[:20], allowed="、".join(values))  # fmt: skip
    return value


def _within(qs: Any, region: str) -> Any:
    """The rows under a region named by its code (nothing to narrow when none is given)."""
    if not region:
        return qs
    found = Region.objects.filter(code=region).first()
    if found is None:
        raise invalid("region", _("No region has this code."), code="unknown_region")
    return qs.filter(region_code__startswith=found.prefix)


def _program(code: str, field: str = "program") -> Program:
    program = Program.objects.filter(Q(code=code) | Q(name=code)).first() if code else None
    if program is None:
        codes = "、".join(Program.objects.values_list("code", flat=True))
        raise invalid(field, _("Unknown program; use one of: %(codes)s."), code="bad_choice", codes=codes)
    return program


# --- programs and standards -------------------------------------------------------------------------------------


class StandardOut(Schema):
    id: int
    program: str
    grade: int
    cause: str
    amount: Decimal
    per: str
    effective_from: dt.date
    document: str
    published_at: dt.datetime


class ProgramOut(Schema):
    id: int
    code: str
    name: str
    by_grade: bool
    causes: list[str]
    pay_month: int
    for_family: bool
    excludes: list[str]
    #: the standard of each grade and cause in force this month
    in_force: list[StandardOut]
    #: every standard ever published, in the order that decides which is in force
    history: list[StandardOut]


def _standard_out(standard: Standard, program: Program) -> dict[str, Any]:
    return {
        "id": standard.pk, "program": program.code, "grade": standard.grade, "cause": standard.cause,
        "amount": standard.amount, "per": standard.per, "effective_from": standard.effective_from,
        "document": standard.document, "published_at": standard.published_at,
    }  # fmt: skip


@router.get("/benefit-programs", response=list[ProgramOut])
@endpoint("benefits.view")
def benefit_programs(request: AuthedRequest) -> list[dict[str, Any]]:
    """The programs with their standards: the ones in force this month and every one published."""
    programs = list(Program.objects.prefetch_related("excludes"))
    table = StandardTable({p.pk: p for p in programs})
    this_month = month_start(timezone.localdate())
    history: dict[int, list[Standard]] = {}
    for standard in Standard.objects.order_by("grade", "cause", "effective_from", "published_at", "id"):
        history.setdefault(standard.program_id, []).append(standard)
    answer = []
    for program in programs:
        keys = sorted({(s.grade, s.cause) for s in history.get(program.pk, [])})
        in_force = [table.standard_for((program.pk, grade, cause), this_month) for grade, cause in keys]
        answer.append({
            "id": program.pk, "code": program.code, "name": program.name, "by_grade": program.by_grade,
            "causes": list(program.causes), "pay_month": program.pay_month, "for_family": program.for_family,
            "excludes": [p.code for p in program.excludes.all()],
            "in_force": [_standard_out(s, program) for s in in_force if s is not None],
            "history": [_standard_out(s, program) for s in history.get(program.pk, [])],
        })  # fmt: skip
    return answer


class StandardIn(Schema):
    program: str = Field(..., max_length=50)
    grade: Int64 = 0
    cause: str = Field("", max_length=20)
    #: in yuan, as text ("2350.00"): a JSON number could lose the fen
    amount: str = Field(..., max_length=20)
    per: str = Field("month", max_length=5)
    #: the month it is in force from ("2026-04"); it may be back-dated
    effective_from: str = Field(..., max_length=20)
    document: str = Field("", max_length=100)


@router.post("/benefit-standards", response={201: StandardOut})
@endpoint("benefits.standards")
def benefit_standards_publish(request: AuthedRequest, payload: StandardIn) -> Status:
    """Publish a standard (back-dated: the next batch pays the differences of the months already paid)."""
    program = _program(payload.program)
    amount = amount_value(payload.amount)
    if amount is None:
        raise invalid("amount", _("This value is required."), code="required")
    standard = publish_standard(
        actor=request.user, program=program, amount=amount, effective_from=_month(payload.effective_from,
        "effective_from"), grade=payload.grade, cause=payload.cause, per=payload.per, document=payload.document,
    )  # fmt: skip
    return Status(201, _standard_out(standard, program))


# --- entitlements -----------------------------------------------------------------------------------------------


class EntitlementOut(Schema):
    id: int
    veteran_id: int
    family_member_id: int | None
    beneficiary_name: str
    beneficiary_id_masked: str
    id_valid: bool
    program: str
    program_name: str
    grade: int
    cause: str
    agreed_amount: Decimal | None
    from_month: dt.date
    to_month: dt.date | None
    bank_name: str
    account_masked: str
    status: str
    status_reason: str
    died_on: dt.date | None
    confirmed_year: int
    region_code: str


class EntitlementPage(Schema):
    items: list[EntitlementOut]
    next: str | None


def entitlement_out(e: Entitlement) -> dict[str, Any]:
    return {
        "id": e.pk, "veteran_id": e.veteran_id, "family_member_id": e.family_member_id,
        "beneficiary_name": e.beneficiary_name, "beneficiary_id_masked": e.beneficiary_id_masked,
        "id_valid": e.id_valid, "program": e.program.code, "program_name": e.program.name, "grade": e.grade,
        "cause": e.cause, "agreed_amount": e.agreed_amount, "from_month": e.from_month, "to_month": e.to_month,
        "bank_name": e.bank_name, "account_masked": e.account_masked, "status": e.status,
        "status_reason": e.status_reason, "died_on": e.died_on, "confirmed_year": e.confirmed_year,
        "region_code": e.region_code,
    }  # fmt: skip


def entitlement_list(
    user: Any, *, program: str = "", status: str = "", region: str = "", q: str = ""
) -> QuerySet[Entitlement]:
    """The entitlements the user may see, filtered; a typed ID number is looked up by its keyed hash."""
    qs = Entitlement.objects.visible_to(user).select_related("program")
    if program:
        qs = qs.filter(program=_program(program))
    if status:
        qs = qs.filter(status=_one_of("status", status, EntitlementStatus.values))
    qs = _within(qs, region)
    q = q.strip()
    if q:
        if holds_number(q):
            qs = qs.filter(beneficiary_id_hash=id_lookup_hash(id_text(q)))
        else:
            qs = qs.filter(beneficiary_name__contains=q[:50])
    return qs


@router.get("/entitlements", response=EntitlementPage)
@endpoint("benefits.view")
def entitlements_list(
    request: AuthedRequest, program: str = "", status: str = "", region: str = "", q: str = "",
    limit: Int64 = 50, cursor: str = "",
) -> dict[str, Any]:  # fmt: skip
    """Entitlements under the caller's scope, newest first; ID and account masked. ``q``: a name, or a whole
    ID number (found by its keyed hash)."""
    qs = entitlement_list(request.user, program=program, status=status, region=region, q=q)
    items, next_cursor = keyset_page(qs, key="id", cursor=cursor or None, limit=limit, descending=True)
    return {"items": [entitlement_out(e) for e in items], "next": next_cursor}


ENTITLEMENT = Target(Entitlement, "pk", "entitlement_id")


def _entitlement(request: AuthedRequest, pk: int) -> Entitlement:
    found: Entitlement = get_visible_or_404(Entitlement.objects.select_related("program"), request.user, pk=pk)
    return found


def _fresh(request: AuthedRequest, entitlement: Entitlement) -> dict[str, Any]:
    return entitlement_out(_entitlement(request, entitlement.pk))


@router.get("/entitlements/{entitlement_id}", response=EntitlementOut)
@endpoint("benefits.view", target=ENTITLEMENT)
def entitlements_get(request: AuthedRequest, entitlement_id: Id) -> dict[str, Any]:
    return entitlement_out(_entitlement(request, entitlement_id))


class SuspensionIn(Schema):
    reason: str = Field(..., max_length=200)


class ResumeIn(Schema):
    #: pay the months held while suspended (False: they lapse)
    backpay: bool = True
    reason: str = Field("", max_length=200)


class EndIn(Schema):
    #: the last month paid ("2026-11")
    last_month: str = Field(..., max_length=20)
    reason: str = Field(..., max_length=200)


class ConfirmIn(Schema):
    year: Int64
    confirmed_on: IsoDate | None = None
    note: str = Field("", max_length=200)


class ConfirmOut(EntitlementOut):
    #: how many of the person's entitlements the confirmation covered
    confirmed: int


@router.post("/entitlements/{entitlement_id}/suspend", response=EntitlementOut)
@endpoint("benefits.manage", target=ENTITLEMENT)
def entitlements_suspend(request: AuthedRequest, entitlement_id: Id, payload: SuspensionIn) -> dict[str, Any]:
    entitlement = _entitlement(request, entitlement_id)
    return _fresh(request, services.suspend(actor=request.user, entitlement=entitlement, reason=payload.reason))


@router.post("/entitlements/{entitlement_id}/resume", response=EntitlementOut)
@endpoint("benefits.manage", target=ENTITLEMENT)
def entitlements_resume(request: AuthedRequest, entitlement_id: Id, payload: ResumeIn) -> dict[str, Any]:
    entitlement = _entitlement(request, entitlement_id)
    resumed = services.resume(actor=request.user, entitlement=entitlement, backpay=payload.backpay,
                              reason=payload.reason)  # fmt: skip
    return _fresh(request, resumed)


@router.post("/entitlements/{entitlement_id}/end", response=EntitlementOut)
@endpoint("benefits.manage", target=ENTITLEMENT)
def entitlements_end(request: AuthedRequest, entitlement_id: Id, payload: EndIn) -> dict[str, Any]:
    entitlement = _entitlement(request, entitlement_id)
    last = _month(payload.last_month, "last_month")
    ended = services.end(actor=request.user, entitlement=entitlement, last_month=last, reason=payload.reason)
    return _fresh(request, ended)


@router.post("/entitlements/{entitlement_id}/confirm", response=ConfirmOut)
@endpoint("benefits.confirm", target=ENTITLEMENT)
def entitlements_confirm(request: AuthedRequest, entitlement_id: Id, payload: ConfirmIn) -> dict[str, Any]:
    """年度确认: the beneficiary lives and is eligible for ``year`` (all of the person's entitlements)."""
    entitlement = _entitlement(request, entitlement_id)
    count = services.confirm(actor=request.user, entitlement=entitlement, year=payload.year, on=payload.confirmed_on,
                             note=payload.note)  # fmt: skip
    return {**_fresh(request, entitlement), "confirmed": count}


# --- payments and overpayments ----------------------------------------------------------------------------------


class PaymentOut(Schema):
    id: int
    entitlement_id: int
    program: str
    batch_case_id: int
    batch_number: str
    period: dt.date
    kind: str
    purpose: str
    amount: Decimal
    standard_amount: Decimal | None
    held_reason: str
    reference: str | None
    #: "paid", "failed" or "" (no answer from the bank yet, or never sent: held)
    outcome: str
    outcome_reason: str
    reversed: bool
    overpayment_id: int | None


class PaymentPage(Schema):
    items: list[PaymentOut]
    next: str | None


def _payment_out(line: PaymentLine) -> dict[str, Any]:
    outcome = line.outcome if _has(line, "outcome") else None
    overpayment = line.overpayment if _has(line, "overpayment") else None
    return {
        "id": line.pk, "entitlement_id": line.entitlement_id, "program": line.program.code,
        "batch_case_id": line.batch.case_id, "batch_number": line.batch.case.number, "period": line.period,
        "kind": line.kind, "purpose": line.purpose, "amount": line.amount, "standard_amount": line.standard_amount,
        "held_reason": line.held_reason, "reference": line.reference,
        "outcome": outcome.outcome if outcome else "", "outcome_reason": outcome.reason if outcome else "",
        "reversed": line.reverses_id is not None or _has(line, "reversed_by"),
        "overpayment_id": overpayment.pk if overpayment else None,
    }  # fmt: skip


def _has(obj: Any, name: str) -> bool:
    try:
        return getattr(obj, name) is not None
    except ObjectDoesNotExist:  # a reverse one-to-one that is not there
        return False


@router.get("/entitlements/{entitlement_id}/payments", response=PaymentPage)
@endpoint("benefits.view", target=ENTITLEMENT)
def entitlements_payments(
    request: AuthedRequest, entitlement_id: Id, limit: Int64 = 50, cursor: str = ""
) -> dict[str, Any]:
    """Every line of the beneficiary (all their entitlements the caller may see), newest first, with what the
    bank did with it."""
    entitlement = _entitlement(request, entitlement_id)
    lines = (
        PaymentLine.objects.visible_to(request.user)
        .filter(entitlement__beneficiary_id_hash=entitlement.beneficiary_id_hash)
        .select_related("program", "batch__case", "outcome", "overpayment")
    )
    items, next_cursor = keyset_page(lines, key="id", cursor=cursor or None, limit=limit, descending=True)
    return {"items": [_payment_out(line) for line in items], "next": next_cursor}


@router.get("/veterans/{veteran_id}/payments", response=PaymentPage)
@endpoint("benefits.view", target=Target(Veteran, "pk", "veteran_id"))
def veterans_payments(request: AuthedRequest, veteran_id: Id, limit: Int64 = 50, cursor: str = "") -> dict[str, Any]:
    """Every line of the entitlements arising from this veteran (his own and his family's), newest first."""
    veteran = get_visible_or_404(Veteran.objects.all(), request.user, pk=veteran_id)
    lines = (
        PaymentLine.objects.visible_to(request.user)
        .filter(entitlement__veteran=veteran)
        .select_related("program", "batch__case", "outcome", "overpayment")
    )
    items, next_cursor = keyset_page(lines, key="id", cursor=cursor or None, limit=limit, descending=True)
    return {"items": [_payment_out(line) for line in items], "next": next_cursor}


class OverpaymentOut(Schema):
    id: int
    entitlement_id: int
    beneficiary_name: str
    program: str
    reference: str | None
    period: dt.date
    amount: Decimal
    died_on: dt.date
    found_at: dt.datetime
    source: str
    state: str
    settled_on: dt.date | None
    note: str
    region_code: str


class OverpaymentPage(Schema):
    items: list[OverpaymentOut]
    next: str | None
    #: the sum of the open ones of this filter (to recover)
    open_total: Decimal


@router.get("/overpayments", response=OverpaymentPage)
@endpoint("benefits.view")
def overpayments_list(
    request: AuthedRequest, state: str = "", region: str = "", limit: Int64 = 50, cursor: str = ""
) -> dict[str, Any]:
    """Lines paid after a beneficiary's death: money to recover (or recovered, or written off)."""
    qs = Overpayment.objects.visible_to(request.user).select_related("entitlement__program", "line")
    if state:
        qs = qs.filter(state=_one_of("state", state, OverpaymentState.values))
    qs = _within(qs, region)
    items, next_cursor = keyset_page(qs, key="id", cursor=cursor or None, limit=limit, descending=True)
    open_total = qs.filter(state=OverpaymentState.OPEN).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    return {
        "items": [
            {
                "id": o.pk,
                "entitlement_id": o.entitlement_id,
                "beneficiary_name": o.entitlement.beneficiary_name,
                "program": o.entitlement.program.code,
                "reference": o.line.reference,
                "period": o.line.period,
                "amount": o.amount,
                "died_on": o.died_on,
                "found_at": o.found_at,
                "source": o.source,
                "state": o.state,
                "settled_on": o.settled_on,
                "note": o.note,
                "region_code": o.region_code,
            }
            for o in items
        ],
        "next": next_cursor,
        "open_total": open_total,
    }


# --- proposals (the kit's register) -----------------------------------------------------------------------------


class ProposalIn(Schema):
    veteran_id: Id
    program: str = Field(..., max_length=50)
    #: the first month to pay ("2026-11")
    from_month: str = Field(..., max_length=20)
    bank_name: str = Field(..., max_length=50)
    account: str = Field(..., max_length=40)
    #: a family member of the veteran (for survivors, a conscript's family); none: the veteran himself
    family_member_id: Id | None = None
    #: the family member's ID number, when the registry does not hold it
    id_number: str = Field("", max_length=30)
    grade: Int64 | None = None
    cause: str = Field("", max_length=20)
    reason: str = Field("", max_length=500)


def proposal_create(actor: Any, payload: ProposalIn) -> Proposal:
    """Propose an entitlement for a veteran of the caller's scope (404 for one they cannot see)."""
    veteran = get_visible_or_404(Veteran.objects.all(), actor, pk=payload.veteran_id)
    member = None
    if payload.family_member_id is not None:
        member = veteran.family.filter(pk=payload.family_member_id).first()
        if member is None:
            raise invalid("family_member_id", _("This is not a family member of the veteran."), code="not_family")
    data = proposals.ProposalInput(
        veteran=veteran, program=_program(payload.program), from_month=_month(payload.from_month, "from_month"),
        bank_name=payload.bank_name, account=payload.account, family_member=member, id_number=payload.id_number,
        grade=payload.grade, cause=payload.cause, reason=payload.reason,
    )  # fmt: skip
    return proposals.proposal_open(actor=actor, data=data)


proposals_router = subject_router(PROPOSALS, create_in=ProposalIn, create=proposal_create)
router.add_router("", proposals_router)
