"""The "一件事" process: the bureau opens the case, the departments work in parallel, it closes when all are done.

The branches are not code: they are the template's tasks, copied into the case when it opens, so
editing a template changes the cases opened after, never those under way.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from cases.models import LifeCase
from cases.person import person_for_task
from regions.models import Level, ancestor_code, level_of
from workflow.calendar import Limit
from workflow.models import Case, Task
from workflow.process import Action, Branch, Move, Process, Step, Unit, register
from workflow.services import may_act


def branch_unit(case: Case, spec: dict[str, object]) -> tuple[str, Unit]:
    city = ancestor_code(case.region_code, Level.CITY)
    if spec.get("department"):
        return Role.LIAISON, (city, str(spec["department"]))
    if spec.get("level") == "town" and level_of(case.region_code) in (Level.TOWN, Level.VILLAGE, Level.GRID):
        return Role.TOWN_STAFF, (ancestor_code(case.region_code, Level.TOWN), "")
    return Role.CITY_STAFF, (city, "")


def branches(case: Case) -> list[Branch]:
    out = []
    for spec in case.subject.task_specs:
        role, unit = branch_unit(case, spec)
        out.append(
            Branch(
                key=str(spec["key"]),
                label=str(spec["title"]),
                role=role,
                unit=unit,
                limit=Limit(int(spec["days"]), bool(spec["working"])),
                data={"fields": list(spec.get("fields", []))},
            )
        )
    return out


def owner(case: Case) -> Unit:
    return case.owner_code, ""


def brief(task: Task, user: Any) -> list[tuple[Any, str]]:
    """The person's data the template says this task needs, for whoever is to do it (audited when in full).

    Staff who merely look at the case see the record through the registry, with its own reveal rules.
    """
    own_department = bool(task.department) and task.department == user.department
    if not task.branch or not (own_department or may_act(user, task)):
        return []
    return person_for_task(actor=user, task=task)


LIFE_EVENT = register(
    Process(
        key="life_event",
        label=_("一件事 case"),
        prefix="YJS",
        owner_role=Role.CITY_STAFF,
        url_name="cases:detail",
        brief=brief,
        subject=LifeCase,
        view_capability="cases.view",
        open_capability="cases.open",
        steps=(
            Step(
                "departments",
                _("Departments at work"),
                Role.CITY_STAFF,
                owner,
                branches=branches,
                actions=(
                    Action("done", _("Done"), Move.FORWARD),
                    Action("return", _("Return for correction"), Move.RETURN, note_required=True, danger=True),
                ),
            ),
        ),
    )
)
