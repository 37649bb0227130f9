"""Editing the catalog and the rewards: a change to an item is a new version from a date (today or later), so
an entry already made keeps the points it was scored by; an item is withdrawn by a retired version from a date.
Each service checks ``points.catalog``, runs in one transaction and is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.errors import invalid, merged
from core.permissions import require
from points import seed
from points.entries import catalog_on, version_on
from points.models import Aspect, Basis, Evidence, Item, ItemVersion, Reward, RewardKind, Submitter


@dataclass
class VersionInput:
    name: str
    basis: str
    points: int
    deduction: bool = False
    quarter_cap: int | None = None
    year_cap: int | None = None
    submitters: list[str] = field(default_factory=list)
    town_from: int | None = None
    evidence: str = Evidence.NONE
    evidence_hint: str = ""


def is_example(day: dt.date | None = None) -> bool:
    """Whether the catalog in force is still the seeded example scheme (no version published by the bureau)."""
    versions = catalog_on(day)
    return bool(versions) and all(v.effective_from == seed.SINCE and v.published_by_id is None for v in versions)


def history_of(item: Item) -> list[ItemVersion]:
    """Every version of the item, newest first."""
    return list(item.versions.select_related("published_by").order_by("-effective_from", "-published_at", "-id"))


def _check_from(day: dt.date | None) -> dt.date:
    if day is None:
        raise invalid("effective_from", _("Give the date the change applies from."), code="required")
    if day < timezone.localdate():
        raise invalid("effective_from", _("A change applies from today or later: the past is never rewritten."),
                      code="past")  # fmt: skip
    return day


def _check_version(data: VersionInput) -> None:
    errors = []
    if not (data.name or "").strip():
        errors.append(invalid("name", _("Give the item's name."), code="required"))
    if data.basis not in Basis.values:
        errors.append(invalid("basis", _("Choose how the item is scored."), code="bad_basis"))
    if not data.points or data.points < 1:
        errors.append(invalid("points", _("Points are a whole number above 0."), code="bad_points"))
    for name in ("quarter_cap", "year_cap", "town_from"):
        value = getattr(data, name)
        if value is not None and value < 1:
            errors.append(invalid(name, _("Leave it empty or give a number above 0."), code="not_positive"))
    if not data.submitters or any(s not in Submitter.values for s in data.submitters):
        errors.append(invalid("submitters", _("Choose who may submit the item."), code="required"))
    if data.evidence not in Evidence.values:
        errors.append(invalid("evidence", _("Choose the evidence needed."), code="bad_evidence"))
    if errors:
        raise merged(errors)


def _fields(data: VersionInput) -> dict[str, Any]:
    return {
        "name": data.name.strip()[:60], "basis": data.basis, "points": data.points, "deduction": data.deduction,
        "quarter_cap": data.quarter_cap, "year_cap": data.year_cap, "submitters": list(data.submitters),
        "town_from": data.town_from, "evidence": data.evidence, "evidence_hint": (data.evidence_hint or "")[:200],
    }  # fmt: skip


def _audited(version: ItemVersion) -> dict[str, Any]:
    """What the audit entry of a new version records."""
    after = dict(_fields_of(version))
    after.update({"item": version.item.code, "effective_from": version.effective_from, "retired": version.retired})
    return after


def _fields_of(version: ItemVersion) -> dict[str, Any]:
    names = ("name", "basis", "points", "deduction", "quarter_cap", "year_cap", "submitters", "town_from",
             "evidence", "evidence_hint")  # fmt: skip
    return {n: getattr(version, n) for n in names}


@transaction.atomic
def publish_version(*, actor: Any, item: Item, effective_from: dt.date | None, data: VersionInput) -> ItemVersion:
    """A new version of the item from ``effective_from``: entries dated before it keep their version."""
    require(actor, "points.catalog")
    day = _check_from(effective_from)
    _check_version(data)
    version = ItemVersion.objects.create(item=item, effective_from=day, published_by=actor, **_fields(data))
    audit_record(actor=actor, action="points.catalog.version", obj=version, after=_audited(version))
    return version


@transaction.atomic
def add_item(*, actor: Any, aspect: Aspect, effective_from: dt.date | None, data: VersionInput) -> Item:
    """A new item of the aspect, in the catalog from ``effective_from``."""
    require(actor, "points.catalog")
    day = _check_from(effective_from)
    _check_version(data)
    n = Item.objects.filter(aspect=aspect).count() + 1
    while Item.objects.filter(code=f"{aspect.code}-{n}").exists():
        n += 1
    order = (Item.objects.filter(aspect=aspect).aggregate(m=Max("order"))["m"] or 0) + 1
    item = Item.objects.create(aspect=aspect, code=f"{aspect.code}-{n}"[:30], order=order)
    version = ItemVersion.objects.create(item=item, effective_from=day, published_by=actor, **_fields(data))
    audit_record(actor=actor, action="points.catalog.add_item", obj=version, after=_audited(version))
    return item


@transaction.atomic
def withdraw_item(*, actor: Any, item: Item, effective_from: dt.date | None) -> ItemVersion:
    """The item leaves the catalog from ``effective_from`` (a retired version); past entries keep theirs."""
    require(actor, "points.catalog")
    day = _check_from(effective_from)
    current = version_on(item, day)
    if current is None:
        raise invalid("effective_from", _("The item is not in the catalog on that date."), code="not_in_force")
    version = ItemVersion.objects.create(item=item, effective_from=day, published_by=actor, retired=True,
                                         **_fields_of(current))  # fmt: skip
    audit_record(actor=actor, action="points.catalog.withdraw", obj=version, after=_audited(version))
    return version


@transaction.atomic
def aspect_save(*, actor: Any, aspect: Aspect, name: str, order: int | None) -> Aspect:
    """Rename an aspect or move it in the catalog's order."""
    require(actor, "points.catalog")
    name = (name or "").strip()
    if not name:
        raise invalid("name", _("Give the aspect's name."), code="required")
    if Aspect.objects.filter(name=name).exclude(pk=aspect.pk).exists():
        raise invalid("name", _("Another aspect has this name."), code="duplicate")
    if order is not None and not 0 <= order <= 1000:
        raise invalid("order", _("The order is a number from 0 to 1000."), code="bad_order")
    before = {"name": aspect.name, "order": aspect.order}
    aspect.name = name[:40]
    if order is not None:
        aspect.order = order
    aspect.save(update_fields=["name", "order"])
    audit_record(actor=actor, action="points.catalog.aspect", obj=aspect, before=before,
                 after={"name": aspect.name, "order": aspect.order})  # fmt: skip
    return aspect


@dataclass
class RewardInput:
    name: str
    kind: str
    cost: int
    stock: int | None = None
    description: str = ""
    active: bool = True


@transaction.atomic
def reward_save(*, actor: Any, reward: Reward | None, data: RewardInput) -> Reward:
    """Add a reward (``reward`` None) or change one; its stock empty means no limit."""
    require(actor, "points.catalog")
    errors = []
    if not (data.name or "").strip():
        errors.append(invalid("name", _("Give the reward's name."), code="required"))
    if data.kind not in RewardKind.values:
        errors.append(invalid("kind", _("Choose the kind of reward."), code="bad_kind"))
    if not data.cost or data.cost < 1:
        errors.append(invalid("cost", _("Points are a whole number above 0."), code="bad_points"))
    if data.stock is not None and data.stock < 0:
        errors.append(invalid("stock", _("Leave it empty (no limit) or give 0 or more."), code="negative"))
    if errors:
        raise merged(errors)
    values = {"name": data.name.strip()[:60], "kind": data.kind, "cost": data.cost, "stock": data.stock,
              "description": (data.description or "").strip()[:300], "active": data.active}  # fmt: skip
    if reward is None:
        n = Reward.objects.count() + 1
        while Reward.objects.filter(code=f"reward-{n}").exists():
            n += 1
        order = (Reward.objects.aggregate(m=Max("order"))["m"] or 0) + 1
        reward = Reward.objects.create(code=f"reward-{n}", order=order, **values)
        audit_record(actor=actor, action="points.reward.add", obj=reward, after=values)
        return reward
    locked = Reward.objects.select_for_update().get(pk=reward.pk)
    before = {k: getattr(locked, k) for k in values}
    for k, v in values.items():
        setattr(locked, k, v)
    locked.save(update_fields=list(values))
    audit_record(actor=actor, action="points.reward.change", obj=locked, before=before, after=values)
    return locked
