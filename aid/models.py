"""帮扶援助 and the 关心关爱退役军人帮扶基金: hardship applications on the kit, and the fund's append-only ledger.

An application (``Application``) is proposed by the village station for a veteran of its area, checked by
the town and approved by the city, which may approve less than was asked. The fund (``Fund``, one per city)
takes donations (each with its donor) and pays grants, each to one approved application, at a disbursement
ceremony (``Ceremony``) that pays its whole batch in one transaction.

The database holds the invariants:

- an application asks for more than nothing and at most ``MAX_APPLICATION``; what the city approves is more
  than nothing and at most what was asked (``aid_application_amounts``);
- a ledger row is never updated or deleted (``AppendOnly``); a correction is a reversing row, and a row is
  reversed at most once (``LedgerEntry``);
- a donation comes in (a positive amount, with its donor), a grant goes out (a negative amount, with its
  application) (``aid_ledger_sign_follows_kind``); an application is granted at most once
  (``one_grant_per_application``);
- the fund's balance is never negative (``aid_fund_balance_not_negative``); it is written only under the
  fund row's lock (``SELECT … FOR UPDATE``), so two ceremonies at once cannot both spend the same money.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.ledger import AppendOnlyModel, AppendOnlyQuerySetMixin, LedgerEntry, MoneyField
from core.scoping import ScopedModel, ScopedQuerySet
from workflow.models import CaseSubject

#: The key of the application's process (``aid.process`` declares it).
APPLICATION_PROCESS = "aid_application"
#: The most one application may ask for, in yuan.
MAX_APPLICATION = Decimal("50000.00")
#: The most one donation may be, in yuan (a larger gift is recorded as several).
MAX_DONATION = Decimal("10000000.00")
#: The fund's name, as the bureau writes it.
FUND_NAME = "关心关爱退役军人帮扶基金"


class Need(models.TextChoices):
    """Why the veteran needs help (困难类型)."""

    LIVING = "living", _("Hardship of living (生活困难)")
    ILLNESS = "illness", _("Serious illness (大病)")
    DISASTER = "disaster", _("Accident or disaster (意外灾害)")
    SCHOOLING = "schooling", _("Children's schooling (子女就学)")
    OTHER = "other", _("Other")


class Application(CaseSubject):
    """A hardship application (帮扶援助) for one veteran, on the kit: the village proposes, the town checks,
    the city approves (an amount up to what was asked) or any step refuses with its reason."""

    capabilities: ClassVar[Mapping[str, str]] = {"view": "aid.view"}
    owner_field = "veteran_id"

    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name=_("veteran"), on_delete=models.PROTECT, related_name="+"
    )
    need = models.CharField(_("kind of hardship"), max_length=12, choices=Need.choices)
    circumstances = models.CharField(_("circumstances"), max_length=1000)
    requested = MoneyField(_("amount asked (yuan)"))
    #: what the city approved (empty until then); at most what was asked
    approved = MoneyField(_("amount approved (yuan)"), null=True, blank=True)
    #: the reason a step gave for refusing it
    refusal = models.CharField(_("reason for refusal"), max_length=2000, blank=True)
    #: the ceremony that paid its grant (the grant itself is the fund's ledger row, ``grants``)
    ceremony = models.ForeignKey(
        "Ceremony", verbose_name=_("paid at"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("hardship application")
        constraints = [
            models.CheckConstraint(
                condition=Q(requested__gt=0)
                & Q(requested__lte=MAX_APPLICATION)
                & (Q(approved__isnull=True) | (Q(approved__gt=0) & Q(approved__lte=models.F("requested")))),
                name="aid_application_amounts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.requested}"


class Fund(ScopedModel):
    """The city's 帮扶基金: its balance, the sum of its ledger, written only under this row's lock."""

    scope_field = "region_code"
    capabilities: ClassVar[Mapping[str, str]] = {"view": "aid.fund"}

    name = models.CharField(_("name"), max_length=60, default=FUND_NAME)
    #: the city the fund belongs to
    region_code = models.CharField(_("region code"), max_length=15, unique=True)
    balance = MoneyField(_("balance (yuan)"), default=Decimal("0.00"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("aid fund")
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="aid_fund_balance_not_negative")]

    def __str__(self) -> str:
        return self.name


class DonorKind(models.TextChoices):
    COMPANY = "company", _("Company")
    ASSOCIATION = "association", _("Association or social organisation")
    PERSON = "person", _("Person")


class Donor(models.Model):
    """Who gave to the fund (平湖市民营企业拥军协会, a company, a person): recorded with their first donation."""

    name = models.CharField(_("donor"), max_length=100)
    kind = models.CharField(_("kind of donor"), max_length=12, choices=DonorKind.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("donor")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "kind"], name="one_donor_per_name_and_kind")]

    def __str__(self) -> str:
        return self.name


class EntryKind(models.TextChoices):
    DONATION = "donation", _("Donation")
    GRANT = "grant", _("Grant")


class CeremonyQuerySet(AppendOnlyQuerySetMixin, ScopedQuerySet["Ceremony"]):
    pass


class Ceremony(AppendOnlyModel, ScopedModel):
    """A disbursement ceremony (发放仪式): a named, dated event at which a batch of grants was paid, all at once.
    Written with its grants in one transaction, never changed."""

    scope_field = "region_code"
    capabilities: ClassVar[Mapping[str, str]] = {"view": "aid.fund"}

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="ceremonies")
    name = models.CharField(_("ceremony"), max_length=100)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    region_code = models.CharField(_("region code"), max_length=15)
    total = MoneyField(_("total paid (yuan)"))
    grants = models.PositiveIntegerField(_("grants paid"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CeremonyQuerySet.as_manager()  # type: ignore[assignment,misc]  # append-only and scoped

    class Meta:
        verbose_name = _("disbursement ceremony")
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0) & Q(grants__gt=0), name="aid_ceremony_pays_something")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.held_on}"


class FundEntryQuerySet(AppendOnlyQuerySetMixin, ScopedQuerySet["FundEntry"]):
    pass


class FundEntry(LedgerEntry):
    """A row of the fund's ledger: a donation in, a grant out, or the reversal of one (``reverses``).

    Its region is, for a grant, the applicant's; for a donation, the area it was given for (the city by
    default): the figures count money in and out by area with the same prefix every scoped query uses."""

    scope_field = "region_code"
    capabilities: ClassVar[Mapping[str, str]] = {"view": "aid.fund", "correct": "aid.fund_manage"}
    amount_fields = ("amount",)

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    day = models.DateField(_("date"))
    region_code = models.CharField(_("region code"), max_length=15)
    #: in yuan: a donation is positive, a grant negative, a reversal the opposite of what it reverses
    amount = MoneyField(_("amount (yuan)"))
    donor = models.ForeignKey(Donor, verbose_name=_("donor"), on_delete=models.PROTECT, null=True, related_name="+")
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, null=True, related_name="grants"
    )
    ceremony = models.ForeignKey(
        Ceremony, verbose_name=_("ceremony"), on_delete=models.PROTECT, null=True, related_name="entries"
    )
    #: the receipt's or the transfer's number (票据号)
    reference = models.CharField(_("receipt or transfer number"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = FundEntryQuerySet.as_manager()  # type: ignore[assignment,misc]  # append-only and scoped

    class Meta(LedgerEntry.Meta):
        verbose_name = _("aid fund ledger row")
        indexes = [models.Index(fields=["fund", "id"], name="aid_ledger_fund")]
        constraints = [
            *LedgerEntry.Meta.constraints,
            models.UniqueConstraint(
                fields=["application"], condition=Q(reverses__isnull=True), name="one_grant_per_application"
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=False)
                | (Q(kind="donation") & Q(amount__gt=0) & Q(donor__isnull=False) & Q(application__isnull=True))
                | (Q(kind="grant") & Q(amount__lt=0) & Q(application__isnull=False) & Q(donor__isnull=True)),
                name="aid_ledger_sign_follows_kind",
            ),
            models.CheckConstraint(
                condition=Q(amount__lte=MAX_DONATION) & Q(amount__gte=-MAX_DONATION), name="aid_ledger_amount_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.day}"
