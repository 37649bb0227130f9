"""An upload's import job, from the upload to the write: every change to a job is made here.

A page uploads (``import_job_create``) and confirms (``import_job_confirm``); the task queue runs
``run_import``, which checks the file or, once confirmed, writes it (``core.imports.import_file``).
The upload, the confirmation and the expiry of an unconfirmed upload are audited; the write is
audited by the pipeline as one batch. The queue is a table of the same database, so a task is
queued in the same transaction as the job that it runs: neither is kept without the other.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from core.auditing import audit_record
from core.errors import bad_choice
from core.imports import (
    ON_DUPLICATE,
    REGISTERS,
    Register,
    UnreadableFile,
    check_upload,
    file_digest,
    import_file,
    write_report,
)
from core.models import ImportJob
from core.permissions import require

log = logging.getLogger(__name__)
SHOWN_ERRORS = 500

#: How long a checked upload waits for its confirmation before its file is deleted.
UNCONFIRMED_TTL = timedelta(hours=24)
UNCONFIRMED_MESSAGE = (
    "未在 24 小时内确认，上传文件已删除。 / Not confirmed within 24 hours; the uploaded file was deleted."
)
STUCK_MESSAGE = ("一天内未能处理完毕，上传文件已删除，请重新上传。 / Not processed within a day; the uploaded file "
                 "was deleted: upload it again.")  # fmt: skip
FAILED_MESSAGE = ("读取或写入时出错，未导入任何数据。请重试；如仍失败，请联系系统管理员。 / Something went wrong "
                  "while reading or writing; nothing was imported. Try again, or tell the administrator if it "
                  "fails again.")  # fmt: skip


def _region_code(actor: Any) -> str:
    scope = getattr(actor, "scope_region", None)
    return scope.code if scope is not None else ""


def _audit(job: ImportJob, action: str, actor: Any, **after: Any) -> None:
    audit_record(actor=actor, action=f"import.{action}", obj=job, region_code=_region_code(job.actor),
                 after={"register": job.register, "file": job.file_name, **after})  # fmt: skip


def import_job_create(*, actor: Any, register: Register, upload: UploadedFile, on_duplicate: str) -> ImportJob:
    """Keep an upload for checking: its file under IMPORT_DIR, its job, and the check queued.

    A spreadsheet that is no valid zip or declares more than the caps is refused here, at the file field
    (ValidationError), and its file deleted at once; the refusal is audited (who, the file's name, size and
    SHA-256, the reason), though no job is kept."""
    require(actor, register.capability)
    if on_duplicate not in ON_DUPLICATE:
        raise bad_choice("on_duplicate", [(choice, choice) for choice in ON_DUPLICATE])
    name = Path(upload.name or "upload").name
    job = ImportJob(register=register.name, actor=actor, file_name=name[:200], on_duplicate=on_duplicate)
    settings.IMPORT_DIR.mkdir(parents=True, exist_ok=True)
    stored = settings.IMPORT_DIR / f"{job.pk}{Path(name).suffix.lower()}"
    try:
        with stored.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            check_upload(stored, name)
        except ValidationError as refused:
            with transaction.atomic():
                _audit(job, "refuse", actor, sha256=file_digest(stored), size=stored.stat().st_size,
                       reason="; ".join(refused.messages))  # fmt: skip
            raise
        with transaction.atomic():
            job.stored_path, job.sha256 = str(stored), file_digest(stored)
            job.save()
            _audit(job, "upload", actor, sha256=job.sha256, size=stored.stat().st_size, on_duplicate=on_duplicate)
            run_import.enqueue(str(job.pk), False)
    except BaseException:
        stored.unlink(missing_ok=True)  # the upload holds plain ID numbers: no job, no file
        raise
    return job


@transaction.atomic
def import_job_confirm(*, actor: Any, job: ImportJob) -> ImportJob | None:
    """Claim a checked job for writing and queue the write; None when it no longer waits for that.

    One conditional UPDATE: of two confirmations sent together (a double click), only one may start
    the write; the other would run again on a deleted file and overwrite the status.
    """
    require(actor, REGISTERS[job.register].capability)
    if job.actor_id != actor.pk:  # a job is confirmed by whoever uploaded it
        return None
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALID).update(
        status=ImportJob.Status.COMMITTING
    )
    if not claimed:
        return None
    job.refresh_from_db()
    _audit(job, "confirm", actor, sha256=job.sha256, on_duplicate=job.on_duplicate)
    run_import.enqueue(str(job.pk), True)
    return job


@task()
def purge_uploads() -> int:
    """The periodic job (core.periodic, every IMPORT_PURGE_SECONDS): uploads nobody confirmed within a day."""
    return purge_unconfirmed_uploads()


def purge_unconfirmed_uploads() -> int:
    """Uploads hold plain ID numbers: one never confirmed is deleted after a day, and its job expires; so is
    one stuck for a day before it was checked or written (a worker killed mid-way, a task lost). Error
    reports older than a day are deleted too."""
    Status = ImportJob.Status
    cutoff = timezone.now() - UNCONFIRMED_TTL
    waiting = {
        Status.VALID: UNCONFIRMED_MESSAGE,
        Status.QUEUED: STUCK_MESSAGE,
        Status.VALIDATING: STUCK_MESSAGE,
        Status.COMMITTING: STUCK_MESSAGE,
    }
    count = 0
    for job in ImportJob.objects.filter(status__in=list(waiting), updated_at__lt=cutoff).select_related(
        "actor__scope_region"
    ):
        with transaction.atomic():
            expired = ImportJob.objects.filter(pk=job.pk, status=job.status).update(
                status=Status.FAILED, message=waiting[Status(job.status)]
            )
            if expired:
                _audit(job, "expire", None, was=str(job.status))
        if expired:
            Path(job.stored_path).unlink(missing_ok=True)
            count += 1
    for job in ImportJob.objects.filter(updated_at__lt=cutoff).exclude(report_path=""):
        Path(job.report_path).unlink(missing_ok=True)
        ImportJob.objects.filter(pk=job.pk).update(report_path="")
    return count


def _update(job: ImportJob, **fields: Any) -> None:
    """The job's state as the task moves it on (seen by the page while the task runs)."""
    ImportJob.objects.filter(pk=job.pk).update(**fields)


@task()
def run_import(job_id: str, write: bool = False) -> str:
    """Check an uploaded file or, once confirmed, check it again and write it in the same pass.

    The check reports its progress on the job; the write pass does not (its rows go out on the
    connection the progress would need, inside a transaction the page could not see into)."""
    purge_unconfirmed_uploads()
    job = ImportJob.objects.select_related("actor", "actor__scope_region").get(pk=job_id)
    register = REGISTERS[job.register]
    path = Path(job.stored_path)
    Status = ImportJob.Status

    def progress(done: int, expected: int) -> None:
        _update(job, processed_rows=done, total_rows=expected)

    _update(job, status=Status.COMMITTING if write else Status.VALIDATING)
    try:
        source = {"file": job.file_name, "sha256": job.sha256, "via": "upload", "job": str(job.pk)}
        result = import_file(path, register, actor=job.actor, on_duplicate=job.on_duplicate, write=write,
                             source=source, progress=None if write else progress)  # fmt: skip
        report = path.with_suffix(".report.xlsx")
        write_report(result, report)
        fields = {
            "total_rows": result.total, "processed_rows": result.total, "error_count": len(result.errors),
            "error_rows": result.error_rows, "report_path": str(report), "counts": result.counts,
            "errors": [vars(e) for e in result.errors[:SHOWN_ERRORS]],
        }  # fmt: skip
        if result.errors:
            fields["status"] = Status.INVALID
        elif write:
            fields.update(status=Status.COMMITTED, counts=result.counts)
        else:
            fields["status"] = Status.VALID
    except UnreadableFile as exc:
        fields = {"status": Status.FAILED, "message": exc.message}
    except Exception:  # the job must end in a state the page can show, whatever went wrong
        log.exception("import job %s failed", job.pk)
        fields = {"status": Status.FAILED, "message": FAILED_MESSAGE}
    if fields["status"] != Status.VALID:
        # The upload holds plain ID numbers: keep it only while it waits for confirmation.
        path.unlink(missing_ok=True)
    with transaction.atomic():
        _update(job, **fields)
        if not write:  # what the upload turned out to hold, beside its upload entry
            _audit(job, "check", job.actor, sha256=job.sha256, status=str(fields["status"]),
                   rows=fields.get("total_rows", 0), errors=fields.get("error_count", 0))  # fmt: skip
    return str(fields["status"])
