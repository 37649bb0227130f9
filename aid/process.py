"""The hardship application (帮扶援助), declared on the workflow mechanism.

The village station opens it for a veteran of its area with the amount asked (``aid.services``); the town
station checks it; the city bureau approves it, for the amount asked or less. Each step may refuse it with
its reason. Who may act is the kit's rule (the step's role and unit); whoever proposed it does not check or
approve it, and whoever checked it does not approve it (``differs_from``). The money leaves the fund later,
at a disbursement ceremony (``aid.services.ceremony_hold``).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from aid.models import APPLICATION_PROCESS, MAX_APPLICATION, Application
from core.errors import invalid
from regions.models import Level, ancestor_code
from workflow.calendar import Limit
from workflow.models import Case
from workflow.process import OPENED, Action, Context, Field, Move, Process, Step, Unit, register

#: the most the city may approve, in fen, as the money field takes it (the application's own cap)
MAX_FEN = int(MAX_APPLICATION * 100)


def town(case: Case) -> Unit:
    return ancestor_code(case.region_code, Level.TOWN), ""


def city(case: Case) -> Unit:
    return ancestor_code(case.region_code, Level.CITY), ""


def approved_amount(ctx: Context) -> Decimal:
    """The amount the city approves: the one typed (the money field hands over whole fen), else the one asked."""
    application: Application = ctx.subject
    fen = ctx.data.get("amount")
    return application.requested if fen is None else (Decimal(fen) / 100).quantize(Decimal("0.01"))


def check_amount(ctx: Context) -> None:
    amount = approved_amount(ctx)
    if amount <= 0:
        raise invalid("amount", _("The amount approved must be more than nothing."), code="not_positive")
    if amount > ctx.subject.requested:
        raise invalid("amount", _("The amount approved cannot be more than the %(asked)s yuan asked."),
                      code="more_than_asked", asked=ctx.subject.requested)  # fmt: skip


def on_approved(ctx: Context) -> None:
    ctx.subject.approved = approved_amount(ctx)


def on_refused(ctx: Context) -> None:
    ctx.subject.refusal = ctx.note.strip()[:2000]


def _refuse() -> Action:
    return Action("refuse", _("Refuse, with the reason"), Move.REJECT, note_required=True, danger=True,
                  effect=on_refused)  # fmt: skip


APPLICATION = register(
    Process(
        key=APPLICATION_PROCESS,
        label=_("Hardship aid application"),
        prefix="BF",
        owner_role=Role.VILLAGE_STAFF,
        url_name="aid:application",
        subject=Application,
        view_capability="aid.view",
        open_capability="aid.propose",
        steps=(
            Step(
                "check",
                _("Town check"),
                Role.TOWN_STAFF,
                town,
                limit=Limit(10, working=True),
                differs_from=(OPENED,),
                actions=(
                    Action("forward", _("Checked: send to the city for approval"), Move.FORWARD, to="approve"),
                    _refuse(),
                ),
            ),
            Step(
                "approve",
                _("City approval"),
                Role.CITY_STAFF,
                city,
                limit=Limit(10, working=True),
                differs_from=(OPENED, "check"),
                actions=(
                    Action(
                        "approve",
                        _("Approve"),
                        Move.CLOSE,
                        fields=(
                            Field(
                                "amount",
                                _("Amount approved (yuan; empty: the amount asked)"),
                                "money",
                                required=False,
                                max_value=MAX_FEN,
                            ),
                        ),
                        check=check_amount,
                        effect=on_approved,
                    ),
                    _refuse(),
                ),
            ),
        ),
    )
)
