"""The catalog as it stands today, by aspect, and for the bureau its editing: a new version of an item from a
date, a new item, an aspect renamed or moved, an item withdrawn from a date; each item's version history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import page
from core.types import AuthedRequest
from core.views import submit_form
from points import catalog as services
from points.entries import catalog_on, version_on
from points.forms import AspectForm, VersionForm, WithdrawForm, item_label
from points.models import Aspect, Item, ItemVersion, Submitter

ITEM = {"code": "volunteer-service"}
ASPECT = {"code": "volunteer"}


def _input(data: dict[str, Any]) -> services.VersionInput:
    return services.VersionInput(
        name=data["name"], basis=data["basis"], points=data["points"], deduction=data["deduction"],
        quarter_cap=data.get("quarter_cap"), year_cap=data.get("year_cap"), submitters=list(data["submitters"]),
        town_from=data.get("town_from"), evidence=data["evidence"], evidence_hint=data.get("evidence_hint") or "",
    )  # fmt: skip


def _initial(version: ItemVersion | None) -> dict[str, Any]:
    today = timezone.localdate()
    if version is None:
        return {"effective_from": today, "basis": "fixed", "submitters": ["station"], "evidence": "none"}
    fields = ("name", "basis", "points", "deduction", "quarter_cap", "year_cap", "submitters", "town_from",
              "evidence", "evidence_hint")  # fmt: skip
    return {"effective_from": today, **{f: getattr(version, f) for f in fields}}


def describe(v: ItemVersion) -> ItemVersion:
    """The version with its words for a page: who submits it, who approves it, what it is worth."""
    v.who_submits = "、".join(str(Submitter(s).label) for s in v.submitters if s in Submitter.values)  # type: ignore[attr-defined]
    if v.deduction:
        v.who_approves = _("The town (a deduction)")  # type: ignore[attr-defined]
    elif v.town_from:
        v.who_approves = _("The village; the town from %(n)s points") % {"n": v.town_from}  # type: ignore[attr-defined]
    else:
        v.who_approves = _("The village")  # type: ignore[attr-defined]
    v.worth = item_label(v)  # type: ignore[attr-defined]
    return v


@page("points.view")
def catalog(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    versions = catalog_on(today)
    aspects: dict[int, dict[str, Any]] = {a.pk: {"aspect": a, "items": []} for a in Aspect.objects.all()}
    for v in versions:
        aspects[v.item.aspect_id]["items"].append(describe(v))
    context = {
        "aspects": list(aspects.values()),
        "example": services.is_example(today),
        "can_edit": request.user.can("points.catalog"),
        "today": today,
    }
    return render(request, "points/catalog.html", context)


@page("points.view", examples=ITEM)
def item_detail(request: AuthedRequest, code: str) -> HttpResponse:
    item = get_object_or_404(Item.objects.select_related("aspect"), code=code)
    return _item_page(request, item)


def _item_page(request: AuthedRequest, item: Item, status: int = 200, **forms: Any) -> HttpResponse:
    today = timezone.localdate()
    current = version_on(item, today)
    latest = item.versions.order_by("-effective_from", "-published_at", "-id").first()
    can_edit = request.user.can("points.catalog")
    context = {
        "item": item,
        "current": describe(current) if current else None,
        "history": [describe(v) for v in services.history_of(item)],
        "can_edit": can_edit,
        "version_form": forms.get("version_form") or (VersionForm(initial=_initial(current or latest)) if can_edit
                                                      else None),
        "withdraw_form": forms.get("withdraw_form") or (WithdrawForm(initial={"effective_from": today}) if can_edit
                                                        else None),
    }  # fmt: skip
    return render(request, "points/item.html", context, status=status)


@page("points.catalog", methods=("POST",), examples=ITEM)
def item_version(request: AuthedRequest, code: str) -> HttpResponse:
    item = get_object_or_404(Item, code=code)
    form = VersionForm(request.POST)
    made = submit_form(request, form, lambda d: services.publish_version(
        actor=request.user, item=item, effective_from=d["effective_from"], data=_input(d)))  # fmt: skip
    if made is None:
        return _item_page(request, item, status=400, version_form=form)
    messages.success(request, _("The new version is in force from %(day)s.") % {"day": made.effective_from})
    return redirect("points:item", code=item.code)


@page("points.catalog", methods=("POST",), examples=ITEM)
def item_withdraw(request: AuthedRequest, code: str) -> HttpResponse:
    item = get_object_or_404(Item, code=code)
    form = WithdrawForm(request.POST)
    made = submit_form(request, form, lambda d: services.withdraw_item(
        actor=request.user, item=item, effective_from=d["effective_from"]))  # fmt: skip
    if made is None:
        return _item_page(request, item, status=400, withdraw_form=form)
    messages.success(request, _("The item leaves the catalog from %(day)s.") % {"day": made.effective_from})
    return redirect("points:item", code=item.code)


@page("points.catalog", methods=("GET", "POST"), examples=ASPECT)
def aspect_edit(request: AuthedRequest, code: str) -> HttpResponse:
    aspect = get_object_or_404(Aspect, code=code)
    form = AspectForm(request.POST or None, initial={"name": aspect.name, "order": aspect.order}, prefix="aspect")
    item_form = VersionForm(request.POST or None, initial=_initial(None), prefix="item")
    if request.method == "POST" and "item-name" in request.POST:
        made = submit_form(request, item_form, lambda d: services.add_item(
            actor=request.user, aspect=aspect, effective_from=d["effective_from"], data=_input(d)))  # fmt: skip
        form = AspectForm(initial={"name": aspect.name, "order": aspect.order}, prefix="aspect")
        if made is not None:
            messages.success(request, _("The item is added to the catalog."))
            return redirect("points:item", code=made.code)
    elif request.method == "POST":
        saved = submit_form(request, form, lambda d: services.aspect_save(
            actor=request.user, aspect=aspect, name=d["name"], order=d.get("order")))  # fmt: skip
        item_form = VersionForm(initial=_initial(None), prefix="item")
        if saved is not None:
            messages.success(request, _("The aspect is saved."))
            return redirect("points:catalog")
    status = 400 if request.method == "POST" else 200
    return render(request, "points/aspect.html", {"aspect": aspect, "form": form, "item_form": item_form},
                  status=status)  # fmt: skip


urlpatterns = [
    path("catalog/", catalog, name="catalog"),
    path("catalog/items/<slug:code>/", item_detail, name="item"),
    path("catalog/items/<slug:code>/version/", item_version, name="item_version"),
    path("catalog/items/<slug:code>/withdraw/", item_withdraw, name="item_withdraw"),
    path("catalog/aspects/<slug:code>/", aspect_edit, name="aspect"),
]
