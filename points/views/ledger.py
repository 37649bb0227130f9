"""A veteran's points: the balance, what is owed and every ledger row, each linked to the entry and its
evidence; a correction (a reversing row, with the reason) and a redemption's cancellation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from core.access import Target, page
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from core.views import submit_form
from points.entries import balance_of, cancel_redemption, correct, ledger_of
from points.forms import ReasonForm
from points.models import Entry, Kind, PointEntry
from veterans.models import Veteran
from workflow.models import Attachment

#: The newest rows a ledger page shows.
ROWS = 300


def _rows(user: Any, veteran: Veteran) -> list[dict[str, Any]]:
    rows = list(ledger_of(user, veteran)[:ROWS])
    cases = {r.entry.case_id for r in rows if r.entry_id}
    visible = set(Entry.objects.visible_to(user).filter(case_id__in=cases).values_list("case_id", flat=True))
    evidence: dict[int, list[Attachment]] = {}
    for a in Attachment.objects.filter(case_id__in=visible).order_by("id"):
        evidence.setdefault(a.case_id, []).append(a)
    can_correct, can_cancel = user.can("points.correct"), user.can("points.redeem")
    out = []
    for r in rows:
        try:
            reversed_by = r.reversed_by
        except PointEntry.DoesNotExist:
            reversed_by = None
        if r.reward_id:
            what = r.reward.name
        elif r.version_id:
            what = f"{r.version.name} · {r.aspect.name if r.aspect_id else ''}"
        else:
            what = ""
        case_id = r.entry.case_id if r.entry_id else None
        live = r.reverses_id is None and reversed_by is None
        out.append({
            "row": r, "what": what, "reversed_by": reversed_by,
            "entry_case": case_id if case_id in visible else None,
            "entry_number": r.entry.case.number if r.entry_id else "",
            "evidence": evidence.get(case_id, []) if case_id else [],
            "may_correct": can_correct and live and r.kind != Kind.REDEMPTION,
            "may_cancel": can_cancel and live and r.kind == Kind.REDEMPTION,
        })  # fmt: skip
    return out


def _page(request: AuthedRequest, veteran: Veteran, status: int = 200, **extra: Any) -> HttpResponse:
    balance, owed = balance_of(veteran)
    rows = _rows(request.user, veteran)
    context = {"v": veteran, "balance": balance, "owed": owed, "rows": rows, "more": len(rows) == ROWS,
               "form": ReasonForm(), **extra}  # fmt: skip
    return render(request, "points/ledger.html", context, status=status)


@page("points.view", target=Target(Veteran))
def ledger(request: AuthedRequest, pk: int) -> HttpResponse:
    return _page(request, get_visible_or_404(Veteran.objects.all(), request.user, pk=pk))


@page("points.view", params=("veteran",))
def ledger_of_veteran(request: AuthedRequest) -> HttpResponse:
    """``?veteran=<id>`` (a button on the veteran's page) to that veteran's ledger."""
    raw = request.GET.get("veteran") or ""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        messages.error(request, _("Open a veteran's points from their record."))
        return redirect("points:home")
    veteran = get_visible_or_404(Veteran.objects.all(), request.user, pk=int(raw))
    return redirect("points:ledger", pk=veteran.pk)


def _reverse(request: AuthedRequest, pk: int, service: Any, done: str, action: str = "view") -> HttpResponse:
    row = get_visible_or_404(PointEntry.objects.select_related("veteran"), request.user, action, pk=pk)
    form = ReasonForm(request.POST)
    made = submit_form(request, form, lambda d: service(actor=request.user, row=row, reason=d["reason"]))
    if made is None:
        return _page(request, row.veteran, status=400, bad_row=row.pk, bad_form=form)
    messages.success(request, done)
    return redirect("points:ledger", pk=row.veteran_id)


@page("points.correct", target=Target(PointEntry), methods=("POST",))
def row_correct(request: AuthedRequest, pk: int) -> HttpResponse:
    return _reverse(request, pk, correct, _("The row is reversed; the right entry can now be made."), "correct")


@page("points.redeem", target=Target(PointEntry), methods=("POST",))
def row_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    return _reverse(request, pk, cancel_redemption, _("The redemption is cancelled and its points given back."))


urlpatterns = [
    path("veterans/", ledger_of_veteran, name="ledger_of"),
    path("veterans/<id:pk>/", ledger, name="ledger"),
    path("ledger/<id:pk>/correct/", row_correct, name="row_correct"),
    path("ledger/<id:pk>/cancel/", row_cancel, name="row_cancel"),
]
