"""The example process's subject: one claim, its facts in typed columns."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from workflow.models import Attachment, CaseSubject


class ExampleClaim(CaseSubject):
    #: what is claimed, in fen (never a float: 1280.50 yuan is 128050)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"), null=True, blank=True)
    incurred_on = models.DateField(_("incurred on"), null=True, blank=True)
    evidence = models.ForeignKey(
        Attachment, verbose_name=_("supporting file"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    objections = models.PositiveSmallIntegerField(_("objections"), default=0)
    approved = models.BooleanField(_("approved"), default=False)

    class Meta:
        verbose_name = _("example claim")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.case.number
