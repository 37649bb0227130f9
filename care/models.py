"""常态化联系 (regular contact) and 急难愁盼 (needs): who keeps in touch with each veteran, how often, the visits
they log, and the needs found, routed on the kit to the unit that solves them and followed up (回访).

- ``ContactFrequency``: how often a veteran is contacted, declared per tag or for anyone with a current
  special-care category (优抚对象), with one default for everyone else; data an administrator edits.
  Seeded: 重点人员 monthly, 优抚对象 quarterly, everyone else yearly. A person under several rules is
  contacted as often as the most frequent one asks.
- ``Assignment``: a contact person named for one veteran. Without one, the contact person is the grid
  leader of the veteran's grid, except for key people (重点人员), whose contact is their village station.
- ``Visit``: one contact (上门, 电话, 微信, 到站) on a day, its note and photos (``VisitPhoto``); needs found
  are raised in the same service call and point back at it.
- ``Need``: the case subject of the ``care_need`` process (``care.process``): its category, what is
  needed, where it came from, the unit handling it, what was done, and the 回访's rating.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedModel
from workflow.models import CaseSubject

#: The key of the needs process (``care.process`` declares it; services look it up in ``workflow.registry``).
NEED_PROCESS = "care_need"
#: The tag whose people are contacted by their station rather than their grid leader.
KEY_PERSON_TAG = "key_person"


class Mode(models.TextChoices):
    """The way of contact."""

    HOME = "home", _("Home visit (上门)")
    PHONE = "phone", _("Phone call (电话)")
    WECHAT = "wechat", _("WeChat (微信)")
    STATION = "station", _("At the station (到站)")


class NeedCategory(models.TextChoices):
    LIVING = "living", _("Daily living (生活)")
    EMPLOYMENT = "employment", _("Employment (就业)")
    SCHOOLING = "schooling", _("Schooling (就学)")
    MEDICAL = "medical", _("Medical care (医疗)")
    HOUSING = "housing", _("Housing (住房)")
    LEGAL = "legal", _("Legal help (法律)")
    OTHER = "other", _("Other (其他)")


class NeedSource(models.TextChoices):
    VISIT = "visit", _("Found on a visit")
    STATION = "station", _("Raised by station staff")
    VETERAN = "veteran", _("Raised by the veteran")


class Satisfaction(models.TextChoices):
    VERY = "very", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Not satisfied")


class ContactFrequency(models.Model):
    """How often the people a rule covers are contacted: those with a tag, those with a current special-care
    category, or (neither) everyone else. Exactly one rule is the default."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    label = models.CharField(_("name"), max_length=60)
    tag = models.ForeignKey(
        "veterans.Tag", verbose_name=_("tag"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: the rule covers everyone with a special-care category (优抚对象) in force
    any_category = models.BooleanField(_("any special-care category"), default=False)
    months = models.PositiveSmallIntegerField(_("contact every (months)"))

    class Meta:
        verbose_name = _("contact frequency")
        ordering = ["months", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(months__gte=1, months__lte=24), name="care_frequency_1_to_24_months"),
            models.CheckConstraint(
                condition=~(Q(tag__isnull=False) & Q(any_category=True)), name="care_frequency_one_kind"
            ),
            models.UniqueConstraint(fields=["tag"], name="care_frequency_one_per_tag"),
            models.UniqueConstraint(
                fields=["any_category"], condition=Q(any_category=True), name="care_frequency_one_for_categories"
            ),
            models.UniqueConstraint(
                fields=["any_category"],
                condition=Q(tag__isnull=True, any_category=False),
                name="care_frequency_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_default(self) -> bool:
        return self.tag_id is None and not self.any_category


class Assignment(ScopedModel):
    """A contact person named for one veteran (a station worker for a key person, another grid leader …)."""

    scope_field = "region_code"
    capabilities: ClassVar[Mapping[str, str]] = {"view": "care.view"}

    veteran = models.OneToOneField(
        "veterans.Veteran", verbose_name=_("veteran"), on_delete=models.PROTECT, related_name="care_assignment"
    )
    region_code = models.CharField(_("region code"), max_length=15)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("contact person"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact person")
        indexes = [models.Index(fields=["user"], name="care_assignment_user")]

    def __str__(self) -> str:
        return f"{self.veteran_id} → {self.user_id}"


class Visit(ScopedModel):
    """One contact with a veteran: the day, the way, what was said; written once (no edit)."""

    scope_field = "region_code"
    capabilities: ClassVar[Mapping[str, str]] = {"view": "care.view"}

    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name=_("veteran"), on_delete=models.PROTECT, related_name="care_visits"
    )
    #: the veteran's residence code when the visit was logged (scope)
    region_code = models.CharField(_("region code"), max_length=15)
    visited_on = models.DateField(_("date of contact"))
    mode = models.CharField(_("way of contact"), max_length=10, choices=Mode.choices)
    note = models.CharField(_("notes"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["veteran", "visited_on"], name="care_visit_veteran_day"),
            models.Index(fields=["region_code", "id"], name="care_visit_region_keyset",
                         opclasses=["varchar_pattern_ops", "int8_ops"]),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.veteran_id} {self.visited_on} {self.mode}"


class VisitPhoto(ScopedModel):
    """A photo taken on a visit, kept as the kit keeps a case's files (``workflow.services.attachments``)."""

    scope_field = "visit__region_code"
    capabilities: ClassVar[Mapping[str, str]] = {"view": "care.view"}

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="photos")
    name = models.CharField(_("file name"), max_length=200)
    stored_path = models.CharField(max_length=500)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("visit photo")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Need(CaseSubject):
    """A need (急难愁盼) of one veteran, handled on the kit: routed, resolved, then followed up (回访)."""

    capabilities: ClassVar[Mapping[str, str]] = {"view": "care.view"}
    owner_field = "case__veteran_id"

    category = models.CharField(_("category"), max_length=12, choices=NeedCategory.choices)
    description = models.CharField(_("what is needed"), max_length=1000)
    source = models.CharField(_("raised"), max_length=10, choices=NeedSource.choices)
    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.PROTECT, null=True, blank=True, related_name="needs"
    )
    #: who handles it now: a unit's code, a partner department (at city level) and the acting role
    handler_unit = models.CharField(_("handled by"), max_length=15)
    handler_department = models.CharField(_("department"), max_length=20, blank=True)
    handler_role = models.CharField(max_length=20)
    resolution = models.CharField(_("what was done"), max_length=2000, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    followed_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    #: how many times a 回访 found the person not satisfied and reopened it
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    class Meta:
        verbose_name = _("need")
        indexes = [models.Index(fields=["region_code", "category"], name="care_need_region_category")]
        constraints = [
            models.CheckConstraint(
                condition=Q(source="visit", visit__isnull=False) | (~Q(source="visit") & Q(visit__isnull=True)),
                name="care_need_visit_when_found_on_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.description[:30]}"
