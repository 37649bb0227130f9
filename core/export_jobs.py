"""A register's export as a background job, from the request to the download: every change to a job is here.

A page or the API starts a job (``export_job_start``): the job is saved on its own and the task queued,
and the request answers at once with the job to poll. The worker runs ``run_export``, which reads the
scoped queryset in chunks (``core.exports.chunks``) and writes the file a row at a time, without a
transaction around the reading: the progress goes out in short updates of their own, so neither a
page read nor another write waits for an export (on SQLite a transaction would hold the write lock for
the whole file). The finished export is audited as before (``veteran.export``: its format, rows and
filters), and every download as ``export.download``. Files are deleted a day after (``purge_exports``,
run by the worker as a periodic job).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from core.auditing import audit_record
from core.errors import bad_choice
from core.exports import EXPORTS, FORMATS, Export, chunks, write_table
from core.models import ExportJob
from core.permissions import require
from core.validators import masked_words

log = logging.getLogger(__name__)

#: How long a finished export's file is kept for its download.
EXPORT_TTL = timedelta(hours=24)


def masked_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters as shown in the API and the audit log and as kept after the job: a searched ID number or
    phone masked (the job itself reads them in full, once, while it runs)."""
    # only the free words searched for (``q``): a region code is digits too, and no one's number
    return {key: masked_words(value) if key == "q" and isinstance(value, str) else value
            for key, value in filters.items()}  # fmt: skip


def _region_code(actor: Any) -> str:
    scope = getattr(actor, "scope_region", None)
    return scope.code if scope is not None else ""


def export_job_start(*, actor: Any, export: Export, fmt: str, filters: dict[str, Any]) -> ExportJob:
    """Save the job, then queue its task: outside any transaction, so that a queue that runs the task at
    once (the tests') reads as the worker does, holding no lock."""
    require(actor, export.capability)
    if fmt not in FORMATS:
        raise bad_choice("format", [(f, f) for f in FORMATS])
    job = ExportJob.objects.create(register=export.name, actor=actor, format=fmt, filters=filters)
    try:
        run_export.enqueue(str(job.pk))
    except BaseException:
        _update(job, status=ExportJob.Status.FAILED, finished_at=timezone.now(),
                message="无法排队，请重试。 / Could not be queued; try again.")  # fmt: skip
        raise
    job.refresh_from_db()
    return job


def export_job_file(*, actor: Any, job: ExportJob) -> Path | None:
    """The finished file of the actor's own job, its download audited; None when there is none (any more)."""
    require(actor, EXPORTS[job.register].capability)
    if job.actor_id != actor.pk:
        raise PermissionDenied
    path = Path(job.file_path) if job.file_path else None
    if job.status != ExportJob.Status.DONE or path is None or not path.exists():
        return None
    with transaction.atomic():  # a download of personal data is a write: its audit entry
        audit_record(actor=actor, action="export.download", obj=job, region_code=_region_code(actor),
                     after={"register": job.register, "format": job.format, "rows": job.total_rows})  # fmt: skip
    return path


def _update(job: ExportJob, **fields: Any) -> None:
    """The job's state as the task moves it on: one short statement, seen at once by the polling page."""
    ExportJob.objects.filter(pk=job.pk).update(**fields)


@task()
def run_export(job_id: str) -> str:
    """Write the job's file, a chunk of rows at a time, and record it as done (audited) or failed."""
    job = ExportJob.objects.select_related("actor", "actor__scope_region").get(pk=job_id)
    # run twice (a retried task, two workers): one conditional UPDATE, and only its winner writes the file
    if not ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.QUEUED).update(status=ExportJob.Status.RUNNING):
        return str(ExportJob.objects.values_list("status", flat=True).get(pk=job.pk))
    export = EXPORTS[job.register]
    settings.EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    path = settings.EXPORT_DIR / f"{job.pk}.{job.format}"
    try:
        require(job.actor, export.capability)  # the role may have changed since the request
        qs = export.queryset(job.actor, job.filters)
        total = qs.count()
        _update(job, total_rows=total)

        def rows() -> Any:
            for chunk in chunks(qs):
                yield from export.rows(chunk)

        written = write_table(path, job.format, export.headers, rows(), title=export.title,
                              progress=lambda done: _update(job, processed_rows=done))  # fmt: skip
        shown = masked_filters(job.filters)
        with transaction.atomic():
            _update(job, status=ExportJob.Status.DONE, processed_rows=written, total_rows=written,
                    file_path=str(path), finished_at=timezone.now(), filters=shown)  # fmt: skip
            audit_record(actor=job.actor, action=export.audit_action, object_type=export.object_type,
                         region_code=_region_code(job.actor),
                         after={"format": job.format, "rows": written, "filters": shown})  # fmt: skip
        return ExportJob.Status.DONE.value
    except Exception:  # the job must end in a state the page can show, whatever went wrong
        log.exception("export job %s failed", job.pk)
        path.unlink(missing_ok=True)
        _update(job, status=ExportJob.Status.FAILED, finished_at=timezone.now(), filters=masked_filters(job.filters),
                message="导出失败，请重试；如仍失败，请联系系统管理员。 / The export failed; try again, "
                "or tell the administrator if it fails again.")  # fmt: skip
        return ExportJob.Status.FAILED.value


def purge_exports(now: Any = None) -> int:
    """Delete the files of exports older than a day (they hold personal data), and give up on stuck jobs."""
    cutoff = (now or timezone.now()) - EXPORT_TTL
    count = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lt=cutoff):
        Path(job.file_path).unlink(missing_ok=True)
        _update(job, status=ExportJob.Status.EXPIRED, file_path="")
        count += 1
    stuck = ExportJob.objects.filter(status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
                                     created_at__lt=cutoff)  # fmt: skip
    for job in stuck:
        (settings.EXPORT_DIR / f"{job.pk}.{job.format}").unlink(missing_ok=True)
        _update(job, status=ExportJob.Status.FAILED, finished_at=timezone.now(),
                message="未在一天内完成，已放弃。 / Not finished within a day; given up.")  # fmt: skip
    return count


@task()
def purge_exports_task() -> int:
    return purge_exports()
