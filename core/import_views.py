"""The upload pages of the import pipeline, the same for every register."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from core.access import Target, page
from core.import_jobs import import_job_confirm, import_job_create
from core.imports import EXCEL_SUFFIXES, ON_DUPLICATE, REGISTERS, Register, write_template
from core.models import ImportJob
from core.permissions import require
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from core.views import apply_errors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (xlsx, xls, ods or csv)"))
    on_duplicate = forms.ChoiceField(
        label=_("When a person is already registered"),
        choices=[
            ("error", _("Report it as an error")),
            ("skip", _("Skip the row")),
            ("update", _("Update the record")),
        ],
        initial="error",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in EXCEL_SUFFIXES | {".csv"}:
            raise forms.ValidationError(_("Upload an xlsx, xls, ods or csv file."), code="bad_file_type")
        if upload.size > settings.MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than %(max)d MB."), code="too_large",
                                        params={"max": settings.MAX_UPLOAD_MB})  # fmt: skip
        return upload


#: Whoever may import into some register may open the import pages, and each register then asks its own
#: capability (below). Read when the URLs load, after every app has added its register in ready(); with no
#: register at all, a capability no role holds: nobody.
IMPORTERS = tuple(sorted({r.capability for r in REGISTERS.values()})) or ("imports.none",)
EXAMPLE = {"name": "veteran"}  # a register's name, for the tests that build the URL
#: The job pages name the job by its id, and show only the user's own jobs.
JOB = Target(ImportJob)


def _register(request: AuthedRequest, name: str) -> Register:
    register = REGISTERS.get(name)
    if register is None:
        raise Http404
    require(request.user, register.capability)
    return register


def _job(request: AuthedRequest, pk: Any) -> ImportJob:
    return get_visible_or_404(ImportJob.objects.all(), request.user, pk=pk)


@page(IMPORTERS, methods=("GET", "POST"), examples=EXAMPLE)
def import_new(request: AuthedRequest, name: str) -> HttpResponse:
    register = _register(request, name)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(actor=request.user, register=register, upload=form.cleaned_data["file"],
                                    on_duplicate=form.cleaned_data["on_duplicate"])  # fmt: skip
        except ValidationError as exc:  # a spreadsheet refused before it is read: no job, no file
            apply_errors(form, exc)
        else:
            return redirect("imports:job", pk=job.pk)
    jobs = ImportJob.objects.filter(actor=request.user, register=name)[:10]
    return render(request, "core/import_new.html", {"register": register, "form": form, "jobs": jobs,
                                                    "choices": ON_DUPLICATE})  # fmt: skip


@page(target=JOB)  # the user's own job
def import_job(request: AuthedRequest, pk: Any) -> HttpResponse:
    job = _job(request, pk)
    register = REGISTERS[job.register]
    template = "core/_import_status.html" if getattr(request, "htmx", False) else "core/import_job.html"
    return render(request, template, {"job": job, "register": register})


@page(IMPORTERS, target=JOB, methods=("POST",))
def import_commit(request: AuthedRequest, pk: Any) -> HttpResponse:
    job = _job(request, pk)
    if import_job_confirm(actor=request.user, job=job) is None:  # confirmed already, or never valid
        raise Http404
    return redirect("imports:job", pk=job.pk)


@page(target=JOB, no_store=True)  # the refused rows as they were typed: full ID numbers
def import_report(request: AuthedRequest, pk: Any) -> FileResponse:
    job = _job(request, pk)
    if not job.report_path or not Path(job.report_path).exists():
        raise Http404
    return FileResponse(Path(job.report_path).open("rb"), as_attachment=True,
                        filename=f"import-errors-{job.pk}.xlsx", content_type=XLSX)  # fmt: skip


@page(IMPORTERS, examples=EXAMPLE)
def import_template(request: AuthedRequest, name: str) -> HttpResponse:
    register = _register(request, name)
    buffer = io.BytesIO()
    write_template(register, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}-template.xlsx"'
    return response
