"""The martyrs' register: the list and its search, a martyr's page (deeds, memorial, family), a martyr registered
or changed, a family member linked; and the register's figures."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from core.access import Target, page
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from core.views import submit_form
from martyrs import selectors, services
from martyrs.figures import family_figures, memorial_conditions
from martyrs.forms import FamilyLinkForm, MartyrForm
from martyrs.models import Martyr
from regions.selectors import scoped_area

#: The most martyrs a list shows (a county registers a few hundred): past it, the search narrows.
LIMIT = 300


@page("martyrs.view", params=("q", "synthetic"))
def martyr_list(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:40]
    wanted = request.GET.get("synthetic", "")
    synthetic = {"yes": True, "no": False}.get(wanted)
    rows = list(selectors.martyrs(request.user, q=q, synthetic=synthetic)[: LIMIT + 1])
    context = {"rows": rows[:LIMIT], "more": len(rows) > LIMIT, "q": q, "synthetic": wanted,
               "can_manage": request.user.can("martyrs.manage")}  # fmt: skip
    return render(request, "martyrs/list.html", context)


def _input(data: dict[str, Any], synthetic: bool = False) -> services.MartyrInput:
    return services.MartyrInput(
        name=data["name"], region=data["region"], gender=data.get("gender") or "", born=data.get("born") or "",
        sacrificed=data.get("sacrificed") or "", native_place=data.get("native_place") or "",
        unit=data.get("unit") or "", place_of_sacrifice=data.get("place_of_sacrifice") or "",
        deeds=data.get("deeds") or "", memorial=data.get("memorial"), burial_place=data.get("burial_place") or "",
        synthetic=synthetic,
    )  # fmt: skip


@page("martyrs.manage", methods=("GET", "POST"))
def martyr_new(request: AuthedRequest) -> HttpResponse:
    form = MartyrForm(request.POST or None, user=request.user, memorials=list(selectors.resting_places(request.user)))
    made = submit_form(request, form, lambda d: services.martyr_create(actor=request.user, data=_input(d)))
    if made is not None:
        messages.success(request, _("Martyr registered."))
        return redirect("martyrs:martyr", pk=made.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "martyrs/martyr_form.html", {"form": form, "martyr": None}, status=status)


@page("martyrs.view", target=Target(Martyr))
def martyr_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    martyr = get_visible_or_404(Martyr.objects.select_related("memorial", "region"), request.user, pk=pk)
    family = list(selectors.family_of(request.user, martyr))
    shown = martyr.memorial_id
    memorial_visible = shown is not None and selectors.memorial_get(request.user).filter(pk=shown).exists()
    context = {"martyr": martyr, "family": family, "memorial_visible": memorial_visible,
               "can_manage": request.user.can("martyrs.manage")}  # fmt: skip
    return render(request, "martyrs/martyr.html", context)


@page("martyrs.manage", target=Target(Martyr), methods=("GET", "POST"))
def martyr_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    martyr = get_visible_or_404(Martyr.objects.all(), request.user, pk=pk)
    initial = {"name": martyr.name, "gender": martyr.gender, "born": martyr.born_shown,
               "sacrificed": martyr.sacrificed_shown, "native_place": martyr.native_place, "region": martyr.region_code,
               "unit": martyr.unit, "place_of_sacrifice": martyr.place_of_sacrifice, "deeds": martyr.deeds,
               "memorial": martyr.memorial_id, "burial_place": martyr.burial_place}  # fmt: skip
    form = MartyrForm(request.POST or None, initial=initial, user=request.user,
                      memorials=list(selectors.resting_places(request.user)))  # fmt: skip
    made = submit_form(request, form, lambda d: services.martyr_update(actor=request.user, martyr=martyr,
                                                                       data=_input(d, martyr.synthetic)))  # fmt: skip
    if made is not None:
        messages.success(request, _("Martyr saved."))
        return redirect("martyrs:martyr", pk=martyr.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "martyrs/martyr_form.html", {"form": form, "martyr": martyr}, status=status)


@page("martyrs.manage", target=Target(Martyr), methods=("GET", "POST"))
def family_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """A person of the registry (烈士遗属) recorded as one of the martyr's family."""
    martyr = get_visible_or_404(Martyr.objects.all(), request.user, pk=pk)
    form = FamilyLinkForm(request.POST or None)
    made = submit_form(request, form, lambda d: services.family_link(
        actor=request.user, martyr=martyr, veteran_id=d["veteran"], relation=d["relation"]),
        aliases={"veteran_id": "veteran"})  # fmt: skip
    if made is not None:
        messages.success(request, _("Family member recorded: their 一人一档 record is open."))
        return redirect("martyrs:family", pk=made.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "martyrs/family_form.html", {"form": form, "martyr": martyr}, status=status)


@page("martyrs.view", params=("region",))
def figures(request: AuthedRequest) -> HttpResponse:
    """Martyr families by area (with a responsible person, contacted within their frequency) and facilities by
    condition."""
    error, status = "", 200
    try:
        area = scoped_area(request.user, request.GET.get("region", ""))
    except ValidationError as exc:
        error, status = exc.messages[0], 400
        area = request.user.scope_region  # type: ignore[assignment]
    total: dict[str, Any] | None = None
    areas: list[dict[str, Any]] = []
    conditions: list[dict[str, Any]] = []
    if area is not None:
        total, areas = family_figures(area.code)
        conditions = memorial_conditions(area.code)
    context = {"area": area, "total": total, "areas": areas, "conditions": conditions, "error": error}
    return render(request, "martyrs/figures.html", context, status=status)


urlpatterns = [
    path("", martyr_list, name="list"),
    path("new/", martyr_new, name="martyr_new"),
    path("<id:pk>/", martyr_detail, name="martyr"),
    path("<id:pk>/edit/", martyr_edit, name="martyr_edit"),
    path("<id:pk>/family/new/", family_new, name="family_new"),
    path("figures/", figures, name="figures"),
]
