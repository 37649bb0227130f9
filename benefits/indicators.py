"""抚恤补助 for the cockpit: the amounts paid, the people paid and the lines, by month and program (the lines the
bank paid, as the year's figures page counts them: ``benefits.figures.paid_lines``); the lines held back by
reason; the overpayments to recover and those settled.

The amounts paid and the lines held link to the list of lines (``benefits:lines``) with the area, the period,
the program and the reason; the overpayments to their list with the area and the months found. The lines'
writes (a batch generated, approved, reconciled; a line taken out; an overpayment found or settled) send
``records_changed`` with the regions of the lines they touched (``benefits.batches.lines_changed``).
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from benefits.models import HeldReason, Outcome, Overpayment, OverpaymentState, PaymentLine, Program
from cockpit.kit import Dim, Indicator, Measure, Period, declare, records

GROUP = _("Benefits (抚恤补助)")
YUAN = _("yuan")
WATCH = ("model:benefits.PaymentLine", "process:payment_batch")
SETTLED = (OverpaymentState.RECOVERED, OverpaymentState.WAIVED)


def programs() -> dict[str, str]:
    return {str(pk): name for pk, name in Program.objects.order_by("order", "pk").values_list("pk", "name")}


PROGRAM = Dim("program", _("Program"), "program_id", programs)


def paid() -> QuerySet[PaymentLine]:
    """The lines the bank paid (their month is the month paid for), as ``benefits.figures.paid_lines``."""
    return PaymentLine.objects.filter(outcome__outcome=Outcome.PAID)


declare(Indicator(
    key="benefits.paid", group=GROUP, name=_("Benefits paid"), source=paid,
    measures=(
        Measure("amount", _("paid"), Sum("amount"), YUAN, money=True),
        Measure("people", _("veterans paid for"), Count("entitlement__veteran_id", distinct=True), _("people")),
        Measure("lines", _("payments"), Count("id"), _("payments")),
    ),
    period=Period("month", "period"), dims=(PROGRAM,), watch=WATCH, order=40, chart="line",
    records=records("benefits:lines", fixed={"show": "paid"}, period="period", program="program"),
))  # fmt: skip


def held() -> QuerySet[PaymentLine]:
    return PaymentLine.objects.exclude(held_reason="")


declare(Indicator(
    key="benefits.held", group=GROUP, name=_("Payments held back"), source=held,
    measures=(
        Measure("lines", _("held back"), Count("id"), _("payments")),
        Measure("amount", _("amount held back"), Sum("amount"), YUAN, money=True),
    ),
    period=Period("month", "period"),
    dims=(Dim("reason", _("Reason"), "held_reason", dict(HeldReason.choices)), PROGRAM),
    watch=WATCH, order=41, chart="pie",
    records=records("benefits:lines", fixed={"show": "held"}, period="period", program="program", reason="reason"),
))  # fmt: skip

declare(Indicator(
    key="benefits.overpayments", group=GROUP, name=_("Overpayments to recover"),
    source=lambda: Overpayment.objects.exclude(state=OverpaymentState.VOID),
    measures=(
        Measure("count", _("overpayments"), Count("id"), _("payments")),
        Measure("amount", _("overpaid"), Sum("amount"), YUAN, money=True),
        Measure("settled", _("settled"), Count("id", filter=Q(state__in=SETTLED)), _("payments")),
        Measure("recovered", _("recovered"), Sum("amount", filter=Q(state=OverpaymentState.RECOVERED)), YUAN,
                money=True),
        Measure("open", _("still to recover"), Sum("amount", filter=Q(state=OverpaymentState.OPEN)), YUAN,
                money=True),
    ),
    rate=("settled", "count"), period=Period("month", "found_at"),
    dims=(Dim("state", _("State"), "state", dict(OverpaymentState.choices)),),
    watch=WATCH, order=42, chart="bar", records=records("benefits:overpayments", period="period", state="state"),
))  # fmt: skip
