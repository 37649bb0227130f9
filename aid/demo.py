"""A small demo of hardship aid for Pinghu's demo, made through the real services: the fund with donations
from an association, a company and a person; applications of the first village's veterans at every stage
(at the town's check, at the city's approval, approved and waiting, refused, and two paid at a ceremony).

Idempotent: nothing is loaded when any application exists already.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from aid.models import Application, DonorKind, FundEntry
from aid.services import application_propose, ceremony_hold, donation_record
from core.context import batch as audit_batch
from regions.models import prefix_of
from veterans.choices import Status
from veterans.models import Veteran
from workflow.models import Task
from workflow.services import act

DONATIONS = (
    ("平湖市民营企业拥军协会", DonorKind.ASSOCIATION, "200000.00", 90, "2026-YJ-001"),
    ("平湖市某某机械有限公司（演示）", DonorKind.COMPANY, "50000.00", 60, "2026-YJ-002"),
    ("张某某（演示）", DonorKind.PERSON, "2000.00", 20, ""),
)
#: (kind of hardship, circumstances, asked, what happens: the steps done and the amount approved)
APPLICATIONS = (
    ("illness", "本人患重病住院，医疗费用负担重（演示）", "20000", ("forward", "approve:15000"), True),
    ("disaster", "房屋遭受台风损坏（演示）", "8000", ("forward", "approve"), True),
    ("living", "家庭收入低，子女尚在读书（演示）", "5000", ("forward", "approve:3000"), False),
    ("schooling", "子女考上大学，学费困难（演示）", "6000", ("forward",), False),
    ("living", "配偶失业，生活困难（演示）", "3000", (), False),
    ("other", "经核实收入超过标准（演示）", "4000", ("refuse",), False),
)


def _user(users: dict[str, Any], role: str, code: str) -> Any:
    """The demo user of this role whose scope holds ``code``."""
    return next(u for u in users.values() if u.role == role and u.scope_region and code.startswith(u.scope_prefix))


def _step(application: Application, actor: Any, action: str) -> None:
    key, _colon, amount = action.partition(":")
    task = Task.objects.get(case=application.case, status=Task.Status.OPEN)
    note = "经核实，收入超过帮扶标准（演示）" if key == "refuse" else ""
    act(actor=actor, task=task, action=key, note=note, data={"amount": amount} if amount else {})


def load_aid_demo(users: dict[str, Any], first_village: str) -> dict[str, int]:
    """Load the hardship aid demo (see the module's docstring); return what was added."""
    added: dict[str, int] = {}
    people = list(
        Veteran.objects.filter(region_code__startswith=prefix_of(first_village), status=Status.LIVING).order_by("id")[
            : len(APPLICATIONS)
        ]
    )
    if Application.objects.exists() or len(people) < len(APPLICATIONS):
        return added
    village = _user(users, Role.VILLAGE_STAFF, people[0].region_code)
    town = _user(users, Role.TOWN_STAFF, people[0].region_code)
    city = _user(users, Role.CITY_STAFF, people[0].region_code)
    today = timezone.localdate()
    with audit_batch(), transaction.atomic():
        for donor, kind, amount, days_ago, reference in DONATIONS:
            donation_record(actor=city, donor=donor, donor_kind=kind, amount=Decimal(amount),
                            received_on=today - dt.timedelta(days=days_ago), reference=reference)  # fmt: skip
        to_pay = []
        for person, (need, circumstances, asked, steps, paid) in zip(people, APPLICATIONS, strict=True):
            application = application_propose(actor=village, veteran=person, need=need,
                                               circumstances=circumstances, requested=Decimal(asked))  # fmt: skip
            for index, action in enumerate(steps):  # the town acts first, then the city
                _step(application, town if index == 0 else city, action)
            if paid:
                to_pay.append(application.case_id)
        ceremony_hold(actor=city, name="帮扶基金发放仪式（演示）", held_on=today, place="平湖市退役军人服务中心",
                      applications=to_pay)  # fmt: skip
    added["aid fund donations"] = len(DONATIONS)
    added["hardship aid applications"] = len(APPLICATIONS)
    added["grants paid at a ceremony"] = FundEntry.objects.filter(kind="grant").count()
    return added
