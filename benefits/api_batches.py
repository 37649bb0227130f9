"""The API of the monthly batches of 抚恤补助: generate, check and approve (maker-checker), the lines, the bank
file and the bank's return file, a line taken out.

Under ``/api/v1/benefit-batches``; a batch is named by its case's id, as its page is. The lines never show a
full account (masked); the bank file does, so it is sent ``no-store`` and every export is audited.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Query, Router, Schema, UploadedFile

from benefits import bank, figures
from benefits.batches import line_outcome, line_totals, reverse_line
from benefits.generation import generate_batch, parse_period
from benefits.models import Batch, HeldReason, LineKind, PaymentLine, Program
from cockpit.kit import period_days
from core.access import Target, endpoint
from core.errors import bad_choice, invalid
from core.ids import Id, Int64
from core.pagination import keyset_page
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from regions.selectors import scoped_area
from workflow.kit import acting_task
from workflow.services import act

router = Router(tags=["benefit-batches"])

TARGET = Target(Batch, "case_id", "case_id")


# --- schemas --------------------------------------------------------------------------------------------------------


class BatchOut(Schema):
    case_id: int
    number: str
    period: str
    state: str
    state_label: str
    line_count: int
    total: str
    held_count: int
    generated_at: str | None
    checked_by: str | None
    checked_at: str | None
    approved_by: str | None
    approved_at: str | None
    exported_at: str | None
    reconciled_at: str | None


class BatchPage(Schema):
    items: list[BatchOut]
    next: str | None = None


class ProgramTotal(Schema):
    program: str
    name: str
    count: int
    total: str
    held: int


class HeldCount(Schema):
    reason: str
    label: str
    count: int


class ReturnOut(Schema):
    id: int
    name: str
    imported_at: str
    imported_by: str
    paid_count: int
    paid_total: str
    failed_count: int
    failed_total: str


class BatchDetail(BatchOut):
    #: what the lines add up to now (the frozen totals above hold from the check on)
    lines_now: int
    total_now: str
    held_now: int
    programs: list[ProgramTotal]
    held: list[HeldCount]
    returns: list[ReturnOut]
    open_steps: list[str]


class GenerateIn(Schema):
    period: str = Field(..., max_length=20)


class GeneratedOut(Schema):
    added: int
    held: int
    total: str
    batch: BatchDetail


class StepIn(Schema):
    note: str = Field("", max_length=2000)
    #: which of the case's open tasks, when the user may act on more than one
    task: Id | None = None


class LineOut(Schema):
    id: int
    reference: str | None
    entitlement_id: int
    beneficiary_name: str
    account: str  # masked: the last four digits
    bank_name: str
    program: str
    program_name: str
    period: str
    kind: str
    kind_label: str
    amount: str
    standard_amount: str | None
    held_reason: str
    held_label: str
    reverses_id: int | None
    reversed: bool
    resend_of_id: int | None
    outcome: str | None
    outcome_reason: str
    reason: str


class LinePage(Schema):
    items: list[LineOut]
    next: str | None = None


class ReturnImported(Schema):
    changed: bool
    return_file: ReturnOut
    batch: BatchOut


class ReverseIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


# --- what is shown -----------------------------------------------------------------------------------------------


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _who(user: Any) -> str | None:
    return str(user) if user is not None else None


def batch_out(batch: Batch) -> dict[str, Any]:
    return {
        "case_id": batch.case_id,
        "number": batch.case.number,
        "period": f"{batch.period:%Y-%m}",
        "state": batch.state,
        "state_label": str(batch.get_state_display()),
        "line_count": batch.line_count,
        "total": f"{batch.total:.2f}",
        "held_count": batch.held_count,
        "generated_at": _when(batch.generated_at),
        "checked_by": _who(batch.checked_by),
        "checked_at": _when(batch.checked_at),
        "approved_by": _who(batch.approved_by),
        "approved_at": _when(batch.approved_at),
        "exported_at": _when(batch.exported_at),
        "reconciled_at": _when(batch.reconciled_at),
    }


def return_out(returned: Any) -> dict[str, Any]:
    return {
        "id": returned.pk,
        "name": returned.name,
        "imported_at": returned.imported_at.isoformat(),
        "imported_by": str(returned.imported_by),
        "paid_count": returned.paid_count,
        "paid_total": f"{returned.paid_total:.2f}",
        "failed_count": returned.failed_count,
        "failed_total": f"{returned.failed_total:.2f}",
    }


def batch_detail(batch: Batch) -> dict[str, Any]:
    from workflow.models import Task

    totals = line_totals(batch)
    programs = (
        batch.lines.values("program__code", "program__name", "program__order")
        .annotate(
            originals=Count("id", filter=Q(held_reason="", reverses__isnull=True)),
            reversals=Count("id", filter=Q(reverses__isnull=False)),
            total=Sum("amount", filter=Q(held_reason="")),
            held=Count("id", filter=~Q(held_reason="")),
        )
        .order_by("program__order", "program__code")
    )  # the lines that stand are the originals less the reversals, as line_totals counts them (no self-join)
    labels = dict(HeldReason.choices)
    held = batch.lines.exclude(held_reason="").values("held_reason").annotate(n=Count("id")).order_by("held_reason")
    steps = Task.objects.filter(case_id=batch.case_id, status=Task.Status.OPEN).order_by("id")
    return {
        **batch_out(batch),
        "lines_now": totals.count,
        "total_now": f"{totals.total:.2f}",
        "held_now": totals.held,
        "programs": [
            {
                "program": p["program__code"],
                "name": p["program__name"],
                "count": p["originals"] - p["reversals"],
                "total": f"{p['total'] or Decimal('0.00'):.2f}",
                "held": p["held"],
            }
            for p in programs
        ],
        "held": [
            {"reason": h["held_reason"], "label": str(labels.get(h["held_reason"], h["held_reason"])), "count": h["n"]}
            for h in held
        ],
        "returns": [return_out(r) for r in batch.returns.select_related("imported_by").order_by("id")],
        "open_steps": [t.step for t in steps],
    }


def line_out(line: PaymentLine) -> dict[str, Any]:
    outcome = line_outcome(line)
    entitlement = line.entitlement
    reversed_by = getattr(line, "reversed_by", None)
    return {
        "id": line.pk,
        "reference": line.reference,
        "entitlement_id": line.entitlement_id,
        "beneficiary_name": entitlement.beneficiary_name,
        "account": entitlement.account_masked,
        "bank_name": entitlement.bank_name,
        "program": line.program.code,
        "program_name": line.program.name,
        "period": f"{line.period:%Y-%m}",
        "kind": line.kind,
        "kind_label": str(line.get_kind_display()),
        "amount": f"{line.amount:.2f}",
        "standard_amount": f"{line.standard_amount:.2f}" if line.standard_amount is not None else None,
        "held_reason": line.held_reason,
        "held_label": str(line.get_held_reason_display()) if line.held_reason else "",
        "reverses_id": line.reverses_id,
        "reversed": reversed_by is not None,
        "resend_of_id": line.resend_of_id,
        "outcome": outcome.outcome if outcome is not None else None,
        "outcome_reason": outcome.reason if outcome is not None else "",
        "reason": line.reason,
    }


def batch_by_case(user: Any, case_id: int) -> Batch:
    """The batch of this case, if the user may see it (404 otherwise)."""
    related = Batch.objects.select_related("case", "checked_by", "approved_by")
    batch: Batch = get_visible_or_404(related, user, case_id=case_id)
    return batch


# --- the operations ----------------------------------------------------------------------------------------------


@router.get("/benefit-batches", response=BatchPage, operation_id="benefit_batches_list")
@endpoint("benefits.view")
def benefit_batches_list(
    request: AuthedRequest, state: str = "", period: str = "", limit: Int64 = 50, cursor: str = ""
) -> dict[str, Any]:
    """The batches the user may see, the latest first (``state``: draft/checked/approved/exported/reconciled)."""
    qs = Batch.objects.visible_to(request.user).select_related("case", "checked_by", "approved_by")
    if state:
        qs = qs.filter(state=state)
    if period:
        qs = qs.filter(period=parse_period(period))
    items, next_cursor = keyset_page(qs, key="id", cursor=cursor or None, limit=limit, descending=True)
    return {"items": [batch_out(b) for b in items], "next": next_cursor}


@router.post("/benefit-batches", response=GeneratedOut, operation_id="benefit_batches_generate")
@endpoint("benefits.manage")
def benefit_batches_generate(request: AuthedRequest, payload: GenerateIn) -> dict[str, Any]:
    """Generate (or complete) the month's batch of the user's area: idempotent; ``period`` is YYYY-MM."""
    done = generate_batch(actor=request.user, period=payload.period)
    batch = batch_by_case(request.user, done.batch.case_id)
    return {"added": done.added, "held": done.held, "total": f"{done.total:.2f}", "batch": batch_detail(batch)}


@router.get("/benefit-batches/{case_id}", response=BatchDetail, operation_id="benefit_batches_get")
@endpoint("benefits.view", target=TARGET)
def benefit_batches_get(request: AuthedRequest, case_id: Id) -> dict[str, Any]:
    """One batch: its state, maker and checker, totals by program, held lines by reason, return files."""
    return batch_detail(batch_by_case(request.user, case_id))


def _step(request: AuthedRequest, case_id: int, payload: StepIn, action: str) -> dict[str, Any]:
    batch_by_case(request.user, case_id)
    task = acting_task(user=request.user, case_pk=case_id, task=payload.task)
    act(actor=request.user, task=task, action=action, note=payload.note)
    return batch_detail(batch_by_case(request.user, case_id))


@router.post("/benefit-batches/{case_id}/check", response=BatchDetail, operation_id="benefit_batches_check")
@endpoint("benefits.manage", target=TARGET)
def benefit_batches_check(request: AuthedRequest, case_id: Id, payload: StepIn) -> dict[str, Any]:
    """The maker's check: the batch's totals are fixed and it goes for approval."""
    return _step(request, case_id, payload, "checked")


@router.post("/benefit-batches/{case_id}/approve", response=BatchDetail, operation_id="benefit_batches_approve")
@endpoint("benefits.manage", target=TARGET)
def benefit_batches_approve(request: AuthedRequest, case_id: Id, payload: StepIn) -> dict[str, Any]:
    """The checker's approval, by someone other than the maker: the batch may go to the bank."""
    return _step(request, case_id, payload, "approve")


@router.get("/benefit-batches/{case_id}/lines", response=LinePage, operation_id="benefit_batches_lines")
@endpoint("benefits.view", target=TARGET)
def benefit_batches_lines(
    request: AuthedRequest,
    case_id: Id,
    held: bool | None = None,
    kind: str = "",
    program: str = "",
    limit: Int64 = 50,
    cursor: str = "",
) -> dict[str, Any]:
    """The batch's lines (accounts masked): ``held`` true/false, ``kind`` (regular/arrears/adjustment/resend),
    ``program`` (its code)."""
    batch = batch_by_case(request.user, case_id)
    qs = batch.lines.select_related("entitlement", "program", "outcome", "reversed_by")
    if held is not None:
        qs = qs.exclude(held_reason="") if held else qs.filter(held_reason="")
    if kind:
        if kind not in LineKind.values:
            raise bad_choice("kind", LineKind.choices)
        qs = qs.filter(kind=kind)
    if program:
        qs = qs.filter(program__code=program)
    items, next_cursor = keyset_page(qs, key="id", cursor=cursor or None, limit=limit)
    return {"items": [line_out(x) for x in items], "next": next_cursor}


class LineList(Schema):
    count: int
    total: str
    items: list[LineOut]
    next: str | None = None


@router.get("/benefit-lines", response=LineList, operation_id="benefit_lines_list")
@endpoint("benefits.view")
def benefit_lines_list(
    request: AuthedRequest,
    region: str = Query("", max_length=15),
    period: str = Query("", max_length=7),
    show: str = Query("paid", max_length=10),
    program: str = Query("", max_length=30),
    reason: str = Query("", max_length=20),
    limit: Int64 = 50,
    cursor: str = Query("", max_length=200),
) -> dict[str, Any]:
    """The lines of an area (the caller's scope when none is named) behind the cockpit's figures: ``period``
    (2026, 2026-03, 2026Q1), ``show`` (paid: the bank paid them, as the amounts paid count; held; all),
    ``program`` (its code), ``reason`` (held back for it); with their count and sum."""
    area = scoped_area(request.user, region)
    days = period_days(period.strip()) if period.strip() else None
    if period.strip() and days is None:
        raise invalid("period", _("A period is a year (2026), a month (2026-03) or a quarter (2026Q1)."),
                      code="bad_period")  # fmt: skip
    if show not in figures.LINE_SHOWS:
        raise bad_choice("show", [(s, s) for s in figures.LINE_SHOWS])
    if reason and reason not in HeldReason.values:
        raise bad_choice("reason", HeldReason.choices)
    program_id = None
    if program:
        program_id = Program.objects.filter(code=program).values_list("pk", flat=True).first()
        if program_id is None:
            raise invalid("program", _("No program has this code."), code="unknown_program")
    found = figures.lines_of(request.user, figures.LineFilter(area, days, show, program_id, reason))
    count, total = figures.lines_total(found)
    listed = found.select_related("entitlement", "program", "outcome", "reversed_by")
    items, next_cursor = keyset_page(listed, key="id", cursor=cursor or None, limit=limit, descending=True)
    return {"count": count, "total": str(total), "items": [line_out(x) for x in items], "next": next_cursor}


@router.get("/benefit-batches/{case_id}/bank-file", response={200: None}, operation_id="benefit_batches_bank_file")
@endpoint("benefits.manage", target=TARGET, no_store=True)
def benefit_batches_bank_file(
    request: AuthedRequest, case_id: Id, format: Literal["xlsx", "csv"] = "xlsx"
) -> HttpResponse:
    """The file for the bank (批量代发), xlsx or CSV in GB18030: full accounts, so every export is audited and the
    batch is marked sent the first time (docs/bank-file.md)."""
    batch = batch_by_case(request.user, case_id)
    name, content_type, content = bank.bank_file(actor=request.user, batch=batch, fmt=format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post("/benefit-batches/{case_id}/return-file", response=ReturnImported,
             operation_id="benefit_batches_return_file")  # fmt: skip
@endpoint("benefits.manage", target=TARGET)
def benefit_batches_return_file(
    request: AuthedRequest,
    case_id: Id,
    file: UploadedFile | None = File(None),  # noqa: B008 - ninja reads the upload from it
) -> dict[str, Any]:
    """The bank's return file (回盘, multipart field ``file``): each line marked paid or failed; the same file
    again changes nothing (``changed`` false)."""
    batch = batch_by_case(request.user, case_id)
    if file is None:
        raise invalid("file", _("Choose the bank's return file to upload."), code="required")
    if (file.size or 0) > settings.MAX_UPLOAD_MB * 1024 * 1024:
        raise invalid("file", _("The file is larger than %(mb)s MB."), code="too_large", mb=settings.MAX_UPLOAD_MB)
    content = file.read()
    returned, changed = bank.import_return_file(actor=request.user, batch=batch, name=file.name or "", content=content)
    return {
        "changed": changed,
        "return_file": return_out(returned),
        "batch": batch_out(batch_by_case(request.user, case_id)),
    }


@router.post("/benefit-lines/{line_id}/reverse", response=LineOut, operation_id="benefit_lines_reverse")
@endpoint("benefits.manage", target=Target(PaymentLine, "pk", "line_id"))
def benefit_lines_reverse(request: AuthedRequest, line_id: Id, payload: ReverseIn) -> dict[str, Any]:
    """Take a line out of a draft batch with a reversing line (the month is owed again); the reversal."""
    line = get_visible_or_404(PaymentLine.objects.all(), request.user, pk=line_id)
    reversal = reverse_line(actor=request.user, line=line, reason=payload.reason)
    shown = PaymentLine.objects.select_related("entitlement", "program").get(pk=reversal.pk)
    return line_out(shown)
