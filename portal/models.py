"""What the portal adds to the kit: a veteran's request to correct their record (资料更正)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from workflow.models import CaseSubject

CORRECTION_PROCESS = "record_correction"


class CorrectionItem(models.TextChoices):
    NAME = "name", _("Name")
    PHONE = "phone", _("Phone")
    ADDRESS = "address", _("Address")
    SERVICE = "service", _("Service dates and unit")
    DISCHARGE = "discharge", _("How discharged")
    FAMILY = "family", _("Family members")
    OTHER = "other", _("Something else")


class Correction(CaseSubject):
    """A veteran's request to correct their record, handled by their station on the kit: it corrects the
    record on the registry's page and says what it changed, or says why it did not."""

    capabilities: ClassVar[Mapping[str, str]] = {"view": "veterans.view"}
    owner_field = "case__veteran_id"

    item = models.CharField(_("what is wrong"), max_length=12, choices=CorrectionItem.choices)
    wrong = models.CharField(_("what the record says"), max_length=500, blank=True)
    right = models.CharField(_("what it should say"), max_length=500)
    #: what the station did: the change made, or why none was
    answer = models.CharField(_("answer"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("record correction request (资料更正)")

    def __str__(self) -> str:
        return f"{self.get_item_display()} · {self.right[:30]}"
