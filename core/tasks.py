"""Background work on the Django tasks framework (a database-backed queue; `manage.py db_worker` runs it)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from django_tasks import task

from core.imports import REGISTERS, UnreadableFile, import_file, write_report
from core.models import ImportJob

log = logging.getLogger(__name__)
SHOWN_ERRORS = 500


#: How long a checked upload waits for its confirmation before its file is deleted.
UNCONFIRMED_TTL = timedelta(hours=24)


def purge_unconfirmed_uploads() -> int:
    """Uploads hold plain ID numbers: one never confirmed is deleted after a day, and its job expires."""
    stale = ImportJob.objects.filter(status=ImportJob.Status.VALID, updated_at__lt=timezone.now() - UNCONFIRMED_TTL)
    count = 0
    for job in stale:
        Path(job.stored_path).unlink(missing_ok=True)
        count += ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALID).update(
            status=ImportJob.Status.FAILED,
            message="未在 24 小时内确认，上传文件已删除。 / "
            "Not confirmed within 24 hours; the uploaded file was deleted.",
        )
    return count


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
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=expected)

    ImportJob.objects.filter(pk=job.pk).update(status=Status.COMMITTING if write else Status.VALIDATING)
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
        fields = {"status": Status.FAILED, "message": f"无法读取文件 / cannot read the file: {exc}"}
    except Exception as exc:  # the job must end in a state the page can show, whatever went wrong
        log.exception("import job %s failed", job.pk)
        fields = {"status": Status.FAILED, "message": f"{type(exc).__name__}: {exc}"}
    if fields["status"] != Status.VALID:
        # The upload holds plain ID numbers: keep it only while it waits for confirmation.
        path.unlink(missing_ok=True)
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    return str(fields["status"])
