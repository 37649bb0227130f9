"""A martyr's family member: their 一人一档 page (the record, its history, the person's visits and needs from care
and entitlements from benefits, with links to log a visit or raise a need on care's own pages), the record
updated, the responsible person named; a responsible person's families as cards; and the way in from a
person's page of the registry."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from core import idempotency
from core.access import Target, may_open, page
from core.ids import parse_id
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from core.views import submit_form
from martyrs import selectors, services
from martyrs.forms import RecordForm, ResponsibleForm
from martyrs.models import RECORD_FIELDS, MartyrFamily

#: The newest visits, needs and changes a 一人一档 page shows.
SHOWN = 30
FAMILY = Target(MartyrFamily)


def _labelled(changes: Any) -> list[Any]:
    """Each change with the names of the fields it touched, in the bureau's words."""
    rows = list(changes)
    for row in rows:
        row.labels = [str(getattr(MartyrFamily._meta.get_field(name), "verbose_name", name)) for name in row.changes]
    return rows


def _page(request: AuthedRequest, family: MartyrFamily, *, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    services.record_view(actor=user, family=family)
    person = family.veteran
    record_form = forms.get("record_form") or RecordForm(initial={f: getattr(family, f) for f in RECORD_FIELDS})
    may_assign = user.can("martyrs.manage")
    responsible_form = forms.get("responsible_form")
    if may_assign and responsible_form is None:
        responsible_form = ResponsibleForm(initial={"responsible": family.responsible_id or ""},
                                           users=services.responsible_candidates(family))  # fmt: skip
    context = {
        "family": family, "martyr": family.martyr, "person": person,
        "martyr_visible": selectors.martyrs(user).filter(pk=family.martyr_id).exists(),
        "visits": list(selectors.visits_of(user, person.pk)[:SHOWN]),
        "needs": list(selectors.needs_of(user, person.pk)[:SHOWN]),
        "entitlements": list(selectors.entitlements_of(user, person.pk)),
        "history": _labelled(selectors.history(user, family)[:SHOWN]),
        "may_update": services.may_update_record(user, family), "record_form": record_form,
        "may_assign": may_assign, "responsible_form": responsible_form,
        "can_visit": may_open(user, "care:visit_new"), "can_raise": may_open(user, "care:need_new"),
        "can_see_care": user.can("care.view"),
    }  # fmt: skip
    return render(request, "martyrs/family.html", context, status=status)


@page("martyrs.view", target=FAMILY, no_store=True)
def family_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The family member's 一人一档 page; each opening is audited (``martyrs.record_view``)."""
    return _page(request, get_visible_or_404(selectors.family_get(request.user), request.user, pk=pk))


@page("martyrs.respond", target=FAMILY, methods=("POST",), no_store=True)
def record_update(request: AuthedRequest, pk: int) -> HttpResponse:
    family = get_visible_or_404(selectors.family_get(request.user), request.user, pk=pk)
    form = RecordForm(request.POST)

    def action(data: dict[str, Any]) -> MartyrFamily:
        record = services.RecordInput(**{f: data.get(f) or "" for f in RECORD_FIELDS})
        summary = {f: data.get(f) or "" for f in RECORD_FIELDS} | {"family": family.pk}
        made, _new = idempotency.once(actor=request.user, key=idempotency.header_key(data["once"]), request=summary,
                                      create=lambda: services.record_update(actor=request.user, family=family,
                                                                            data=record))  # fmt: skip
        return made

    if submit_form(request, form, action) is None:
        if not services.may_update_record(request.user, family):
            for error in form.non_field_errors():
                messages.error(request, str(error))  # the form is not shown to them: say it above the page
        return _page(request, family, status=400, record_form=form)
    messages.success(request, _("一人一档 record saved."))
    return redirect("martyrs:family", pk=family.pk)


@page("martyrs.manage", target=FAMILY, methods=("POST",), no_store=True)
def responsible_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    family = get_visible_or_404(selectors.family_get(request.user), request.user, pk=pk)
    users = services.responsible_candidates(family)
    form = ResponsibleForm(request.POST, users=users)

    def action(data: dict[str, Any]) -> MartyrFamily:
        chosen = next((u for u in users if str(u.pk) == data.get("responsible")), None)
        return services.responsible_assign(actor=request.user, family=family, user=chosen)

    if submit_form(request, form, action) is None:
        return _page(request, family, status=400, responsible_form=form)
    messages.success(request, _("Responsible person saved."))
    return redirect("martyrs:family", pk=family.pk)


@page("martyrs.respond", no_store=True)
def mine(request: AuthedRequest) -> HttpResponse:
    """The family members the user answers for, as cards: not contacted within their frequency first; one tap
    calls (the phones shown are audited), one logs a visit on care's page."""
    rows = selectors.my_families(request.user)
    phones = services.phones_shown(actor=request.user, veterans=[r.veteran for r in rows])
    for row in rows:
        row.phone = phones.get(row.veteran_id, "")
    context = {"rows": rows, "overdue": sum(1 for r in rows if r.overdue),
               "can_visit": may_open(request.user, "care:visit_new")}  # fmt: skip
    return render(request, "martyrs/mine.html", context)


@page("martyrs.view", params=("veteran",))
def for_person(request: AuthedRequest) -> HttpResponse:
    """From a person's page of the registry: their 一人一档 record (the list when they are the family of several
    martyrs)."""
    pk = parse_id(request.GET.get("veteran", ""))
    links = list(selectors.links_of(request.user, pk)) if pk is not None else []
    if len(links) == 1:
        return redirect("martyrs:family", pk=links[0].pk)
    person = links[0].veteran if links else None
    return render(request, "martyrs/for_person.html", {"links": links, "person": person})


urlpatterns = [
    path("families/<id:pk>/", family_detail, name="family"),
    path("families/<id:pk>/record/", record_update, name="record_update"),
    path("families/<id:pk>/responsible/", responsible_assign, name="responsible_assign"),
    path("mine/", mine, name="mine"),
    path("for-person/", for_person, name="for_person"),
]
