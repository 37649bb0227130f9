"""What the portal reads for a veteran: only through the one access rule (``visible_to``), which gives a
veteran's own account the rows about the veterans it represents (its own record, and those who authorised it,
代办) and nothing else. Another veteran's id is a 404, on every page and API call."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from benefits.models import Outcome, PaymentLine
from core.crypto import decrypt
from core.scoping import get_visible_or_404
from core.validators import mask_phone
from points.models import Account, PointEntry, Ranking, RankingRow, RankingState
from regions.models import GridLeaderTerm, Region, Station
from veterans.models import Veteran

#: the newest rows of a veteran's points history a page lists
HISTORY = 50


def represented(user: Any) -> list[Veteran]:
    """The veterans the account may read: its own first, then those it acts for."""
    found = list(Veteran.objects.visible_to(user).order_by("pk"))
    return sorted(found, key=lambda v: (v.pk != user.veteran_id, v.pk))


def chosen(user: Any, veteran_id: int | None) -> Veteran | None:
    """The veteran a portal page is about: the one asked for (404 unless represented), else the account's own,
    else the first it acts for; None when it represents nobody (not linked yet, or every authorisation ended)."""
    if veteran_id is None:
        veteran_id = user.veteran_id or next(iter(sorted(user.represented_ids())), None)
        if veteran_id is None:
            return None
    return get_visible_or_404(Veteran.objects.all(), user, pk=veteran_id)


@dataclass
class Points:
    balance: int
    owed: int
    history: list[PointEntry]
    #: the last published quarter's row (公示 or final) for the veteran, with its ranking
    rank: RankingRow | None
    ranking: Ranking | None


def points_of(user: Any, veteran: Veteran) -> Points:
    account = Account.objects.visible_to(user).filter(veteran=veteran).first()
    history = list(PointEntry.objects.visible_to(user).filter(veteran=veteran)
                   .select_related("aspect", "version", "reward").order_by("-id")[:HISTORY])  # fmt: skip
    row = (RankingRow.objects.filter(veteran_id=veteran.pk, ranking__state__in=RankingState.values)
           .select_related("ranking").order_by("-ranking__quarter", "-id").first())  # fmt: skip
    if row is not None and row.phase != row.ranking.state:  # the row of the phase the ranking is in
        row = RankingRow.objects.filter(ranking=row.ranking, phase=row.ranking.state, veteran_id=veteran.pk).first()
    return Points(account.balance if account else 0, account.owed if account else 0, history, row,
                  row.ranking if row else None)  # fmt: skip


@dataclass
class Month:
    month: str
    lines: list[PaymentLine] = field(default_factory=list)
    paid: Decimal = Decimal("0.00")
    held: Decimal = Decimal("0.00")


def payments_of(user: Any, veteran: Veteran, limit: int = 24) -> list[Month]:
    """The veteran's payments month by month, newest first (the months paid for, by program): what the bank
    paid and what is held back, with the reason."""
    lines = (PaymentLine.objects.visible_to(user).filter(entitlement__veteran=veteran)
             .filter(Q(outcome__outcome=Outcome.PAID) | ~Q(held_reason=""))
             .select_related("program", "outcome", "entitlement")
             .order_by("-period", "program__order", "id"))  # fmt: skip
    months: dict[str, Month] = defaultdict(lambda: Month(""))
    for line in lines[: limit * 12]:
        key = f"{line.period:%Y-%m}"
        month = months[key]
        month.month = key
        month.lines.append(line)
        if line.held_reason:
            month.held += line.amount
        else:
            month.paid += line.amount
    return list(months.values())[:limit]


@dataclass(frozen=True)
class Contact:
    label: str
    name: str
    phone: str  # the number to call (a tap on it calls)
    shown: str  # the number as shown (masked where it is a person's own mobile)


def contacts_of(veteran: Veteran) -> list[Contact]:
    """Whom the veteran calls: their contact person (named by the station, else the grid's leader), then the
    stations of their village and town."""
    from django.utils.translation import gettext as _

    from care.models import Assignment

    found: list[Contact] = []
    assigned = Assignment.objects.filter(veteran=veteran).select_related("user").first()
    term = (GridLeaderTerm.objects.filter(grid__code=veteran.region_code, end_date__isnull=True)
            .select_related("user").first())  # fmt: skip
    if assigned is not None:
        found.append(
            Contact(_("Contact person"), str(assigned.user), assigned.user.phone, mask_phone(assigned.user.phone))
        )
    elif term is not None:
        phone = (term.user.phone if term.user is not None else "") or term.leader_phone
        found.append(Contact(_("Grid leader"), term.leader_name, phone, mask_phone(phone) if phone else ""))
    region = Region.objects.filter(code=veteran.region_code).select_related("parent__parent__parent").first()
    chain = []
    while region is not None and region.level not in ("city", "prefecture", "province"):
        chain.append(region.pk)
        region = region.parent
    for station in Station.objects.filter(region_id__in=chain).order_by("-region__code"):
        found.append(Contact(station.get_kind_display(), station.name, station.phone, station.phone))
    return found


def record_of(veteran: Veteran) -> dict[str, Any]:
    """The record as the veteran sees it: ID number and phone masked."""
    return {
        "name": veteran.name,
        "id_number": veteran.id_number_masked,
        "phone": mask_phone(decrypt(veteran.phone_enc)) if veteran.phone_enc else "",
        "veteran": veteran,
    }


@dataclass
class NeedRow:
    need: Any
    #: the open step: its label and due date ("" when the need is closed)
    step: str
    due_on: Any
    #: the 回访 waiting for the veteran's answer (its task), when there is one
    followup: Any


def needs_of(user: Any, veteran: Veteran) -> list[NeedRow]:
    """The veteran's needs, newest first, with where each stands and the 回访 to answer."""
    from care.models import Need
    from workflow.services.access import person_may_act

    needs = list(Need.objects.visible_to(user).filter(case__veteran=veteran).select_related("case")
                 .order_by("-case__created_at", "-pk")[:50])  # fmt: skip
    steps = open_tasks([n.case for n in needs])
    rows = []
    for need in needs:
        task = steps.get(need.case_id)
        rows.append(NeedRow(need, step_label(task) if task else "", task.due_on if task else None,
                            task if task is not None and person_may_act(user, task) else None))  # fmt: skip
    return rows


@dataclass
class PetitionRow:
    petition: Any
    step: str
    due_on: Any


def petitions_of(user: Any, veteran: Veteran) -> list[PetitionRow]:
    """The veteran's petitions (信访), newest first: the step each is at and its due date."""
    from petitions.models import Petition

    found = list(Petition.objects.visible_to(user).filter(veteran=veteran).select_related("case")
                 .order_by("-received_on", "-pk")[:50])  # fmt: skip
    steps = open_tasks([p.case for p in found])
    return [PetitionRow(p, step_label(steps[p.case_id]) if p.case_id in steps else "",
                        steps[p.case_id].due_on if p.case_id in steps else None) for p in found]  # fmt: skip


@dataclass(frozen=True)
class Standard:
    process: Any
    steps: list[tuple[Any, str]]


#: the procedures a veteran meets (the bureau's own batches and rankings are not service standards)
PUBLIC_PROCESSES = ("petition", "petition_review", "care_need", "life_event", "entitlement",
                    "points_entry", "points_objection", "aid_application")  # fmt: skip


def service_standards() -> list[Standard]:
    """Each procedure a veteran meets, with the time limit of each of its steps, as the kit counts them."""
    from django.utils.translation import gettext as _

    from workflow.registry import PROCESSES

    found = []
    for key, process in PROCESSES.items():
        if key not in PUBLIC_PROCESSES:
            continue
        steps = []
        for step in process.steps:
            if step.limit is None:
                continue
            unit = _("%(n)s working days") if step.limit.working else _("%(n)s days")
            steps.append((step.label, unit % {"n": step.limit.days}))
        if steps:
            found.append(Standard(process.label, steps))
    return found


def corrections_of(user: Any, veteran: Veteran) -> list[Any]:
    """The veteran's requests to correct their record, newest first."""
    from portal.models import Correction

    return list(Correction.objects.visible_to(user).filter(case__veteran=veteran).select_related("case")
                .order_by("-case__created_at", "-pk")[:20])  # fmt: skip


def applications_of(user: Any, veteran: Veteran) -> list[Any]:
    """The veteran's hardship aid applications, newest first, with the step each is at."""
    from aid.models import Application

    found = list(Application.objects.visible_to(user).filter(veteran=veteran).select_related("case")
                 .order_by("-case__created_at", "-pk")[:20])  # fmt: skip
    steps = open_tasks([a.case for a in found])
    for application in found:
        task = steps.get(application.case_id)
        application.step, application.due_on = (step_label(task), task.due_on) if task else ("", None)
    return found


def step_label(task: Any) -> str:
    """The step's name as its process declares it, in the reader's language (a task keeps the label in the
    language of whoever opened it)."""
    from workflow.registry import PROCESSES

    process = PROCESSES.get(task.case.process)
    step = next((s for s in process.steps if s.key == task.step), None) if process is not None else None
    return str(step.label) if step is not None else task.label


def open_tasks(cases: Any) -> dict[int, Any]:
    """Each case's open task (the soonest due when it has several), with its case, in one query."""
    from workflow.models import Task

    found: dict[int, Any] = {}
    for task in Task.objects.filter(case__in=cases, status=Task.Status.OPEN).select_related("case").order_by("due_on"):
        found.setdefault(task.case_id, task)
    return found
