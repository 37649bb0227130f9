"""The export pages, the same for every register: start a job, watch its progress, download the file."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from core.access import Target, page
from core.export_jobs import export_job_file, export_job_start
from core.exports import CONTENT_TYPES, EXPORTS, Export
from core.models import ExportJob
from core.permissions import require
from core.scoping import get_visible_or_404
from core.types import AuthedRequest

#: Whoever may export some register may use these pages; each register then asks its own capability.
#: Read when the URLs load, after every app has declared its export in ready().
EXPORTERS = tuple(sorted({e.capability for e in EXPORTS.values()})) or ("exports.none",)
EXAMPLE = {"name": "veteran", "fmt": "csv"}
#: The filters any register's export button may pass on in its query string.
PARAMS = tuple(sorted({param for e in EXPORTS.values() for param in e.params}))
#: A job's pages name it by its id and show only the user's own jobs.
JOB = Target(ExportJob)


def register_of(user: Any, name: str) -> Export:
    export = EXPORTS.get(name)
    if export is None:
        raise Http404
    require(user, export.capability)
    return export


def own_job(user: Any, pk: Any) -> ExportJob:
    return get_visible_or_404(ExportJob.objects.all(), user, pk=pk)


def download(job: ExportJob, path: Any) -> FileResponse:
    stamp = timezone.localtime(job.finished_at or job.created_at).strftime("%Y%m%d-%H%M")
    response = FileResponse(path.open("rb"), as_attachment=True, content_type=CONTENT_TYPES[job.format],
                            filename=f"{EXPORTS[job.register].file_stem}-{stamp}.{job.format}")  # fmt: skip
    return response


@page(EXPORTERS, methods=("POST",), examples=EXAMPLE, params=PARAMS)
def export_new(request: AuthedRequest, name: str, fmt: str) -> HttpResponse:
    """The list's export button: its filters are the list's query string."""
    export = register_of(request.user, name)
    filters = export.clean_filters(request.GET, False)
    job = export_job_start(actor=request.user, export=export, fmt=fmt, filters=filters)
    return redirect("exports:job", pk=job.pk)


@page(target=JOB)  # the user's own job
def export_job(request: AuthedRequest, pk: Any) -> HttpResponse:
    job = own_job(request.user, pk)
    template = "core/_export_status.html" if getattr(request, "htmx", False) else "core/export_job.html"
    return render(request, template, {"job": job, "export": EXPORTS[job.register]})


@page(target=JOB, no_store=True)
def export_file(request: AuthedRequest, pk: Any) -> FileResponse:
    job = own_job(request.user, pk)
    path = export_job_file(actor=request.user, job=job)
    if path is None:
        raise Http404
    return download(job, path)
