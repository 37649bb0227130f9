from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.access import page
from core.pickers import bind, picker_response
from core.types import AuthedRequest
from core.views import submit_form
from regions import selectors, services
from regions.forms import (
    DesignationForm,
    LeaderForm,
    RegionCreateForm,
    RegionEditForm,
    StarRatingForm,
    StationForm,
)
from regions.models import PARENT_LEVEL, Designation, Level, Region, StationKind
from regions.pickers import REGIONS


def _region(request: AuthedRequest, code: str) -> Region:
    return selectors.region_get(user=request.user, code=code)


@page("regions.view", params=("q", "level", "page"))
def index(request: AuthedRequest) -> HttpResponse:
    """The user's own region, or a search across everything they see."""
    q = request.GET.get("q", "").strip()
    level = request.GET.get("level", "")
    if not q and not level:
        return redirect("regions:detail", code=request.user.scope_region.code)  # type: ignore[union-attr]
    qs = selectors.region_list(user=request.user, q=q, level=level)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "regions/search.html", {"page": page, "levels": Level.choices})


@page("regions.view", params=("q", "levels"), no_store=True)
def pick(request: AuthedRequest) -> HttpResponse:
    """The region picker's matches for what the user typed, from their scope (``?q=当湖&levels=village,grid``)."""
    return picker_response(REGIONS, request)


@page("regions.view", target=selectors.REGION, no_store=True)  # a grid leader in office: full phone
def detail(request: AuthedRequest, code: str) -> HttpResponse:
    region = _region(request, code)
    user: Any = request.user
    visible_prefix = user.scope_prefix
    station = getattr(region, "station", None) if region.level != Level.GRID else None
    context: dict[str, Any] = {
        "region": region,
        "ancestors": [a for a in region.ancestors() if a.code.startswith(visible_prefix)],
        "children": selectors.region_children(user=user, region=region),
        "station": station,
        "can_manage": user.can("regions.manage"),
        "can_manage_station": user.can("stations.manage"),
        "can_manage_grid": user.can("grids.manage"),
        "child_level": next((lv for lv, parent in PARENT_LEVEL.items() if parent == region.level), None),
    }
    if station is not None:
        context["designations"] = station.designations.all()
        context["ratings"] = station.star_ratings.prefetch_related("scores__criterion")
    if region.level == Level.GRID:
        context["terms"] = selectors.leader_terms(user=user, grid=region)
    return render(request, "regions/detail.html", context)


def _form_page(request: AuthedRequest, region: Region, form: Any, title: str) -> HttpResponse:
    return render(request, "regions/form.html", {"region": region, "form": form, "title": title})


def _saved(request: AuthedRequest, message: str, code: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("regions:detail", code=code)


@page("regions.manage", target=selectors.REGION, methods=("GET", "POST"))
def create_child(request: AuthedRequest, code: str) -> HttpResponse:
    parent = _region(request, code)
    child_level = next((lv for lv, p in PARENT_LEVEL.items() if p == parent.level), None)
    form = RegionCreateForm(request.POST or None, initial={"level": child_level, "code": parent.prefix})
    region = submit_form(request, form, lambda data: services.region_create(actor=request.user, parent=parent, **data))
    if region is not None:
        return _saved(request, _("Region %(name)s created.") % {"name": region.name}, region.code)
    return _form_page(request, parent, form, _("New region under %(name)s") % {"name": parent.name})


@page("regions.manage", target=selectors.REGION, methods=("GET", "POST"))
def edit(request: AuthedRequest, code: str) -> HttpResponse:
    region = _region(request, code)
    form = bind(
        RegionEditForm(request.POST or None, initial={"name": region.name, "parent_code": region.parent_code}),
        request.user,
    )

    def save(data: dict[str, Any]) -> Region:
        new_parent_code = data["parent_code"].strip()
        parent = None
        if new_parent_code and new_parent_code != region.parent_code:
            parent = services.find_region_for(request.user, new_parent_code)
        return services.region_update(actor=request.user, region=region, name=data["name"], parent=parent)

    if submit_form(request, form, save) is not None:
        return _saved(request, _("Region saved."), region.code)
    return _form_page(request, region, form, _("Edit %(name)s") % {"name": region.name})


@page("stations.manage", target=selectors.REGION, methods=("GET", "POST"))
def station_edit(request: AuthedRequest, code: str) -> HttpResponse:
    region = _region(request, code)
    station = getattr(region, "station", None)
    initial = (
        {f: getattr(station, f) for f in services.STATION_FIELDS}
        if station
        else {"name": f"{region.name}{_('veterans service station')}"}
    )
    form = StationForm(request.POST or None, initial=initial)
    if submit_form(request, form, lambda data: services.station_save(actor=request.user, region=region, data=data)):
        return _saved(request, _("Station saved."), region.code)
    return _form_page(request, region, form, _("Station of %(name)s") % {"name": region.name})


def _station_or_404(request: AuthedRequest, code: str) -> Any:
    return selectors.station_get(user=request.user, code=code)


@page("stations.manage", target=selectors.STATION, methods=("GET", "POST"))
def designate(request: AuthedRequest, code: str) -> HttpResponse:
    station = _station_or_404(request, code)
    form = DesignationForm(request.POST or None)
    if submit_form(request, form, lambda data: services.station_designate(actor=request.user, station=station, **data)):
        return _saved(request, _("Designation recorded."), code)
    return _form_page(request, station.region, form, _("Designation of %(name)s") % {"name": station.name})


@page("stations.manage", target=selectors.STATION, methods=("GET", "POST"))
def rate(request: AuthedRequest, code: str) -> HttpResponse:
    station = _station_or_404(request, code)
    form = StarRatingForm(request.POST or None)
    rating = submit_form(
        request,
        form,
        lambda data: services.star_rating_record(
            actor=request.user, station=station, year=data["year"], scores=form.scores(), note=data["note"]
        ),
    )
    if rating is not None:
        message = _("Rated %(stars)d stars (score %(score)s).") % {
            "stars": rating.stars,
            "score": rating.total_score,
        }
        return _saved(request, message, code)
    return _form_page(request, station.region, form, _("Star rating of %(name)s") % {"name": station.name})


@page("grids.manage", target=selectors.REGION, methods=("GET", "POST"))
def leader(request: AuthedRequest, code: str) -> HttpResponse:
    grid = _region(request, code)
    form = LeaderForm(request.POST or None)

    def appoint(data: dict[str, Any]) -> Any:
        data = dict(data)
        service = services.grid_leader_rotate if data.pop("rotate") else services.grid_leader_appoint
        return service(actor=request.user, grid=grid, **data)

    if submit_form(request, form, appoint) is not None:
        return _saved(request, _("Leader appointed."), code)
    return _form_page(request, grid, form, _("Appoint a leader to %(name)s") % {"name": grid.name})


@page("regions.view", params=("designation", "kind", "q", "page"))
def stations(request: AuthedRequest) -> HttpResponse:
    qs = selectors.station_list(
        user=request.user,
        designation=request.GET.get("designation", ""),
        kind=request.GET.get("kind", ""),
        q=request.GET.get("q", ""),
    )
    page = Paginator(qs.prefetch_related("star_ratings"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "regions/stations.html",
        {"page": page, "designations": Designation.choices, "kinds": StationKind.choices},
    )


@page("regions.view", params=("q", "page"))
def grids(request: AuthedRequest) -> HttpResponse:
    qs = selectors.region_list(user=request.user, level=Level.GRID, q=request.GET.get("q", "")).select_related(
        "parent__parent"
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    current = {t.grid_id: t for t in selectors.current_leaders(user=request.user).filter(grid__in=[g.pk for g in page])}
    rows = [(g, current.get(g.pk)) for g in page]
    return render(request, "regions/grids.html", {"page": page, "rows": rows})
