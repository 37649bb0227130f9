"""Disbursement ceremonies: the ceremonies held, one with the grants it paid, and a new one (pick the approved
grants, pay them all at once)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from aid import selectors
from aid.forms import CeremonyForm
from aid.models import Ceremony
from aid.services import ceremony_hold
from core import idempotency
from core.access import Target, page
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from core.views import submit_form


def _page(request: AuthedRequest, form: CeremonyForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    try:
        fund = selectors.fund_of(user)
    except ValidationError as exc:
        return render(request, "aid/ceremonies.html", {"error": exc.messages[0]}, status=400)
    payable = list(selectors.payable(user, fund)) if user.can("aid.fund_manage") else []
    if form is None and user.can("aid.fund_manage"):
        form = CeremonyForm(payable=payable)
    context = {
        "fund": fund, "ceremonies": selectors.ceremonies(user)[:100], "form": form, "payable": payable,
        "payable_total": sum(a.approved for a in payable),
    }  # fmt: skip
    return render(request, "aid/ceremonies.html", context, status=status)


@page("aid.fund")
def ceremonies(request: AuthedRequest) -> HttpResponse:
    return _page(request)


@page("aid.fund_manage", methods=("POST",))
def ceremony_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    try:
        payable = list(selectors.payable(user, selectors.fund_of(user)))
    except ValidationError:
        payable = []
    form = CeremonyForm(request.POST, payable=payable)

    def action(data: dict[str, Any]) -> Ceremony:
        key = idempotency.header_key(data["once"])
        summary = {"name": data["name"], "held_on": str(data["held_on"]), "place": data.get("place") or "",
                   "applications": sorted(data["applications"])}  # fmt: skip
        made, new = idempotency.once(
            actor=user, key=key, request=summary,
            create=lambda: ceremony_hold(actor=user, name=data["name"], held_on=data["held_on"],
                                         place=data.get("place") or "", applications=data["applications"]),
        )  # fmt: skip
        made.fresh = new  # type: ignore[attr-defined]
        return made

    made = submit_form(request, form, action)
    if made is None:
        return _page(request, form, status=400)
    if getattr(made, "fresh", True):
        messages.success(
            request, _("%(n)s grants paid, %(total)s yuan in all.") % {"n": made.grants, "total": made.total}
        )
    else:
        messages.info(request, _("This ceremony was already recorded."))
    return redirect("aid:ceremony", pk=made.pk)


@page("aid.fund", target=Target(Ceremony))
def ceremony_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    ceremony = get_visible_or_404(Ceremony.objects.all(), request.user, pk=pk)
    grants = list(selectors.ceremony_grants(ceremony))
    return render(request, "aid/ceremony.html", {"c": ceremony, "grants": grants})


urlpatterns = [
    path("ceremonies/", ceremonies, name="ceremonies"),
    path("ceremonies/new/", ceremony_new, name="ceremony_new"),
    path("ceremonies/<id:pk>/", ceremony_detail, name="ceremony"),
]
