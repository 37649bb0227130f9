"""The petition procedure (信访"八步法") and its review (复查/复核), declared on the workflow mechanism.

登记 → 受理告知 (within 15 days of receipt) → 交办转办 (the unit may object within 5 working days)
→ 调查核实 → 研究处理 → 答复反馈 (within 60 days of acceptance; one approved extension of at most
30 days, told to the petitioner) → 回访评价 → 办结归档. A review is asked within 30 days of the
reply and answered within 30 days; a re-examination likewise after the review.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from core.errors import invalid
from petitions.models import Decision, Petition, Satisfaction
from regions.models import Level, ancestor_code, level_of
from workflow.calendar import Limit
from workflow.models import Case, Task
from workflow.process import Action, Context, Field, Move, Process, Step, Unit, register
from workflow.services import refresh_due, set_case_date
from workflow.windows import Window

ACCEPT_DAYS = 15
OBJECTION_WORKING_DAYS = 5
REPLY_DAYS = 60
MAX_EXTENSION_DAYS = 30
REVIEW_WINDOW_DAYS = 30
REVIEW_DAYS = 30


def bureau_code(region_code: str) -> str:
    """The bureau that answers for petitions about a region: its city's."""
    return ancestor_code(region_code, Level.CITY)


def bureau(case: Case) -> Unit:
    return bureau_code(case.region_code), ""


def registrar(case: Case) -> Unit:
    return case.subject.registrar_unit, ""


def registrar_role(case: Case) -> str:
    return str(case.subject.registrar_role)


def handler(case: Case) -> Unit:
    return case.subject.handler_unit, case.subject.handler_department


def handler_role(case: Case) -> str:
    return str(case.subject.handler_role)


def visiting_unit(case: Case) -> Unit:
    """The follow-up visit is the petitioner's town station's; a case without a town goes to the bureau."""
    if level_of(case.region_code) in (Level.TOWN, Level.VILLAGE, Level.GRID):
        return ancestor_code(case.region_code, Level.TOWN), ""
    return bureau(case)


def visiting_role(case: Case) -> str:
    return Role.TOWN_STAFF if visiting_unit(case)[0] != bureau(case)[0] else Role.CITY_STAFF


SATISFACTION = tuple(Satisfaction.choices)


def _today() -> dt.date:
    return timezone.localdate()


# --- checks and effects -------------------------------------------------------------------------


def on_accept(ctx: Context) -> None:
    set_case_date(ctx.case, "accepted", _today())


def on_not_accepted(ctx: Context) -> None:
    set_case_date(ctx.case, "decided", _today())


def check_assign(ctx: Context) -> None:
    """A partner department is assigned at the city level (the unit and department kinds check the rest)."""
    if ctx.data.get("department") and level_of(str(ctx.data["unit"])) != Level.CITY:
        raise invalid("unit", _("A partner department is assigned at the city level."), code="bad_unit")


def on_assign(ctx: Context) -> None:
    code = str(ctx.data["unit"]).strip()
    department = str(ctx.data.get("department") or "").strip()
    if department:
        role = Role.LIAISON
    elif level_of(code) == Level.TOWN:
        role = Role.TOWN_STAFF
    else:
        role = Role.CITY_STAFF
    ctx.subject.handler_unit, ctx.subject.handler_department, ctx.subject.handler_role = code, department, role


#: The unit a petition is assigned to may object within 5 working days of receiving it (its step's start).
OBJECTION = Window("objection", _("the period for objecting to the assignment"), OBJECTION_WORKING_DAYS, working=True)


def on_decide(ctx: Context) -> None:
    ctx.subject.decision = ctx.data["decision"]


def on_reply(ctx: Context) -> None:
    set_case_date(ctx.case, "replied", _today())
    ctx.subject.reply = ctx.note


def check_extension(ctx: Context) -> None:
    if ctx.subject.extension_days is not None or "extension_days" in ctx.case.data:
        raise invalid(None, _("The reply period can be extended only once."), code="extension_once")
    try:
        days = int(ctx.data.get("days") or 0)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise invalid("days", _("An extension is 1 to %(max)d days."), code="bad_days", max=MAX_EXTENSION_DAYS)


def on_extension_request(ctx: Context) -> None:
    ctx.subject.extension_days, ctx.subject.extension_reason = int(ctx.data["days"]), ctx.note


def on_extension_approved(ctx: Context) -> None:
    ctx.case.data["extension_days"] = ctx.subject.extension_days
    ctx.subject.extension_approved = True
    set_case_date(ctx.case, "extension_approved", _today())
    refresh_due(ctx.case)


def on_extension_refused(ctx: Context) -> None:
    ctx.subject.extension_approved = False


def on_follow_up(ctx: Context) -> None:
    ctx.subject.satisfaction = ctx.data["satisfaction"]
    set_case_date(ctx.case, "visited", _today())


def on_archive(ctx: Context) -> None:
    set_case_date(ctx.case, "archived", _today())


def brief(task: Task, user: Any) -> list[tuple[Any, str]]:
    """The petition as the unit handling a step needs it: what, when, through which channel, by whom."""
    petition = task.case.subject
    if petition is None:
        return []
    facts: list[tuple[Any, str]] = [
        (_("Petitioner"), petition.petitioner_name),
        (_("Phone"), petition.phone_masked),
        (_("Channel"), str(petition.get_channel_display())),
        (_("Received on"), petition.received_on.isoformat()),
        (_("Subject"), str(petition.get_subject_display())),
        (_("Content"), petition.content),
    ]
    if petition.decision:
        facts.append((_("Decision"), str(petition.get_decision_display())))
    return facts


WITHDRAW = Action("withdraw", _("Withdrawn by the petitioner"), Move.WITHDRAW, note_required=True, danger=True)

PETITION = register(
    Process(
        key="petition",
        label=_("Petition"),
        prefix="XF",
        owner_role=Role.CITY_STAFF,
        url_name="petitions:detail",
        brief=brief,
        subject=Petition,
        view_capability="petitions.view",
        open_capability="petitions.register",
        steps=(
            Step(
                "register",
                _("Registration (登记)"),
                registrar_role,
                registrar,
                notify=False,
                actions=(Action("submit", _("Submit for acceptance"), Move.FORWARD, to="accept"),),
            ),
            Step(
                "accept",
                _("Acceptance and notice (受理告知)"),
                Role.CITY_STAFF,
                bureau,
                limit=Limit(ACCEPT_DAYS, anchor="received"),
                actions=(
                    Action("accept", _("Accept and notify"), Move.FORWARD, to="assign", effect=on_accept),
                    Action(
                        "not_accept",
                        _("Do not accept (reason told)"),
                        Move.REJECT,
                        note_required=True,
                        effect=on_not_accepted,
                        danger=True,
                    ),
                    WITHDRAW,
                ),
            ),
            Step(
                "assign",
                _("Assignment (交办转办)"),
                Role.CITY_STAFF,
                bureau,
                limit=Limit(5, working=True),
                actions=(
                    Action(
                        "assign",
                        _("Assign to the responsible unit"),
                        Move.FORWARD,
                        to="investigate",
                        fields=(
                            Field("unit", _("Responsible unit"), "unit"),
                            Field("department", _("Partner department (if any)"), "department", required=False),
                        ),
                        check=check_assign,
                        effect=on_assign,
                    ),
                    WITHDRAW,
                ),
            ),
            Step(
                "investigate",
                _("Investigation (调查核实)"),
                handler_role,
                handler,
                limit=Limit(30, anchor="accepted", extendable=True),
                actions=(
                    Action("investigated", _("Facts established"), Move.FORWARD, to="decide", note_required=True),
                    Action(
                        "object",
                        _("Object to the assignment"),
                        Move.RETURN,
                        to="assign",
                        note_required=True,
                        within=OBJECTION,
                        danger=True,
                    ),
                    WITHDRAW,
                ),
            ),
            Step(
                "decide",
                _("Decision (研究处理)"),
                handler_role,
                handler,
                limit=Limit(45, anchor="accepted", extendable=True),
                actions=(
                    Action(
                        "decide",
                        _("Record the decision"),
                        Move.FORWARD,
                        to="reply",
                        note_required=True,
                        fields=(Field("decision", _("Decision"), "choice", tuple(Decision.choices)),),
                        effect=on_decide,
                    ),
                    Action(
                        "reinvestigate", _("Back to investigation"), Move.RETURN, to="investigate", note_required=True
                    ),
                ),
            ),
            Step(
                "reply",
                _("Written reply (答复反馈)"),
                Role.CITY_STAFF,
                bureau,
                limit=Limit(REPLY_DAYS, anchor="accepted", extendable=True),
                actions=(
                    Action(
                        "reply",
                        _("Issue the written reply"),
                        Move.FORWARD,
                        to="follow_up",
                        note_required=True,
                        effect=on_reply,
                    ),
                    Action(
                        "request_extension",
                        _("Ask for an extension"),
                        Move.SIDE,
                        to="extension",
                        note_required=True,
                        fields=(Field("days", _("Days (at most 30)"), "int"),),
                        check=check_extension,
                        effect=on_extension_request,
                    ),
                    Action("redecide", _("Back to the decision"), Move.RETURN, to="decide", note_required=True),
                ),
            ),
            Step(
                "extension",
                _("Extension approval (延期审批)"),
                Role.CITY_ADMIN,
                bureau,
                limit=Limit(3, working=True),
                # whoever asked for the extension at the reply step does not approve it
                differs_from=("reply",),
                actions=(
                    Action("approve_extension", _("Approve the extension"), Move.FINISH, effect=on_extension_approved),
                    Action(
                        "refuse_extension",
                        _("Refuse the extension"),
                        Move.FINISH,
                        note_required=True,
                        effect=on_extension_refused,
                        danger=True,
                    ),
                ),
            ),
            Step(
                "follow_up",
                _("Follow-up visit (回访评价)"),
                visiting_role,
                visiting_unit,
                limit=Limit(15),
                actions=(
                    Action(
                        "visited",
                        _("Record the visit"),
                        Move.FORWARD,
                        to="archive",
                        note_required=True,
                        fields=(Field("satisfaction", _("Satisfaction"), "choice", SATISFACTION),),
                        effect=on_follow_up,
                    ),
                ),
            ),
            Step(
                "archive",
                _("Conclusion and filing (办结归档)"),
                Role.CITY_STAFF,
                bureau,
                limit=Limit(5, working=True),
                actions=(Action("archive", _("Conclude and file"), Move.CLOSE, effect=on_archive),),
            ),
        ),
    )
)


REVIEW = register(
    Process(
        key="petition_review",
        label=_("Petition review"),
        prefix="FC",
        owner_role=Role.CITY_ADMIN,
        url_name="petitions:detail",
        brief=brief,
        subject=Petition,
        view_capability="petitions.view",
        open_capability="petitions.register",
        steps=(
            Step(
                "review",
                _("Review and written opinion (复查/复核)"),
                Role.CITY_ADMIN,
                bureau,
                limit=Limit(REVIEW_DAYS, anchor="received"),
                actions=(
                    Action(
                        "answer",
                        _("Issue the written opinion"),
                        Move.FORWARD,
                        to="archive",
                        note_required=True,
                        effect=on_reply,
                    ),
                    WITHDRAW,
                ),
            ),
            Step(
                "archive",
                _("Conclusion and filing (办结归档)"),
                Role.CITY_STAFF,
                bureau,
                limit=Limit(5, working=True),
                actions=(Action("archive", _("Conclude and file"), Move.CLOSE, effect=on_archive),),
            ),
        ),
    )
)
