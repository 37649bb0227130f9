"""Cases moving through steps: the shared tables behind every process (petitions, 一件事 cases, approvals).

A process is declared in code (``workflow.process``); these tables hold its cases, the
task of each step (one per parallel branch), the history and the working-day calendar.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from core.scoping import ScopedModel

CASE_VIEWER_ROLES = frozenset(
    {Role.CITY_ADMIN, Role.CITY_STAFF, Role.TOWN_STAFF, Role.VILLAGE_STAFF, Role.GRID_LEADER, Role.AUDITOR}
)


class Holiday(models.Model):
    """A day that breaks the Monday-to-Friday rule: a public holiday, or a weekend worked in exchange (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (放假)")
        WORKDAY = "workday", _("Working day in exchange (调休上班)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=40)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name} ({self.get_kind_display()})"


class CaseSequence(models.Model):
    """The last case number given per process and year (locked while a number is drawn)."""

    key = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class Case(ScopedModel):
    scope_field = "region_code"
    scope_roles: ClassVar[frozenset[str] | None] = CASE_VIEWER_ROLES

    class State(models.TextChoices):
        OPEN = "open", _("In progress")
        DONE = "done", _("Concluded")
        REJECTED = "rejected", _("Not accepted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    process = models.CharField(_("process"), max_length=40, db_index=True)
    number = models.CharField(_("case number"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    region_code = models.CharField(_("region code"), max_length=15, db_index=True)
    owner_code = models.CharField(_("owning unit"), max_length=15)
    veteran = models.ForeignKey(
        "veterans.Veteran",
        verbose_name=_("veteran"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("linked case"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    #: facts the process keeps: its dates ("received", "accepted", "replied"), an approved extension …
    data = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-id"]
        indexes = [models.Index(fields=["process", "region_code"], name="case_process_region")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    def date(self, name: str) -> str | None:
        return (self.data.get("dates") or {}).get(name)


class Task(models.Model):
    """One step of one case (or one branch of a parallel step): who must act, by when."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        DONE = "done", _("Done")
        RETURNED = "returned", _("Returned for correction")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        STEP = "step", _("Step")
        CORRECTION = "correction", _("Correction")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tasks")
    step = models.CharField(_("step"), max_length=40)
    branch = models.CharField(_("branch"), max_length=40, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.STEP)
    label = models.CharField(_("task"), max_length=120)
    role = models.CharField(_("acting role"), max_length=20, choices=Role.choices)
    unit_code = models.CharField(_("acting unit"), max_length=15, db_index=True)
    department = models.CharField(_("department"), max_length=20, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tasks",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("outcome"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)
    started_at = models.DateTimeField(_("started"))
    due_on = models.DateField(_("due"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    overdue_at = models.DateTimeField(_("marked overdue"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalated_to = models.CharField(_("escalated to"), max_length=15, blank=True, db_index=True)
    #: what the step needs that the process does not declare (a template task's fields, a returned task's id)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="task_status_due"),
            models.Index(fields=["case", "step", "status"], name="task_case_step"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(completed_at__isnull=False), name="task_closed_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.label}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class CaseEvent(models.Model):
    """The case's history: every transition, who, when, with the note."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40)
    label = models.CharField(max_length=120)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.label}"


class Attachment(models.Model):
    """A file kept with a case (a letter, a photo of a petition); served only to those who see the case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField(_("file name"), max_length=200)
    stored_path = models.CharField(max_length=500)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
