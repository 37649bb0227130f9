"""The memorial facilities: the list by condition, a facility's page (its martyrs, its upkeep ledger, its visits of
remembrance, with their forms), a facility registered or changed, an upkeep row entered or reversed, a visit of
remembrance recorded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from core import idempotency
from core.access import Target, page
from core.ledger import round_fen
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from core.views import submit_form
from martyrs import selectors, services
from martyrs.forms import MemorialForm, ReasonForm, RemembranceForm, UpkeepForm
from martyrs.models import Condition, Memorial, Upkeep

#: The newest rows a facility's page shows of its ledger and its visits.
SHOWN = 100


@page("martyrs.view", params=("condition",))
def memorial_list(request: AuthedRequest) -> HttpResponse:
    condition = request.GET.get("condition", "")
    if condition not in Condition.values:
        condition = ""
    rows = list(selectors.memorials(request.user, condition=condition)[:500])
    context = {"rows": rows, "condition": condition, "conditions": Condition.choices,
               "can_manage": request.user.can("martyrs.manage")}  # fmt: skip
    return render(request, "martyrs/memorials.html", context)


def _input(data: dict[str, Any]) -> services.MemorialInput:
    return services.MemorialInput(
        name=data["name"], kind=data["kind"], region=data["region"], address=data.get("address") or "",
        protection_level=data["protection_level"], condition=data["condition"], note=data.get("note") or "",
    )  # fmt: skip


@page("martyrs.manage", methods=("GET", "POST"))
def memorial_new(request: AuthedRequest) -> HttpResponse:
    form = MemorialForm(request.POST or None, user=request.user)
    made = submit_form(request, form, lambda d: services.memorial_create(actor=request.user, data=_input(d)))
    if made is not None:
        messages.success(request, _("Facility registered."))
        return redirect("martyrs:memorial", pk=made.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "martyrs/memorial_form.html", {"form": form, "memorial": None}, status=status)


@page("martyrs.manage", target=Target(Memorial), methods=("GET", "POST"))
def memorial_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    memorial = get_visible_or_404(Memorial.objects.all(), request.user, pk=pk)
    initial = {f: getattr(memorial, f) for f in ("name", "kind", "address", "protection_level", "condition", "note")}
    form = MemorialForm(request.POST or None, initial=initial | {"region": memorial.region_code}, user=request.user)

    def action(data: dict[str, Any]) -> Memorial:
        values = _input(data)
        values.synthetic = memorial.synthetic
        return services.memorial_update(actor=request.user, memorial=memorial, data=values)

    if submit_form(request, form, action) is not None:
        messages.success(request, _("Facility saved."))
        return redirect("martyrs:memorial", pk=memorial.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "martyrs/memorial_form.html", {"form": form, "memorial": memorial}, status=status)


def _ledger(user: Any, memorial: Memorial) -> tuple[list[dict[str, Any]], Decimal]:
    may_reverse = user.can("martyrs.manage")
    rows = list(selectors.upkeep_of(user, memorial)[:SHOWN])
    reversed_ids = {r.reverses_id for r in rows if r.reverses_id}
    out = [
        {"row": r, "reversed": r.pk in reversed_ids,
         "may_reverse": may_reverse and r.reverses_id is None and r.pk not in reversed_ids}
        for r in rows
    ]  # fmt: skip
    total = round_fen(sum((r.cost for r in selectors.upkeep_of(user, memorial)), Decimal("0")))
    return out, total


def _page(request: AuthedRequest, memorial: Memorial, *, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    can_manage = user.can("martyrs.manage")
    ledger, total = _ledger(user, memorial)
    context = {
        "memorial": memorial, "martyrs": list(selectors.martyrs_at(user, memorial)[:SHOWN]), "ledger": ledger,
        "total": total, "remembrances": list(selectors.remembrances_of(user, memorial)[:SHOWN]),
        "can_manage": can_manage,
        "upkeep_form": forms.get("upkeep_form") or (UpkeepForm() if can_manage else None),
        "remembrance_form": forms.get("remembrance_form") or (RemembranceForm() if can_manage else None),
        "reason_form": ReasonForm(), "bad_row": forms.get("bad_row"), "bad_form": forms.get("bad_form"),
    }  # fmt: skip
    return render(request, "martyrs/memorial.html", context, status=status)


@page("martyrs.view", target=Target(Memorial))
def memorial_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _page(request, get_visible_or_404(selectors.memorial_get(request.user), request.user, pk=pk))


def _once(request: AuthedRequest, data: dict[str, Any], form: Any, create: Any) -> Any:
    summary = {k: str(data.get(k) or "") for k in form.base_fields if k != "once"}
    made, new = idempotency.once(actor=request.user, key=idempotency.header_key(data["once"]), request=summary,
                                 create=create)  # fmt: skip
    made.fresh = new
    return made


@page("martyrs.manage", target=Target(Memorial), methods=("POST",))
def upkeep_new(request: AuthedRequest, pk: int) -> HttpResponse:
    memorial = get_visible_or_404(selectors.memorial_get(request.user), request.user, pk=pk)
    form = UpkeepForm(request.POST)
    row = submit_form(request, form, lambda d: _once(request, d, form, lambda: services.upkeep_record(
        actor=request.user, memorial=memorial, done_on=d["done_on"], work=d["work"], cost=d["cost"],
        done_by=d["done_by"])))  # fmt: skip
    if row is None:
        return _page(request, memorial, status=400, upkeep_form=form)
    if row.fresh:
        messages.success(request, _("Upkeep record entered."))
    else:
        messages.info(request, _("This upkeep record was already entered."))
    return redirect("martyrs:memorial", pk=memorial.pk)


@page("martyrs.manage", target=Target(Upkeep), methods=("POST",))
def upkeep_reverse(request: AuthedRequest, pk: int) -> HttpResponse:
    row = get_visible_or_404(Upkeep.objects.select_related("memorial"), request.user, pk=pk)
    form = ReasonForm(request.POST)
    made = submit_form(request, form, lambda d: services.upkeep_reverse(actor=request.user, entry=row,
                                                                        reason=d["reason"]))  # fmt: skip
    if made is None:
        return _page(request, row.memorial, status=400, bad_row=row.pk, bad_form=form)
    messages.success(request, _("The upkeep row is reversed."))
    return redirect("martyrs:memorial", pk=row.memorial_id)


@page("martyrs.manage", target=Target(Memorial), methods=("POST",))
def remembrance_new(request: AuthedRequest, pk: int) -> HttpResponse:
    memorial = get_visible_or_404(selectors.memorial_get(request.user), request.user, pk=pk)
    form = RemembranceForm(request.POST)
    made = submit_form(request, form, lambda d: _once(request, d, form, lambda: services.remembrance_record(
        actor=request.user, memorial=memorial, visited_on=d["visited_on"], group=d["group"], people=d["people"],
        note=d.get("note") or "")))  # fmt: skip
    if made is None:
        return _page(request, memorial, status=400, remembrance_form=form)
    if made.fresh:
        messages.success(request, _("Visit of remembrance recorded."))
    else:
        messages.info(request, _("This visit of remembrance was already recorded."))
    return redirect("martyrs:memorial", pk=memorial.pk)


urlpatterns = [
    path("memorials/", memorial_list, name="memorials"),
    path("memorials/new/", memorial_new, name="memorial_new"),
    path("memorials/<id:pk>/", memorial_detail, name="memorial"),
    path("memorials/<id:pk>/edit/", memorial_edit, name="memorial_edit"),
    path("memorials/<id:pk>/upkeep/", upkeep_new, name="upkeep_new"),
    path("memorials/<id:pk>/remembrances/", remembrance_new, name="remembrance_new"),
    path("upkeep/<id:pk>/reverse/", upkeep_reverse, name="upkeep_reverse"),
]
