"""A new entitlement is proposed by a village (or town) station; the town checks it and the city approves it
(``benefits.process.PROPOSAL``, whose approval starts the entitlement: ``entitlements.entitlement_from_proposal``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from benefits.entitlements import clean_account, clean_grade_cause
from benefits.models import Entitlement, EntitlementStatus, Program, Proposal
from core.crypto import decrypt, encrypt
from core.errors import invalid, merged
from core.permissions import require
from core.validators import parse_id_number
from veterans.search import id_lookup_hash


@dataclass
class ProposalInput:
    veteran: Any
    program: Program
    from_month: dt.date
    bank_name: str
    account: str
    family_member: Any = None
    id_number: str = ""
    grade: int | None = None
    cause: str = ""
    reason: str = ""


def proposal_open(*, actor: Any, data: ProposalInput) -> Proposal:
    """A village (or town) station proposes an entitlement; the town checks it, the city approves it."""
    from benefits.process import PROPOSAL
    from workflow.services import open_case

    require(actor, "benefits.propose")
    veteran, program, member = data.veteran, data.program, data.family_member
    errors: list[ValidationError] = []
    if program.for_family and member is None:
        errors.append(invalid("family_member", _("%(program)s is paid to a family member: choose one."),
                              code="family_required", program=program.name))  # fmt: skip
    if member is not None and member.veteran_id != veteran.pk:
        errors.append(invalid("family_member", _("This is not a family member of the veteran."), code="not_family"))
    grade, cause = 0, ""
    try:
        grade, cause = clean_grade_cause(program, data.grade, data.cause)
    except ValidationError as exc:
        errors.append(exc)
    id_number = ""
    if member is None:
        id_number = decrypt(veteran.id_number_enc)
    elif member.id_number_enc and not data.id_number:
        id_number = decrypt(member.id_number_enc)
    else:
        try:
            id_number = parse_id_number(data.id_number).value
        except ValidationError as exc:
            errors.append(exc)
    try:
        account = clean_account(data.account)
    except ValidationError as exc:
        errors.append(exc)
        account = ""
    bank = (data.bank_name or "").strip()
    if not bank:
        errors.append(invalid("bank_name", _("Name the bank."), code="required"))
    if data.from_month.day != 1:
        errors.append(invalid("from_month", _("An entitlement starts on the first of a month."), code="month"))
    if (
        id_number
        and Entitlement.objects.filter(beneficiary_id_hash=id_lookup_hash(id_number), program=program)
        .exclude(status=EntitlementStatus.ENDED)
        .exists()
    ):
        errors.append(invalid("program", _("This person already has an entitlement of %(program)s."),
                              code="duplicate", program=program.name))  # fmt: skip
    if errors:
        raise merged(errors)
    name = member.name if member is not None else veteran.name
    case = open_case(
        actor=actor,
        process=PROPOSAL,
        title=f"{name} · {program.name}",
        region_code=veteran.region_code,
        owner_code=actor.scope_region.code,
        veteran=veteran,
        subject={
            "veteran": veteran,
            "family_member": member,
            "beneficiary_name": name,
            "beneficiary_id_enc": encrypt(id_number),
            "program": program,
            "grade": grade,
            "cause": cause,
            "from_month": data.from_month,
            "bank_name": bank,
            "account_enc": encrypt(account),
            "reason": (data.reason or "").strip()[:500],
        },
        note=data.reason or "",
    )
    return case.subject
