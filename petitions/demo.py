"""Demo petitions and 一件事 cases at every stage, so the inboxes, colours and statistics have something to show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from petitions.models import Petition
from petitions.services import PetitionInput, petition_register
from workflow.models import Case, Task
from workflow.services import act

#: (step, acting role, action, note, data): the petition procedure done the ordinary way
HAPPY_PATH: list[tuple[str, str, str, str, dict[str, Any]]] = [
    ("accept", "city_staff", "accept", "", {}),
    ("assign", "city_staff", "assign", "", {"unit": "<town>"}),
    ("investigate", "town_staff", "investigated", "走访核实，情况属实", {}),
    ("decide", "town_staff", "decide", "按政策予以解决", {"decision": "support"}),
    ("reply", "city_staff", "reply", "经核实，您反映的问题已按政策解决。", {}),
    ("follow_up", "town_staff", "visited", "电话回访，本人表示满意", {"satisfaction": "satisfied"}),
    ("archive", "city_staff", "archive", "", {}),
]


def drive(petition: Petition, actors: dict[str, Any], town: str, until: str = "") -> Petition:
    """Do the happy path's steps in order, stopping before ``until`` (all of them when empty)."""
    for step, role, action, note, data in HAPPY_PATH:
        if step == until:
            break
        task = petition.case.tasks.get(step=step, status=Task.Status.OPEN)
        values = {k: (town if v == "<town>" else v) for k, v in data.items()}
        act(actor=actors[role], task=task, action=action, note=note, data=values)
    petition.refresh_from_db()
    petition.case.refresh_from_db()
    return petition


DEMO_PETITIONS = [
    # (petitioner, channel, subject, days ago received, stop before step ("" = all the way), content)
    ("李建国", "visit", "benefits", 70, "", "反映优抚金未按时发放。"),
    ("王秀英", "letter", "housing", 40, "follow_up", "房屋年久失修，申请危房改造帮扶。"),
    ("张卫东", "phone_12345", "policy", 25, "reply", "咨询退役军人优待证办理流程。"),
    ("刘志强", "online", "placement", 12, "decide", "反映安置工作岗位与承诺不符。"),
    ("陈海", "phone_12397", "medical", 6, "investigate", "反映医疗补助报销慢。"),
    ("赵明", "visit", "care", 20, "accept", "申请参战人员身份认定。"),
    ("孙立", "letter", "other", 2, "accept", "建议在村里设立老兵活动室。"),
]


@transaction.atomic
def load_workflow_demo(users: dict[str, User], town_code: str, village_code: str) -> int:
    """Petitions and 一件事 cases in 当湖街道 (idempotent: only when there are no cases yet)."""
    if Case.objects.exists():
        return 0
    actors = {"city_staff": users["city_staff"], "town_staff": users["town_danghu"]}
    today = timezone.localdate()
    for name, channel, subject, days_ago, until, content in DEMO_PETITIONS:
        data = PetitionInput(
            channel=channel,
            received_on=(today - dt.timedelta(days=days_ago)).isoformat(),
            subject=subject,
            content=content,
            petitioner_name=name,
            region_code=village_code,
        )
        petition = petition_register(actor=users["city_staff"], data=data)
        drive(petition, actors, town_code, until=until)
    from cases.services import life_case_open
    from veterans.models import Veteran

    veterans = list(Veteran.objects.filter(region_code__startswith=town_code[:9], status="living").order_by("id")[:3])
    for veteran, stage in zip(veterans, ["reporting", "employment", "assistance"], strict=False):
        life_case_open(actor=users["town_danghu"], veteran=veteran, stage=stage)
    return len(DEMO_PETITIONS) + len(veterans)
