"""Every write of hardship aid and its fund: propose an application, record a donation, reverse a ledger row,
hold a disbursement ceremony. Each checks the actor's capability and scope, runs in one transaction and is
audited; the town's check and the city's approval are the kit's ``act`` (``aid.process``).

The fund's balance is changed only under its row's lock (``locked_fund``), and the database refuses a
negative balance: two ceremonies at once, or a ceremony and the reversal of a donation, wait for each
other, and the second sees what the first spent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aid.models import (
    APPLICATION_PROCESS,
    MAX_APPLICATION,
    MAX_DONATION,
    Application,
    Ceremony,
    Donor,
    DonorKind,
    EntryKind,
    Fund,
    FundEntry,
    Need,
)
from audit.services import audit_record
from core import events
from core.errors import ErrorCollector, bad_choice, invalid
from core.ledger import reverse_entry
from core.permissions import require
from core.scoping import OWN_CAPABILITY
from regions.models import Level, Region, ancestor_code, level_of, prefix_of
from veterans.choices import Status
from veterans.models import Veteran
from workflow.models import Case
from workflow.registry import PROCESSES

#: The most grants one ceremony pays.
MAX_BATCH = 500
#: The most text a name, a place or a reference takes (the model's columns).
MAX_NAME = 100

#: Sent on commit whenever money moves (a donation, a ceremony's grants, a reversal): ``fund`` (its id) and
#: ``rows`` (the ledger rows' ids). The cockpit keeps its aggregates current from it.
fund_moved = events.declare("aid_fund_moved")

_BELOW_CITY = (Level.CITY, Level.TOWN, Level.VILLAGE, Level.GRID)


# --- input --------------------------------------------------------------------------------------------------


def clean_amount(field: str, value: Any, maximum: Decimal) -> Decimal:
    """An amount in yuan: more than nothing, at most two decimals (never rounded), at most ``maximum``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise invalid(field, _("Give the amount in yuan."), code="required")
    if isinstance(value, bool | float):
        raise invalid(field, _("An amount in yuan with at most two decimals, such as 1280.50."), code="not_money")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise invalid(field, _("An amount in yuan with at most two decimals, such as 1280.50."), code="not_money")
    if amount <= 0:
        raise invalid(field, _("The amount must be more than nothing."), code="not_positive")
    if amount > maximum:  # before quantize: 1E+30 has more digits than the decimal context holds
        raise invalid(field, _("At most %(max)s yuan."), code="too_much", max=maximum)
    if amount != amount.quantize(Decimal("0.01")):
        raise invalid(field, _("An amount in yuan with at most two decimals, such as 1280.50."), code="not_money")
    return amount.quantize(Decimal("0.01"))


def _text(field: str, value: str | None, limit: int, *, required: bool, label: Any) -> str:
    text = (value or "").strip()
    if required and not text:
        raise invalid(field, _("%(label)s is required."), code="required", label=label)
    if len(text) > limit:
        raise invalid(field, _("%(label)s: at most %(max)d characters (this has %(n)d)."), code="too_long",
                      label=label, max=limit, n=len(text))  # fmt: skip
    if "\x00" in text:
        raise invalid(field, _("%(label)s must be plain text."), code="not_text", label=label)
    return text


# --- the fund -----------------------------------------------------------------------------------------------


def fund_code(user: Any) -> str:
    """The city whose fund the user works with: that of their scope (the city or an area under it)."""
    scope = getattr(user, "scope_region", None)
    if scope is None or scope.level not in _BELOW_CITY:
        raise invalid("fund", _("Your area holds more than one city's fund: work from a city's account."),
                      code="no_fund")  # fmt: skip
    return ancestor_code(scope.code, Level.CITY)


def fund_for(code: str) -> Fund:
    """The fund of this city (made, empty, the first time it is asked for)."""
    fund, _made = Fund.objects.get_or_create(region_code=code)
    return fund


def locked_fund(fund: Fund) -> Fund:
    """The fund's row, locked until the transaction ends: its balance is read and written only so."""
    return Fund.objects.select_for_update().get(pk=fund.pk)


def _moved(fund: Fund, rows: Sequence[FundEntry]) -> None:
    events.emit("aid_fund_moved", sender=FundEntry, fund=fund.pk, rows=[r.pk for r in rows])


# --- applications ---------------------------------------------------------------------------------------------


def _own_unit(region_code: str) -> str:
    """Who answers for a veteran's own application: their village station (their town's, with no village)."""
    level = level_of(region_code)
    if level in (Level.VILLAGE, Level.GRID):
        return ancestor_code(region_code, Level.VILLAGE)
    return ancestor_code(region_code, Level.TOWN) if level == Level.TOWN else region_code


@transaction.atomic
def application_propose(
    *, actor: Any, veteran: Veteran | int, need: str, circumstances: str, requested: Any
) -> Application:
    """The village station proposes hardship aid for a veteran of its area, or the veteran applies in their
    portal (their own account, or one acting for them): the town checks it next."""
    from workflow.services import open_case

    vid = veteran.pk if isinstance(veteran, Veteran) else veteran
    own = actor.can(OWN_CAPABILITY) and vid in actor.represented_ids()
    if not own:
        require(actor, "aid.propose")
    errors = ErrorCollector()
    person = (Veteran.objects.filter(pk=vid) if own else Veteran.objects.visible_to(actor).filter(pk=vid)).first()
    if person is None:
        errors.add(invalid("veteran", _("No such veteran in your area."), code="not_visible"))
    elif person.status == Status.DECEASED:
        errors.add(invalid("veteran", _("%(name)s has died: hardship aid is for the living."), code="deceased",
                           name=person.name))  # fmt: skip
    if need not in Need.values:
        errors.add(bad_choice("need", Need.choices))
    text = errors.check(_text, "circumstances", circumstances, 1000, required=True, label=_("circumstances"))
    amount = errors.check(clean_amount, "requested", requested, MAX_APPLICATION)
    errors.raise_if_any()
    assert person is not None
    waiting = Application.objects.filter(veteran=person, case__state=Case.State.OPEN).select_related("case").first()
    if waiting is not None:
        raise invalid("veteran", _("%(name)s already has an application in progress: %(number)s."),
                      code="open_application", name=person.name, number=waiting.case.number)  # fmt: skip
    scope = actor.scope_region
    case = open_case(
        actor=actor,
        process=PROCESSES[APPLICATION_PROCESS],
        title=f"{person.name} · {Need(need).label}",
        region_code=person.region_code,
        owner_code=_own_unit(person.region_code) if own else scope.code if scope is not None else person.region_code,
        veteran=person,
        subject={"veteran": person, "need": need, "circumstances": text, "requested": amount},
        note=text,
        automatic=own,  # the veteran's own application: who they are was checked above
    )
    application: Application = case.subject
    audit_record(actor=actor, action="aid.propose", obj=application, region_code=person.region_code,
                 after={"veteran": person.pk, "need": need, "requested": str(amount)})  # fmt: skip
    return application


# --- donations ----------------------------------------------------------------------------------------------------


@transaction.atomic
def donation_record(
    *,
    actor: Any,
    donor: str,
    donor_kind: str,
    amount: Any,
    received_on: dt.date | None,
    reference: str = "",
    note: str = "",
    region: str = "",
) -> FundEntry:
    """Money given to the fund, with its donor (recorded with their first gift): the balance grows by it.

    ``region`` is the area it was given for (a town's enterprises give to their town's veterans); the city by
    default."""

    require(actor, "aid.fund_manage")
    code = fund_code(actor)
    errors = ErrorCollector()
    name = errors.check(_text, "donor", donor, MAX_NAME, required=True, label=_("donor"))
    if donor_kind not in DonorKind.values:
        errors.add(bad_choice("donor_kind", DonorKind.choices))
    money = errors.check(clean_amount, "amount", amount, MAX_DONATION)
    today = timezone.localdate()
    if received_on is None:
        errors.add(invalid("received_on", _("Give the date the money was received."), code="required"))
    elif received_on > today:
        errors.add(invalid("received_on", _("The date is in the future."), code="future"))
    ref = errors.check(_text, "reference", reference, 60, required=False, label=_("receipt or transfer number"))
    words = errors.check(_text, "note", note, 500, required=False, label=_("note"))
    area = (region or "").strip() or code
    if not (area.startswith(prefix_of(code)) and Region.objects.filter(code=area).exists()):
        errors.add(invalid("region", _("No region of this fund's city has this code."), code="unknown_region"))
    errors.raise_if_any()
    assert received_on is not None
    giver, _made = Donor.objects.get_or_create(name=name, kind=donor_kind)
    fund = locked_fund(fund_for(code))
    row = FundEntry.objects.create(
        fund=fund, kind=EntryKind.DONATION, day=received_on, region_code=area, amount=money, donor=giver,
        reference=ref or "", note=words or "", created_by=actor,
    )  # fmt: skip
    fund.balance += money
    fund.save(update_fields=["balance", "updated_at"])
    after = {"donor": giver.name, "donor_kind": giver.kind, "amount": str(money), "balance": str(fund.balance)}
    audit_record(actor=actor, action="aid.donate", obj=row, region_code=area, after=after)
    _moved(fund, [row])
    return row


# --- corrections --------------------------------------------------------------------------------------------------


@transaction.atomic
def entry_reverse(*, actor: Any, entry: FundEntry | int, reason: str) -> FundEntry:
    """A donation or a grant entered in error, reversed with the reason: the mirror row, booked today.

    A reversed donation leaves the fund; refused when the fund no longer holds it. A reversed grant comes back
    to the fund; its application stays granted once (it is not paid a second time)."""
    require(actor, "aid.fund_manage")
    pk = entry.pk if isinstance(entry, FundEntry) else entry
    found = FundEntry.objects.visible_to(actor, "correct").filter(pk=pk).first()
    if found is None:
        raise invalid("entry", _("No such ledger row in your area."), code="not_found")
    fund = locked_fund(found.fund)
    already = FundEntry.objects.filter(reverses=found).exists()  # said as reverse_entry says it, before the money
    if found.reverses_id is None and not already and fund.balance - found.amount < 0:
        raise invalid("entry", _("Reversing this donation of %(amount)s yuan would take the fund below nothing: it "
                                 "holds %(balance)s yuan (%(short)s short)."), code="fund_short",
                      amount=found.amount, balance=fund.balance, short=found.amount - fund.balance)  # fmt: skip
    reversal = reverse_entry(found, actor=actor, reason=reason, day=timezone.localdate())
    fund.balance += reversal.amount
    fund.save(update_fields=["balance", "updated_at"])
    audit_record(actor=actor, action="aid.reverse", obj=reversal, region_code=found.region_code,
                 after={"reverses": found.pk, "amount": str(reversal.amount), "balance": str(fund.balance)},
                 reason=reversal.reason)  # fmt: skip
    _moved(fund, [reversal])
    return reversal


# --- disbursement ceremonies --------------------------------------------------------------------------------------


@transaction.atomic
def ceremony_hold(
    *, actor: Any, name: str, held_on: dt.date | None, place: str = "", applications: Sequence[int]
) -> Ceremony:
    """A disbursement ceremony (发放仪式): pays every chosen application (approved, not yet paid, of this fund)
    its approved amount, in one step. All or nothing: one that cannot be paid, or a fund that cannot cover the
    whole batch, refuses the ceremony with the reason (the shortfall, in yuan)."""

    require(actor, "aid.fund_manage")
    code = fund_code(actor)
    errors = ErrorCollector()
    title = errors.check(_text, "name", name, MAX_NAME, required=True, label=_("ceremony"))
    where = errors.check(_text, "place", place, MAX_NAME, required=False, label=_("place"))
    if held_on is None:
        errors.add(invalid("held_on", _("Give the date of the ceremony."), code="required"))
    elif held_on > timezone.localdate():
        errors.add(invalid("held_on", _("A ceremony is recorded on the day it is held, not before."), code="future"))
    ids = list(dict.fromkeys(applications))
    if not ids:
        errors.add(invalid("applications", _("Choose the approved applications to pay."), code="required"))
    elif len(ids) > MAX_BATCH:
        errors.add(invalid("applications", _("At most %(n)s grants at one ceremony."), code="too_many", n=MAX_BATCH))
    errors.raise_if_any()
    assert held_on is not None
    fund = locked_fund(fund_for(code))  # every check below reads what the last holder of the lock committed
    batch = _payable(actor, fund, ids)
    total = sum((a.approved for a in batch), Decimal("0.00"))
    if total > fund.balance:
        raise invalid("applications", _("The fund holds %(balance)s yuan; these %(n)s grants need %(total)s yuan: "
                                        "%(short)s yuan short."), code="fund_short", balance=fund.balance,
                      n=len(batch), total=total, short=total - fund.balance)  # fmt: skip
    ceremony = Ceremony.objects.create(fund=fund, name=title, held_on=held_on, place=where or "", region_code=code,
                                       total=total, grants=len(batch), created_by=actor)  # fmt: skip
    rows = FundEntry.objects.bulk_create(
        [
            FundEntry(
                fund=fund,
                kind=EntryKind.GRANT,
                day=held_on,
                region_code=a.region_code,
                amount=-a.approved,
                application=a,
                ceremony=ceremony,
                created_by=actor,
            )
            for a in batch
        ]
    )
    fund.balance -= total
    fund.save(update_fields=["balance", "updated_at"])
    Application.objects.filter(pk__in=[a.pk for a in batch]).update(ceremony=ceremony)
    audit_record(actor=actor, action="aid.ceremony", obj=ceremony, region_code=code,
                 after={"name": title, "held_on": held_on, "total": str(total), "balance": str(fund.balance),
                        "grants": {a.case.number: str(a.approved) for a in batch}})  # fmt: skip
    _moved(fund, rows)
    return ceremony


def _payable(actor: Any, fund: Fund, ids: list[int]) -> list[Application]:
    """The chosen applications (by their case's id), each approved, of this fund and not yet paid; or the
    refusal naming those that are not."""
    found = {
        a.case_id: a
        for a in Application.objects.visible_to(actor).filter(case_id__in=ids).select_related("case", "veteran")
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise invalid("applications", _("Some of the applications chosen are not in your area."), code="not_visible")
    batch = [found[i] for i in ids]
    prefix = prefix_of(fund.region_code)
    unapproved = [a.case.number for a in batch if a.approved is None or a.case.state != Case.State.DONE]
    if unapproved:
        raise invalid("applications", _("Not approved, so not payable: %(numbers)s."), code="not_approved",
                      numbers="、".join(unapproved))  # fmt: skip
    other = [a.case.number for a in batch if not a.region_code.startswith(prefix)]
    if other:
        raise invalid("applications", _("Not of this fund's city: %(numbers)s."), code="other_fund",
                      numbers="、".join(other))  # fmt: skip
    paid = set(
        FundEntry.objects.filter(application__in=[a.pk for a in batch], reverses__isnull=True).values_list(
            "application_id", flat=True
        )
    )
    if paid:
        numbers = "、".join(a.case.number for a in batch if a.pk in paid)
        raise invalid("applications", _("Already paid: %(numbers)s. A grant is paid once."), code="already_paid",
                      numbers=numbers)  # fmt: skip
    return batch
