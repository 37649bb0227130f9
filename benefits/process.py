"""The two procedures of 抚恤补助, declared on the workflow mechanism.

An entitlement: the village station proposes it, the town station checks it, the city bureau approves it
(and the entitlement starts). A month's batch: generated as a draft, checked by its maker, approved by a
second person of the bureau (maker-checker: ``differs_from``); then it goes to the bank and comes back
reconciled (``benefits.bank``).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from benefits.models import Batch, BatchState, Proposal
from core.errors import invalid
from regions.models import Level, ancestor_code
from workflow.calendar import Limit
from workflow.models import Case
from workflow.process import Action, Context, Move, Process, Step, Unit, register


def town(case: Case) -> Unit:
    return ancestor_code(case.region_code, Level.TOWN), ""


def city(case: Case) -> Unit:
    return ancestor_code(case.region_code, Level.CITY), ""


def on_approve(ctx: Context) -> None:
    from benefits.entitlements import entitlement_from_proposal

    ctx.subject.entitlement = entitlement_from_proposal(actor=ctx.actor, proposal=ctx.subject)


PROPOSAL = register(
    Process(
        key="entitlement",
        label=_("Entitlement proposal"),
        prefix="FX",
        owner_role=Role.VILLAGE_STAFF,
        url_name="benefits:proposal",
        subject=Proposal,
        view_capability="benefits.view",
        open_capability="benefits.propose",
        steps=(
            Step(
                "town_check",
                _("Town check"),
                Role.TOWN_STAFF,
                town,
                limit=Limit(10, working=True),
                actions=(
                    Action("checked", _("Checked: send to the bureau"), Move.FORWARD, to="city_approve"),
                    Action("reject", _("Not eligible"), Move.REJECT, note_required=True, danger=True),
                ),
            ),
            Step(
                "city_approve",
                _("Bureau approval"),
                Role.CITY_STAFF,
                city,
                limit=Limit(10, working=True),
                differs_from=("town_check",),
                actions=(
                    Action("approve", _("Approve: the entitlement starts"), Move.CLOSE, effect=on_approve),
                    Action("back", _("Back to the town"), Move.RETURN, to="town_check", note_required=True),
                    Action("reject", _("Not eligible"), Move.REJECT, note_required=True, danger=True),
                ),
            ),
        ),
    )
)


def batch_unit(case: Case) -> Unit:
    """The bureau whose batch it is: the area it was generated for."""
    return case.region_code, ""


def refuse_unless_draft(ctx: Context) -> None:
    if ctx.subject.state != BatchState.DRAFT:
        raise invalid("state", _("Only a draft batch can be checked."), code="not_draft")


def on_checked(ctx: Context) -> None:
    from benefits.batches import freeze_totals

    batch: Batch = ctx.subject
    freeze_totals(batch)
    batch.state = BatchState.CHECKED
    batch.checked_by = ctx.actor
    batch.checked_at = timezone.now()


def on_approved(ctx: Context) -> None:
    from benefits.batches import lines_changed, refuse_unless_totals_hold, regions_of

    batch: Batch = ctx.subject
    refuse_unless_totals_hold(batch)
    batch.state = BatchState.APPROVED
    batch.approved_by = ctx.actor
    batch.approved_at = timezone.now()
    lines_changed(regions_of(batch))


def on_returned(ctx: Context) -> None:
    batch: Batch = ctx.subject
    batch.state = BatchState.DRAFT
    batch.checked_by = None
    batch.checked_at = None


BATCH = register(
    Process(
        key="payment_batch",
        label=_("Payment batch"),
        prefix="FF",
        owner_role=Role.CITY_STAFF,
        url_name="benefits:batch",
        subject=Batch,
        view_capability="benefits.view",
        open_capability="benefits.manage",
        steps=(
            Step(
                "check",
                _("Check (maker)"),
                Role.CITY_STAFF,
                batch_unit,
                notify=False,
                actions=(
                    Action(
                        "checked",
                        _("Checked: send for approval"),
                        Move.FORWARD,
                        to="approve",
                        check=refuse_unless_draft,
                        effect=on_checked,
                    ),
                ),
            ),
            Step(
                "approve",
                _("Approval (checker)"),
                Role.CITY_STAFF,
                batch_unit,
                differs_from=("check",),
                actions=(
                    Action("approve", _("Approve for payment"), Move.CLOSE, effect=on_approved),
                    Action(
                        "back", _("Back to the maker"), Move.RETURN, to="check", note_required=True, effect=on_returned
                    ),
                ),
            ),
        ),
    )
)
