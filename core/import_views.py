"""The upload pages of the import pipeline, the same for every register."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.imports import EXCEL_SUFFIXES, ON_DUPLICATE, REGISTERS, Register, file_digest, write_template
from core.models import ImportJob
from core.permissions import require
from core.tasks import run_import
from core.types import AuthedRequest

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


def _register(request: AuthedRequest, name: str) -> Register:
    register = REGISTERS.get(name)
    if register is None:
        raise Http404
    require(request.user, register.capability)
    return register


def _job(request: AuthedRequest, pk: Any) -> ImportJob:
    job = ImportJob.objects.filter(pk=pk, actor=request.user).first()
    if job is None:
        raise Http404
    return job


@require_http_methods(["GET", "POST"])
@login_required
def import_new(request: AuthedRequest, name: str) -> HttpResponse:
    register = _register(request, name)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob(register=name, actor=request.user, file_name=Path(upload.name).name[:200],
                        on_duplicate=form.cleaned_data["on_duplicate"])  # fmt: skip
        settings.IMPORT_DIR.mkdir(parents=True, exist_ok=True)
        stored = settings.IMPORT_DIR / f"{job.pk}{Path(upload.name).suffix.lower()}"
        with stored.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        job.stored_path, job.sha256 = str(stored), file_digest(stored)
        job.save()
        run_import.enqueue(str(job.pk), False)
        return redirect("imports:job", pk=job.pk)
    jobs = ImportJob.objects.filter(actor=request.user, register=name)[:10]
    return render(request, "core/import_new.html", {"register": register, "form": form, "jobs": jobs,
                                                    "choices": ON_DUPLICATE})  # fmt: skip


@require_GET
@login_required
def import_job(request: AuthedRequest, pk: Any) -> HttpResponse:
    job = _job(request, pk)
    register = REGISTERS[job.register]
    template = "core/_import_status.html" if getattr(request, "htmx", False) else "core/import_job.html"
    return render(request, template, {"job": job, "register": register})


@require_POST
@login_required
def import_commit(request: AuthedRequest, pk: Any) -> HttpResponse:
    job = _job(request, pk)
    require(request.user, REGISTERS[job.register].capability)
    # Claim the job in one conditional UPDATE: of two confirmations sent together (a double click),
    # only one may start the write; the other would re-run on a deleted file and overwrite the status.
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALID).update(
        status=ImportJob.Status.COMMITTING
    )
    if not claimed:
        raise Http404
    run_import.enqueue(str(job.pk), True)
    return redirect("imports:job", pk=job.pk)


@require_GET
@login_required
def import_report(request: AuthedRequest, pk: Any) -> FileResponse:
    job = _job(request, pk)
    if not job.report_path or not Path(job.report_path).exists():
        raise Http404
    return FileResponse(Path(job.report_path).open("rb"), as_attachment=True,
                        filename=f"import-errors-{job.pk}.xlsx", content_type=XLSX)  # fmt: skip


@require_GET
@login_required
def import_template(request: AuthedRequest, name: str) -> HttpResponse:
    register = _register(request, name)
    buffer = io.BytesIO()
    write_template(register, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}-template.xlsx"'
    return response
