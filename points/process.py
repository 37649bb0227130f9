"""The three procedures of “老兵本色” points, declared on the workflow mechanism.

An entry: the village station approves an ordinary item; a deduction or a large award goes straight to the
town (``Process.start``). Whoever submitted it does not approve it (``differs_from=(OPENED,)``).

A quarter's ranking: frozen by a town or the city, publicised for ``POINTS_OBJECTION_DAYS`` days (the
objection period, a kit time window anchored on the day it was frozen); the final ranking is published once
the period has closed and every objection is decided.

An objection: raised within the period, decided by the veteran's town; upheld, it reverses the disputed row.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from points.models import ENTRY_PROCESS, OBJECTION_PROCESS, RANKING_PROCESS, Entry, Objection, Ranking
from points.quarters import OBJECTIONS
from regions.models import Level, ancestor_code, level_of
from workflow.calendar import Limit
from workflow.models import Case
from workflow.process import OPENED, Action, Context, Field, Move, Process, Step, Unit, register


def village(case: Case) -> Unit:
    return ancestor_code(case.region_code, Level.VILLAGE), ""


def town(case: Case) -> Unit:
    return ancestor_code(case.region_code, Level.TOWN), ""


def own_unit(case: Case) -> Unit:
    """The bureau or station that froze the ranking."""
    return case.region_code, ""


def freezer_role(case: Case) -> str:
    """The town station publishes a town's ranking; the bureau, the city's."""
    return Role.TOWN_STAFF if level_of(case.region_code) == Level.TOWN else Role.CITY_STAFF


def entry_start(case: Case) -> str:
    entry: Entry = case.subject  # the engine sets it before the first step
    return "town_approve" if entry.town_approval else "village_approve"


def on_entry_approved(ctx: Context) -> None:
    from points.entries import book_entry

    book_entry(actor=ctx.actor, entry=ctx.subject)


def on_entry_rejected(ctx: Context) -> None:
    from points.entries import free_entry

    free_entry(ctx.subject)


def _approval(key: str, label: object, role: str, unit: object) -> Step:
    return Step(
        key,
        label,
        role,
        unit,  # type: ignore[arg-type]
        limit=Limit(10, working=True),
        differs_from=(OPENED,),
        actions=(
            Action("approve", _("Approve: the points are booked"), Move.CLOSE, effect=on_entry_approved),
            Action("reject", _("Not approved"), Move.REJECT, note_required=True, danger=True, effect=on_entry_rejected),
        ),
    )


ENTRY = register(
    Process(
        key=ENTRY_PROCESS,
        label=_("Points entry"),
        prefix="JF",
        owner_role=Role.VILLAGE_STAFF,
        url_name="points:entry",
        subject=Entry,
        view_capability="points.view",
        open_capability="points.submit",
        start=entry_start,
        steps=(
            _approval("village_approve", _("Village approval"), Role.VILLAGE_STAFF, village),
            _approval("town_approve", _("Town approval"), Role.TOWN_STAFF, town),
        ),
    )
)


def on_publish_final(ctx: Context) -> None:
    from points.ranking import publish_final

    publish_final(actor=ctx.actor, ranking=ctx.subject)


RANKING = register(
    Process(
        key=RANKING_PROCESS,
        label=_("Quarterly points ranking"),
        prefix="GS",
        owner_role=Role.TOWN_STAFF,
        url_name="points:ranking",
        subject=Ranking,
        view_capability="points.view",
        open_capability="points.freeze",
        steps=(
            Step(
                "notice",
                _("Public notice and objections"),
                freezer_role,
                own_unit,
                notify=False,
                actions=(
                    Action(
                        "publish",
                        _("Publish the final ranking"),
                        Move.CLOSE,
                        after=OBJECTIONS,
                        effect=on_publish_final,
                    ),
                ),
            ),
        ),
    )
)


def on_upheld(ctx: Context) -> None:
    from points.ranking import uphold

    uphold(actor=ctx.actor, objection=ctx.subject, note=ctx.note)


def on_dismissed(ctx: Context) -> None:
    from points.models import Outcome

    ctx.subject.outcome = Outcome.DISMISSED


OBJECTION = register(
    Process(
        key=OBJECTION_PROCESS,
        label=_("Objection to a points ranking"),
        prefix="YY",
        owner_role=Role.VILLAGE_STAFF,
        url_name="points:objection",
        subject=Objection,
        view_capability="points.view",
        open_capability="points.object",
        steps=(
            Step(
                "review",
                _("Town review"),
                Role.TOWN_STAFF,
                town,
                limit=Limit(5, working=True),
                actions=(
                    Action(
                        "uphold",
                        _("Upheld: reverse the disputed points"),
                        Move.CLOSE,
                        note_required=True,
                        effect=on_upheld,
                    ),
                    Action("dismiss", _("Dismissed"), Move.CLOSE, note_required=True, effect=on_dismissed),
                ),
            ),
        ),
    )
)

__all__ = ["ENTRY", "OBJECTION", "OBJECTIONS", "RANKING", "Field"]
