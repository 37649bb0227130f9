"""A need (急难愁盼), declared on the workflow mechanism.

办理: the veteran's town station takes it first; it solves it, or routes it (转交) to the unit that can: the
bureau, another town, or a partner department at city level (人社 for a job, 医保 for a medical bill …). The
step has a limit (``CARE_NEED_WORKING_DAYS``): the kit's sweep marks it overdue and escalates it to the unit
above. Resolving it says what was done.

回访: then the village station (the town's, for a person with no village) asks the person within
``CARE_FOLLOWUP_DAYS`` days whether they are satisfied, or the person answers it in their portal. Satisfied
closes the need with the rating; not satisfied reopens it: it goes back to the unit that handled it, with the
person's words.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from care.models import NEED_PROCESS, Need, Satisfaction
from core.errors import invalid
from regions.models import Level, ancestor_code, level_of
from workflow.calendar import Limit
from workflow.models import Case
from workflow.process import Action, Context, Field, Move, Process, Step, Unit, register


def handler(case: Case) -> Unit:
    need: Need = case.subject
    return need.handler_unit, need.handler_department


def handler_role(case: Case) -> str:
    return str(case.subject.handler_role)


def first_handler(region_code: str) -> tuple[str, str]:
    """Who takes a new need: the person's town station (the bureau for a person with no town)."""
    if level_of(region_code) in (Level.TOWN, Level.VILLAGE, Level.GRID):
        return ancestor_code(region_code, Level.TOWN), Role.TOWN_STAFF
    return ancestor_code(region_code, Level.CITY), Role.CITY_STAFF


def follow_up_unit(case: Case) -> Unit:
    if level_of(case.region_code) in (Level.VILLAGE, Level.GRID):
        return ancestor_code(case.region_code, Level.VILLAGE), ""
    return first_handler(case.region_code)[0], ""


def follow_up_role(case: Case) -> str:
    if level_of(case.region_code) in (Level.VILLAGE, Level.GRID):
        return Role.VILLAGE_STAFF
    return first_handler(case.region_code)[1]


def check_transfer(ctx: Context) -> None:
    """A partner department is reached at the city level (the unit and department kinds check the rest)."""
    if ctx.data.get("department") and level_of(str(ctx.data["unit"])) != Level.CITY:
        raise invalid("unit", _("A partner department is reached at the city level."), code="bad_unit")


def on_transfer(ctx: Context) -> None:
    code = str(ctx.data["unit"]).strip()
    department = str(ctx.data.get("department") or "").strip()
    if department:
        role = Role.LIAISON
    elif level_of(code) == Level.TOWN:
        role = Role.TOWN_STAFF
    else:
        role = Role.CITY_STAFF
    need: Need = ctx.subject
    need.handler_unit, need.handler_department, need.handler_role = code, department, role


def on_resolve(ctx: Context) -> None:
    need: Need = ctx.subject
    need.resolution = ctx.note.strip()[:2000]
    need.resolved_on = timezone.localdate()


def on_satisfied(ctx: Context) -> None:
    need: Need = ctx.subject
    need.satisfaction = str(ctx.data["rating"])
    need.followed_up_on = timezone.localdate()


def on_dissatisfied(ctx: Context) -> None:
    need: Need = ctx.subject
    need.satisfaction = Satisfaction.DISSATISFIED
    need.followed_up_on = timezone.localdate()
    need.resolved_on = None
    need.reopened += 1


RATINGS = tuple((k, v) for k, v in Satisfaction.choices if k != Satisfaction.DISSATISFIED)

NEED = register(
    Process(
        key=NEED_PROCESS,
        label=_("Need (急难愁盼)"),
        prefix="XQ",
        owner_role=Role.TOWN_STAFF,
        url_name="care:need",
        subject=Need,
        view_capability="care.view",
        open_capability="care.need_raise",
        steps=(
            Step(
                "handle",
                _("Handling (办理)"),
                handler_role,
                handler,
                limit=Limit(settings.CARE_NEED_WORKING_DAYS, working=True),
                actions=(
                    Action(
                        "resolve",
                        _("Resolved: say what was done"),
                        Move.FORWARD,
                        to="followup",
                        note_required=True,
                        effect=on_resolve,
                    ),
                    Action(
                        "transfer",
                        _("Route to the unit that can solve it (转交)"),
                        Move.FORWARD,
                        to="handle",
                        note_required=True,
                        fields=(
                            Field("unit", _("Responsible unit"), "unit"),
                            Field("department", _("Partner department (if any)"), "department", required=False),
                        ),
                        check=check_transfer,
                        effect=on_transfer,
                    ),
                ),
            ),
            Step(
                "followup",
                _("Follow-up (回访)"),
                follow_up_role,
                follow_up_unit,
                limit=Limit(settings.CARE_FOLLOWUP_DAYS),
                by_person=True,  # the veteran answers it in their portal, or the station asks and records it
                actions=(
                    Action(
                        "satisfied",
                        _("Followed up: satisfied"),
                        Move.CLOSE,
                        fields=(Field("rating", _("Satisfaction"), "choice", choices=RATINGS),),
                        effect=on_satisfied,
                    ),
                    Action(
                        "dissatisfied",
                        _("Followed up: not satisfied (reopens the need)"),
                        Move.RETURN,
                        to="handle",
                        note_required=True,
                        danger=True,
                        effect=on_dissatisfied,
                    ),
                ),
            ),
        ),
    )
)
