"""Entries and the ledger: submit an entry (one veteran or a group), book it when approved, correct a row,
redeem points. Every write checks the actor's capability and scope, runs in one transaction and is audited.

Refused, each with a message at its field: the same item for the same veteran on the same day twice; an entry
over the item's cap for the quarter or the year (saying by how much); an entry for a deceased veteran dated
after the death; a date in a quarter whose ranking is frozen. The caps and the frozen quarter are checked again
when the entry is approved, under the lock of every participant's account, so two approvals at once cannot
together pass a cap; a balance never goes negative (a database constraint, and the redemption's check under
the same lock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core import events
from core.errors import invalid, merged
from core.ledger import reverse_entry
from core.permissions import require
from points.models import (
    ENTRY_PROCESS,
    Account,
    Basis,
    Entry,
    Evidence,
    Item,
    ItemVersion,
    Kind,
    Participant,
    PointEntry,
    Ranking,
    Reward,
    Submitter,
)
from points.quarters import quarter_of
from regions.models import Level, ancestor_code, level_of, prefix_of
from veterans.choices import Status
from veterans.models import Veteran
from workflow.registry import PROCESSES

#: The most people one entry (a group activity) records.
MAX_PEOPLE = 200
MAX_HOURS = Decimal(24)
MAX_OCCASIONS = 50
#: How far back an entry may be dated.
MAX_AGE_DAYS = 366
PHOTO_TYPES = frozenset({".jpg", ".jpeg", ".png"})
DOCUMENT_TYPES = PHOTO_TYPES | {".pdf"}

#: Sent on commit whenever ledger rows are written (booked, reversed, redeemed): ``rows`` (their ids),
#: ``quarter``, ``veterans`` (ids). The cockpit keeps its aggregates current from it.
points_booked = events.declare("points_booked")


# --- the catalog as it stands on a day ------------------------------------------------------------------------


def version_on(item: Item, day: dt.date) -> ItemVersion | None:
    """The item's version in force on ``day`` (the latest from a date not after it; of one date, the later
    published); None when the item had none yet or was withdrawn from the catalog by then."""
    version = (
        ItemVersion.objects.filter(item=item, effective_from__lte=day)
        .order_by("-effective_from", "-published_at", "-id")
        .first()
    )
    return None if version is None or version.retired else version


def catalog_on(day: dt.date | None = None) -> list[ItemVersion]:
    """Every item in force on ``day`` (today by default), in the catalog's order."""
    day = day or timezone.localdate()
    items = Item.objects.select_related("aspect").order_by("aspect__order", "order", "code")
    versions = {}
    for v in ItemVersion.objects.filter(effective_from__lte=day).order_by(
        "item_id", "effective_from", "published_at", "id"
    ):
        versions[v.item_id] = v
    out = []
    for item in items:
        version = versions.get(item.pk)
        if version is not None and not version.retired:
            version.item = item
            out.append(version)
    return out


def submitter_of(actor: Any) -> str | None:
    """How the actor submits: as a grid leader (scope is a grid), as station staff, or as the veteran; None
    when they may not submit at all."""
    if actor.can("points.submit"):
        scope = getattr(actor, "scope_region", None)
        return Submitter.GRID_LEADER if scope is not None and scope.level == Level.GRID else Submitter.STATION
    if actor.can("points.submit_own") and getattr(actor, "veteran_id", None):
        return Submitter.VETERAN
    return None


def points_for(version: ItemVersion, quantity: Decimal) -> int:
    """What one participant gets by this version for ``quantity`` hours or occasions (signed, whole points)."""
    raw = Decimal(version.points) * (quantity if version.basis != Basis.FIXED else Decimal(1))
    whole = int(raw.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return -whole if version.deduction else whole


# --- submitting -----------------------------------------------------------------------------------------------


@dataclass
class EntryInput:
    veterans: Sequence[Veteran]
    item: Item | None
    day: dt.date | None
    #: hours (an item scored per hour) or occasions (per occasion); ignored for a fixed item
    quantity: Decimal | None = None
    description: str = ""
    #: uploaded files (a photo of the activity, a certificate)
    evidence: Sequence[Any] = field(default_factory=list)


def entry_submit(*, actor: Any, data: EntryInput) -> Entry:
    """Record an item on a day for one veteran or several (a group activity), with its evidence; it then waits
    for the village's approval (the town's for a deduction or a large award)."""
    from workflow.services import open_case
    from workflow.services.attachments import attachment_add

    kind = submitter_of(actor)
    if kind is None:
        raise PermissionDenied(_("You do not have permission to do this."))
    errors: list[ValidationError] = []
    people = _people(actor, kind, data.veterans, errors)
    day = data.day
    today = timezone.localdate()
    version = None
    if day is None:
        errors.append(invalid("day", _("Give the date of the activity."), code="required"))
    elif day > today:
        errors.append(invalid("day", _("The date is in the future."), code="future"))
    elif (today - day).days > MAX_AGE_DAYS:
        errors.append(invalid("day", _("The date is more than a year ago."), code="too_old"))
    if data.item is None:
        errors.append(invalid("item", _("Choose the item."), code="required"))
    elif day is not None:
        version = version_on(data.item, day)
        if version is None:
            errors.append(
                invalid("item", _("This item is not in the catalog on %(day)s."), code="not_in_force", day=day)
            )
        elif kind not in version.submitters:
            errors.append(invalid("item", _("“%(item)s” is not submitted by %(who)s."), code="not_submitter",
                                  item=version.name, who=Submitter(kind).label))  # fmt: skip
    quantity = _quantity(version, data.quantity, errors)
    _evidence_ok(version, data.evidence, errors)
    if errors:
        raise merged(errors)
    assert version is not None and day is not None and data.item is not None
    points_each = points_for(version, quantity)
    if points_each == 0:
        raise invalid("quantity", _("This comes to no points: give more hours."), code="no_points")
    region = _common_region(people)
    refusals = refusals_for(people, version, day, points_each, pending=True)
    if refusals:
        raise merged(refusals)
    description = (data.description or "").strip()[:500]
    names = "、".join(v.name for v in people[:3])
    if len(people) > 3:
        names = str(_("%(names)s and %(n)s others") % {"names": names, "n": len(people) - 3})
    with transaction.atomic():
        case = open_case(
            actor=actor,
            process=PROCESSES[ENTRY_PROCESS],
            title=f"{version.name} · {names}",
            region_code=region,
            owner_code=actor.scope_region.code if actor.scope_region_id else region,
            veteran=people[0] if len(people) == 1 else None,
            subject={
                "version": version,
                "item": data.item,
                "day": day,
                "quarter": quarter_of(day),
                "quantity": quantity,
                "points_each": points_each,
                "description": description,
                "submitted_as": kind,
                "town_approval": version.needs_town(points_each),
            },
            note=description,
            automatic=kind == Submitter.VETERAN,  # a veteran's own entry: the capability is checked above
        )
        entry: Entry = case.subject
        Participant.objects.bulk_create([Participant(entry=entry, veteran=v, item=data.item, day=day) for v in people])
        for upload in data.evidence:
            attachment_add(actor=actor, case=case, upload=upload, capability=_upload_capability(kind))
        audit_record(actor=actor, action="points.submit", obj=entry, region_code=region,
                     after={"item": data.item.code, "day": day, "points_each": points_each,
                            "veterans": [v.pk for v in people]})  # fmt: skip
    return entry


def _upload_capability(kind: str) -> str:
    return "points.submit_own" if kind == Submitter.VETERAN else "points.submit"


def _people(actor: Any, kind: str, veterans: Sequence[Veteran], errors: list[ValidationError]) -> list[Veteran]:
    ids = list(dict.fromkeys(v.pk for v in veterans))
    if not ids:
        errors.append(invalid("veterans", _("Choose at least one veteran."), code="required"))
        return []
    if len(ids) > MAX_PEOPLE:
        errors.append(invalid("veterans", _("At most %(n)s people in one entry."), code="too_many", n=MAX_PEOPLE))
        return []
    if kind == Submitter.VETERAN:
        if ids != [actor.veteran_id]:
            errors.append(invalid("veterans", _("You may submit entries for yourself only."), code="not_own"))
            return []
        return list(Veteran.objects.filter(pk=actor.veteran_id))
    found = {v.pk: v for v in Veteran.objects.visible_to(actor).filter(pk__in=ids)}
    if len(found) != len(ids):
        errors.append(invalid("veterans", _("Some of the people chosen are not in your area."), code="not_visible"))
        return []
    return [found[i] for i in ids]


def _quantity(version: ItemVersion | None, given: Decimal | None, errors: list[ValidationError]) -> Decimal:
    if version is None or version.basis == Basis.FIXED:
        return Decimal(1)
    if given is None:
        errors.append(invalid("quantity", _("Give the number of hours or occasions."), code="required"))
        return Decimal(1)
    if version.basis == Basis.PER_HOUR:
        if not Decimal("0.5") <= given <= MAX_HOURS or given * 2 != int(given * 2):
            errors.append(invalid("quantity", _("Hours are from 0.5 to %(max)s, in half hours."), code="bad_hours",
                                  max=MAX_HOURS))  # fmt: skip
        return given
    if given != int(given) or not 1 <= given <= MAX_OCCASIONS:
        errors.append(invalid("quantity", _("Occasions are a whole number from 1 to %(max)s."), code="bad_occasions",
                              max=MAX_OCCASIONS))  # fmt: skip
    return given


def _evidence_ok(version: ItemVersion | None, uploads: Sequence[Any], errors: list[ValidationError]) -> None:
    if version is None:
        return
    allowed = PHOTO_TYPES if version.evidence == Evidence.PHOTO else DOCUMENT_TYPES
    if version.evidence != Evidence.NONE and not uploads:
        hint = version.evidence_hint or version.get_evidence_display()
        errors.append(invalid("evidence", _("“%(item)s” needs evidence: %(hint)s."), code="evidence_required",
                              item=version.name, hint=hint))  # fmt: skip
    for upload in uploads:
        if Path(upload.name).suffix.lower() not in allowed:
            errors.append(invalid("evidence", _("Evidence files: %(types)s."), code="bad_type",
                                  types=" ".join(sorted(allowed))))  # fmt: skip
            return


def _common_region(people: Sequence[Veteran]) -> str:
    """The entry's region: the grid all its people live in, else their village; one village per entry."""
    codes = {v.region_code for v in people}
    if len(codes) == 1:
        code = next(iter(codes))
        if level_of(code) in (Level.GRID, Level.VILLAGE):
            return code
    villages = {ancestor_code(c, Level.VILLAGE) for c in codes}
    if len(villages) != 1:
        raise invalid("veterans", _("The people of one entry live in one village: record one entry per village."),
                      code="several_villages")  # fmt: skip
    return next(iter(villages))


def refusals_for(
    people: Sequence[Veteran], version: ItemVersion, day: dt.date, points_each: int, *, pending: bool,
    entry: Entry | None = None,
) -> list[ValidationError]:  # fmt: skip
    """Why these people may not get ``points_each`` by this item on this day: deceased before it, the quarter
    frozen, the same item that day already, or a cap passed (``pending``: counting entries still waiting for
    approval as well as the booked ones)."""
    errors: list[ValidationError] = []
    quarter = quarter_of(day)
    for v in people:
        if v.status == Status.DECEASED and (v.deceased_on is None or day > v.deceased_on):
            died = v.deceased_on or _("an unknown date")
            errors.append(invalid("veterans", _("%(name)s died on %(died)s: no entry after that date."),
                                  code="deceased", name=v.name, died=died))  # fmt: skip
    frozen = frozen_regions(quarter)
    for v in people:
        region = next((r for r in frozen if v.region_code.startswith(r)), None)
        if region is not None:
            message = _("The ranking of %(quarter)s is frozen for %(name)s's area: no more entries dated in it.")
            errors.append(invalid("day", message, code="frozen", quarter=quarter, name=v.name))
            break
    ids = [v.pk for v in people]
    names = {v.pk: v.name for v in people}
    same_day = Participant.objects.filter(item=version.item_id, day=day, veteran__in=ids, live=True)
    if entry is not None:
        same_day = same_day.exclude(entry=entry)
    for vid in same_day.values_list("veteran_id", flat=True):
        errors.append(invalid("veterans", _("%(name)s already has “%(item)s” on %(day)s."), code="duplicate",
                              name=names[vid], item=version.name, day=day))  # fmt: skip
    errors += _over_caps(ids, names, version, quarter, points_each, pending=pending, entry=entry)
    return errors


def _over_caps(
    ids: list[int], names: dict[int, str], version: ItemVersion, quarter: str, points_each: int, *, pending: bool,
    entry: Entry | None,
) -> list[ValidationError]:  # fmt: skip
    errors: list[ValidationError] = []
    for cap, period, label in (
        (version.quarter_cap, quarter, _("quarter")),
        (version.year_cap, quarter[:4], _("year")),
    ):
        if cap is None:
            continue
        used = used_points(ids, version.item_id, period, pending=pending, entry=entry)
        for vid in ids:
            over = used.get(vid, 0) + abs(points_each) - cap
            if over > 0:
                errors.append(invalid("quantity", _("%(name)s would pass the cap of %(cap)s points a %(period)s for "
                                                    "“%(item)s” by %(over)s (already %(used)s)."), code="over_cap",
                                      name=names[vid], cap=cap, period=label, item=version.name, over=over,
                                      used=used.get(vid, 0)))  # fmt: skip
    return errors


def used_points(
    ids: Iterable[int], item_id: int, period: str, *, pending: bool, entry: Entry | None = None
) -> dict[int, int]:
    """Points each veteran already has by the item in the period (a quarter ``2026Q3`` or a year ``2026``), as
    magnitudes: booked rows net of their reversals, and (``pending``) entries still waiting for approval."""
    ids = list(ids)
    booked = (
        PointEntry.objects.filter(veteran__in=ids, version__item=item_id, quarter__startswith=period)
        .exclude(kind=Kind.REDEMPTION)
        .values("veteran_id")
        .annotate(total=Sum("points"))
    )
    used = {row["veteran_id"]: abs(row["total"] or 0) for row in booked}
    if pending:
        waiting = Participant.objects.filter(
            veteran__in=ids, item=item_id, live=True, entry__quarter__startswith=period, entry__case__state="open"
        )
        if entry is not None:
            waiting = waiting.exclude(entry=entry)
        for vid, each in waiting.values_list("veteran_id", "entry__points_each"):
            used[vid] = used.get(vid, 0) + abs(each)
    return used


def frozen_regions(quarter: str) -> list[str]:
    """The code prefixes of the areas whose ranking of ``quarter`` is frozen."""
    return [prefix_of(code) for code in Ranking.objects.filter(quarter=quarter).values_list("region_code", flat=True)]


# --- booking, correcting, redeeming ---------------------------------------------------------------------------


def locked_accounts(veteran_ids: Iterable[int]) -> dict[int, Account]:
    """The accounts of these veterans, created where missing and locked (in id order: no deadlock)."""
    ids = sorted(set(veteran_ids))
    have = set(Account.objects.filter(veteran__in=ids).values_list("veteran_id", flat=True))
    missing = [i for i in ids if i not in have]
    if missing:
        regions = dict(Veteran.objects.filter(pk__in=missing).values_list("pk", "region_code"))
        Account.objects.bulk_create(
            [Account(veteran_id=i, region_code=regions[i]) for i in missing], ignore_conflicts=True
        )
    return {a.veteran_id: a for a in Account.objects.select_for_update().filter(veteran__in=ids).order_by("veteran_id")}


def apply(account: Account, delta: int) -> None:
    """Add ``delta`` to the account: an award pays what is owed first; a debit beyond the balance is owed."""
    total = account.balance - account.owed + delta
    account.balance, account.owed = (total, 0) if total >= 0 else (0, -total)
    account.save(update_fields=["balance", "owed", "updated_at"])


def book_entry(*, actor: Any, entry: Entry) -> list[PointEntry]:
    """The approval's effect: a ledger row for each live participant, under their accounts' locks, after the
    refusals are checked again against what is booked (a second approval cannot pass a cap)."""
    participants = list(entry.participants.filter(live=True).select_related("veteran"))
    accounts = locked_accounts(p.veteran_id for p in participants)
    people = [p.veteran for p in participants]
    refusals = refusals_for(people, entry.version, entry.day, entry.points_each, pending=False, entry=entry)
    if refusals:
        raise merged(refusals)
    aspect_id = Item.objects.filter(pk=entry.item_id).values_list("aspect_id", flat=True).get()
    kind = Kind.DEDUCTION if entry.points_each < 0 else Kind.AWARD
    rows = PointEntry.objects.bulk_create(
        [
            PointEntry(
                veteran=p.veteran, region_code=p.veteran.region_code, kind=kind, day=entry.day, quarter=entry.quarter,
                points=entry.points_each, aspect_id=aspect_id, version=entry.version, entry=entry, participant=p,
                created_by=actor,
            )
            for p in participants
        ]
    )  # fmt: skip
    for p in participants:
        apply(accounts[p.veteran_id], entry.points_each)
    audit_record(actor=actor, action="points.book", obj=entry, region_code=entry.region_code,
                 after={"rows": len(rows), "points_each": entry.points_each, "quarter": entry.quarter})  # fmt: skip
    _booked(rows, entry.quarter)
    return rows


def free_entry(entry: Entry) -> None:
    """A rejected or withdrawn entry: its people's day for the item is free again."""
    Participant.objects.filter(entry=entry, live=True).update(live=False)


@transaction.atomic
def correct(*, actor: Any, row: PointEntry | int, reason: str, objection: Any = None) -> PointEntry:
    """Reverse a booked row (an award or a deduction entered in error) with the reason; the participant's day
    for the item is free again, so the right entry can be made."""
    require(actor, "points.correct")
    pk = row.pk if isinstance(row, PointEntry) else row
    found = PointEntry.objects.visible_to(actor, "correct").filter(pk=pk).first()
    if found is None:
        raise invalid("row", _("No such ledger row in your area."), code="not_found")
    if found.kind == Kind.REDEMPTION:
        raise invalid("row", _("A redemption is cancelled, not corrected."), code="redemption")
    reversal = _reverse(actor, found, reason, objection=objection)
    audit_record(actor=actor, action="points.correct", obj=reversal, region_code=found.region_code,
                 after={"reverses": found.pk, "points": reversal.points}, reason=reversal.reason)  # fmt: skip
    return reversal


def _reverse(actor: Any, row: PointEntry, reason: str, *, objection: Any) -> PointEntry:
    accounts = locked_accounts([row.veteran_id])
    reversal = reverse_entry(row, actor=actor, reason=reason, objection=objection)
    apply(accounts[row.veteran_id], reversal.points)
    if row.participant_id:
        Participant.objects.filter(pk=row.participant_id).update(live=False)
    if row.reward_id:
        Reward.objects.filter(pk=row.reward_id, stock__isnull=False).update(stock=F("stock") + 1)
    _booked([reversal], row.quarter)
    return reversal


@transaction.atomic
def redeem(*, actor: Any, veteran: Veteran | int, reward: Reward | int, note: str = "") -> PointEntry:
    """Spend points on a reward (a gift, a service, priority in a nomination): a debit of the ledger, refused
    when the balance is short; two redemptions at once wait for each other on the account's lock."""
    vid = veteran.pk if isinstance(veteran, Veteran) else veteran
    own = actor.can("points.redeem_own") and getattr(actor, "veteran_id", None) == vid
    if not own:
        require(actor, "points.redeem")
    person = Veteran.objects.filter(pk=vid).first() if own else Veteran.objects.visible_to(actor).filter(pk=vid).first()
    if person is None:
        raise invalid("veteran", _("No such veteran in your area."), code="not_found")
    if person.status == Status.DECEASED:
        raise invalid("veteran", _("%(name)s has died: nothing can be redeemed."), code="deceased", name=person.name)
    rid = reward.pk if isinstance(reward, Reward) else reward
    prize = Reward.objects.select_for_update().filter(pk=rid, active=True).first()
    if prize is None:
        raise invalid("reward", _("This reward is not offered."), code="not_offered")
    if prize.stock is not None and prize.stock < 1:
        raise invalid("reward", _("“%(reward)s” is out of stock."), code="out_of_stock", reward=prize.name)
    account = locked_accounts([vid])[vid]
    if account.balance < prize.cost:
        raise invalid("reward", _("“%(reward)s” costs %(cost)s points; %(name)s has %(balance)s (%(short)s short)."),
                      code="balance_short", reward=prize.name, cost=prize.cost, name=person.name,
                      balance=account.balance, short=prize.cost - account.balance)  # fmt: skip
    today = timezone.localdate()
    row = PointEntry.objects.create(
        veteran=person, region_code=person.region_code, kind=Kind.REDEMPTION, day=today, quarter=quarter_of(today),
        points=-prize.cost, reward=prize, created_by=actor, reason=(note or "").strip()[:500],
    )  # fmt: skip
    apply(account, -prize.cost)
    if prize.stock is not None:
        prize.stock -= 1
        prize.save(update_fields=["stock"])
    audit_record(actor=actor, action="points.redeem", obj=row, region_code=person.region_code,
                 after={"veteran": person.pk, "reward": prize.code, "points": row.points})  # fmt: skip
    _booked([row], row.quarter)
    return row


@transaction.atomic
def cancel_redemption(*, actor: Any, row: PointEntry | int, reason: str) -> PointEntry:
    """Give back a redemption's points (the gift returned, the service not given), with the reason."""
    require(actor, "points.redeem")
    pk = row.pk if isinstance(row, PointEntry) else row
    found = PointEntry.objects.visible_to(actor).filter(pk=pk, kind=Kind.REDEMPTION).first()
    if found is None:
        raise invalid("row", _("No such redemption in your area."), code="not_found")
    reversal = _reverse(actor, found, reason, objection=None)
    audit_record(actor=actor, action="points.cancel_redemption", obj=reversal, region_code=found.region_code,
                 after={"reverses": found.pk, "points": reversal.points}, reason=reversal.reason)  # fmt: skip
    return reversal


def _booked(rows: Sequence[PointEntry], quarter: str) -> None:
    events.emit("points_booked", sender=PointEntry, rows=[r.pk for r in rows], quarter=quarter,
                veterans=sorted({r.veteran_id for r in rows}))  # fmt: skip


# --- reading ----------------------------------------------------------------------------------------------------


def balance_of(veteran: Veteran) -> tuple[int, int]:
    """The veteran's balance and what they owe (0, 0 before their first entry)."""
    account = Account.objects.filter(veteran=veteran).first()
    return (account.balance, account.owed) if account is not None else (0, 0)


def ledger_of(user: Any, veteran: Veteran) -> Any:
    """The veteran's ledger rows the user may see, newest first, with what each came from."""
    return (
        PointEntry.objects.visible_to(user)
        .filter(veteran=veteran)
        .select_related("version", "aspect", "reward", "entry__case", "reverses", "reversed_by", "created_by")
        .order_by("-id")
    )
