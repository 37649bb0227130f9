"""Every write to the registry: validated, atomic, audited. The plaintext ID never reaches the database."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import types
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.services import audit_record, snapshot
from core import events
from core.crypto import decrypt, encrypt, encrypter, keyed_hash, keyed_hasher
from core.db import Loader, copy_into, reserve_ids
from core.errors import invalid
from core.permissions import require
from core.validators import mask_phone
from regions.models import Level, Region
from veterans import residence
from veterans.models import Veteran, VeteranCategory
from veterans.pinyin import pinyin_of
from veterans.search import add_grams, gram_loader, id_lookup_hash, sync_grams
from veterans.signals import veteran_deceased
from veterans.validation import VeteranData

AUDITED_FIELDS = [
    "name", "gender", "birth_date", "ethnicity", "address", "hukou_region_code", "region_code", "enlisted_on",
    "enlisted_precision", "discharged_on", "discharged_precision", "branch", "rank", "discharge_type", "placement",
    "awards", "political_status", "party_joined_on", "education", "employment_status", "status", "deceased_on",
    "note",
]  # fmt: skip


def scope_regions(actor: User, codes: list[Any] | None = None) -> dict[str, Region]:
    """The villages and grids an actor may place a veteran in, by code; only ``codes`` when given
    (one record's form needs one region, not the tens of thousands of a province)."""
    regions = Region.objects.visible_to(actor).filter(level__in=[Level.VILLAGE, Level.GRID])
    if codes is not None:
        regions = regions.filter(code__in=[str(c).strip() for c in codes if c])
    return {r.code: r for r in regions.only("id", "code", "level", "name", "prefix")}


def records_changed(*codes: str) -> None:
    """Tell the cockpit (and any other listener) that records of these regions changed, once committed."""
    events.emit("records_changed", sender=Veteran, regions=sorted({c for c in codes if c}))


def id_tail_hashes(id_number: str) -> dict[str, str]:
    return {f"id_tail{n}_hash": keyed_hash(id_number[-n:], f"id_tail{n}") for n in (4, 5, 6)}


def phone_tail_hash(phone: str) -> str:
    return keyed_hash(phone[-4:], "phone_tail4") if phone else ""


def apply_data(
    veteran: Veteran,
    data: VeteranData,
    *,
    keyed: Callable[[str, str], str] = keyed_hash,
    seal: Callable[[str], str] = encrypt,
    id_hash: str = "",
) -> None:
    """Copy clean data onto a (new or existing) record, encrypting and hashing as it goes.

    A bulk load passes ``keyed_hasher()`` and ``encrypter()`` (the key looked up once, not seven
    times a row) and the ID's hash it has already computed."""
    id_number = data.id_number.value
    veteran.name = data.name
    veteran.name_pinyin, veteran.name_initials = pinyin_of(data.name)
    veteran.gender = data.id_number.gender
    veteran.birth_date = data.id_number.birth_date
    veteran.id_number_enc = seal(id_number)
    veteran.id_hash = id_hash or keyed(id_number, "id")
    veteran.id_tail4_hash = keyed(id_number[-4:], "id_tail4")
    veteran.id_tail5_hash = keyed(id_number[-5:], "id_tail5")
    veteran.id_tail6_hash = keyed(id_number[-6:], "id_tail6")
    veteran.phone_enc = seal(data.phone) if data.phone else ""
    veteran.phone_tail4_hash = keyed(data.phone[-4:], "phone_tail4") if data.phone else ""
    veteran.region = data.region
    veteran.region_id = data.region.pk  # for a plain row (new_row) as well as a model
    veteran.region_code = data.region.code
    veteran.enlisted_on, veteran.enlisted_precision = data.enlisted_on, data.enlisted_precision
    veteran.discharged_on, veteran.discharged_precision = data.discharged_on, data.discharged_precision
    veteran.discharge_type = data.discharge_type
    for name, value in data.values.items():
        setattr(veteran, name, value)


def categories_for(veteran: Veteran, data: VeteranData, since: dt.date) -> list[VeteranCategory]:
    return categories_for_id(veteran.pk, data, since)


def categories_for_id(veteran_id: int, data: VeteranData, since: dt.date) -> list[VeteranCategory]:
    return [
        VeteranCategory(
            veteran_id=veteran_id,
            category=code,
            start_date=since,
            disability_grade=data.disability_grade if code == "disabled_soldier" else None,
            disability_cause=data.disability_cause if code == "disabled_soldier" else "",
        )
        for code in data.categories
    ]


def _audit_view(veteran: Veteran) -> dict[str, Any]:
    view = snapshot(veteran, AUDITED_FIELDS)
    view["id_number_masked"] = veteran.id_number_masked
    return view


@transaction.atomic
def veteran_create(*, actor: User, data: VeteranData) -> Veteran:
    require(actor, "veterans.manage")
    if not data.region.code.startswith(actor.scope_prefix):
        raise invalid("region_code", _("Unknown region code: %(value)s."), code="unknown_region",
                      value=data.region.code)  # fmt: skip
    if Veteran.objects.filter(id_hash=id_lookup_hash(data.id_number.value)).exists():
        raise invalid("id_number", _("This ID number is already registered."), code="duplicate")
    veteran = Veteran()
    apply_data(veteran, data)
    veteran.save()
    sync_grams(veteran)
    VeteranCategory.objects.bulk_create(categories_for(veteran, data, data.discharged_on))
    if data.tags:
        veteran.tags.set(data.tags)
    audit_record(actor=actor, action="veteran.create", obj=veteran, region_code=veteran.region_code,
                 after={**_audit_view(veteran), "categories": data.categories})  # fmt: skip
    records_changed(veteran.region_code)
    return veteran


@transaction.atomic
def veteran_update(*, actor: User, veteran: Veteran, data: VeteranData) -> Veteran:
    require(actor, "veterans.manage")
    veteran = Veteran.objects.select_for_update().get(pk=veteran.pk)
    if not data.region.code.startswith(actor.scope_prefix):
        raise invalid("region_code", _("Unknown region code: %(value)s."), code="unknown_region",
                      value=data.region.code)  # fmt: skip
    new_hash = id_lookup_hash(data.id_number.value)
    if new_hash != veteran.id_hash and Veteran.objects.filter(id_hash=new_hash).exists():
        raise invalid("id_number", _("This ID number is already registered."), code="duplicate")
    before = _audit_view(veteran)
    before.update(_unaudited_view(veteran))
    before_categories = sorted(set(veteran.categories.filter(end_date__isnull=True).values_list("category", flat=True)))
    old_code = veteran.region_code
    apply_data(veteran, data)
    veteran.save()
    if veteran.region_code != old_code:
        residence.moved(veteran, veteran.region_code)  # the other modules' copies that follow the person
    records_changed(old_code, veteran.region_code)
    sync_grams(veteran)
    _sync_categories(veteran, data)
    if data.tags is not None:
        before["tags"] = sorted(veteran.tags.values_list("code", flat=True))
        veteran.tags.set(data.tags)
    after = _audit_view(veteran)
    after.update(_unaudited_view(veteran))
    if data.tags is not None:
        after["tags"] = sorted(t.code for t in data.tags)
    changed = {k for k in after if after[k] != before.get(k)}
    if not changed and sorted(data.categories) == before_categories:
        return veteran  # nothing changed: no audit entry of an empty change
    # The phone is compared in clear but never recorded so: the entry keeps its masked form.
    phone_changed = "phone" in changed
    changed.discard("phone")
    before_view = {k: before[k] for k in changed}
    after_view = {k: after[k] for k in changed}
    if phone_changed:
        before_view["phone_masked"] = mask_phone(before["phone"]) if before["phone"] else ""
        after_view.update(phone_masked=mask_phone(after["phone"]) if after["phone"] else "", phone_changed=True)
    audit_record(actor=actor, action="veteran.update", obj=veteran, region_code=veteran.region_code,
                 before={**before_view, "categories": before_categories},
                 after={**after_view, "categories": sorted(data.categories)})  # fmt: skip
    return veteran


def _unaudited_view(veteran: Veteran) -> dict[str, Any]:
    """What an update may change beyond the audited fields: the phone (in clear, to compare only) and
    the disabled soldier's grade and cause."""
    disabled = veteran.categories.filter(end_date__isnull=True, category="disabled_soldier").first()
    return {
        "phone": decrypt(veteran.phone_enc) if veteran.phone_enc else "",
        "disability_grade": disabled.disability_grade if disabled else None,
        "disability_cause": disabled.disability_cause if disabled else "",
    }


def _sync_categories(veteran: Veteran, data: VeteranData) -> None:
    """Open categories not in the new list end today; new ones start today. History stays."""
    today = timezone.localdate()
    open_ = {c.category: c for c in veteran.categories.filter(end_date__isnull=True)}
    for code, category in open_.items():
        if code not in data.categories:
            category.end_date = max(today, category.start_date)
            category.save(update_fields=["end_date"])
        elif code == "disabled_soldier":
            category.disability_grade, category.disability_cause = data.disability_grade, data.disability_cause
            category.save(update_fields=["disability_grade", "disability_cause"])
    new = [c for c in categories_for(veteran, data, today) if c.category not in open_]
    if new and veteran.status == "deceased":
        raise invalid("categories", _("A special-care category cannot begin after the person's death."),
                      code="category_after_death")  # fmt: skip
    # A category ended today and given back the same day reopens its period rather than starting one
    # that would overlap it.
    ended_today = {c.category: c for c in veteran.categories.filter(end_date=today)}
    for category in new:
        if category.category in ended_today:
            reopened = ended_today[category.category]
            reopened.end_date = None
            reopened.disability_grade, reopened.disability_cause = category.disability_grade, category.disability_cause
            reopened.save(update_fields=["end_date", "disability_grade", "disability_cause"])
    VeteranCategory.objects.bulk_create([c for c in new if c.category not in ended_today])


@transaction.atomic
def veteran_mark_deceased(*, actor: User, veteran: Veteran, died_on: dt.date, reason: str = "") -> Veteran:
    require(actor, "veterans.manage")
    veteran = Veteran.objects.select_for_update().get(pk=veteran.pk)
    if veteran.status == "deceased":
        raise invalid("deceased_on", _("This person is already recorded as deceased."), code="already_deceased")
    if died_on > timezone.localdate() or died_on < veteran.birth_date:
        raise invalid("deceased_on", _("The date of death is impossible."), code="bad_date")
    before = _audit_view(veteran)
    veteran.status, veteran.deceased_on = "deceased", died_on
    veteran.save(update_fields=["status", "deceased_on", "updated_at"])
    # A period recorded as starting after the death ends where it began (the data-quality page lists it);
    # ending it on the date of death would break the end-after-start constraint.
    veteran.categories.filter(end_date__isnull=True, start_date__gt=died_on).update(end_date=F("start_date"))
    veteran.categories.filter(end_date__isnull=True).update(end_date=died_on)
    audit_record(actor=actor, action="veteran.mark_deceased", obj=veteran, region_code=veteran.region_code,
                 before={"status": before["status"]}, after={"status": "deceased", "deceased_on": died_on},
                 reason=reason)  # fmt: skip
    veteran_deceased.send(sender=Veteran, veteran=veteran, actor=actor)
    records_changed(veteran.region_code)
    return veteran


@transaction.atomic
def veteran_reveal_id(*, actor: User, veteran: Veteran, reason: str) -> str:
    """The full ID number, for a permitted user who states why; the reading is audited."""
    require(actor, "veterans.reveal_id")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise invalid("reason", _("State the reason for seeing the full ID number (at least 4 characters)."),
                      code="reason_required")  # fmt: skip
    if len(reason) > 200:
        raise invalid("reason", _("At most %(max)d characters (this has %(n)d)."), code="too_long", max=200,
                      n=len(reason))  # fmt: skip
    audit_record(actor=actor, action="veteran.reveal_id", obj=veteran, region_code=veteran.region_code,
                 reason=reason)  # fmt: skip
    return decrypt(veteran.id_number_enc)


def veteran_as_input(veteran: Veteran) -> dict[str, Any]:
    """A record as the input a form or a PATCH starts from (full ID and phone included: never render it)."""
    raw: dict[str, Any] = {name: getattr(veteran, name) for name in AUDITED_FIELDS}
    raw["id_number"] = decrypt(veteran.id_number_enc)
    raw["phone"] = decrypt(veteran.phone_enc) if veteran.phone_enc else ""
    raw["enlisted_on"] = _dated(veteran.enlisted_on, veteran.enlisted_precision)
    raw["discharged_on"] = _dated(veteran.discharged_on, veteran.discharged_precision)
    open_categories = list(veteran.categories.filter(end_date__isnull=True))
    raw["categories"] = [c.category for c in open_categories]
    disabled = next((c for c in open_categories if c.category == "disabled_soldier"), None)
    raw["disability_grade"] = disabled.disability_grade if disabled else None
    raw["disability_cause"] = disabled.disability_cause if disabled else ""
    raw["tags"] = [t.code for t in veteran.tags.all()]
    return raw


def _dated(value: dt.date, precision: str) -> str:
    return value.strftime("%Y-%m") if precision == "month" else value.isoformat()


EXPORT_HEADERS = [
    "姓名", "性别", "出生日期", "身份证号", "联系电话", "所属区划代码", "所属区划", "入伍时间", "退役时间", "退役方式",
    "军种", "政治面貌", "入党时间", "优抚对象类别", "状态",
]  # fmt: skip


def export_rows(veterans: Any) -> Any:
    """The rows of an export, masked: no full ID number or phone ever leaves this way."""
    for v in veterans.select_related("region").prefetch_related("categories").iterator(chunk_size=2000):
        categories = "；".join(c.get_category_display() for c in v.categories.all() if c.end_date is None)
        yield [
            v.name, v.get_gender_display(), v.birth_date, v.id_number_masked, v.phone_masked, v.region_code,
            v.region.name, _dated(v.enlisted_on, v.enlisted_precision), _dated(v.discharged_on, v.discharged_precision),
            v.get_discharge_type_display(), v.get_branch_display(), v.get_political_status_display(),
            v.party_joined_on or "", categories, v.get_status_display(),
        ]  # fmt: skip


@functools.lru_cache(maxsize=1)
def _column_defaults() -> dict[str, Any]:
    return {f.attname: f.get_default() for f in Veteran._meta.concrete_fields}


def new_row(**values: Any) -> Any:
    """A new record as a plain object with every column's default: a bulk load fills thousands of
    these, and building model instances cost it a third of its time."""
    return types.SimpleNamespace(**{**_column_defaults(), "pk": None, **values})


#: The columns a bulk load writes, the id first (taken from the sequence: see reserve_ids).
_BULK_FIELDS = ["id", *(f.attname for f in Veteran._meta.concrete_fields if f.name != "id")]


def insert_veterans(veterans: list[Any]) -> list[Any]:
    """Insert many new records (models or ``new_row`` objects) at once, with their name pieces: COPY on
    PostgreSQL (no SQL to compile per row), bulk INSERT elsewhere. Sets each one's ``pk``; callers
    audit the batch themselves.
    """
    if not veterans:
        return veterans
    from django.utils import timezone

    now = timezone.now()
    for veteran, pk in zip(veterans, reserve_ids(Veteran, len(veterans)), strict=True):
        veteran.pk = veteran.id = pk
        veteran.created_at = veteran.created_at or now
        veteran.updated_at = veteran.updated_at or now
    copy_into(Veteran, _BULK_FIELDS, map(operator.attrgetter(*_BULK_FIELDS), veterans))
    add_grams(veterans)
    return veterans


class _Named(NamedTuple):
    pk: int
    name: str


class NewVeterans:
    """An import's new records (their ID hash, their clean data), written while the import checks the rest.

    Two loaders take turns on the one connection (on PostgreSQL each a COPY left open while the next
    rows are checked): every 2,500 records the one in flight is closed (the server has had the time
    those rows took to check to file them) and the other opened with what waits for it: the records
    themselves, or their name pieces. So the server files records, pieces and their index entries on the
    other core while this one cleans, encrypts and hashes, and a queued writer sends from a thread of its
    own, so that formatting rows never waits on the socket. The ids are taken before the first record
    (no other query may run while a loader is open); categories and tags follow at the end. Callers
    audit the batch themselves.
    """

    BATCH = 2000  # rows of one bulk insert, off PostgreSQL
    TURN = 2500  # records between turns of the two loaders

    def __init__(self, *, import_batch: str, expected: int) -> None:
        from django.utils import timezone

        self.values_of = operator.attrgetter(*_BULK_FIELDS)
        self.import_batch, self.now = import_batch, timezone.now()
        self.keyed, self.seal = keyed_hasher(), encrypter()
        self.created = 0
        self.regions: set[str] = set()
        self.categories: list[VeteranCategory] = []  # a record's data is not kept: only its categories are
        self.tagged: list[tuple[int, int]] = []  # (record id, tag id)
        self.rows: list[tuple[Any, ...]] = []  # records waiting for their loader, as it writes them
        self.names: list[Any] = []  # id and name of records whose pieces wait for theirs
        self.ids: Iterator[int] = iter(reserve_ids(Veteran, expected))
        self.loader: Loader | None = None
        self.in_flight = ""  # "records", "pieces" or nothing

    def add(self, id_hash: str, data: VeteranData) -> None:
        veteran = new_row(import_batch=self.import_batch, created_at=self.now, updated_at=self.now)
        apply_data(veteran, data, keyed=self.keyed, seal=self.seal, id_hash=id_hash)
        veteran.pk = veteran.id = next(self.ids)
        self.rows.append(self.values_of(veteran))
        self.names.append(_Named(veteran.pk, data.name))
        self.created += 1
        self.regions.add(veteran.region_code)
        if data.categories:
            self.categories += categories_for_id(veteran.pk, data, data.discharged_on)
        if data.tags:
            self.tagged += [(veteran.pk, tag.pk) for tag in data.tags]
        if self.created % self.TURN == 0:
            self._send("pieces" if self.in_flight == "records" else "records")

    def _send(self, kind: str, *, wait: bool = False) -> None:
        """Close the loader in flight and open ``kind`` with everything that waits for it, left open
        unless ``wait``."""
        self.close()
        if kind == "records":
            self.loader = Loader(Veteran, _BULK_FIELDS, queued=True, batch=self.BATCH)
            self.loader.write(self.rows)
            self.rows = []
        else:
            self.loader = gram_loader(queued=True, batch=self.BATCH * 5)
            self.loader.write(self.names)
            self.names = []
        self.in_flight = kind
        if wait:
            self.close()

    def close(self) -> None:
        """Close the loader in flight: the database has everything sent once this returns."""
        if self.loader is not None:
            loader, self.loader = self.loader, None
            loader.close()

    def finish(self) -> int:
        """Write what still waits (records, name pieces, categories, tags); the number of new records."""
        self.close()
        if self.rows:
            self._send("records", wait=True)
        if self.names:
            self._send("pieces", wait=True)
        VeteranCategory.objects.bulk_create(self.categories, batch_size=self.BATCH)
        copy_into(Veteran.tags.through, ["veteran_id", "tag_id"], self.tagged)
        records_changed(*self.regions)
        return self.created


FAMILY_FIELDS = ["relation", "name", "is_military_family"]


def _family_values(actor: User, raw: dict[str, Any]) -> dict[str, Any]:
    from core.errors import ErrorCollector
    from core.parsing import enum_value, is_blank, text
    from core.validators import parse_id_number, validate_phone
    from veterans import choices as c

    errors = ErrorCollector()
    values: dict[str, Any] = {
        "relation": errors.check(enum_value, raw.get("relation"), "relation", c.RELATIONS, required=True),
        "name": errors.check(text, raw.get("name"), "name", max_length=50, required=True),
        "is_military_family": bool(raw.get("is_military_family")),
    }
    id_number = None if is_blank(raw.get("id_number")) else errors.check(parse_id_number, raw.get("id_number"))
    phone = errors.check(validate_phone, raw.get("phone")) or ""
    errors.raise_if_any()
    values["id_number_enc"] = encrypt(id_number.value) if id_number else ""
    values["id_hash"] = keyed_hash(id_number.value, "family_id") if id_number else ""
    values["phone_enc"] = encrypt(phone) if phone else ""
    return values


@transaction.atomic
def family_member_add(*, actor: User, veteran: Veteran, raw: dict[str, Any]) -> Any:
    from veterans.models import FamilyMember

    require(actor, "veterans.manage")
    member = FamilyMember.objects.create(veteran=veteran, **_family_values(actor, raw))
    audit_record(actor=actor, action="veteran.family_add", obj=veteran, region_code=veteran.region_code,
                 after={**snapshot(member, FAMILY_FIELDS), "id_number_masked": member.id_number_masked})  # fmt: skip
    return member


@transaction.atomic
def family_member_remove(*, actor: User, member: Any, reason: str = "") -> None:
    require(actor, "veterans.manage")
    veteran = member.veteran
    before = {**snapshot(member, FAMILY_FIELDS), "id_number_masked": member.id_number_masked}
    member.delete()
    audit_record(actor=actor, action="veteran.family_remove", obj=veteran, region_code=veteran.region_code,
                 before=before, reason=reason)  # fmt: skip
