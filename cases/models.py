"""Whole-life "一件事" cases: templates an admin keeps (each department's tasks) and the cases opened from them."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import Department
from workflow.models import CaseSubject


class Stage(models.TextChoices):
    REPORTING = "reporting", _("Reporting after discharge (退役报到)")
    EMPLOYMENT = "employment", _("Employment and enterprise (就业创业)")
    CARE = "care", _("Preferential care and pensions (优待抚恤)")
    ASSISTANCE = "assistance", _("Hardship assistance (帮扶援助)")
    AFTER_DEATH = "after_death", _("Affairs after death (身后事)")


class ActingLevel(models.TextChoices):
    TOWN = "town", _("Town service station")
    CITY = "city", _("City bureau / department")


#: What a department may be shown about the person, by task; nothing else reaches its liaison.
PERSON_FIELDS: dict[str, object] = {
    "name": _("Full name"),
    "gender": _("Gender"),
    "birth_date": _("Birth date"),
    "id_number": _("ID number (full)"),
    "phone": _("Phone"),
    "address": _("Address"),
    "hukou_region": _("Household registration region"),
    "branch": _("Branch"),
    "discharged_on": _("Discharged on"),
    "discharge_type": _("Discharge type"),
    "deceased_on": _("Date of death"),
}


class CaseTemplate(models.Model):
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    limit_days = models.PositiveSmallIntegerField(
        _("statutory limit (days)"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    working_days = models.BooleanField(_("counted in working days"), default=True)
    active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("一件事 template")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class TemplateTask(models.Model):
    template = models.ForeignKey(CaseTemplate, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("task"), max_length=60)
    #: blank: the bureau itself (its town station or the city bureau, by ``acting_level``)
    department = models.CharField(_("department"), max_length=20, choices=Department.choices, blank=True)
    acting_level = models.CharField(
        _("acting level"), max_length=10, choices=ActingLevel.choices, default=ActingLevel.CITY
    )
    limit_days = models.PositiveSmallIntegerField(
        _("limit (days)"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    working_days = models.BooleanField(_("counted in working days"), default=True)
    fields = models.JSONField(_("person data shown"), default=list, blank=True)

    class Meta:
        verbose_name = _("template task")
        ordering = ["template", "order", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def field_labels(self) -> list[str]:
        """The person data the task shows, in the bureau's words (姓名、身份证号…), not as field codes."""
        return [str(PERSON_FIELDS[name]) for name in self.fields if name in PERSON_FIELDS]


class LifeCase(CaseSubject):
    template = models.ForeignKey(CaseTemplate, on_delete=models.PROTECT, related_name="cases")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, db_index=True)
    automatic = models.BooleanField(_("opened automatically"), default=False)
    #: the template's tasks as they were when the case opened (editing the template changes later cases only)
    task_specs = models.JSONField(_("tasks"), default=list)
    statutory_due = models.DateField(_("statutory due date"), null=True, blank=True)

    class Meta:
        verbose_name = _("一件事 case")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.case.number
