"""Every write of a campaign: made (a draft), opened (its people assigned to their grids), refreshed (the people
who came in since), closed; an action of 四全 marked for one person; the gift handed to a household. Each is one
transaction with its audit entry; the figures hear of a change through the ``campaign_progressed`` event.

Who: ``campaigns.manage`` makes, opens, refreshes and closes a campaign of an area within the actor's scope
(the city's staff a city campaign, a town's staff one of their town); ``campaigns.record`` marks the actions and
the gifts of the people of the actor's area (a grid leader: their grid). A closed campaign (or a draft) takes no
action; each action is marked once per person, a gift once per household: the second attempt is refused with who
did it and when (the database's ``UNIQUE`` decides between two at the same moment).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from campaigns.assignment import assign
from campaigns.models import ACTIONS, Action, Audience, Campaign, CampaignGift, CampaignTarget, Kind, State
from core import events
from core.db import table
from core.errors import Conflict, invalid, merged
from core.permissions import require
from regions.models import Level, Region
from veterans.choices import CATEGORIES
from veterans.models import Tag

#: A campaign lasts at most this many days.
MAX_DAYS = 366
#: What the figures subscribe to: a campaign's targets or marks changed (``campaign``: its id).
campaign_progressed = events.declare("campaign_progressed")

CATEGORY_VALUES = {value for value, _label, _term in CATEGORIES}


@dataclass
class CampaignInput:
    name: str
    kind: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    region_code: str
    audience: str
    categories: Sequence[str] = field(default_factory=list)
    tags: Sequence[str] = field(default_factory=list)
    actions: Sequence[str] = field(default_factory=lambda: list(ACTIONS))
    gift_name: str = ""


def _area(actor: Any, code: str, errors: list[ValidationError]) -> Region | None:
    region = Region.objects.visible_to(actor).filter(code=(code or "").strip()).first()
    if region is None:
        errors.append(invalid("region_code", _("No region of your area has this code."), code="unknown_region"))
        return None
    if region.level not in (Level.CITY, Level.TOWN):
        errors.append(invalid("region_code", _("A campaign covers the whole city or one town."), code="bad_level"))
        return None
    return region


def _clean(actor: Any, data: CampaignInput) -> tuple[dict[str, Any], list[ValidationError]]:
    errors: list[ValidationError] = []
    name = (data.name or "").strip()
    if not name:
        errors.append(invalid("name", _("Give the campaign a name."), code="required"))
    elif len(name) > 100:
        errors.append(invalid("name", _("At most 100 characters."), code="too_long"))
    if data.kind not in Kind.values:
        errors.append(invalid("kind", _("The kind is one of: %(kinds)s."), code="unknown_kind",
                              kinds=", ".join(Kind.values)))  # fmt: skip
    if data.starts_on is None:
        errors.append(invalid("starts_on", _("Give the first day."), code="required"))
    if data.ends_on is None:
        errors.append(invalid("ends_on", _("Give the last day."), code="required"))
    if data.starts_on and data.ends_on:
        if data.ends_on < data.starts_on:
            errors.append(invalid("ends_on", _("The last day is before the first."), code="ends_before_start"))
        elif (data.ends_on - data.starts_on).days > MAX_DAYS:
            errors.append(invalid("ends_on", _("A campaign lasts at most a year."), code="too_long"))
    region = _area(actor, data.region_code, errors)
    if data.audience not in Audience.values:
        errors.append(invalid("audience", _("Choose who the campaign is for."), code="unknown_audience"))
    categories = sorted({c.strip() for c in data.categories if c.strip()})
    if unknown := [c for c in categories if c not in CATEGORY_VALUES]:
        errors.append(invalid("categories", _("Unknown categories: %(codes)s."), code="unknown_category",
                              codes=", ".join(unknown)))  # fmt: skip
    if categories and data.audience == Audience.ALL_VETERANS:
        errors.append(invalid("categories", _("Categories narrow a campaign for people in special care only."),
                              code="categories_need_special_care"))  # fmt: skip
    tags = sorted({t.strip() for t in data.tags if t.strip()})
    known = set(Tag.objects.filter(code__in=tags).values_list("code", flat=True)) if tags else set()
    if unknown_tags := [t for t in tags if t not in known]:
        errors.append(invalid("tags", _("Unknown tags: %(codes)s."), code="unknown_tag", codes=", ".join(unknown_tags)))
    actions = [a for a in ACTIONS if a in set(data.actions)]
    if set(data.actions) - set(ACTIONS):
        errors.append(invalid("actions", _("The actions are some of: %(actions)s."), code="unknown_action",
                              actions=", ".join(ACTIONS)))  # fmt: skip
    elif not actions:
        errors.append(invalid("actions", _("Choose at least one action."), code="required"))
    gift = (data.gift_name or "").strip()
    if len(gift) > 100:
        errors.append(invalid("gift_name", _("At most 100 characters."), code="too_long"))
    values = {"name": name, "kind": data.kind, "starts_on": data.starts_on, "ends_on": data.ends_on,
              "region_code": region.code if region else "", "audience": data.audience, "categories": categories,
              "tags": tags, "actions": actions, "gift_name": gift}  # fmt: skip
    return values, errors


@transaction.atomic
def campaign_create(*, actor: Any, data: CampaignInput) -> Campaign:
    """A draft campaign of an area within the actor's scope (the city, or one town)."""
    require(actor, "campaigns.manage")
    values, errors = _clean(actor, data)
    if errors:
        raise merged(errors)
    campaign = Campaign.objects.create(created_by=actor, **values)
    audit_record(actor=actor, action="campaigns.create", obj=campaign, region_code=campaign.region_code,
                 after={k: v for k, v in values.items()})  # fmt: skip
    return campaign


def _managed(actor: Any, campaign: Campaign) -> Campaign:
    """The campaign, locked, when the actor may manage it (its area lies within theirs)."""
    require(actor, "campaigns.manage")
    locked = Campaign.objects.visible_to(actor, "manage").select_for_update().filter(pk=campaign.pk).first()
    if locked is None:  # seen from within (a town sees the city's campaign), not managed from there
        raise invalid(None, _("This campaign is run by %(area)s: only its staff may change it."), code="not_yours",
                      area=_area_name(campaign.region_code))  # fmt: skip
    return locked


def _area_name(code: str) -> str:
    return Region.objects.filter(code=code).values_list("name", flat=True).first() or code


def _state_is(campaign: Campaign, *states: str) -> None:
    if campaign.state not in states:
        raise Conflict(_("The campaign is %(state)s: this cannot be done now."), code="wrong_state",
                       params={"state": campaign.get_state_display()})  # fmt: skip


def _progressed(campaign: Campaign, regions: Iterable[str] = ()) -> None:
    """Tell the figures' readers (the cockpit's) of a committed change: the campaign's area, and the regions of
    the targets it touched (where their figures are kept)."""
    events.emit("campaign_progressed", sender=Campaign, campaign=campaign.pk, region_code=campaign.region_code,
                regions=sorted(set(regions)))  # fmt: skip


def _target_regions(campaign: Campaign) -> set[str]:
    return set(CampaignTarget.objects.filter(campaign=campaign).order_by().values_list("region_code", flat=True)
               .distinct())  # fmt: skip


@transaction.atomic
def campaign_open(*, actor: Any, campaign: Campaign) -> Campaign:
    """Open a draft: its people are assigned to their grids (one statement) and the actions may be marked."""
    locked = _managed(actor, campaign)
    _state_is(locked, State.DRAFT)
    added = assign(locked)
    locked.state, locked.opened_at, locked.targets = State.OPEN, timezone.now(), added
    locked.save(update_fields=["state", "opened_at", "targets"])
    audit_record(actor=actor, action="campaigns.open", obj=locked, region_code=locked.region_code,
                 before={"state": State.DRAFT}, after={"state": State.OPEN, "targets": added})  # fmt: skip
    _progressed(locked, _target_regions(locked))
    return locked


@transaction.atomic
def campaign_refresh(*, actor: Any, campaign: Campaign) -> int:
    """Add the people who came in since the campaign opened (moved in, newly in a category); how many. Running
    it again adds nobody twice."""
    locked = _managed(actor, campaign)
    _state_is(locked, State.OPEN)
    added = assign(locked)
    if added:
        locked.targets = CampaignTarget.objects.filter(campaign=locked).count()
        locked.save(update_fields=["targets"])
        _progressed(locked, _target_regions(locked))
    audit_record(actor=actor, action="campaigns.refresh", obj=locked, region_code=locked.region_code,
                 after={"added": added, "targets": locked.targets})  # fmt: skip
    return added


@transaction.atomic
def campaign_close(*, actor: Any, campaign: Campaign) -> Campaign:
    """Close an open campaign: no action is marked after; its report is final."""
    locked = _managed(actor, campaign)
    _state_is(locked, State.OPEN)
    locked.state, locked.closed_at, locked.closed_by = State.CLOSED, timezone.now(), actor
    locked.save(update_fields=["state", "closed_at", "closed_by"])
    reached = CampaignTarget.objects.filter(campaign=locked, visit_on__isnull=False).count()
    audit_record(actor=actor, action="campaigns.close", obj=locked, region_code=locked.region_code,
                 before={"state": State.OPEN}, after={"state": State.CLOSED, "reached": reached})  # fmt: skip
    _progressed(locked)
    return locked


# --- marking the actions and the gifts --------------------------------------------------------------------------


def _state_shared(campaign_id: int) -> str:
    """The campaign's state, its row held FOR SHARE until the transaction ends (PostgreSQL; SQLite runs one
    writer at a time)."""
    if connection.vendor != "postgresql":
        return str(Campaign.objects.filter(pk=campaign_id).values_list("state", flat=True).get())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT state FROM {table(Campaign)} WHERE id = %s FOR SHARE", [campaign_id])  # noqa: S608 (a table name from _meta)
        return str(cursor.fetchone()[0])


def _target(actor: Any, target_id: int | None) -> CampaignTarget:
    require(actor, "campaigns.record")
    found = (
        CampaignTarget.objects.visible_to(actor).select_related("campaign", "veteran").filter(pk=target_id).first()
        if target_id is not None
        else None
    )
    if found is None:
        raise invalid("target", _("This person is not among your campaign's people."), code="not_visible")
    campaign = found.campaign
    # the campaign's state under a shared lock: a close (which locks the row for update) waits for the marks
    # under way, and a mark that comes after it reads "closed" (the report of a closed campaign never changes)
    campaign.state = _state_shared(campaign.pk)
    if campaign.state != State.OPEN:
        raise Conflict(_("The campaign is %(state)s: nothing more is recorded on it."), code="campaign_not_open",
                       params={"state": campaign.get_state_display()})  # fmt: skip
    return found


def _day(day: dt.date | None, campaign: Campaign, field: str) -> dt.date:
    today = timezone.localdate()
    day = day or today
    if day > today:
        raise invalid(field, _("The date is in the future."), code="future")
    if day < campaign.starts_on:
        raise invalid(field, _("The campaign starts on %(day)s."), code="before_campaign", day=campaign.starts_on)
    return day


def _who(user: Any) -> str:
    return str(user.get_full_name() or user.username) if user is not None else "?"


@transaction.atomic
def action_record(*, actor: Any, target_id: int | None, action: str, day: dt.date | None = None,
                  mode: str = "home", note: str = "") -> CampaignTarget:  # fmt: skip
    """Mark one action of 四全 done for one person of the actor's area. The visit logs a regular-contact visit
    too (``care.services.visit_log``: it counts for the person's contact as any visit does). Once per person
    and action: a second is refused with who marked it and when."""
    target = _target(actor, target_id)
    campaign = target.campaign
    if action not in ACTIONS or action not in campaign.actions:
        raise invalid("action", _("This campaign's actions are: %(actions)s."), code="unknown_action",
                      actions=", ".join(str(label) for _key, label in campaign.action_labels()))  # fmt: skip
    day = _day(day, campaign, "day")
    note = (note or "").strip()
    if len(note) > 500:
        raise invalid("note", _("At most 500 characters."), code="too_long")
    if action == Action.HELP and not note:
        raise invalid("note", _("Say what help was given."), code="required")
    locked = CampaignTarget.objects.select_for_update().get(pk=target.pk)
    if locked.done(action):
        by, on = getattr(locked, f"{action}_by"), getattr(locked, f"{action}_on")
        raise Conflict(_("%(action)s was already recorded by %(who)s on %(day)s."), code="already_done",
                       params={"action": Action(action).label, "who": _who(by), "day": on})  # fmt: skip
    changed = {f"{action}_on": day, f"{action}_by": actor}
    if action == Action.VISIT:
        from care.services import VisitInput, visit_log

        visit = visit_log(actor=actor, data=VisitInput(veteran_id=locked.veteran_id, visited_on=day, mode=mode,
                                                       note=note or str(campaign.name)))  # fmt: skip
        changed["care_visit"] = visit
    if action == Action.HELP:
        changed["help_note"] = note
    for name, value in changed.items():
        setattr(locked, name, value)
    locked.save(update_fields=list(changed))
    after = {"campaign": campaign.pk, "veteran": locked.veteran_id, "action": action, "day": day}
    audit_record(actor=actor, action="campaigns.action", obj=locked, region_code=locked.region_code, after=after)
    _progressed(campaign, [locked.region_code])
    return locked


def _already_given(campaign: Campaign, household: str) -> Conflict | None:
    given = CampaignGift.objects.filter(campaign=campaign, household=household).select_related("given_by").first()
    if given is None:
        return None
    return Conflict(_("The gift was already given to this household by %(who)s on %(day)s."), code="already_given",
                    params={"who": _who(given.given_by), "day": given.given_on})  # fmt: skip


@transaction.atomic
def gift_give(*, actor: Any, target_id: int | None, day: dt.date | None = None, note: str = "") -> CampaignGift:
    """Record the campaign's gift handed to a person's household: once per household. Two grid leaders at the
    same moment: the database's ``UNIQUE (campaign, household)`` keeps one, the other is told who gave it."""
    target = _target(actor, target_id)
    campaign = target.campaign
    if not campaign.gift_name:
        raise invalid("target", _("This campaign hands out no gift."), code="no_gift")
    day = _day(day, campaign, "day")
    note = (note or "").strip()
    if len(note) > 200:
        raise invalid("note", _("At most 200 characters."), code="too_long")
    if refusal := _already_given(campaign, target.household):
        raise refusal
    try:
        with transaction.atomic():
            gift = CampaignGift.objects.create(campaign=campaign, household=target.household, target=target,
                                               region_code=target.region_code, given_on=day, given_by=actor,
                                               note=note)  # fmt: skip
    except IntegrityError:
        refusal = _already_given(campaign, target.household)  # the other one's, committed meanwhile
        if refusal is None:
            raise
        raise refusal from None
    audit_record(actor=actor, action="campaigns.gift", obj=gift, region_code=gift.region_code,
                 after={"campaign": campaign.pk, "veteran": target.veteran_id, "household": gift.household,
                        "gift": campaign.gift_name, "day": day})  # fmt: skip
    _progressed(campaign, [gift.region_code])
    return gift


def phones_shown(*, actor: Any, veterans: Sequence[Any]) -> dict[int, str]:
    """The full phones of the people on a grid leader's list, to call them: care's audited showing
    (``care.phone_shown``), the one way a phone is shown to a contact person."""
    from care.services import phones_shown as shown

    return shown(actor=actor, veterans=veterans)
