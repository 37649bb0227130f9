"""一件事 for the cockpit: the cases opened by month and stage, those concluded and those still open; the
departments' tasks done within their limits, by stage and by department (the town station and the bureau being
"departments" of their own).

A task is on time when it was done on or before its due day and the deadline sweep never marked it. The 一件事
list takes no area, so the figures link to no list.
"""

from __future__ import annotations

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from accounts.roles import Department, Role
from cases.models import LifeCase, Stage
from cases.process import LIFE_EVENT
from cockpit.kit import Dim, Indicator, Measure, Period, declare, records
from workflow.models import Case as WorkflowCase
from workflow.models import Task

GROUP = _("一件事")
CASES = _("cases")
TASKS = _("tasks")
WATCH = (f"process:{LIFE_EVENT.key}",)
OPEN, DONE = WorkflowCase.State.OPEN, WorkflowCase.State.DONE
TOWN_STATION, BUREAU = "town_station", "bureau"
UNITS = {**dict(Department.choices), TOWN_STATION: _("Town service station"), BUREAU: _("City bureau")}


#: the cases' list, narrowed to the area and the stage
LIST = records("cases:list", stage="stage")
STAGE = Dim("stage", _("Stage"), "stage", dict(Stage.choices))

declare(Indicator(
    key="cases.open_done", group=GROUP, name=_("一件事 cases"), source=LifeCase.objects.all,
    measures=(
        Measure("opened", _("opened"), Count("case_id"), CASES),
        Measure("done", _("concluded"), Count("case_id", filter=Q(case__state=DONE)), CASES),
        Measure("open", _("still open"), Count("case_id", filter=Q(case__state=OPEN)), CASES),
    ),
    period=Period("month", "case__created_at"), dims=(STAGE,), watch=WATCH, order=20, chart="line", records=LIST,
))  # fmt: skip

declare(Indicator(
    key="cases.open_now", group=GROUP, name=_("一件事 cases open now"),
    source=lambda: LifeCase.objects.filter(case__state=OPEN),
    measures=(Measure("open", _("open"), Count("case_id"), CASES),),
    dims=(STAGE,), watch=WATCH, order=21, chart="pie",
    records=records("cases:list", fixed={"state": OPEN}, stage="stage"),
))  # fmt: skip


def steps() -> QuerySet[Task]:
    """The departments' tasks of the 一件事 cases (a correction sent back to the bureau aside)."""
    return Task.objects.filter(case__process=LIFE_EVENT.key, step="departments", kind=Task.Kind.STEP)


def unit() -> Case:
    """The department that does the task; a task of no department is the town station's or the bureau's."""
    return Case(
        When(~Q(department=""), then=F("department")),
        When(role=Role.TOWN_STAFF, then=Value(TOWN_STATION)),
        default=Value(BUREAU), output_field=CharField(),
    )  # fmt: skip


def _on_time() -> Q:
    return Q(status=Task.Status.DONE, overdue_at__isnull=True) & (
        Q(due_on__isnull=True) | Q(completed_at__date__lte=F("due_on"))
    )


declare(Indicator(
    key="cases.steps_on_time", group=GROUP, name=_("一件事 tasks done on time"), source=steps,
    region="case__region_code",
    measures=(
        Measure("on_time", _("done on time"), Count("id", filter=_on_time()), TASKS),
        Measure("done", _("done"), Count("id", filter=Q(status=Task.Status.DONE)), TASKS),
        Measure("open", _("waiting"), Count("id", filter=Q(status=Task.Status.OPEN)), TASKS),
    ),
    rate=("on_time", "done"), period=Period("month", "case__created_at"),
    dims=(Dim("stage", _("Stage"), "case__lifecase__stage", dict(Stage.choices)),
          Dim("department", _("Department"), unit, UNITS)),
    watch=WATCH, order=22, chart="bar",
    note=_("On the demo the tasks were done on the day the data was loaded: the figures of time are synthetic."),
))  # fmt: skip
