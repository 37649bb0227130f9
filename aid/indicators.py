"""帮扶基金 for the cockpit: the fund's balance and what was given and granted (its ledger: a donation in, a grant
out as a negative row, a reversal lowering what it reverses), the money in and out by month (as
``aid.figures.fund_flows`` counts it), and the hardship applications by stage and kind of hardship (as
``aid.figures.stages`` names the stages).

A grant counts in the applicant's area, a donation in the area it was given for (the city for the whole fund).
The aid lists take no area, so the figures link to no list.
"""

from __future__ import annotations

from django.db.models import Case, CharField, Count, F, OuterRef, Q, Subquery, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from aid.figures import STAGE_LABELS
from aid.models import APPLICATION_PROCESS, Application, EntryKind, FundEntry, Need
from cockpit.kit import Dim, Indicator, Measure, Period, declare, records
from workflow.models import Case as WorkflowCase
from workflow.models import Task

GROUP = _("Care (关爱服务)")
YUAN = _("yuan")
WATCH = ("aid_fund_moved", f"process:{APPLICATION_PROCESS}")
DONATED = Sum("amount", filter=Q(kind=EntryKind.DONATION))
#: grants are booked as money out (negative rows): what was granted is their opposite
GRANTED = Sum(F("amount") * -1, filter=Q(kind=EntryKind.GRANT))

declare(Indicator(
    key="aid.fund", group=GROUP, name=_("Hardship fund (帮扶基金) balance"), source=FundEntry.objects.all,
    measures=(
        Measure("balance", _("balance"), Sum("amount"), YUAN, money=True),
        Measure("donated", _("donated"), DONATED, YUAN, money=True),
        Measure("granted", _("granted"), GRANTED, YUAN, money=True),
    ),
    watch=WATCH, order=64, chart="bar",
))  # fmt: skip

declare(Indicator(
    key="aid.fund_flows", group=GROUP, name=_("Hardship fund: money in and out"), source=FundEntry.objects.all,
    measures=(
        Measure("in", _("money in"), DONATED, YUAN, money=True),
        Measure("out", _("money out"), GRANTED, YUAN, money=True),
    ),
    period=Period("month", "day"), watch=WATCH, order=65, chart="line",
))  # fmt: skip


def stage() -> Case:
    """The application's stage as ``aid.figures.stages`` names it: the step it waits at, or how it ended."""
    step = Subquery(Task.objects.filter(case_id=OuterRef("case_id"), status=Task.Status.OPEN)
                    .order_by("id").values("step")[:1])  # fmt: skip
    done = Q(case__state=WorkflowCase.State.DONE)
    return Case(
        When(done & Q(ceremony__isnull=True), then=Value("approved")),
        When(done, then=Value("paid")),
        When(case__state=WorkflowCase.State.REJECTED, then=Value("refused")),
        When(case__state=WorkflowCase.State.WITHDRAWN, then=Value("withdrawn")),
        default=step, output_field=CharField(),
    )  # fmt: skip


declare(Indicator(
    key="aid.applications", group=GROUP, name=_("Hardship aid applications"), source=Application.objects.all,
    measures=(
        Measure("count", _("applications"), Count("case_id"), _("applications")),
        Measure("requested", _("amount asked"), Sum("requested"), YUAN, money=True),
        Measure("approved", _("amount approved"), Sum("approved", filter=Q(case__state=WorkflowCase.State.DONE)), YUAN,
                money=True),
    ),
    period=Period("month", "case__created_at"),
    dims=(Dim("stage", _("Stage"), stage, STAGE_LABELS, order=tuple(STAGE_LABELS)),
          Dim("need", _("Kind of hardship"), "need", dict(Need.choices))),
    watch=WATCH, order=66, chart="pie", records=records("aid:applications", need="need"),
))  # fmt: skip
