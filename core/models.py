"""The core app's own tables: import jobs (an upload as it is validated and committed), export jobs, notifications."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import OwnedQuerySet


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be validated")
        VALIDATING = "validating", _("Validating")
        INVALID = "invalid", _("Has errors")
        VALID = "valid", _("Valid, waiting for confirmation")
        COMMITTING = "committing", _("Writing")
        COMMITTED = "committed", _("Imported")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    register = models.CharField(_("register"), max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs")
    file_name = models.CharField(_("file"), max_length=200)
    stored_path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    on_duplicate = models.CharField(_("already registered"), max_length=10, default="error")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # the first errors, for the page
    counts = models.JSONField(default=dict, blank=True)
    report_path = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    #: a job is its uploader's alone (``visible_to``)
    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("import job")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.register}: {self.file_name}"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.INVALID, self.Status.VALID, self.Status.COMMITTED, self.Status.FAILED}

    @property
    def percent(self) -> int:
        return min(100, int(self.processed_rows * 100 / self.total_rows)) if self.total_rows else 0


class ExportJob(models.Model):
    """A register's export, written to a file by the worker and downloaded by whoever asked for it.

    The file holds personal data (masked): it is kept a day (``core.export_jobs.EXPORT_TTL``), then deleted
    by a periodic job; writing it and every download are audited."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Writing the file")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Deleted after a day")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    register = models.CharField(_("register"), max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_jobs")
    format = models.CharField(_("format"), max_length=4)
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    file_path = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    #: a job is its requester's alone (``visible_to``)
    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("export job")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "finished_at"])]

    def __str__(self) -> str:
        from core.exports import EXPORTS

        export = EXPORTS.get(self.register)
        return f"{export.title if export else self.register}（{self.format}）"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED}

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, int(self.processed_rows * 100 / self.total_rows)) if self.total_rows else 0


class Notification(models.Model):
    """A message to one user, shown in the header until read. ``key`` makes sending it twice a no-op."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=120)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_key")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class IdempotencyKey(models.Model):
    """A create request a client marked with an ``Idempotency-Key``: the object it made, so that the same request
    sent again (a phone that lost the answer) returns that object instead of making another (``core.idempotency``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    #: hashes, not the values: a key or a request body may carry what the log should not
    key_hash = models.CharField(max_length=64)
    request_hash = models.CharField(max_length=64)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        constraints = [models.UniqueConstraint(fields=["user", "key_hash"], name="one_object_per_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id}"
