"""The example process of docs/workflow.md: a claim in fen, prepared by one person and checked by another,
publicised for 5 working days (objections only while the notice runs, the decision only after it).

The docs show the code between the two markers verbatim; ``example/tests/test_docs.py`` compares them.
"""

# --- the process declaration, as docs/workflow.md shows it ---
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from example.models import ExampleClaim
from regions.models import Level, ancestor_code
from workflow.calendar import Limit
from workflow.models import Case
from workflow.process import Action, Context, Field, Move, Process, Step, Unit, register
from workflow.services import set_case_date
from workflow.windows import Window

#: the most one claim may be, in fen (5,000 yuan)
MAX_CLAIM_FEN = 500_000

#: the 公示: 5 working days from the day the check publishes the notice
NOTICE = Window("notice", _("the public notice (公示)"), 5, working=True, anchor="notice")


def town(case: Case) -> Unit:
    """The town station of the claimant's region acts at every step."""
    return ancestor_code(case.region_code, Level.TOWN), ""


def on_submit(ctx: Context) -> None:
    claim: ExampleClaim = ctx.subject
    claim.amount_fen = ctx.data["amount"]  # the money kind hands over whole fen
    claim.incurred_on = ctx.data["incurred_on"]
    claim.evidence_id = ctx.data["evidence"]


def on_checked(ctx: Context) -> None:
    set_case_date(ctx.case, "notice", timezone.localdate())


def on_objection(ctx: Context) -> None:
    ctx.subject.objections += 1


def on_confirm(ctx: Context) -> None:
    ctx.subject.approved = True


EXAMPLE_CLAIM = register(
    Process(
        key="example_claim",
        label=_("Example claim"),
        prefix="EX",
        owner_role=Role.TOWN_STAFF,
        subject=ExampleClaim,
        view_capability="cases.view",
        open_capability="cases.open",
        steps=(
            Step(
                "prepare",
                _("Preparation"),
                Role.TOWN_STAFF,
                town,
                limit=Limit(5, working=True),
                actions=(
                    Action(
                        "submit",
                        _("Submit for checking"),
                        Move.FORWARD,
                        to="check",
                        fields=(
                            Field("amount", _("Amount (yuan)"), "money", max_value=MAX_CLAIM_FEN),
                            Field("incurred_on", _("Incurred on"), "date"),
                            Field("evidence", _("Supporting file"), "file", required=False),
                        ),
                        effect=on_submit,
                    ),
                ),
            ),
            Step(
                "check",
                _("Check"),
                Role.TOWN_STAFF,
                town,
                limit=Limit(3, working=True),
                differs_from=("prepare",),  # maker-checker: not whoever prepared it
                actions=(
                    Action("publish", _("Checked: publish the notice"), Move.FORWARD, to="notice", effect=on_checked),
                    Action("back", _("Back for correction"), Move.RETURN, to="prepare", note_required=True),
                ),
            ),
            Step(
                "notice",
                _("Public notice (公示)"),
                Role.TOWN_STAFF,
                town,
                actions=(
                    Action(
                        "object",
                        _("Record an objection"),
                        Move.RETURN,
                        to="prepare",
                        note_required=True,
                        within=NOTICE,
                        effect=on_objection,
                    ),
                    Action("confirm", _("Confirm after the notice"), Move.CLOSE, after=NOTICE, effect=on_confirm),
                ),
            ),
        ),
    )
)
# --- end of the process declaration ---
