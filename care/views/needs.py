"""Needs (急难愁盼) on the kit: the list, one need with its steps, a need raised by station staff."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from care import services
from care.forms import NeedFilterForm, NeedForm
from care.models import Need, NeedSource
from care.register import NEEDS
from care.views.contact import veteran_from_query
from core import idempotency
from core.access import Target, page
from core.types import AuthedRequest
from core.views import submit_form
from regions.models import Region
from workflow.kit import detail_page, list_page


@page(NEEDS.view_capability, params=(*NeedFilterForm.base_fields, "cursor"))
def needs(request: AuthedRequest) -> HttpResponse:
    form = NeedFilterForm(request.GET or None)
    return list_page(NEEDS, request, template="care/needs.html", form=form)


def _need_extra(need: Need) -> dict[str, Any]:
    handler = Region.objects.filter(code=need.handler_unit).first()
    return {"n": need, "handler": handler}


@page(NEEDS.view_capability, target=Target(Need, "case_id"))
def need_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return detail_page(NEEDS, request, pk, template="care/need.html", extra=_need_extra)


@page(NEEDS.open_capability, methods=("GET", "POST"), params=("veteran",), offline=True)
def need_new(request: AuthedRequest) -> HttpResponse:
    """A need raised by station staff (a need found on a visit is raised with the visit)."""
    veteran = veteran_from_query(request)
    form = NeedForm(request.POST or None, initial={"veteran": veteran.pk} if veteran else {})

    def action(data: dict[str, Any]) -> Need:
        need = services.NeedInput(data["category"], data["description"])
        key = idempotency.header_key(data["once"])
        summary = {"veteran": data["veteran"], "category": data["category"], "description": data["description"]}
        made, _new = idempotency.once(
            actor=request.user, key=key, request=summary,
            create=lambda: services.need_raise(actor=request.user, veteran_id=data["veteran"], need=need,
                                               source=NeedSource.STATION),
        )  # fmt: skip
        return made

    need = submit_form(request, form, action, aliases={"veteran_id": "veteran"})
    if need is not None:
        messages.success(request, _("Need raised as %(number)s.") % {"number": need.case.number})
        return redirect("care:need", pk=need.case_id)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "care/need_form.html", {"form": form, "veteran": veteran}, status=status)


urlpatterns = [
    path("needs/", needs, name="needs"),
    path("needs/new/", need_new, name="need_new"),
    path("needs/<id:pk>/", need_detail, name="need"),
]
