"""The fund's page: its balance, what came in and went out, its ledger; a donation recorded and a row reversed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from aid import selectors
from aid.forms import DonationForm, ReasonForm
from aid.models import EntryKind, FundEntry
from aid.services import donation_record, entry_reverse
from core import idempotency
from core.access import Target, page
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from core.views import submit_form

#: The newest rows the fund's page shows.
ROWS = 200


def _rows(user: Any, fund: Any, kind: str) -> list[dict[str, Any]]:
    may_reverse = user.can("aid.fund_manage")
    out = []
    for r in selectors.ledger(user, fund, kind)[:ROWS]:
        try:
            reversed_by = r.reversed_by
        except FundEntry.DoesNotExist:
            reversed_by = None
        out.append({"row": r, "reversed_by": reversed_by,
                    "may_reverse": may_reverse and r.reverses_id is None and reversed_by is None})  # fmt: skip
    return out


def _page(request: AuthedRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    try:
        fund = selectors.fund_of(user)
    except ValidationError as exc:
        return render(request, "aid/fund.html", {"error": exc.messages[0]}, status=400)
    kind = request.GET.get("kind", "")
    if kind not in EntryKind.values:
        kind = ""
    waiting = [a.approved for a in selectors.payable(user, fund) if a.approved is not None]
    can_manage = user.can("aid.fund_manage")
    context = {
        "fund": fund, **selectors.totals(fund), "rows": _rows(user, fund, kind), "kind": kind,
        "kinds": EntryKind.choices, "payable": len(waiting), "payable_total": sum(waiting, Decimal("0.00")),
        "can_manage": can_manage, "donation_form": DonationForm() if can_manage else None,
        "reason_form": ReasonForm(), **extra,
    }  # fmt: skip
    return render(request, "aid/fund.html", context, status=status)


@page("aid.fund", params=("kind",))
def fund(request: AuthedRequest) -> HttpResponse:
    return _page(request)


@page("aid.fund_manage", methods=("POST",))
def donation_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = DonationForm(request.POST)

    def action(data: dict[str, Any]) -> FundEntry:
        key = idempotency.header_key(data["once"])
        summary = {k: str(data.get(k) or "") for k in DonationForm.base_fields if k != "once"}
        row, new = idempotency.once(
            actor=user, key=key, request=summary,
            create=lambda: donation_record(actor=user, donor=data["donor"], donor_kind=data["donor_kind"],
                                           amount=data["amount"], received_on=data["received_on"],
                                           reference=data.get("reference") or "", note=data.get("note") or ""),
        )  # fmt: skip
        row.fresh = new  # type: ignore[attr-defined]
        return row

    row = submit_form(request, form, action)
    if row is None:
        return _page(request, status=400, donation_form=form)
    if getattr(row, "fresh", True):
        messages.success(request, _("The donation of %(amount)s yuan from %(donor)s is recorded.")
                         % {"amount": row.amount, "donor": row.donor.name if row.donor else ""})  # fmt: skip
    else:
        messages.info(request, _("This donation was already recorded."))
    return redirect("aid:fund")


@page("aid.fund_manage", target=Target(FundEntry), methods=("POST",))
def entry_reverse_view(request: AuthedRequest, pk: int) -> HttpResponse:
    row = get_visible_or_404(FundEntry.objects.all(), request.user, "correct", pk=pk)
    form = ReasonForm(request.POST)
    made = submit_form(request, form, lambda d: entry_reverse(actor=request.user, entry=row, reason=d["reason"]))
    if made is None:
        return _page(request, status=400, bad_row=row.pk, bad_form=form)
    messages.success(request, _("The row is reversed; the balance is %(balance)s yuan.")
                     % {"balance": made.fund.balance})  # fmt: skip
    return redirect("aid:fund")


urlpatterns = [
    path("fund/", fund, name="fund"),
    path("fund/donations/", donation_new, name="donation_new"),
    path("fund/entries/<id:pk>/reverse/", entry_reverse_view, name="entry_reverse"),
]
