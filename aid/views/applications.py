"""The applications register on the kit (a list and one application with its steps) and the proposal form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from aid.forms import ApplicationFilterForm, ApplicationForm
from aid.models import Application
from aid.process import APPLICATION
from aid.register import APPLICATIONS
from aid.services import application_propose
from core import idempotency
from core.access import Target, page
from core.ids import parse_id
from core.pickers import bind
from core.types import AuthedRequest
from core.views import submit_form
from regions.models import Region
from workflow.kit import detail_page, list_page


@page(APPLICATION.view_capability, params=(*ApplicationFilterForm.base_fields, "cursor"))
def applications(request: AuthedRequest) -> HttpResponse:
    form = ApplicationFilterForm(request.GET or None)
    return list_page(APPLICATIONS, request, template="aid/applications.html", form=form)


def _extra(application: Application) -> dict[str, Any]:
    grant = application.grants.filter(reverses__isnull=True).select_related("ceremony", "reversed_by").first()
    return {"a": application, "grant": grant, "place": Region.objects.filter(code=application.region_code).first()}


@page(APPLICATION.view_capability, target=Target(Application, "case_id"))
def application_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return detail_page(APPLICATIONS, request, pk, template="aid/application.html", extra=_extra)


@page(APPLICATION.open_capability, methods=("GET", "POST"), params=("veteran",))
def application_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    initial = {}
    chosen = parse_id(request.GET.get("veteran") or "")
    if chosen is not None:
        initial["veteran"] = str(chosen)
    form = bind(ApplicationForm(request.POST or None, initial=initial), user)

    def action(data: dict[str, Any]) -> Application:
        key = idempotency.header_key(data["once"])
        summary = {k: str(data.get(k) or "") for k in ("veteran", "need", "circumstances", "requested")}
        made, new = idempotency.once(
            actor=user, key=key, request=summary,
            create=lambda: application_propose(actor=user, veteran=int(data["veteran"] or 0), need=data["need"],
                                               circumstances=data["circumstances"], requested=data["requested"]),
        )  # fmt: skip
        made.fresh = new  # type: ignore[attr-defined]
        return made

    made = submit_form(request, form, action)
    if made is not None:
        if getattr(made, "fresh", True):
            messages.success(
                request, _("Proposed as %(number)s; the town checks it next.") % {"number": made.case.number}
            )
        else:
            messages.info(
                request, _("This application was already proposed as %(number)s.") % {"number": made.case.number}
            )
        return redirect("aid:application", pk=made.case_id)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "aid/application_form.html", {"form": form}, status=status)


urlpatterns = [
    path("", applications, name="applications"),
    path("applications/new/", application_new, name="application_new"),
    path("applications/<id:pk>/", application_detail, name="application"),
]
