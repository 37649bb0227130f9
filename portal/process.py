"""The request to correct one's record (资料更正), declared on the workflow mechanism.

The veteran (or a family member acting for them) sends it from the portal; their town station checks it within
``PORTAL_CORRECTION_WORKING_DAYS`` working days: it corrects the record on the registry's page and closes the
request saying what it changed, or declines it saying why. Either way the veteran is told."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from portal.models import CORRECTION_PROCESS, Correction
from regions.models import Level, ancestor_code, level_of
from workflow.calendar import Limit
from workflow.models import Case
from workflow.process import Action, Context, Move, Process, Step, Unit, register


def station(case: Case) -> Unit:
    """The veteran's town station (the bureau for a record placed at no town)."""
    if level_of(case.region_code) in (Level.TOWN, Level.VILLAGE, Level.GRID):
        return ancestor_code(case.region_code, Level.TOWN), ""
    return ancestor_code(case.region_code, Level.CITY), ""


def station_role(case: Case) -> str:
    return Role.TOWN_STAFF if level_of(case.region_code) in (Level.TOWN, Level.VILLAGE, Level.GRID) else (
        Role.CITY_STAFF)  # fmt: skip


def on_answer(ctx: Context) -> None:
    correction: Correction = ctx.subject
    correction.answer = ctx.note.strip()[:1000]


CORRECTION = register(
    Process(
        key=CORRECTION_PROCESS,
        label=_("Record correction (资料更正)"),
        prefix="GZ",
        owner_role=Role.TOWN_STAFF,
        url_name="portal:correction",
        subject=Correction,
        view_capability="veterans.view",
        open_capability="veterans.manage",
        steps=(
            Step(
                "check",
                _("Check and correct (核实更正)"),
                station_role,
                station,
                limit=Limit(getattr(settings, "PORTAL_CORRECTION_WORKING_DAYS", 5), working=True),
                actions=(
                    Action(
                        "corrected",
                        _("Corrected: say what was changed"),
                        Move.CLOSE,
                        note_required=True,
                        effect=on_answer,
                    ),
                    Action(
                        "declined",
                        _("Not corrected: say why"),
                        Move.CLOSE,
                        note_required=True,
                        danger=True,
                        effect=on_answer,
                    ),
                ),
            ),
        ),
    )
)
