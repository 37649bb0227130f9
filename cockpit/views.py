"""The cockpit's pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render

from core.access import page
from core.types import AuthedRequest
from regions.selectors import scoped_area


@page("cockpit.view", params=("region", "period"))
def home(request: AuthedRequest) -> HttpResponse:
    error, status = "", 200
    try:
        area = scoped_area(request.user, request.GET.get("region", ""))
    except ValidationError as exc:
        error, status = exc.messages[0], 400
        area = scoped_area(request.user, "")
    return render(request, "cockpit/home.html", {"area": area, "error": error}, status=status)
