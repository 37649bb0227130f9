"""Petition services: registration, review requests, letters. The procedure itself runs on ``workflow``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.services import audit_record
from core.crypto import encrypt
from core.errors import ErrorCollector, bad_choice, invalid
from core.parsing import date_value, text
from core.permissions import in_scope, require
from core.validators import parse_id_number, validate_phone
from petitions.models import Channel, LinkKind, Petition, Subject
from petitions.models import Level as PetitionLevel
from petitions.process import PETITION, REVIEW, REVIEW_WINDOW_DAYS, bureau_code
from regions.models import Level, Region
from veterans.models import Veteran
from workflow import services as flow

MAX_CONTENT = 5000
#: What a review (复查/复核) keeps of the petition it reviews: who petitioned, through which channel, about what.
PETITIONER_FIELDS = (
    "channel", "veteran", "petitioner_name", "phone_enc", "id_number_enc", "address", "subject", "people"
)  # fmt: skip
#: A petition by the same veteran on the same subject within this many days is linked as a repeat.
REPEAT_WINDOW_DAYS = 365


@dataclass
class PetitionInput:
    channel: str = ""
    received_on: Any = None
    subject: str = ""
    content: str = ""
    veteran_id: int | None = None
    petitioner_name: str = ""
    phone: str = ""
    id_number: str = ""
    address: str = ""
    region_code: str = ""
    people: int | None = 1
    linked_number: str = ""
    link_kind: str = ""


def _clean(actor: User, data: PetitionInput) -> dict[str, Any]:
    errors = ErrorCollector()
    out: dict[str, Any] = {}
    if data.channel not in Channel.values:
        errors.add(bad_choice("channel", Channel.choices))
    if data.subject not in Subject.values:
        errors.add(bad_choice("subject", Subject.choices))
    received = errors.check(date_value, data.received_on, "received_on", required=True)
    out["received_on"] = received[0] if received else None
    content = (data.content or "").strip()
    if not content:
        errors.add(invalid("content", _("This value is required."), code="required"))
    elif len(content) > MAX_CONTENT:
        errors.add(
            invalid(
                "content",
                _("At most %(max)d characters (this has %(n)d)."),
                code="too_long",
                max=MAX_CONTENT,
                n=len(content),
            )
        )
    out["content"] = content
    veteran = None
    if data.veteran_id:
        veteran = Veteran.objects.visible_to(actor).filter(pk=data.veteran_id).first()
        if veteran is None:
            errors.add(invalid("veteran_id", _("No such veteran in your area."), code="unknown_veteran"))
    out["veteran"] = veteran
    name = errors.check(text, data.petitioner_name, "petitioner_name", max_length=50) or (
        veteran.name if veteran else ""
    )
    if not name and not errors.has("petitioner_name"):
        errors.add(
            invalid(
                "petitioner_name", _("Give the petitioner's name, or choose a registered veteran."), code="required"
            )
        )
    out["petitioner_name"] = name
    out["phone"] = errors.check(validate_phone, data.phone.strip(), "phone") if data.phone.strip() else ""
    if data.id_number.strip():
        parsed = errors.check(parse_id_number, data.id_number, "id_number")
        out["id_number"] = parsed.value if parsed else ""
    else:
        out["id_number"] = ""
    out["address"] = errors.check(text, data.address, "address", max_length=200) or ""
    code = (data.region_code or "").strip() or (veteran.region_code if veteran else "")
    region = Region.objects.filter(code=code).first() if code else None
    if not code:
        errors.add(invalid("region_code", _("Give the region the petition concerns."), code="required"))
    elif region is None or not in_scope(actor, code):
        errors.add(invalid("region_code", _("Unknown region code, or one outside your area."), code="bad_region"))
    elif region.level not in (Level.CITY, Level.TOWN, Level.VILLAGE, Level.GRID):
        errors.add(invalid("region_code", _("Choose a city, town, village or grid."), code="bad_region"))
    out["region_code"] = code
    people = 1 if data.people is None else data.people
    if not 1 <= people <= 999:
        errors.add(invalid("people", _("Between 1 and 999 people."), code="bad_number"))
    out["people"] = people
    out["linked_to"] = None
    if data.linked_number.strip():
        linked = Petition.objects.visible_to(actor).filter(case__number=data.linked_number.strip()).first()
        if linked is None:
            errors.add(
                invalid("linked_number", _("No petition with this number in your area."), code="unknown_petition")
            )
        if data.link_kind not in LinkKind.values:
            errors.add(
                invalid(
                    "link_kind",
                    _("Say how it is linked: %(allowed)s."),
                    code="bad_choice",
                    allowed="、".join(str(c.label) for c in LinkKind),
                )
            )
        out["linked_to"], out["link_kind"] = linked, data.link_kind
    elif data.link_kind:
        errors.add(invalid("linked_number", _("Give the number of the linked petition."), code="required"))
    errors.raise_if_any()
    return out


def _earlier_by_same_person(veteran: Veteran | None, subject: str, received_on: dt.date) -> Petition | None:
    if veteran is None:
        return None
    since = received_on - dt.timedelta(days=REPEAT_WINDOW_DAYS)
    return (
        Petition.objects.filter(veteran=veteran, subject=subject, received_on__gte=since, level=PetitionLevel.FIRST)
        .order_by("-received_on", "-id")
        .first()
    )


@transaction.atomic
def petition_register(*, actor: User, data: PetitionInput) -> Petition:
    """登记: the petition and its case; the registration step is done by the registrar at once."""
    require(actor, PETITION.open_capability)
    values = _clean(actor, data)
    assert actor.scope_region is not None  # every user who may register has a scope
    linked, link_kind = values["linked_to"], values.get("link_kind", "")
    if linked is None:
        earlier = _earlier_by_same_person(values["veteran"], data.subject, values["received_on"])
        if earlier is not None:
            linked, link_kind = earlier, LinkKind.REPEAT
    subject_label = Subject(data.subject).label
    case = flow.open_case(
        actor=actor,
        process=PETITION,
        title=f"{values['petitioner_name']} · {subject_label}",
        region_code=values["region_code"],
        owner_code=bureau_code(values["region_code"]),
        veteran=values["veteran"],
        data={"dates": {"received": values["received_on"].isoformat()}},
        subject={
            "channel": data.channel,
            "received_on": values["received_on"],
            "veteran": values["veteran"],
            "petitioner_name": values["petitioner_name"],
            "phone_enc": encrypt(values["phone"]) if values["phone"] else "",
            "id_number_enc": encrypt(values["id_number"]) if values["id_number"] else "",
            "address": values["address"],
            "subject": data.subject,
            "content": values["content"],
            "people": values["people"],
            "linked_to": linked,
            "link_kind": link_kind,
            "registrar_unit": actor.scope_region.code,
            "registrar_role": actor.role,
        },
    )
    petition: Petition = case.subject
    audit_record(
        actor=actor,
        action="petition.register",
        obj=petition,
        region_code=case.region_code,
        after={
            "case": case.number,
            "channel": data.channel,
            "subject": data.subject,
            "people": values["people"],
            "linked_to": linked.case.number if linked else "",
        },
    )
    first = case.tasks.get(step="register")
    flow.act(actor=actor, task=first, action="submit")
    return petition


@transaction.atomic
def review_request(*, actor: User, petition: Petition, received_on: Any = None, content: str = "") -> Petition:
    """复查 (of a reply) or 复核 (of a review's opinion): asked within 30 days, a linked case of its own."""
    require(actor, REVIEW.open_capability)
    petition = Petition.objects.select_for_update().select_related("case").get(pk=petition.pk)
    level = {PetitionLevel.FIRST: PetitionLevel.REVIEW, PetitionLevel.REVIEW: PetitionLevel.RE_REVIEW}.get(
        PetitionLevel(petition.level)
    )
    if level is None:
        raise invalid(None, _("A re-examination (复核) is final: no further review can be asked."), code="final")
    replied = petition.case.date("replied")
    if not replied:
        raise invalid(None, _("A review can be asked only after the written reply."), code="no_reply_yet")
    when = date_value(received_on, "received_on")[0] if received_on else timezone.localdate()
    assert when is not None
    deadline = dt.date.fromisoformat(replied) + dt.timedelta(days=REVIEW_WINDOW_DAYS)
    if when > deadline:
        raise invalid(
            "received_on",
            _("A review must be asked within %(n)d days of the reply (by %(d)s)."),
            code="review_late",
            n=REVIEW_WINDOW_DAYS,
            d=deadline,
        )
    if Petition.objects.filter(case__parent=petition.case, level=level).exists():
        raise invalid(None, _("A review of this reply has already been asked."), code="review_exists")
    content = (content or "").strip()
    if not content:
        raise invalid("content", _("Write what the petitioner asks to be reviewed."), code="required")
    label = PetitionLevel(level).label
    case = flow.open_case(
        actor=actor,
        process=REVIEW,
        title=f"{petition.petitioner_name} · {label}",
        region_code=petition.case.region_code,
        owner_code=petition.case.owner_code,
        veteran=petition.veteran,
        parent=petition.case,
        data={"dates": {"received": when.isoformat()}},
        subject={
            **{name: getattr(petition, name) for name in PETITIONER_FIELDS},
            "level": level,
            "received_on": when,
            "content": content,
            "linked_to": petition,
            "link_kind": LinkKind.REPEAT,
            "registrar_unit": actor.scope_region.code if actor.scope_region else petition.registrar_unit,
            "registrar_role": actor.role,
        },
    )
    review: Petition = case.subject
    audit_record(
        actor=actor,
        action="petition.review_request",
        obj=review,
        region_code=case.region_code,
        after={"case": case.number, "of": petition.case.number, "level": str(level)},
    )
    return review


LETTERS = {
    "acceptance": _("Acceptance notice"),
    "reply": _("Written reply"),
    "extension": _("Extension notice"),
}


@transaction.atomic
def letter(*, actor: User, petition: Petition, kind: str) -> bytes:
    """The printable letter as PDF; printing it (it carries the petitioner's name) is audited."""
    from petitions.letters import render_letter

    require(actor, PETITION.view_capability)
    pdf = render_letter(petition, kind)
    audit_record(
        actor=actor,
        action="petition.print",
        obj=petition,
        region_code=petition.case.region_code,
        after={"letter": kind},
    )
    return pdf
