"""Entitlements: proposed and approved through the process, suspended, resumed and ended, confirmed every
year, and stopped by a death (from the registry or a 公安/民政 death list), every write audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from benefits.models import (
    BatchState,
    Confirmation,
    Entitlement,
    EntitlementStatus,
    Outcome,
    Overpayment,
    PaymentLine,
    Program,
    Proposal,
)
from benefits.standards import add_months, month_start
from core.auditing import audit_record
from core.crypto import decrypt, encrypt, keyed_hash
from core.errors import invalid, merged
from core.permissions import require
from core.validators import normalise
from veterans.search import id_lookup_hash

#: the keyed-hash purpose of bank accounts (two people with one account are found by it)
ACCOUNT_PURPOSE = "bank-account"


def account_hash(account: str) -> str:
    return keyed_hash(account, ACCOUNT_PURPOSE)


def clean_account(raw: Any, field: str = "account") -> str:
    """A bank account number: 12 to 30 digits (spaces and dashes dropped)."""
    value = normalise(raw if raw is not None else "").replace(" ", "").replace("-", "")
    if isinstance(raw, float) or "E+" in value.upper():
        raise invalid(field, _("The account number was stored as a number and has lost digits; format the "
                               "column as text and enter it again."), code="account_as_number")  # fmt: skip
    if not value:
        raise invalid(field, _("The bank account is required."), code="required")
    if not value.isascii() or not value.isdigit() or not 12 <= len(value) <= 30:
        raise invalid(field, _("A bank account number has 12 to 30 digits."), code="account_shape")
    return value


def clean_grade_cause(program: Program, grade: int | None, cause: str) -> tuple[int, str]:
    errors = []
    grade = grade or 0
    if program.by_grade and not 1 <= grade <= 10:
        errors.append(invalid("grade", _("%(program)s needs a grade from 1 to 10."), code="grade",
                              program=program.name))  # fmt: skip
    if not program.by_grade:
        grade = 0
    if program.causes and cause not in program.causes:
        errors.append(invalid("cause", _("%(program)s needs one of its causes."), code="cause", program=program.name))
    if not program.causes:
        cause = ""
    if errors:
        raise merged(errors)
    return grade, cause


def entitlement_from_proposal(*, actor: Any, proposal: Proposal) -> Entitlement:
    """The city's approval: the entitlement starts (in the approval's transaction)."""
    id_number = decrypt(proposal.beneficiary_id_enc)
    account = decrypt(proposal.account_enc)
    if (
        Entitlement.objects.filter(beneficiary_id_hash=id_lookup_hash(id_number), program=proposal.program)
        .exclude(status=EntitlementStatus.ENDED)
        .exists()
    ):
        raise invalid(None, _("This person already has an entitlement of %(program)s."), code="duplicate",
                      program=proposal.program.name)  # fmt: skip
    entitlement = Entitlement.objects.create(
        settled_through=carried_settlement(id_lookup_hash(id_number), proposal.program_id, proposal.from_month),
        veteran=proposal.veteran,
        family_member=proposal.family_member,
        beneficiary_name=proposal.beneficiary_name,
        beneficiary_id_enc=proposal.beneficiary_id_enc,
        beneficiary_id_hash=id_lookup_hash(id_number),
        program=proposal.program,
        grade=proposal.grade,
        cause=proposal.cause,
        from_month=proposal.from_month,
        bank_name=proposal.bank_name,
        account_enc=proposal.account_enc,
        account_hash=account_hash(account),
        confirmed_year=timezone.localdate().year,
        region_code=proposal.region_code,
    )
    audit_record(actor=actor, action="benefits.entitlement_start", obj=entitlement,
                 region_code=entitlement.region_code, after=audited(entitlement))  # fmt: skip
    return entitlement


def carried_settlement(id_hash: str, program_id: int, from_month: dt.date) -> dt.date | None:
    """The months an ended entitlement of the same person and program already settled: a new one (another
    grade, say) does not pay them again."""
    settled: list[dt.date] = []
    for e in Entitlement.objects.filter(
        beneficiary_id_hash=id_hash,
        program_id=program_id,
        status=EntitlementStatus.ENDED,
        settled_through__isnull=False,
    ):
        assert e.settled_through is not None
        settled.append(min(e.settled_through, e.to_month) if e.to_month else e.settled_through)
    latest = max(settled, default=None)
    return latest if latest is not None and latest >= from_month else None


def audited(entitlement: Entitlement) -> dict[str, Any]:
    """What an audit entry keeps of an entitlement (never the full ID or account)."""
    return {
        "program": entitlement.program.code,
        "grade": entitlement.grade,
        "cause": entitlement.cause,
        "from_month": entitlement.from_month.isoformat(),
        "to_month": entitlement.to_month.isoformat() if entitlement.to_month else None,
        "status": entitlement.status,
        "reason": entitlement.status_reason,
        "account": entitlement.account_masked,
    }


def _locked(entitlement: Entitlement, actor: Any, action: str = "manage") -> Entitlement:
    found: Entitlement = Entitlement.objects.visible_to(actor, action).select_for_update().get(pk=entitlement.pk)
    return found


def suspend(*, actor: Any, entitlement: Entitlement, reason: str) -> Entitlement:
    """Stop paying for now (a reason is required); the months held come back as back-pay on resuming."""
    require(actor, "benefits.manage")
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", _("Give the reason for the suspension."), code="required")
    with transaction.atomic():
        entitlement = _locked(entitlement, actor)
        if entitlement.status != EntitlementStatus.ACTIVE:
            raise invalid(None, _("Only an active entitlement can be suspended."), code="not_active")
        entitlement.status, entitlement.status_reason = EntitlementStatus.SUSPENDED, reason[:200]
        entitlement.save(update_fields=["status", "status_reason", "updated_at"])
        audit_record(actor=actor, action="benefits.entitlement_suspend", obj=entitlement,
                     region_code=entitlement.region_code, after={"status": "suspended"}, reason=reason)  # fmt: skip
    return entitlement


def resume(*, actor: Any, entitlement: Entitlement, backpay: bool = True, reason: str = "") -> Entitlement:
    """Pay again; with ``backpay`` the months held are paid by the next batch, without it they lapse."""
    require(actor, "benefits.manage")
    with transaction.atomic():
        entitlement = _locked(entitlement, actor)
        if entitlement.status != EntitlementStatus.SUSPENDED:
            raise invalid(None, _("Only a suspended entitlement can be resumed."), code="not_suspended")
        entitlement.status, entitlement.status_reason = EntitlementStatus.ACTIVE, ""
        if not backpay:
            lapse_until(entitlement, add_months(month_start(timezone.localdate()), -1))
        entitlement.save(update_fields=["status", "status_reason", "settled_through", "updated_at"])
        audit_record(actor=actor, action="benefits.entitlement_resume", obj=entitlement,
                     region_code=entitlement.region_code, after={"status": "active", "backpay": backpay},
                     reason=reason)  # fmt: skip
    return entitlement


def lapse_until(entitlement: Entitlement, month: dt.date) -> None:
    """The months up to ``month`` that are still owed will not be paid (no back-pay)."""
    if month >= entitlement.from_month and (entitlement.settled_through is None or entitlement.settled_through < month):
        entitlement.settled_through = month


def end(*, actor: Any, entitlement: Entitlement, last_month: dt.date, reason: str) -> Entitlement:
    """The entitlement ends after ``last_month`` (paid up to and including it)."""
    require(actor, "benefits.manage")
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", _("Give the reason for ending the entitlement."), code="required")
    with transaction.atomic():
        entitlement = _locked(entitlement, actor)
        _end(entitlement, month_start(last_month), reason)
        audit_record(actor=actor, action="benefits.entitlement_end", obj=entitlement,
                     region_code=entitlement.region_code, after=audited(entitlement), reason=reason)  # fmt: skip
        assert entitlement.to_month is not None
        overpaid_after(actor=actor, entitlement=entitlement, last=entitlement.to_month, source=reason)
    return entitlement


def _end(entitlement: Entitlement, last_month: dt.date, reason: str) -> None:
    if entitlement.status == EntitlementStatus.ENDED and entitlement.to_month and entitlement.to_month <= last_month:
        return
    last_month = max(last_month, entitlement.from_month)
    if entitlement.status == EntitlementStatus.SUSPENDED:
        lapse_until(entitlement, last_month)  # ended while suspended: the months held stay unpaid
    entitlement.status, entitlement.status_reason = EntitlementStatus.ENDED, reason[:200]
    entitlement.to_month = min(last_month, entitlement.to_month) if entitlement.to_month else last_month
    entitlement.save(update_fields=["status", "status_reason", "to_month", "settled_through", "updated_at"])


def confirm(*, actor: Any, entitlement: Entitlement, year: int, on: dt.date | None = None, note: str = "") -> int:
    """The station confirms the beneficiary as living and eligible for ``year`` (all their entitlements).

    Returns how many entitlements were confirmed. Payments held for want of it resume with the next batch,
    with back-pay for the held months where the program's rule allows (otherwise those months lapse).
    """
    require(actor, "benefits.confirm")
    today = timezone.localdate()
    on = on or today
    if not 2000 <= year <= today.year + 1:
        raise invalid("year", _("Confirm for this year or the last."), code="year")
    if on > today:
        raise invalid("confirmed_on", _("A confirmation cannot be dated in the future."), code="future")
    confirmed = 0
    with transaction.atomic():
        entitlement = _locked(entitlement, actor, "confirm")
        if entitlement.died_on or (entitlement.veteran.deceased_on and entitlement.family_member_id is None):
            raise invalid(None, _("The beneficiary is recorded as deceased."), code="deceased")
        same_person = (
            Entitlement.objects.visible_to(actor, "confirm")
            .select_for_update()
            .filter(beneficiary_id_hash=entitlement.beneficiary_id_hash)
            .exclude(status=EntitlementStatus.ENDED)
        )
        for item in same_person.select_related("program"):
            if Confirmation.objects.filter(entitlement=item, year=year).exists():
                continue
            Confirmation.objects.create(entitlement=item, year=year, confirmed_on=on, confirmed_by=actor,
                                        note=note[:200])  # fmt: skip
            if year > item.confirmed_year:
                deadline_month, deadline_day = settings.BENEFITS_CONFIRMATION_DEADLINE
                late = on > dt.date(year, deadline_month, deadline_day)  # only then were months held for it
                if late and not item.program.backpay_on_confirm:
                    lapse_until(item, add_months(month_start(on), -1))
                item.confirmed_year = year
                item.save(update_fields=["confirmed_year", "settled_through", "updated_at"])
            audit_record(actor=actor, action="benefits.confirm", obj=item, region_code=item.region_code,
                         after={"year": year, "confirmed_on": on.isoformat()}, reason=note)  # fmt: skip
            confirmed += 1
    if not confirmed:
        raise invalid("year", _("Already confirmed for %(year)s."), code="already_confirmed", year=year)
    return confirmed


# --- deaths -------------------------------------------------------------------------------------------------------


def record_death(
    *, actor: Any, id_hash: str, died_on: dt.date, source: str
) -> tuple[list[Entitlement], list[Overpayment]]:
    """A death, from the registry or a death list: every entitlement of the person ends after the month of
    death, and every line paid or sent for a later month is listed as an overpayment to recover."""
    ended: list[Entitlement] = []
    found: list[Overpayment] = []
    last = month_start(died_on)
    entitlements = Entitlement.objects.select_for_update().filter(beneficiary_id_hash=id_hash)
    for entitlement in entitlements:
        if entitlement.died_on is None:
            entitlement.died_on = died_on
            entitlement.save(update_fields=["died_on", "updated_at"])
        if entitlement.status != EntitlementStatus.ENDED or (entitlement.to_month and entitlement.to_month > last):
            _end(entitlement, last, str(_("Died on %(date)s (%(source)s)") % {"date": died_on, "source": source}))
            audit_record(actor=actor, action="benefits.entitlement_end", obj=entitlement,
                         region_code=entitlement.region_code, after=audited(entitlement), reason=source)  # fmt: skip
            ended.append(entitlement)
        found += overpaid_after(actor=actor, entitlement=entitlement, last=last, source=source, died_on=died_on)
    return ended, found


def overpaid_after(
    *, actor: Any, entitlement: Entitlement, last: dt.date, source: str, died_on: dt.date | None = None
) -> list[Overpayment]:
    """The lines for months after ``last`` (an entitlement's new last month): taken out of a draft batch, and
    listed as overpayments to recover where the batch has gone on (checked, approved, sent or paid)."""
    from benefits.batches import lines_changed, take_out

    found = []
    after = PaymentLine.objects.filter(
        entitlement=entitlement, period__gt=last, held_reason="", reverses__isnull=True,
        reversed_by__isnull=True, overpayment__isnull=True,
    ).exclude(outcome__outcome=Outcome.FAILED).select_related("batch")  # fmt: skip
    for line in after:
        if line.batch.state == BatchState.DRAFT:
            take_out(actor=actor, line=line, reason=source, owed_again=False)
            continue
        overpayment = Overpayment.objects.create(
            line=line, entitlement=entitlement, amount=line.amount, died_on=died_on, source=source[:100],
            region_code=line.region_code,
        )  # fmt: skip
        audit_record(actor=actor, action="benefits.overpayment_found", obj=overpayment, region_code=line.region_code,
                     after={"reference": line.reference, "amount": str(line.amount)}, reason=source)  # fmt: skip
        found.append(overpayment)
    lines_changed(o.region_code for o in found)
    return found


def overpayment_settle(*, actor: Any, overpayment: Overpayment, state: str, on: dt.date, note: str = "") -> Overpayment:
    """Record that an overpayment was recovered (or written off, with a reason)."""
    from benefits.batches import lines_changed

    require(actor, "benefits.manage")
    if state not in ("recovered", "waived"):
        raise invalid("state", _("Recovered or written off."), code="state")
    if state == "waived" and not note.strip():
        raise invalid("note", _("Give the reason for writing it off."), code="required")
    if on > timezone.localdate():
        raise invalid("settled_on", _("The date cannot be in the future."), code="future")
    with transaction.atomic():
        overpayment = Overpayment.objects.visible_to(actor, "manage").select_for_update().get(pk=overpayment.pk)
        if overpayment.state != "open":
            raise invalid("state", _("This overpayment is settled already."), code="settled")
        overpayment.state, overpayment.settled_on, overpayment.note = state, on, note.strip()[:200]
        overpayment.save(update_fields=["state", "settled_on", "note"])
        audit_record(actor=actor, action="benefits.overpayment_settle", obj=overpayment,
                     region_code=overpayment.region_code, after={"state": state, "on": on.isoformat()},
                     reason=note)  # fmt: skip
        lines_changed([overpayment.region_code])
    return overpayment


def unconfirmed(queryset: Any, year: int) -> Any:
    """The entitlements of a queryset still to be confirmed for ``year``."""
    return queryset.filter(confirmed_year__lt=year).exclude(status=EntitlementStatus.ENDED)


def paid_total(entitlement: Entitlement) -> Decimal:
    lines = PaymentLine.objects.filter(entitlement=entitlement, outcome__outcome=Outcome.PAID)
    return sum((line.amount for line in lines), Decimal("0.00"))


@dataclass
class EntitlementInput:
    """An entitlement as a roll or an import gives it (checked by ``entitlement_create``)."""

    veteran: Any
    program: Program
    from_month: dt.date
    bank_name: str
    account: str
    id_number: str = ""
    family_member: Any = None
    beneficiary_name: str = ""
    grade: int | None = None
    cause: str = ""
    agreed_amount: Decimal | None = None
    to_month: dt.date | None = None
    confirmed_year: int | None = None
    #: a legacy roll's ID number that fails its check digit is kept, and its lines are held until corrected
    id_valid: bool = True


def entitlement_values(data: EntitlementInput, today: dt.date | None = None) -> dict[str, Any]:
    """The columns of a new entitlement from checked input (the import writes many of these at once)."""
    member = data.family_member
    id_number = data.id_number or decrypt(member.id_number_enc if member is not None else data.veteran.id_number_enc)
    account = clean_account(data.account)
    grade, cause = clean_grade_cause(data.program, data.grade, data.cause)
    return {
        "veteran_id": data.veteran.pk,
        "family_member_id": member.pk if member is not None else None,
        "beneficiary_name": data.beneficiary_name or (member.name if member is not None else data.veteran.name),
        "beneficiary_id_enc": encrypt(id_number),
        "beneficiary_id_hash": id_lookup_hash(id_number),
        "id_valid": data.id_valid,
        "program_id": data.program.pk,
        "grade": grade,
        "cause": cause,
        "agreed_amount": data.agreed_amount,
        "from_month": month_start(data.from_month),
        "to_month": month_start(data.to_month) if data.to_month else None,
        "bank_name": data.bank_name.strip(),
        "account_enc": encrypt(account),
        "account_hash": account_hash(account),
        "confirmed_year": data.confirmed_year or (today or timezone.localdate()).year,
        "region_code": data.veteran.region_code,
    }


def entitlement_create(*, actor: Any, data: EntitlementInput, source: str = "") -> Entitlement:
    """One entitlement from a roll (the import's rows, tests); the process is for new ones."""
    require(actor, "benefits.import")
    with transaction.atomic():
        values = entitlement_values(data)
        if (
            Entitlement.objects.filter(beneficiary_id_hash=values["beneficiary_id_hash"], program=data.program)
            .exclude(status=EntitlementStatus.ENDED)
            .exists()
        ):
            raise invalid("program", _("This person already has an entitlement of %(program)s."), code="duplicate",
                          program=data.program.name)  # fmt: skip
        values["settled_through"] = carried_settlement(values["beneficiary_id_hash"], data.program.pk,
                                                       values["from_month"])  # fmt: skip
        entitlement = Entitlement.objects.create(**values)
        audit_record(actor=actor, action="benefits.entitlement_start", obj=entitlement,
                     region_code=entitlement.region_code, after=audited(entitlement), reason=source)  # fmt: skip
    return entitlement


def reveal_account(*, actor: Any, entitlement: Entitlement, reason: str) -> str:
    """The full bank account, for a permitted user who states why; the reading is audited."""
    require(actor, "benefits.reveal_account")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise invalid("reason", _("State the reason for seeing the full bank account (at least 4 characters)."),
                      code="reason_required")  # fmt: skip
    entitlement = Entitlement.objects.visible_to(actor, "reveal").get(pk=entitlement.pk)
    audit_record(actor=actor, action="benefits.reveal_account", obj=entitlement, region_code=entitlement.region_code,
                 reason=reason[:200])  # fmt: skip
    return decrypt(entitlement.account_enc)
