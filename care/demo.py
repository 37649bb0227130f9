"""The regular-contact demo for Pinghu: a year of visits and needs at every stage.

- **A year of visits**: every living veteran of Pinghu is contacted at their frequency over the last twelve months
  (重点人员 monthly, 优抚对象 quarterly, everyone else once a year), each due contact made with a chance of 93%,
  so that some people are overdue, as in life. These are loaded in bulk (one audit entry names how many), by
  the demo user of the person's area (the grid leader for the first grid, a town station, else the bureau).
- **Key people**: a few of the first village's veterans carry the 重点人员 tag, whose contact is their station.
- **Needs at every stage**, made through the real services (each audited, on the kit): raised from a visit
  and waiting at the town; routed to a partner department; resolved and waiting for the 回访; followed up and
  satisfied (closed); followed up, not satisfied and reopened; raised by the station.

Deterministic (a seeded random), idempotent: nothing is loaded when any visit exists.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.roles import Department, Role
from audit.services import audit_record
from care.models import KEY_PERSON_TAG, Mode, Need, Visit
from care.selectors import months_before
from care.services import NeedInput, VisitInput, need_raise, visit_log
from core.context import batch as audit_batch
from regions.demo import CITY_CODE
from regions.models import prefix_of
from veterans.choices import Status
from veterans.models import Tag, Veteran, VeteranCategory
from workflow.models import Task
from workflow.services import act

#: the share of due contacts made
REACHED = 0.93
NOTES = (
    "身体健康，生活正常",
    "电话问候，近况良好",
    "上门走访，了解家庭情况",
    "到站参加活动，交流近况",
    "微信联系，发送节日祝福",
)
MODES = (Mode.HOME, Mode.HOME, Mode.PHONE, Mode.WECHAT, Mode.STATION)
#: (category, what is needed, the steps: actor word and action, in order)
NEEDS = (
    ("housing", "老房屋顶漏雨，希望帮助联系修缮（演示）", ()),
    ("employment", "儿子退伍后待业，希望推荐就业岗位（演示）", (("town", "transfer:hrss"),)),
    ("medical", "慢性病用药报销手续不清楚（演示）", (("town", "resolve"),)),
    ("living", "独居，希望有人定期上门看看（演示）", (("town", "resolve"), ("village", "satisfied:very"))),
    ("legal", "宅基地纠纷，需要法律咨询（演示）", (("town", "resolve"), ("village", "dissatisfied"))),
    ("schooling", "孙子入学需要办理优待证明（演示）", ()),
)
RESOLUTIONS = {
    "medical": "已联系医保经办窗口，上门讲解报销流程并协助提交材料",
    "living": "已安排网格班长每周上门，村里结对志愿者",
    "legal": "已联系司法所，安排律师免费咨询",
}


def _user(users: dict[str, Any], role: str, code: str) -> Any | None:
    """The demo user of this role whose scope holds ``code``."""
    return next((u for u in users.values() if u.role == role and u.scope_region and code.startswith(u.scope_prefix)),
                None)  # fmt: skip


def _recorder(users: dict[str, Any], code: str, fallback: Any) -> Any:
    for role in (Role.GRID_LEADER, Role.VILLAGE_STAFF, Role.TOWN_STAFF):
        user = _user(users, role, code)
        if user is not None:
            return user
    return fallback


def _contact_days(rng: random.Random, today: dt.date, months: int) -> list[dt.date]:
    """The days a person was contacted over the last twelve months, one per period of ``months``."""
    days = []
    for period in range(12 // months):
        end = months_before(today, period * months)
        start = months_before(today, (period + 1) * months) + dt.timedelta(days=1)
        if rng.random() < REACHED:
            days.append(start + dt.timedelta(days=rng.randrange(max((end - start).days, 1))))
    return days


def _year_of_visits(users: dict[str, Any], city: Any, rng: random.Random, today: dt.date) -> int:
    key_ids = set(Veteran.tags.through.objects.filter(tag__code=KEY_PERSON_TAG).values_list("veteran_id", flat=True))
    current = VeteranCategory.objects.filter(start_date__lte=today).exclude(end_date__lt=today)
    cared_ids = set(current.values_list("veteran_id", flat=True))
    recorders: dict[str, Any] = {}
    rows: list[Visit] = []
    people = Veteran.objects.filter(region_code__startswith=prefix_of(CITY_CODE), status=Status.LIVING)
    for pk, code in people.order_by("id").values_list("id", "region_code").iterator(chunk_size=5000):
        months = 1 if pk in key_ids else 3 if pk in cared_ids else 12
        if code not in recorders:
            recorders[code] = _recorder(users, code, city)
        for day in _contact_days(rng, today, months):
            mode = rng.choice(MODES)
            rows.append(Visit(veteran_id=pk, region_code=code, visited_on=day, mode=mode, note=rng.choice(NOTES),
                              recorded_by=recorders[code]))  # fmt: skip
    Visit.objects.bulk_create(rows, batch_size=2000)
    audit_record(actor=None, action="demo.care_visits", obj=None, region_code=CITY_CODE,
                 after={"visits": len(rows), "from": months_before(today, 12), "to": today})  # fmt: skip
    return len(rows)


def _step(need: Need, actor: Any, action: str) -> None:
    key, _colon, value = action.partition(":")
    task = Task.objects.get(case=need.case, status=Task.Status.OPEN)
    data: dict[str, Any] = {}
    note = ""
    if key == "transfer":
        data = {"unit": CITY_CODE, "department": Department.HRSS if value == "hrss" else value}
        note = "需人社部门协助推荐岗位"
    elif key == "resolve":
        note = RESOLUTIONS.get(need.category, "已办理")
    elif key == "satisfied":
        data = {"rating": value}
    elif key == "dissatisfied":
        note = "本人表示问题还没有解决，希望再跟进"
    act(actor=actor, task=task, action=key, note=note, data=data)


def load_care_demo(users: dict[str, Any], first_village: str) -> dict[str, int]:
    """Load the regular-contact demo (see the module's docstring); return what was added."""
    added: dict[str, int] = {}
    if Visit.objects.exists():
        return added
    rng = random.Random(20261203)  # noqa: S311 (a demo's choices, not a secret)
    today = timezone.localdate()
    city = _user(users, Role.CITY_STAFF, CITY_CODE)
    people = list(
        Veteran.objects.filter(region_code__startswith=prefix_of(first_village), status=Status.LIVING)
        .exclude(region_code=first_village)  # people of a grid, whose grid leader visits them
        .order_by("id")[: len(NEEDS) + 3]
    )  # fmt: skip
    if city is None or len(people) < len(NEEDS) + 3:
        return added
    with audit_batch(), transaction.atomic():
        key_tag = Tag.objects.get(code=KEY_PERSON_TAG)
        for person in people[len(NEEDS) :]:
            person.tags.add(key_tag)
        added["key people (重点人员)"] = len(people) - len(NEEDS)
        added["visits over the last year"] = _year_of_visits(users, city, rng, today)
        town = _user(users, Role.TOWN_STAFF, first_village)
        village = _user(users, Role.VILLAGE_STAFF, first_village)
        actors = {"town": town, "village": village, "city": city}
        needs = 0
        for index, (person, (category, description, steps)) in enumerate(zip(people, NEEDS, strict=False)):
            recorder = _recorder(users, person.region_code, city)
            need = NeedInput(category, description)
            if index % 2 == 0 and recorder.can("care.visit"):  # found on a visit
                visit = visit_log(actor=recorder, data=VisitInput(
                    veteran_id=person.pk, visited_on=today - dt.timedelta(days=index + 1), mode=Mode.HOME,
                    note="上门走访时了解到需求（演示）", needs=[need],
                ))  # fmt: skip
                raised = visit.needs.get()
            else:
                raised = need_raise(actor=village or city, veteran_id=person.pk, need=need)
            for word, action in steps:
                _step(raised, actors[word] or city, action)
            needs += 1
        added["needs (急难愁盼) at every stage"] = needs
    return added
