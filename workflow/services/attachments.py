"""Files kept with a case: added and opened through these services, which audit both.

A file is written first to a staging folder and moved to its place only when the transaction that
records it commits: a rollback (a refused input, a failure later in the same transaction) leaves no
file that no row names in the case's folder. What a rolled-back upload left in staging is removed the
next time anyone attaches a file, once it is a day old.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.services import audit_record
from core.errors import invalid
from core.permissions import require
from workflow.models import Attachment, Case

ALLOWED_UPLOADS = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".txt"}
STAGING_MAX_AGE_SECONDS = 86400


def _staging() -> Path:
    folder = Path(settings.ATTACHMENT_DIR) / "staging"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _clear_old_staging() -> None:
    cutoff = time.time() - STAGING_MAX_AGE_SECONDS
    for leftover in _staging().iterdir():
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink(missing_ok=True)
        except FileNotFoundError:
            continue  # another process (a worker's upload committing) moved it on between the listing and now


@dataclass(frozen=True)
class KeptUpload:
    """An uploaded file checked and written to staging; it reaches ``stored_path`` when the transaction commits."""

    name: str
    stored_path: str
    size: int
    sha256: str
    content_type: str


def keep_upload(upload: Any, *, folder: Path, allowed: set[str] | None = None, field: str = "file") -> KeptUpload:
    """Check an upload (its type against ``allowed``, its size against MAX_ATTACHMENT_MB), write it to staging
    and move it into ``folder`` when the caller's transaction commits (a rollback leaves no file there).

    For a module that keeps files with its own records (a visit's photos) as the kit keeps a case's."""
    allowed = ALLOWED_UPLOADS if allowed is None else allowed
    if upload is None:
        raise invalid(field, _("Choose a file."), code="required")
    name = Path(upload.name).name[:200]
    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        raise invalid(field, _("Allowed files: %(types)s."), code="bad_type", types=" ".join(sorted(allowed)))
    if upload.size > settings.MAX_ATTACHMENT_MB * 1024 * 1024:
        raise invalid(field, _("The file is larger than %(mb)d MB."), code="too_large", mb=settings.MAX_ATTACHMENT_MB)
    _clear_old_staging()
    staged = _staging() / f"{uuid.uuid4().hex}{suffix}"
    digest = hashlib.sha256()
    with staged.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    final = folder / staged.name

    def keep() -> None:
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)

    transaction.on_commit(keep)
    content_type = getattr(upload, "content_type", "") or ""
    return KeptUpload(name, str(final), upload.size, digest.hexdigest(), content_type)


@transaction.atomic
def attachment_add(*, actor: User, case: Case, upload: Any, capability: str = "workflow.inbox") -> Attachment:
    """Keep an uploaded file with an open case (allowed types, at most MAX_ATTACHMENT_MB), audited.

    ``capability``: what the actor needs; a service that has already checked the actor's right to the case
    names its own (a veteran's evidence for their own points entry)."""
    require(actor, capability)
    if upload is None:
        raise invalid("file", _("Choose a file."), code="required")
    if not case.is_open:
        raise invalid("file", _("The case is closed."), code="case_closed")
    kept = keep_upload(upload, folder=Path(settings.ATTACHMENT_DIR) / str(case.pk))
    attachment = Attachment.objects.create(
        case=case,
        name=kept.name,
        stored_path=kept.stored_path,
        size=kept.size,
        sha256=kept.sha256,
        uploaded_by=actor,
        content_type=kept.content_type,
    )
    audit_record(
        actor=actor,
        action="case.attach",
        obj=case,
        region_code=case.region_code,
        after={"file": kept.name, "sha256": kept.sha256, "size": kept.size},
    )
    return attachment


@transaction.atomic
def attachment_open(*, actor: User, attachment: Attachment) -> Path:
    """The stored file of an attachment the actor may see (the caller looked it up in scope); the opening is audited."""
    audit_record(
        actor=actor,
        action="case.attachment_download",
        obj=attachment.case,
        region_code=attachment.case.region_code,
        after={"file": attachment.name},
    )
    return Path(attachment.stored_path)
