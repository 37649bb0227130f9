"""The annual report's pages: the report as HTML, with its PDF and xlsx (each download audited). The area is the
caller's or one within it; a bad year or area answers 400 with the reason."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.http import content_disposition_header

from cockpit.report import Report, annual_report, notes, parse_year, period_words
from cockpit.report_files import FORMATS, file_name, report_download
from core.access import page
from core.errors import bilingual
from core.types import AuthedRequest
from regions.selectors import scoped_area

PARAMS = ("year", "region")


def _report(request: AuthedRequest) -> Report:
    """The report asked for (refused, ``ValidationError``, for a bad year or an area outside the caller's)."""
    span = parse_year(request.GET.get("year", ""))
    return annual_report(scoped_area(request.user, request.GET.get("region", "")), span)


@page("cockpit.view", params=PARAMS)
def report(request: AuthedRequest) -> HttpResponse:
    try:
        found = _report(request)
    except ValidationError as exc:
        context: dict[str, Any] = {"error": exc.messages[0], "year": request.GET.get("year", ""),
                                   "region": request.GET.get("region", "")}  # fmt: skip
        return render(request, "cockpit/report.html", context, status=400)
    query = urlencode({"year": found.span.asked, "region": found.area.code})
    rows = [(f, period_words(f, found.span)) for f in found.figures]
    context = {"report": found, "rows": rows, "notes": notes(found), "query": query, "year": found.span.asked,
               "region": found.area.code}  # fmt: skip
    return render(request, "cockpit/report.html", context)


def _first(exc: ValidationError) -> Any:
    """The refusal's first message, still lazy (a download answers it in both languages)."""
    errors = next(iter(exc.error_dict.values())) if hasattr(exc, "error_dict") else exc.error_list
    return errors[0].message


def _download(request: AuthedRequest, fmt: str) -> HttpResponse:
    try:
        found = _report(request)
    except ValidationError as exc:
        return HttpResponseBadRequest(bilingual(_first(exc)), content_type="text/plain; charset=utf-8")
    data = report_download(actor=request.user, report=found, fmt=fmt)
    response = HttpResponse(data, content_type=FORMATS[fmt])
    response["Content-Disposition"] = content_disposition_header(fmt != "pdf", file_name(found, fmt)) or ""
    return response


@page("cockpit.view", params=PARAMS)
def report_pdf(request: AuthedRequest) -> HttpResponse:
    return _download(request, "pdf")


@page("cockpit.view", params=PARAMS)
def report_xlsx(request: AuthedRequest) -> HttpResponse:
    return _download(request, "xlsx")
