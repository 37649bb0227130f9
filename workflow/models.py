"""Cases moving through steps: the shared tables behind every process (petitions, 一件事 cases, approvals).

A process is declared in code (``workflow.process``); these tables hold its cases, the
task of each step (one per parallel branch), the history and the working-day calendar.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import ACTS_AS, SUPERVISOR_ROLES, Role
from core.scoping import OWN_CAPABILITY, ScopedModel, ScopedQuerySet, scope_prefix
from regions.models import PREFIX_LENGTH, ancestor_code
from workflow.registry import PROCESSES


def granted_processes(user: User, action: str, subject: type[models.Model] | None = None) -> list[str]:
    """The keys of the processes (of this subject, when given) whose capability for ``action`` the user holds."""
    return [
        p.key
        for p in PROCESSES.values()
        if (subject is None or p.subject is subject) and p.capability(action) and user.can(p.capability(action))
    ]


class CaseQuerySet(ScopedQuerySet["Case"]):
    def granted(self, user: User, action: str) -> Q | None:
        """A case is seen only through its process: its view capability decides, whatever the region."""
        keys = granted_processes(user, action)
        return Q(process__in=keys) if keys else None


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

    class Meta:
        verbose_name = _("case number sequence")

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class Case(ScopedModel):
    scope_field = "region_code"

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

    objects = CaseQuerySet.as_manager()  # type: ignore[misc]  # the scoped manager, narrowed to cases

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

    @cached_property
    def subject(self) -> Any:
        """The module's own record of this case (a petition, a 一件事 case), or None for a process without one."""
        model = PROCESSES[self.process].subject
        return model._default_manager.filter(case=self).first() if model is not None else None


class TaskQuerySet(models.QuerySet["Task"]):
    def actionable_by(self, user: User) -> TaskQuerySet:
        """Open tasks on open cases the user may act on: their role (or one it covers) in a unit under their
        scope with their department, or escalated to the unit they supervise."""
        prefix = scope_prefix(user)
        if not prefix or not user.can("workflow.inbox"):
            return self.none()
        mine = Q(role__in=ACTS_AS.get(user.role, frozenset()), unit_code__startswith=prefix, department=user.department)
        if user.role in SUPERVISOR_ROLES and not user.department and user.scope_region is not None:
            mine |= Q(escalated_to=user.scope_region.code)
        return self.filter(mine, status=Task.Status.OPEN, case__state=Case.State.OPEN)

    def visible_to(self, user: User) -> TaskQuerySet:
        """Tasks the user may open: one they may act on or did act on, their own department's, or one on a case
        they may see (by its process's capability and its region). Nothing else, whatever the URL."""
        prefix = scope_prefix(user)
        if not prefix:
            return self.none()
        done = Q(completed_by=user)
        if user.can(OWN_CAPABILITY):  # a veteran's portal account: only while it still represents the person
            done &= Q(case__veteran_id__in=sorted(user.represented_ids()))
        seen = Q(pk__in=self.actionable_by(user).values("pk")) | done
        if user.department and user.can("workflow.inbox"):
            seen |= Q(department=user.department, unit_code__startswith=prefix)
        seen |= Q(case__in=Case.objects.visible_to(user).values("pk"))
        return self.filter(seen)


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

    objects = TaskQuerySet.as_manager()

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
        verbose_name = _("case history entry")
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
        verbose_name = _("attachment")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class SubjectQuerySet(ScopedQuerySet[Any]):
    def granted(self, user: User, action: str) -> Q | None:
        """A subject is seen through the processes declared on it, as its case is."""
        keys = granted_processes(user, action, subject=self.model)
        return Q(case__process__in=keys) if keys else None

    def visible_to(self, user: User, action: str = "view", within: str = "") -> Any:
        """As every scoped row; a subject that declares ``seen_from_within`` (a public notice of an area) also by
        those granted it whose scope lies within its area: a village station sees its town's ranking."""
        below = super().visible_to(user, action, within)
        prefix = scope_prefix(user)
        if not getattr(self.model, "seen_from_within", False) or not prefix:
            return below
        grant = self.granted(user, action)
        if grant is None:
            return below
        above = [ancestor_code(prefix, level) for level, n in PREFIX_LENGTH.items() if n < len(prefix)]
        above = [code for code in above if code.startswith(within)]
        return below | self.filter(grant, region_code__in=above) if above else below


class CaseSubject(ScopedModel):
    """A module's own record of one case: typed columns for its facts, one-to-one with the case.

    The case carries the procedure (steps, deadlines, history); its ``data`` keeps only the engine's
    own facts (dates, an extension). The subject carries what the module knows (a petition's channel
    and decision, a 一件事 case's stage) in columns that can be filtered, counted and constrained.
    Declare it on the process (``Process(subject=Petition, ...)``): the engine creates it with the case
    and hands it to every check and effect (``ctx.subject``).
    """

    scope_field = "region_code"
    #: A public notice of its area (公示): seen, beside those who see the area, by those within it.
    seen_from_within: ClassVar[bool] = False

    case = models.OneToOneField(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="%(class)s")
    region_code = models.CharField(_("region code"), max_length=15, db_index=True)

    objects = SubjectQuerySet.as_manager()  # type: ignore[misc]  # the scoped manager, narrowed to subjects

    class Meta:
        abstract = True
