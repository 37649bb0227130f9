"""Every write of regular contact and needs: a visit logged (with its photos and the needs found), a need raised,
a contact person named, a frequency changed, a phone shown to the contact person. Each is one transaction
with its audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from care.models import (
    NEED_PROCESS,
    Assignment,
    ContactFrequency,
    Mode,
    Need,
    NeedCategory,
    NeedSource,
    Satisfaction,
    Visit,
    VisitPhoto,
)
from core import events
from core.crypto import decrypt
from core.errors import invalid, merged
from core.permissions import require
from core.scoping import OWN_CAPABILITY
from veterans.choices import Status
from veterans.models import Veteran
from workflow.registry import PROCESSES

#: A visit is logged within a year of the day it happened.
MAX_AGE_DAYS = 366
#: The most needs one visit raises, and the most photos it keeps.
MAX_NEEDS = 10
MAX_PHOTOS = 5
PHOTO_TYPES = {".jpg", ".jpeg", ".png", ".heic", ".webp"}


@dataclass
class NeedInput:
    category: str
    description: str


@dataclass
class VisitInput:
    veteran_id: int | None
    visited_on: dt.date | None
    mode: str
    note: str = ""
    needs: Sequence[NeedInput] = field(default_factory=list)
    #: uploaded photos (a phone's camera)
    photos: Sequence[Any] = field(default_factory=list)


def _visible_veteran(actor: Any, veteran_id: int | None, errors: list[ValidationError]) -> Veteran | None:
    if veteran_id is None:
        errors.append(invalid("veteran_id", _("Choose the person."), code="required"))
        return None
    veteran = Veteran.objects.visible_to(actor).filter(pk=veteran_id).first()
    if veteran is None:
        errors.append(invalid("veteran_id", _("This person is not in your area."), code="not_visible"))
        return None
    if veteran.status != Status.LIVING:
        errors.append(invalid("veteran_id", _("This person is recorded as deceased."), code="deceased"))
        return None
    return veteran


def _need_errors(needs: Sequence[NeedInput], prefix: str, errors: list[ValidationError]) -> None:
    if len(needs) > MAX_NEEDS:
        errors.append(invalid(prefix, _("At most %(n)s needs at once."), code="too_many", n=MAX_NEEDS))
        return
    for i, need in enumerate(needs):
        where = f"{prefix}.{i}" if prefix else ""
        if need.category not in NeedCategory.values:
            errors.append(invalid(f"{where}.category" if where else "category",
                                  _("Choose the category from the list."), code="unknown_category"))  # fmt: skip
        if not (need.description or "").strip():
            errors.append(invalid(f"{where}.description" if where else "description",
                                  _("Say what is needed."), code="required"))  # fmt: skip
        elif len(need.description) > 1000:
            errors.append(invalid(f"{where}.description" if where else "description",
                                  _("At most 1000 characters."), code="too_long"))  # fmt: skip


#: A visit was logged: ``visit`` (its id), ``veteran``, ``region_code``, ``visited_on`` (after the commit; the
#: cockpit keeps contact coverage current from it).
visit_logged = events.declare("care_visit_logged")


@transaction.atomic
def visit_log(*, actor: Any, data: VisitInput) -> Visit:
    """Log a contact with a veteran of the actor's area, its photos, and raise the needs found on it."""
    require(actor, "care.visit")
    errors: list[ValidationError] = []
    veteran = _visible_veteran(actor, data.veteran_id, errors)
    today = timezone.localdate()
    if data.visited_on is None:
        errors.append(invalid("visited_on", _("Give the date of the contact."), code="required"))
    elif data.visited_on > today:
        errors.append(invalid("visited_on", _("The date is in the future."), code="future"))
    elif (today - data.visited_on).days > MAX_AGE_DAYS:
        errors.append(invalid("visited_on", _("The date is more than a year ago."), code="too_old"))
    if data.mode not in Mode.values:
        errors.append(invalid("mode", _("The way of contact is one of: %(modes)s."), code="unknown_mode",
                              modes=", ".join(Mode.values)))  # fmt: skip
    note = (data.note or "").strip()
    if len(note) > 1000:
        errors.append(invalid("note", _("At most 1000 characters."), code="too_long"))
    _need_errors(data.needs, "needs", errors)
    if len(data.photos) > MAX_PHOTOS:
        errors.append(invalid("photo", _("At most %(n)s photos with one visit."), code="too_many", n=MAX_PHOTOS))
    if errors:
        raise merged(errors)
    assert veteran is not None and data.visited_on is not None
    from workflow.services.attachments import keep_upload

    visit = Visit.objects.create(veteran=veteran, region_code=veteran.region_code, visited_on=data.visited_on,
                                 mode=data.mode, note=note, recorded_by=actor)  # fmt: skip
    folder = Path(settings.ATTACHMENT_DIR) / "care" / str(visit.pk)
    for upload in data.photos:
        kept = keep_upload(upload, folder=folder, allowed=PHOTO_TYPES, field="photo")
        VisitPhoto.objects.create(visit=visit, name=kept.name, stored_path=kept.stored_path, size=kept.size,
                                  sha256=kept.sha256, content_type=kept.content_type)  # fmt: skip
    audit_record(actor=actor, action="care.visit_log", obj=visit, region_code=visit.region_code,
                 after={"veteran": veteran.pk, "visited_on": data.visited_on, "mode": data.mode,
                        "photos": len(data.photos), "needs": len(data.needs)})  # fmt: skip
    for need in data.needs:
        _open_need(actor, veteran, need, NeedSource.VISIT, visit)
    events.emit("care_visit_logged", sender=Visit, visit=visit.pk, veteran=veteran.pk, region_code=visit.region_code,
                visited_on=visit.visited_on)  # fmt: skip
    return visit


def need_raise(*, actor: Any, veteran_id: int | None, need: NeedInput, source: str = NeedSource.STATION) -> Need:
    """Raise a need of a veteran: by staff (``station``), or by the veteran themself (``veteran``, the portal)."""
    errors: list[ValidationError] = []
    if source == NeedSource.VETERAN:  # their own account, or a family member's acting for them (代办)
        own = veteran_id is not None and actor.can(OWN_CAPABILITY) and veteran_id in actor.represented_ids()
        veteran = Veteran.objects.filter(pk=veteran_id or 0, status=Status.LIVING).first() if own else None
        if veteran is None:
            errors.append(invalid("veteran_id", _("You may raise needs for yourself only."), code="not_own"))
    elif source == NeedSource.STATION:
        require(actor, "care.need_raise")
        veteran = _visible_veteran(actor, veteran_id, errors)
    else:
        raise invalid("source", _("A need found on a visit is raised with the visit."), code="bad_source")
    _need_errors([need], "", errors)
    if errors:
        raise merged(errors)
    assert veteran is not None
    with transaction.atomic():
        return _open_need(actor, veteran, need, source, None)


def _open_need(actor: Any, veteran: Veteran, need: NeedInput, source: str, visit: Visit | None) -> Need:
    from care.process import first_handler
    from workflow.services import open_case

    unit, role = first_handler(veteran.region_code)
    description = need.description.strip()
    case = open_case(
        actor=actor,
        process=PROCESSES[NEED_PROCESS],
        title=f"{NeedCategory(need.category).label} · {veteran.name}",
        region_code=veteran.region_code,
        owner_code=unit,
        veteran=veteran,
        subject={"category": need.category, "description": description, "source": source, "visit": visit,
                 "handler_unit": unit, "handler_role": role},
        note=description,
        automatic=source != NeedSource.STATION,  # a visit's needs: the visit's capability was checked
    )  # fmt: skip
    subject: Need = case.subject
    audit_record(actor=actor, action="care.need_raise", obj=subject, region_code=subject.region_code,
                 after={"veteran": veteran.pk, "category": need.category, "source": source,
                        "visit": visit.pk if visit else None, "number": case.number})  # fmt: skip
    return subject


@transaction.atomic
def contact_assign(*, actor: Any, veteran_id: int, user: Any | None) -> Assignment | None:
    """Name a veteran's contact person (``user``), or go back to the default (None): their grid leader, or their
    station for a key person. The person named must see the veteran and log visits."""
    require(actor, "care.assign")
    errors: list[ValidationError] = []
    veteran = _visible_veteran(actor, veteran_id, errors)
    if errors:
        raise merged(errors)
    assert veteran is not None
    current = Assignment.objects.select_for_update().filter(veteran=veteran).first()
    before = {"user": current.user_id} if current else {}
    if user is None:
        if current is not None:
            current.delete()
        audit_record(actor=actor, action="care.assign", obj=veteran, region_code=veteran.region_code,
                     before=before, after={"user": None})  # fmt: skip
        return None
    if not user.can("care.visit") or not Veteran.objects.visible_to(user).filter(pk=veteran.pk).exists():
        raise invalid("user", _("This user cannot be the person's contact: they do not see them or log visits."),
                      code="bad_contact")  # fmt: skip
    assignment, _created = Assignment.objects.update_or_create(
        veteran=veteran, defaults={"user": user, "region_code": veteran.region_code, "assigned_by": actor}
    )
    audit_record(actor=actor, action="care.assign", obj=veteran, region_code=veteran.region_code,
                 before=before, after={"user": user.pk})  # fmt: skip
    return assignment


@transaction.atomic
def frequency_set(*, actor: Any, rule: ContactFrequency, months: int | None) -> ContactFrequency:
    """Change how often a rule's people are contacted (1 to 24 months)."""
    require(actor, "care.frequencies")
    if months is None or not 1 <= months <= 24:
        raise invalid("months", _("From 1 to 24 months."), code="bad_months")
    locked = ContactFrequency.objects.select_for_update().get(pk=rule.pk)
    before = locked.months
    locked.months = months
    locked.save(update_fields=["months"])
    audit_record(actor=actor, action="care.frequency_set", obj=locked, region_code="",
                 before={"months": before}, after={"months": months})  # fmt: skip
    return locked


@transaction.atomic
def phones_shown(*, actor: Any, veterans: Sequence[Veteran]) -> dict[int, str]:
    """The full phones of the people a contact person is shown, to call them, and so their addresses; the showing
    is audited (one entry for the page, naming each person shown). Only people of the actor's area are shown: a
    list made from a copy of someone's old residence (a person who has moved) shows nothing of them."""
    require(actor, "care.visit")
    ids = {v.pk for v in veterans}
    mine = set(Veteran.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    phones = {v.pk: decrypt(v.phone_enc) for v in veterans if v.phone_enc and v.pk in mine}
    shown = sorted(pk for pk in ids if pk in mine)
    if shown:
        region = actor.scope_region.code if actor.scope_region_id else ""
        audit_record(actor=actor, action="care.phone_shown", obj=None, region_code=region,
                     after={"veterans": shown, "phones": sorted(phones)}, reason=str(_("To contact them")))  # fmt: skip
    return phones


@transaction.atomic
def photo_open(*, actor: Any, photo: VisitPhoto) -> Path:
    """The stored file of a visit's photo the actor may see (looked up in scope); the opening is audited."""
    audit_record(actor=actor, action="care.photo_open", obj=photo.visit, region_code=photo.visit.region_code,
                 after={"file": photo.name})  # fmt: skip
    return Path(photo.stored_path)


def need_followup_answer(*, actor: Any, task_id: int, rating: str, words: str = "") -> Need:
    """The person's own answer to the 回访 (their portal): satisfied (very, satisfied, basically) closes the need;
    not satisfied reopens it with their words. The kit decides whether the actor may (``Step.by_person``)."""
    from workflow.services import act

    if rating not in Satisfaction.values:
        raise invalid("rating", _("Choose how satisfied you are."), code="bad_choice")
    if rating == Satisfaction.DISSATISFIED:
        task = act(actor=actor, task=task_id, action="dissatisfied", note=words.strip()[:500])
    else:
        task = act(actor=actor, task=task_id, action="satisfied", note=words.strip()[:500], data={"rating": rating})
    return Need.objects.get(case_id=task.case_id)
