"""The figures of hardship aid for the bureau: the fund's money in and out by month and by town, and the
applications by stage."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from aid import selectors
from aid.figures import fund_flows, stage_rows
from core.access import page
from core.types import AuthedRequest


@page("aid.fund", params=("year",))
def figures(request: AuthedRequest) -> HttpResponse:
    this_year = timezone.localdate().year
    raw = request.GET.get("year") or ""
    error, status, year = "", 200, this_year
    if raw:
        if len(raw) == 4 and raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100:
            year = int(raw)
        else:
            error, status = _("A year from 2000 to 2100."), 400
    try:
        fund = selectors.fund_of(request.user)
    except ValidationError as exc:
        return render(request, "aid/figures.html", {"error": exc.messages[0]}, status=400)
    context = {
        "flows": fund_flows(fund, year), "stages": stage_rows(request.user), "year": year,
        "years": list(range(this_year, this_year - 6, -1)), "error": error, "fund": fund,
    }  # fmt: skip
    return render(request, "aid/figures.html", context, status=status)


urlpatterns: list[URLPattern] = [path("figures/", figures, name="figures")]
