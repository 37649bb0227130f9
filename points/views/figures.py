"""The figures of points for staff: participation and points by aspect, for an area and the areas under it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone

from core.access import page
from core.types import AuthedRequest
from points import quarters
from points.figures import figures as figures_of
from points.models import Aspect
from regions.selectors import scoped_area


@page("points.view", params=("quarter", "region"))
def figures(request: AuthedRequest) -> HttpResponse:
    """A quarter's figures for the user's area (or an area under it), one row for each area one level down;
    an area's name opens its own figures."""
    error, status = "", 200
    current = quarters.quarter_of(timezone.localdate())
    try:
        quarter = quarters.parse_quarter(request.GET["quarter"]) if request.GET.get("quarter") else current
        area = scoped_area(request.user, request.GET.get("region", ""))
    except ValidationError as exc:
        error, status = exc.messages[0], 400
        quarter, area = current, scoped_area(request.user, "")
    total, areas = figures_of(area.code, quarter)
    recent = [current]
    for _n in range(5):
        recent.append(quarters.previous(recent[-1]))
    context = {
        "quarter": quarter,
        "quarter_label": quarters.label(quarter),
        "quarters": [(q, quarters.label(q)) for q in recent],
        "area": area,
        "total": total,
        "areas": areas,
        "aspects": list(Aspect.objects.order_by("order", "code")),
        "error": error,
    }
    return render(request, "points/figures.html", context, status=status)


urlpatterns: list[URLPattern] = [path("figures/", figures, name="figures")]
