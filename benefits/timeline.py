"""A beneficiary's entitlements and payments on the veteran's timeline, in the user's scope.

Each entitlement's start (and end), and the newest payment lines with what became of them: a person paid
monthly for years would otherwise fill the timeline, so it shows the last ``LINES`` lines and the
entitlement's page keeps the whole history.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from benefits.models import Entitlement, EntitlementStatus, PaymentLine
from veterans.timeline import TimelineItem, register

#: The newest payment lines a timeline shows.
LINES = 24


def line_outcome(line: PaymentLine) -> tuple[str, str]:
    """What became of a payment line, in words, and its tone (ok, bad, held, "")."""
    if line.held_reason:
        return gettext("Held back: %(reason)s") % {"reason": line.get_held_reason_display()}, "held"
    if line.reverses_id:
        return gettext("Reversal"), ""
    if getattr(line, "reversed_by", None) is not None:
        return gettext("Reversed"), "bad"
    outcome = getattr(line, "outcome", None)
    if outcome is not None:
        if outcome.outcome == "paid":
            return outcome.get_outcome_display(), "ok"
        return f"{outcome.get_outcome_display()}: {outcome.reason}", "bad"
    if line.batch.exported_at:
        return gettext("Sent to the bank, awaiting its return file"), ""
    return gettext("In the batch, not yet sent to the bank"), ""


@register
def entitlements(veteran: Any, user: Any) -> Iterable[TimelineItem]:
    for e in Entitlement.objects.visible_to(user).filter(veteran=veteran).select_related("program"):
        url = reverse("benefits:entitlement", args=[e.pk])
        detail = f"{e.beneficiary_name} · {e.program.name}"
        yield TimelineItem(e.from_month, "benefits", _("Entitlement starts"), detail, url)
        if e.status == EntitlementStatus.ENDED and e.to_month:
            yield TimelineItem(e.to_month, "benefits", _("Entitlement ends"), f"{detail} · {e.status_reason}", url)


@register
def payments(veteran: Any, user: Any) -> Iterable[TimelineItem]:
    lines = (
        PaymentLine.objects.visible_to(user)
        .filter(entitlement__veteran=veteran)
        .select_related("program", "batch", "outcome", "reversed_by")
        .order_by("-period", "-id")[:LINES]
    )
    for line in lines:
        words, _tone = line_outcome(line)
        url = reverse("benefits:entitlement", args=[line.entitlement_id])
        detail = f"{line.program.name} · {line.get_kind_display()} · {line.amount} 元 · {words}"
        yield TimelineItem(line.period, "benefits", _("Payment for %(month)s") % {"month": f"{line.period:%Y-%m}"},
                           detail, url)  # fmt: skip
