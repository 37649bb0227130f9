"""The export jobs in the API: start one (202), poll it, download its file once it is done."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import FileResponse, Http404
from django.urls import reverse
from ninja import Router, Schema, Status

from core.access import Target, endpoint
from core.export_jobs import export_job_file, export_job_start, masked_filters
from core.export_views import EXPORTERS, download, own_job, register_of
from core.models import ExportJob
from core.types import AuthedRequest

router = Router(tags=["exports"])


class ExportIn(Schema):
    format: Literal["xlsx", "csv"] = "xlsx"
    #: the register's list filters (for veterans: the query parameters of GET /veterans)
    filters: dict[str, Any] = {}


class ExportOut(Schema):
    id: uuid.UUID
    #: the register exported (``veteran``)
    register_name: str
    format: str
    filters: dict[str, Any]
    status: str
    total_rows: int
    processed_rows: int
    percent: int
    message: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    #: where to download the file, once the status is "done"
    download: str | None


def _out(job: ExportJob) -> dict[str, Any]:
    fields = ("id", "format", "filters", "status", "total_rows", "processed_rows", "percent",
              "message", "created_at", "finished_at")  # fmt: skip
    url = reverse("api:exports_file", kwargs={"job_id": job.pk}) if job.status == ExportJob.Status.DONE else None
    shown = {name: getattr(job, name) for name in fields} | {"filters": masked_filters(job.filters)}
    return {**shown, "register_name": job.register, "download": url}


@router.post("/exports/new/{name}", response={202: ExportOut})
@endpoint(EXPORTERS, examples={"name": "veteran"})
def exports_start(request: AuthedRequest, name: str, payload: ExportIn) -> Status:
    """Start exporting a register (``veteran``) with its list's filters; poll the job until it is done."""
    export = register_of(request.user, name)
    filters = export.clean_filters(payload.filters, True)
    job = export_job_start(actor=request.user, export=export, fmt=payload.format, filters=filters)
    return Status(202, _out(job))


@router.get("/exports/{job_id}", response=ExportOut)
@endpoint(target=Target(ExportJob, "pk", "job_id"))
def exports_get(request: AuthedRequest, job_id: uuid.UUID) -> dict[str, Any]:
    return _out(own_job(request.user, job_id))


@router.get("/exports/{job_id}/file", url_name="exports_file")
@endpoint(target=Target(ExportJob, "pk", "job_id"), no_store=True)
def exports_file(request: AuthedRequest, job_id: uuid.UUID) -> FileResponse:
    job = own_job(request.user, job_id)
    path = export_job_file(actor=request.user, job=job)
    if path is None:
        raise Http404
    return download(job, path)
