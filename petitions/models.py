"""Petitions (信访): what was petitioned, by whom, through which channel; the case carries the procedure."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import Department, Role
from core.crypto import decrypt
from core.validators import mask_id, mask_phone
from workflow.models import CaseSubject


class Channel(models.TextChoices):
    LETTER = "letter", _("Letter (来信)")
    VISIT = "visit", _("Visit (来访)")
    ONLINE = "online", _("Online (网上信访)")
    PHONE_12345 = "phone_12345", _("Hotline 12345")
    PHONE_12397 = "phone_12397", _("Hotline 12397")


class Subject(models.TextChoices):
    POLICY = "policy", _("Policy enquiry (政策咨询)")
    BENEFITS = "benefits", _("Benefits and pensions (待遇保障)")
    PLACEMENT = "placement", _("Placement and employment (安置就业)")
    CARE = "care", _("Special care and honours (优抚褒扬)")
    MEDICAL = "medical", _("Medical care (医疗保障)")
    HOUSING = "housing", _("Housing and hardship (住房困难)")
    LEGAL = "legal", _("Legal and litigation (涉法涉诉)")
    OTHER = "other", _("Other (其他)")


class LinkKind(models.TextChoices):
    REPEAT = "repeat", _("Repeat petition (重复信访)")
    GROUP = "group", _("Same matter, other petitioners (联名/集体)")


class Level(models.TextChoices):
    FIRST = "first", _("Petition")
    REVIEW = "review", _("Review (复查)")
    RE_REVIEW = "re_review", _("Re-examination (复核)")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied (满意)")
    FAIRLY = "fairly", _("Fairly satisfied (基本满意)")
    UNSATISFIED = "unsatisfied", _("Not satisfied (不满意)")


class Decision(models.TextChoices):
    SUPPORT = "support", _("Supported (予以支持)")
    PARTIAL = "partial", _("Partly supported (部分支持)")
    NOT_SUPPORTED = "not_supported", _("Not supported (不予支持)")


#: A group petition (集体访) has this many people or more.
GROUP_SIZE = 5


class Petition(CaseSubject):
    #: the petitioner, when a registered veteran: they follow it in their portal
    owner_field = "veteran_id"

    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.FIRST)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    received_on = models.DateField(_("received on"))
    veteran = models.ForeignKey(
        "veterans.Veteran",
        verbose_name=_("petitioner (registered veteran)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    petitioner_name = models.CharField(_("petitioner"), max_length=50)
    phone_enc = models.TextField(blank=True)
    id_number_enc = models.TextField(blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=12, choices=Subject.choices)
    content = models.TextField(_("content"))
    people = models.PositiveSmallIntegerField(_("number of petitioners"), default=1)
    linked_to = models.ForeignKey(
        "self",
        verbose_name=_("linked petition"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked",
    )
    link_kind = models.CharField(_("link"), max_length=10, choices=LinkKind.choices, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    #: who registered it (their unit and role do the registration step)
    registrar_unit = models.CharField(_("registered by (unit)"), max_length=15)
    registrar_role = models.CharField(_("registered by (role)"), max_length=20, choices=Role.choices)
    #: the unit the petition was assigned to (交办), which investigates and decides
    handler_unit = models.CharField(_("responsible unit"), max_length=15, blank=True)
    handler_department = models.CharField(
        _("responsible department"), max_length=20, choices=Department.choices, blank=True
    )
    handler_role = models.CharField(_("responsible role"), max_length=20, choices=Role.choices, blank=True)
    decision = models.CharField(_("decision"), max_length=15, choices=Decision.choices, blank=True)
    reply = models.TextField(_("written reply"), blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extension asked (days)"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    #: None while the extension waits for approval (or was never asked)
    extension_approved = models.BooleanField(_("extension approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extension_days__isnull=True)
                | models.Q(extension_days__gte=1, extension_days__lte=30),
                name="petition_extension_1_to_30_days",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.petitioner_name}"

    @property
    def is_group(self) -> bool:
        return self.people >= GROUP_SIZE

    @property
    def phone_masked(self) -> str:
        return mask_phone(decrypt(self.phone_enc)) if self.phone_enc else ""

    @property
    def id_number_masked(self) -> str:
        return mask_id(decrypt(self.id_number_enc)) if self.id_number_enc else ""
