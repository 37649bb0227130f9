"""Every write of the martyrs' register: a martyr registered or changed, a family member linked, the 一人一档 record
updated, a responsible person named, a facility registered or its condition changed, an upkeep row entered or
reversed, a visit of remembrance recorded; and the audited showings of personal data (a 一人一档 record opened,
the phones of a responsible person's families). Each is one transaction with its audit entry.

Visits and needs of a family member are care's (``care.services.visit_log``, ``need_raise``): nothing here makes
a second kind of visit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.crypto import decrypt
from core.errors import bad_choice, invalid, merged
from core.ledger import reverse_entry
from core.permissions import require
from martyrs.apps import MARTYR_FAMILY
from martyrs.models import (
    MAX_COST,
    Condition,
    Martyr,
    MartyrFamily,
    Memorial,
    MemorialKind,
    Precision,
    ProtectionLevel,
    RecordChange,
    Remembrance,
    Upkeep,
)
from martyrs.selectors import resting_places
from regions.models import Region
from veterans import choices as vc
from veterans.models import Veteran, VeteranCategory

#: The earliest date the register takes (the martyrs of the 辛亥 revolution and after).
EARLIEST = dt.date(1840, 1, 1)
#: The most people one visit of remembrance may record.
MAX_PEOPLE = 100_000
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


# --- checks shared by the writes ----------------------------------------------------------------------------------


def partial_date(field: str, raw: Any) -> tuple[dt.date | None, str]:
    """A date as far as it is known, from "1944", "1944-05" or "1944-05-17" (or a date): the day it stands for
    (the first of its year or month) and its precision. Blank is unknown: (None, day)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, Precision.DAY
    if isinstance(raw, dt.date):
        return raw, Precision.DAY
    match = _PARTIAL.match(str(raw).strip())
    if not match:
        raise invalid(field, _("A year, a year and month, or a date: 1944, 1944-05 or 1944-05-17."), code="bad_date")
    year, month, day = (int(g) if g else None for g in match.groups())
    if year == 0 or month == 0 or day == 0:  # 1944-00-15 names no month: refused, not read as January
        raise invalid(field, _("This date does not exist."), code="bad_date")
    try:
        value = dt.date(year or 1, month or 1, day or 1)
    except ValueError:
        raise invalid(field, _("This date does not exist."), code="bad_date") from None
    precision = Precision.DAY if day else Precision.MONTH if month else Precision.YEAR
    return value, precision


def _no_later_than_today(field: str, day: dt.date | None, errors: list[ValidationError]) -> None:
    if day is None:
        return
    if day > timezone.localdate():
        errors.append(invalid(field, _("The date is in the future."), code="future"))
    elif day < EARLIEST:
        errors.append(invalid(field, _("The date is before 1840."), code="too_early"))


def _text(field: str, value: Any, limit: int, errors: list[ValidationError], *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors.append(invalid(field, _("This field is required."), code="required"))
    elif len(text) > limit:
        errors.append(invalid(field, _("At most %(n)s characters."), code="too_long", n=limit))
    return text


def _region_in_scope(actor: Any, code: str, errors: list[ValidationError]) -> Region | None:
    code = (code or "").strip()
    region = Region.objects.filter(code=code).first() if code else None
    prefix = actor.scope_prefix or ""
    if region is None or not prefix or not region.code.startswith(prefix):
        errors.append(invalid("region", _("No region of your area has this code."), code="unknown_region"))
        return None
    return region


def memorial_for(actor: Any, memorial_id: int | None, errors: list[ValidationError]) -> Memorial | None:
    """A facility the actor's martyrs may rest at: one of their area, or of an area above it (the city's
    cemetery holds the towns' martyrs)."""
    if memorial_id is None:
        return None
    found = resting_places(actor).filter(pk=memorial_id).first()
    if found is None:
        errors.append(invalid("memorial", _("No facility of your area has this id."), code="unknown_memorial"))
        return None
    return found


# --- martyrs -----------------------------------------------------------------------------------------------------


@dataclass
class MartyrInput:
    name: str
    region: str
    gender: str = ""
    #: "1944", "1944-05" or "1944-05-17" (or a date); blank when unknown
    born: Any = ""
    sacrificed: Any = ""
    native_place: str = ""
    unit: str = ""
    place_of_sacrifice: str = ""
    deeds: str = ""
    memorial: int | None = None
    burial_place: str = ""
    synthetic: bool = False


def _martyr_values(actor: Any, data: MartyrInput) -> dict[str, Any]:
    errors: list[ValidationError] = []
    values: dict[str, Any] = {"name": _text("name", data.name, 50, errors, required=True)}
    region = _region_in_scope(actor, data.region, errors)
    gender = (data.gender or "").strip()
    if gender and gender not in dict(vc.choices(vc.GENDERS)):
        errors.append(bad_choice("gender", vc.choices(vc.GENDERS)))
    born: tuple[dt.date | None, str] = (None, Precision.DAY)
    sacrificed: tuple[dt.date | None, str] = (None, Precision.DAY)
    try:
        born = partial_date("born", data.born)
        _no_later_than_today("born", born[0], errors)
    except ValidationError as exc:
        errors.append(exc)
    try:
        sacrificed = partial_date("sacrificed", data.sacrificed)
        _no_later_than_today("sacrificed", sacrificed[0], errors)
    except ValidationError as exc:
        errors.append(exc)
    if born[0] and sacrificed[0] and sacrificed[0] < born[0]:
        errors.append(invalid("sacrificed", _("The date of sacrifice is before the date of birth."),
                              code="before_birth"))  # fmt: skip
    for name, limit in (("native_place", 100), ("unit", 200), ("place_of_sacrifice", 200), ("burial_place", 200),
                        ("deeds", 5000)):  # fmt: skip
        values[name] = _text(name, getattr(data, name), limit, errors)
    memorial = memorial_for(actor, data.memorial, errors)
    if errors:
        raise merged(errors)
    assert region is not None
    values.update(region=region, region_code=region.code, gender=gender, birth_on=born[0], birth_precision=born[1],
                  sacrificed_on=sacrificed[0], sacrificed_precision=sacrificed[1], memorial=memorial,
                  synthetic=bool(data.synthetic))  # fmt: skip
    return values


def _martyr_audited(m: Martyr) -> dict[str, Any]:
    return {"name": m.name, "region": m.region_code, "born": m.born_shown, "sacrificed": m.sacrificed_shown,
            "unit": m.unit, "memorial": m.memorial_id, "synthetic": m.synthetic}  # fmt: skip


@transaction.atomic
def martyr_create(*, actor: Any, data: MartyrInput) -> Martyr:
    """Register a martyr in a region of the actor's area."""
    require(actor, "martyrs.manage")
    martyr = Martyr.objects.create(created_by=actor, **_martyr_values(actor, data))
    audit_record(actor=actor, action="martyrs.martyr_create", obj=martyr, region_code=martyr.region_code,
                 after=_martyr_audited(martyr))  # fmt: skip
    return martyr


@transaction.atomic
def martyr_update(*, actor: Any, martyr: Martyr, data: MartyrInput) -> Martyr:
    """Change a martyr the actor manages (looked up in their scope)."""
    require(actor, "martyrs.manage")
    locked = Martyr.objects.visible_to(actor, "manage").select_for_update().filter(pk=martyr.pk).first()
    if locked is None:
        raise invalid("martyr", _("This martyr is not in your area."), code="not_visible")
    before = _martyr_audited(locked)
    for name, value in _martyr_values(actor, data).items():
        setattr(locked, name, value)
    locked.save()
    audit_record(actor=actor, action="martyrs.martyr_update", obj=locked, region_code=locked.region_code,
                 before=before, after=_martyr_audited(locked))  # fmt: skip
    return locked


# --- family members and their 一人一档 record --------------------------------------------------------------------


def _is_martyr_family(veteran: Veteran) -> bool:
    today = timezone.localdate()
    return VeteranCategory.objects.filter(veteran=veteran, category=MARTYR_FAMILY, start_date__lte=today).exclude(
        end_date__lt=today).exists()  # fmt: skip


@transaction.atomic
def family_link(*, actor: Any, martyr: Martyr, veteran_id: int | None, relation: str) -> MartyrFamily:
    """Record a person of the registry, of the actor's area and registered as 烈士遗属, as a martyr's family
    member: their 一人一档 record starts empty."""
    require(actor, "martyrs.manage")
    errors: list[ValidationError] = []
    if not Martyr.objects.visible_to(actor).filter(pk=martyr.pk).exists():
        errors.append(invalid("martyr", _("This martyr is not in your area."), code="not_visible"))
    veteran = Veteran.objects.visible_to(actor).filter(pk=veteran_id).first() if veteran_id else None
    if veteran is None:
        errors.append(invalid("veteran_id", _("This person is not in your area."), code="not_visible"))
    elif not _is_martyr_family(veteran):
        errors.append(invalid("veteran_id", _("Record the person as a martyr's surviving family (烈士遗属) in the "
                                              "registry first."), code="not_martyr_family"))  # fmt: skip
    elif MartyrFamily.objects.filter(martyr=martyr, veteran=veteran).exists():
        errors.append(invalid("veteran_id", _("This person is already recorded in this martyr's family."),
                              code="already_linked"))  # fmt: skip
    if relation not in dict(vc.choices(vc.RELATIONS)):
        errors.append(bad_choice("relation", vc.choices(vc.RELATIONS)))
    if errors:
        raise merged(errors)
    assert veteran is not None
    try:
        with transaction.atomic():  # two stations linking the same person at once: the database keeps one
            family = MartyrFamily.objects.create(martyr=martyr, veteran=veteran, relation=relation,
                                                 region_code=veteran.region_code)  # fmt: skip
    except IntegrityError:
        raise invalid(
            "veteran_id", _("This person is already recorded in this martyr's family."), code="already_linked"
        ) from None
    audit_record(actor=actor, action="martyrs.family_link", obj=family, region_code=family.region_code,
                 after={"martyr": martyr.pk, "veteran": veteran.pk, "relation": relation})  # fmt: skip
    return family


@dataclass
class RecordInput:
    """The 一人一档 record's fields; a field left None is not changed."""

    living: str | None = None
    schooling: str | None = None
    employment: str | None = None
    benefits: str | None = None
    note: str | None = None


_LIMITS = {"living": 1000, "schooling": 500, "employment": 500, "benefits": 500, "note": 1000}


def may_update_record(actor: Any, family: MartyrFamily) -> bool:
    """Station staff who manage the register, or the family member's own responsible person."""
    return bool(actor.can("martyrs.manage") or (actor.can("martyrs.respond") and family.responsible_id == actor.pk))


def _locked_family(actor: Any, family: MartyrFamily | int) -> MartyrFamily:
    pk = family if isinstance(family, int) else family.pk
    found = MartyrFamily.objects.visible_to(actor).select_for_update().filter(pk=pk).first()
    if found is None:
        raise invalid("family", _("This family member is not in your area."), code="not_visible")
    return found


@transaction.atomic
def record_update(*, actor: Any, family: MartyrFamily | int, data: RecordInput) -> MartyrFamily:
    """Update a family member's 一人一档 record; each change is kept in its history (``RecordChange``) and
    audited. Nothing changed writes nothing."""
    require(actor, "martyrs.respond")
    locked = _locked_family(actor, family)
    if not may_update_record(actor, locked):
        raise invalid(None, _("Only the family member's responsible person or station staff update this record."),
                      code="not_responsible")  # fmt: skip
    errors: list[ValidationError] = []
    changes: dict[str, list[str]] = {}
    for f in fields(data):
        raw = getattr(data, f.name)
        if raw is None:
            continue
        value = _text(f.name, raw, _LIMITS[f.name], errors)
        if value != getattr(locked, f.name):
            changes[f.name] = [getattr(locked, f.name), value]
    if errors:
        raise merged(errors)
    if not changes:
        return locked
    for name, (_before, after) in changes.items():
        setattr(locked, name, after)
    locked.save(update_fields=[*changes, "updated_at"])
    RecordChange.objects.create(family=locked, region_code=locked.region_code, changes=changes, changed_by=actor)
    audit_record(actor=actor, action="martyrs.record_update", obj=locked, region_code=locked.region_code,
                 before={k: v[0] for k, v in changes.items()}, after={k: v[1] for k, v in changes.items()})  # fmt: skip
    return locked


def responsible_candidates(family: MartyrFamily) -> Any:
    """Who may answer for this family member: active users who may be named (``martyrs.respond``) and whose
    scope holds the person (the town or village station of their area)."""
    from accounts.models import User
    from accounts.roles import roles_with

    code = family.region_code
    users = User.objects.filter(role__in=roles_with("martyrs.respond"), is_active=True, scope_region__isnull=False)
    return [u for u in users.select_related("scope_region").order_by("username") if u.scope_prefix and
            code.startswith(u.scope_prefix)]  # fmt: skip


@transaction.atomic
def responsible_assign(*, actor: Any, family: MartyrFamily | int, user: Any | None) -> MartyrFamily:
    """Name the one person who answers for a family member (专人对接), or none. They must be a user of the
    person's area who may be named."""
    require(actor, "martyrs.manage")
    locked = _locked_family(actor, family)
    if user is not None and not (
        user.is_active and user.can("martyrs.respond") and user.scope_prefix
        and locked.region_code.startswith(user.scope_prefix)
    ):  # fmt: skip
        raise invalid("responsible", _("The responsible person must be a station user of the person's area."),
                      code="not_in_area")  # fmt: skip
    before = locked.responsible_id
    after = user.pk if user is not None else None
    if before == after:
        return locked
    locked.responsible = user
    locked.save(update_fields=["responsible", "updated_at"])
    RecordChange.objects.create(family=locked, region_code=locked.region_code, changes={"responsible": [before, after]},
                                changed_by=actor)  # fmt: skip
    audit_record(actor=actor, action="martyrs.responsible_assign", obj=locked, region_code=locked.region_code,
                 before={"responsible": before}, after={"responsible": after})  # fmt: skip
    return locked


@transaction.atomic
def record_view(*, actor: Any, family: MartyrFamily) -> None:
    """A 一人一档 record opened in full (the person's living situation, schooling, benefits): one audit entry."""
    audit_record(actor=actor, action="martyrs.record_view", obj=family, region_code=family.region_code,
                 after={"veteran": family.veteran_id})  # fmt: skip


@transaction.atomic
def phones_shown(*, actor: Any, veterans: Sequence[Veteran]) -> dict[int, str]:
    """The full phones of a responsible person's families, to call them; one audit entry naming each person."""
    require(actor, "martyrs.respond")
    phones = {v.pk: decrypt(v.phone_enc) for v in veterans if v.phone_enc}
    if phones:
        region = actor.scope_region.code if actor.scope_region_id else ""
        audit_record(actor=actor, action="martyrs.phone_shown", obj=None, region_code=region,
                     after={"veterans": sorted(phones)}, reason=str(_("To contact them")))  # fmt: skip
    return phones


# --- memorial facilities -----------------------------------------------------------------------------------------


@dataclass
class MemorialInput:
    name: str
    kind: str
    region: str
    address: str = ""
    protection_level: str = ProtectionLevel.NONE
    condition: str = Condition.GOOD
    note: str = ""
    synthetic: bool = False


def _memorial_values(actor: Any, data: MemorialInput, current: Memorial | None) -> dict[str, Any]:
    errors: list[ValidationError] = []
    values: dict[str, Any] = {"name": _text("name", data.name, 100, errors, required=True),
                              "address": _text("address", data.address, 200, errors),
                              "note": _text("note", data.note, 1000, errors)}  # fmt: skip
    region = _region_in_scope(actor, data.region, errors)
    for name, choices in (("kind", MemorialKind), ("protection_level", ProtectionLevel), ("condition", Condition)):
        value = (getattr(data, name) or "").strip()
        if value not in choices.values:
            errors.append(bad_choice(name, choices.choices))
        values[name] = value
    if region is not None and values["name"]:
        same = Memorial.objects.filter(region=region, name=values["name"])
        if current is not None:
            same = same.exclude(pk=current.pk)
        if same.exists():
            errors.append(invalid("name", _("The region has a facility of this name already."), code="duplicate"))
    if errors:
        raise merged(errors)
    assert region is not None
    values.update(region=region, region_code=region.code, synthetic=bool(data.synthetic))
    return values


def _memorial_audited(m: Memorial) -> dict[str, Any]:
    return {"name": m.name, "kind": m.kind, "region": m.region_code, "protection_level": m.protection_level,
            "condition": m.condition}  # fmt: skip


@transaction.atomic
def memorial_create(*, actor: Any, data: MemorialInput) -> Memorial:
    require(actor, "martyrs.manage")
    values = _memorial_values(actor, data, None)
    try:
        with transaction.atomic():  # two of the same name at once: the database keeps one
            memorial = Memorial.objects.create(**values)
    except IntegrityError:
        raise invalid("name", _("The region has a facility of this name already."), code="duplicate") from None
    audit_record(actor=actor, action="martyrs.memorial_create", obj=memorial, region_code=memorial.region_code,
                 after=_memorial_audited(memorial))  # fmt: skip
    return memorial


@transaction.atomic
def memorial_update(*, actor: Any, memorial: Memorial, data: MemorialInput) -> Memorial:
    """Change a facility (its condition after an inspection: 完好, 一般, 需修缮)."""
    require(actor, "martyrs.manage")
    locked = Memorial.objects.visible_to(actor, "manage").select_for_update().filter(pk=memorial.pk).first()
    if locked is None:
        raise invalid("memorial", _("No facility of your area has this id."), code="unknown_memorial")
    before = _memorial_audited(locked)
    for name, value in _memorial_values(actor, data, locked).items():
        setattr(locked, name, value)
    locked.save()
    audit_record(actor=actor, action="martyrs.memorial_update", obj=locked, region_code=locked.region_code,
                 before=before, after=_memorial_audited(locked))  # fmt: skip
    return locked


def _visible_memorial(actor: Any, memorial: Memorial | int) -> Memorial:
    pk = memorial if isinstance(memorial, int) else memorial.pk
    found = Memorial.objects.visible_to(actor, "manage").filter(pk=pk).first()
    if found is None:
        raise invalid("memorial", _("No facility of your area has this id."), code="unknown_memorial")
    return found


def clean_cost(value: Any) -> Decimal:
    """Yuan, not negative, exact to the fen ("1280.50"); a float is refused (money is never binary)."""
    message = _("An amount in yuan with at most two decimals, such as 1280.50.")
    if isinstance(value, float | bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise invalid("cost", message, code="not_money")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        raise invalid("cost", message, code="not_money") from None
    if not amount.is_finite():
        raise invalid("cost", message, code="not_money")
    # the range first: quantizing 1e30 to the fen needs more digits than the context has (InvalidOperation)
    if amount < 0:
        raise invalid("cost", _("The cost is not negative."), code="negative")
    if amount > MAX_COST:
        raise invalid("cost", _("At most %(n)s yuan in one row."), code="too_much", n=MAX_COST)
    if amount != amount.quantize(Decimal("0.01")):
        raise invalid("cost", message, code="not_money")
    return amount.quantize(Decimal("0.01"))


def _day(field: str, day: dt.date | None, errors: list[ValidationError]) -> None:
    if day is None:
        errors.append(invalid(field, _("Give the date."), code="required"))
    elif day > timezone.localdate():
        errors.append(invalid(field, _("The date is in the future."), code="future"))
    elif day < dt.date(1949, 1, 1):
        errors.append(invalid(field, _("The date is before 1949."), code="too_early"))


@transaction.atomic
def upkeep_record(*, actor: Any, memorial: Memorial | int, done_on: dt.date | None, work: str, cost: Any,
                  done_by: str) -> Upkeep:  # fmt: skip
    """Enter an upkeep row of a facility of the actor's area: the day, what was done, its cost, by whom."""
    require(actor, "martyrs.manage")
    found = _visible_memorial(actor, memorial)
    errors: list[ValidationError] = []
    _day("done_on", done_on, errors)
    text = _text("work", work, 500, errors, required=True)
    by = _text("done_by", done_by, 100, errors, required=True)
    amount = Decimal("0")
    try:
        amount = clean_cost(cost)
    except ValidationError as exc:
        errors.append(exc)
    if errors:
        raise merged(errors)
    assert done_on is not None
    row = Upkeep.objects.create(memorial=found, region_code=found.region_code, done_on=done_on, work=text,
                                cost=amount, done_by=by, created_by=actor)  # fmt: skip
    audit_record(actor=actor, action="martyrs.upkeep_record", obj=row, region_code=row.region_code,
                 after={"memorial": found.pk, "done_on": done_on, "work": text, "cost": str(amount)})  # fmt: skip
    return row


@transaction.atomic
def upkeep_reverse(*, actor: Any, entry: Upkeep | int, reason: str) -> Upkeep:
    """Cancel a wrong upkeep row by its reversal (the cost negated, the reason given); enter it again if need be."""
    require(actor, "martyrs.manage")
    pk = entry if isinstance(entry, int) else entry.pk
    found = Upkeep.objects.visible_to(actor, "manage").filter(pk=pk).first()
    if found is None:
        raise invalid("entry", _("No upkeep row of your area has this id."), code="not_visible")
    reversal = reverse_entry(found, actor=actor, reason=reason)
    audit_record(actor=actor, action="martyrs.upkeep_reverse", obj=reversal, region_code=reversal.region_code,
                 after={"reverses": found.pk, "cost": str(reversal.cost)}, reason=reversal.reason)  # fmt: skip
    return reversal


@transaction.atomic
def remembrance_record(*, actor: Any, memorial: Memorial | int, visited_on: dt.date | None, group: str,
                       people: int | None, note: str = "") -> Remembrance:  # fmt: skip
    """Record a visit of remembrance (清明祭扫 …) to a facility of the actor's area."""
    require(actor, "martyrs.manage")
    found = _visible_memorial(actor, memorial)
    errors: list[ValidationError] = []
    _day("visited_on", visited_on, errors)
    who = _text("group", group, 100, errors, required=True)
    text = _text("note", note, 1000, errors)
    if people is None or isinstance(people, bool) or not 1 <= people <= MAX_PEOPLE:
        errors.append(invalid("people", _("From 1 to %(n)s people."), code="bad_people", n=MAX_PEOPLE))
    if errors:
        raise merged(errors)
    assert visited_on is not None and people is not None
    visit = Remembrance.objects.create(memorial=found, region_code=found.region_code, visited_on=visited_on,
                                       group=who, people=people, note=text, recorded_by=actor)  # fmt: skip
    audit_record(actor=actor, action="martyrs.remembrance_record", obj=visit, region_code=visit.region_code,
                 after={"memorial": found.pk, "visited_on": visited_on, "group": who, "people": people})  # fmt: skip
    return visit
