"""抚恤补助: programs and their effective-dated standards, entitlements, and the monthly batches paid by the bank.

Every fen is explainable: a payment line says whose entitlement, which month, which standard and why
(the month's payment, back-pay for held months, the difference of a back-dated standard, a resend of a
line the bank failed). Lines and their outcomes are append-only; a correction is a reversing line.

The database holds the invariants:

- a line that may be paid occupies its *slot* (entitlement, month, purpose, attempt) alone: generating a
  batch twice, two generators at once or a retry after a crash cannot write a second one;
- a failed line is resent at most once (``resend_of`` is unique), and a line has at most one outcome;
- at most one line per entitlement, month and purpose is ever marked paid (``one_paid_line_per_slot``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import decrypt
from core.ledger import AppendOnlyModel, AppendOnlyQuerySetMixin, LedgerEntry, MoneyField
from core.scoping import ScopedModel, ScopedQuerySet
from core.validators import mask_id
from workflow.models import CaseSubject


class Per(models.TextChoices):
    MONTH = "month", _("per month")
    YEAR = "year", _("per year")


class Cause(models.TextChoices):
    """Why a soldier was disabled (残疾性质), or how a soldier died (定期抚恤金: 烈士, 因公牺牲, 病故)."""

    WAR = "war", _("In war (因战)")
    DUTY = "duty", _("On duty (因公)")
    ILLNESS = "illness", _("Of illness (因病)")
    MARTYR = "martyr", _("Martyr (烈士遗属)")
    DIED_ON_DUTY = "died_on_duty", _("Died on duty (因公牺牲军人遗属)")
    DIED_OF_ILLNESS = "died_of_illness", _("Died of illness (病故军人遗属)")


class Program(models.Model):
    """A kind of payment (残疾抚恤金, 定期抚恤金 …): data, seeded by a migration, edited by the bureau."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    #: the standard differs by disability grade (1–10)
    by_grade = models.BooleanField(_("by grade"), default=False)
    #: the causes its standards distinguish (empty: one standard for everyone)
    causes = models.JSONField(_("causes"), default=list, blank=True)
    #: a yearly program is paid once a year, in this month's batch (义务兵家庭优待金); 0 for a monthly one
    pay_month = models.PositiveSmallIntegerField(_("month paid (yearly programs)"), default=0)
    #: whether a later annual confirmation pays the months held back for want of it (补发)
    backpay_on_confirm = models.BooleanField(_("back-pay after a late confirmation"), default=True)
    #: the beneficiary is a family member (survivors, a conscript's family), not the veteran
    for_family = models.BooleanField(_("paid to a family member"), default=False)
    #: programs a person may not draw at the same time as this one (both ways)
    excludes = models.ManyToManyField("self", verbose_name=_("excludes"), blank=True, symmetrical=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("program")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(pay_month__lte=12), name="program_pay_month_0_to_12"),
        ]

    def __str__(self) -> str:
        return self.name


class Standard(AppendOnlyModel):
    """An amount for a program (and grade and cause), in force from a month on; published, never changed.

    The standard in force for a month is the one with the latest ``effective_from`` not after it; of two
    for the same month the one published later wins (that is how a mistaken standard is corrected). A
    standard published after its ``effective_from`` makes the next batch pay the difference for the
    months already paid (补发).
    """

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="standards")
    #: the disability grade (1–10), 0 for a program without grades
    grade = models.PositiveSmallIntegerField(_("grade"), default=0)
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices, blank=True)
    amount = MoneyField(_("amount (yuan)"))
    per = models.CharField(_("per"), max_length=5, choices=Per.choices, default=Per.MONTH)
    effective_from = models.DateField(_("in force from"))
    document = models.CharField(_("document"), max_length=100, blank=True)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("standard")
        ordering = ["program", "grade", "cause", "effective_from", "published_at"]
        indexes = [models.Index(fields=["program", "grade", "cause", "effective_from"], name="standard_lookup")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="standard_amount_positive"),
            models.CheckConstraint(condition=Q(grade__lte=10), name="standard_grade_0_to_10"),
            models.CheckConstraint(condition=Q(effective_from__day=1), name="standard_from_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.grade or ''}{self.get_cause_display() if self.cause else ''} {self.amount}"


class EntitlementStatus(models.TextChoices):
    ACTIVE = "active", _("Active (正常发放)")
    SUSPENDED = "suspended", _("Suspended (暂停发放)")
    ENDED = "ended", _("Ended (终止发放)")


class Entitlement(ScopedModel):
    """Who receives what: the beneficiary, the program (grade, cause), the months, the payee's account."""

    scope_field = "region_code"
    owner_field = "veteran_id"
    capabilities: ClassVar[Mapping[str, str]] = {
        "view": "benefits.view",
        "manage": "benefits.manage",
        "confirm": "benefits.confirm",
        "reveal": "benefits.reveal_account",
    }

    #: the veteran the entitlement arises from (the beneficiary, or the soldier whose family is paid)
    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name=_("veteran"), on_delete=models.PROTECT, related_name="entitlements"
    )
    family_member = models.ForeignKey(
        "veterans.FamilyMember",
        verbose_name=_("family member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entitlements",
    )
    beneficiary_name = models.CharField(_("beneficiary"), max_length=50)
    beneficiary_id_enc = models.TextField(editable=False)
    beneficiary_id_hash = models.CharField(max_length=64, editable=False)
    #: the ID number passes GB 11643 (a legacy roll may hold one that does not: its lines are held)
    id_valid = models.BooleanField(_("ID number valid"), default=True)
    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="+")
    grade = models.PositiveSmallIntegerField(_("grade"), default=0)
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices, blank=True)
    #: the monthly (or yearly) amount on the roll when it differs from the standard (then its lines are held)
    agreed_amount = MoneyField(_("amount on the roll"), null=True, blank=True)
    from_month = models.DateField(_("from month"))
    to_month = models.DateField(_("until month"), null=True, blank=True)
    bank_name = models.CharField(_("bank"), max_length=50)
    account_enc = models.TextField(editable=False)
    account_hash = models.CharField(max_length=64, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=EntitlementStatus.choices, default="active")
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    died_on = models.DateField(_("beneficiary died on"), null=True, blank=True)
    #: the last year the station confirmed the beneficiary as living and eligible (年度确认)
    confirmed_year = models.PositiveSmallIntegerField(_("last confirmed for"))
    #: every month up to this one is settled: a line that may be paid exists, or was forfeited (no back-pay)
    settled_through = models.DateField(null=True, blank=True, editable=False)
    region_code = models.CharField(_("region code"), max_length=15)
    import_batch = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("entitlement")
        indexes = [
            models.Index(fields=["region_code", "id"], name="entitlement_region_keyset",
                         opclasses=["varchar_pattern_ops", "int8_ops"]),
            models.Index(fields=["beneficiary_id_hash"], name="entitlement_beneficiary"),
            models.Index(fields=["account_hash"], name="entitlement_account"),
            models.Index(fields=["veteran"], name="entitlement_veteran"),
        ]  # fmt: skip
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary_id_hash", "program"],
                condition=~Q(status="ended"),
                name="one_open_entitlement_per_person_and_program",
            ),
            models.CheckConstraint(condition=Q(grade__lte=10), name="entitlement_grade_0_to_10"),
            models.CheckConstraint(
                condition=Q(from_month__day=1) & (Q(to_month__isnull=True) | Q(to_month__day=1)),
                name="entitlement_months_are_first_days",
            ),
            models.CheckConstraint(
                condition=Q(to_month__isnull=True) | Q(to_month__gte=models.F("from_month")),
                name="entitlement_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status="active") | ~Q(status_reason=""), name="entitlement_stop_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(agreed_amount__isnull=True) | Q(agreed_amount__gt=0), name="entitlement_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_name} · {self.program}"

    @property
    def beneficiary_id_masked(self) -> str:
        return mask_id(decrypt(self.beneficiary_id_enc))

    @property
    def account_masked(self) -> str:
        return mask_account(decrypt(self.account_enc))

    @property
    def last_month(self) -> dt.date | None:
        """The last month payable: the until month, or the month of death, whichever comes first."""
        death = self.died_on.replace(day=1) if self.died_on else None
        candidates = [m for m in (self.to_month, death) if m is not None]
        return min(candidates) if candidates else None


def mask_account(account: str) -> str:
    """A bank account on screen: its last four digits only (6217 **** 1234 → ****1234)."""
    return f"****{account[-4:]}" if account else ""


class Confirmation(AppendOnlyModel):
    """A station's annual confirmation (年度确认) that a beneficiary lives and is still eligible."""

    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="confirmations")
    year = models.PositiveSmallIntegerField(_("year"))
    confirmed_on = models.DateField(_("confirmed on"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("annual confirmation")
        constraints = [models.UniqueConstraint(fields=["entitlement", "year"], name="one_confirmation_a_year")]


class Proposal(CaseSubject):
    """A new entitlement proposed by a village station, checked by the town and approved by the city."""

    capabilities: ClassVar[Mapping[str, str]] = {"view": "benefits.view"}

    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name=_("veteran"), on_delete=models.PROTECT, related_name="+"
    )
    family_member = models.ForeignKey(
        "veterans.FamilyMember", verbose_name=_("family member"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    beneficiary_name = models.CharField(_("beneficiary"), max_length=50)
    beneficiary_id_enc = models.TextField(editable=False)
    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="+")
    grade = models.PositiveSmallIntegerField(_("grade"), default=0)
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices, blank=True)
    from_month = models.DateField(_("from month"))
    bank_name = models.CharField(_("bank"), max_length=50)
    account_enc = models.TextField(editable=False)
    reason = models.CharField(_("grounds"), max_length=500, blank=True)
    entitlement = models.OneToOneField(
        Entitlement, verbose_name=_("entitlement"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="proposal",
    )  # fmt: skip

    class Meta:
        verbose_name = _("entitlement proposal")

    def __str__(self) -> str:
        return f"{self.beneficiary_name} · {self.program}"

    @property
    def beneficiary_id_masked(self) -> str:
        return mask_id(decrypt(self.beneficiary_id_enc))

    @property
    def account_masked(self) -> str:
        return mask_account(decrypt(self.account_enc))


class BatchState(models.TextChoices):
    DRAFT = "draft", _("Draft (待审核)")
    CHECKED = "checked", _("Checked (已审核)")
    APPROVED = "approved", _("Approved (已复核)")
    EXPORTED = "exported", _("Sent to the bank (已报送银行)")
    RECONCILED = "reconciled", _("Reconciled (已对账)")


class Batch(CaseSubject):
    """One month's payments for a city (or a larger area): its lines, its state, who made and checked it."""

    capabilities: ClassVar[Mapping[str, str]] = {"view": "benefits.view", "manage": "benefits.manage"}

    period = models.DateField(_("month"))
    state = models.CharField(_("state"), max_length=10, choices=BatchState.choices, default=BatchState.DRAFT)
    #: the totals of the lines to pay, fixed when the batch is checked (and checked again at every later step)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    total = MoneyField(_("total (yuan)"), default=Decimal("0.00"))
    held_count = models.PositiveIntegerField(_("held lines"), default=0)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("made by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    exported_at = models.DateTimeField(_("sent to the bank at"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("reconciled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment batch")
        constraints = [
            models.UniqueConstraint(fields=["region_code", "period"], name="one_batch_per_area_and_month"),
            models.CheckConstraint(condition=Q(period__day=1), name="batch_period_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.case.number}"


class LineKind(models.TextChoices):
    REGULAR = "regular", _("Monthly payment (当月发放)")
    ARREARS = "arrears", _("Back-pay for held months (补发)")
    ADJUSTMENT = "adjustment", _("Difference of a new standard (标准调整补差)")
    RESEND = "resend", _("Resent after a bank failure (重新发放)")


class HeldReason(models.TextChoices):
    DECEASED = "deceased", _("The beneficiary has died")
    SUSPENDED = "suspended", _("The entitlement is suspended")
    UNCONFIRMED = "unconfirmed", _("Not confirmed this year (年度确认)")
    SHARED_ACCOUNT = "shared_account", _("The bank account is another person's too")
    AMOUNT_DIFFERS = "amount_differs", _("The amount on the roll differs from the standard")
    INVALID_ID = "invalid_id", _("The ID number is not valid")
    EXCLUSIVE = "exclusive", _("Paid by two programs that exclude each other")
    NO_STANDARD = "no_standard", _("No standard is in force for this month")


class LineQuerySet(AppendOnlyQuerySetMixin, ScopedQuerySet["PaymentLine"]):
    pass


class PaymentLine(LedgerEntry):
    """One amount for one entitlement and month, in one batch: to pay, or held back with its reason."""

    amount_fields = ("amount",)
    scope_field = "region_code"
    owner_field = "entitlement__veteran_id"
    capabilities: ClassVar[Mapping[str, str]] = {"view": "benefits.view"}

    objects = LineQuerySet.as_manager()  # type: ignore[assignment,misc]  # append-only and scoped

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="lines")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="lines")
    period = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices)
    #: what the line pays for that month: "base" (the month's amount) or "std<id>" (a new standard's difference)
    purpose = models.CharField(max_length=20, default="base")
    #: 1 for the first line of a slot, one more for each resend after a failure or a reversal
    attempt = models.PositiveSmallIntegerField(default=1)
    amount = MoneyField(_("amount (yuan)"))
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, null=True, related_name="+")
    standard_amount = MoneyField(_("standard amount"), null=True)
    held_reason = models.CharField(_("held back"), max_length=20, choices=HeldReason.choices, blank=True)
    #: the reference the bank sees (a line that may be paid has one): entitlement, month, purpose, attempt
    reference = models.CharField(_("reference"), max_length=40, null=True, unique=True)
    resend_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, related_name="resent_by", verbose_name=_("resends")
    )
    region_code = models.CharField(max_length=15)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")

    class Meta(LedgerEntry.Meta):
        verbose_name = _("payment line")
        indexes = [
            models.Index(fields=["batch", "program"], name="line_batch_program"),
            models.Index(fields=["entitlement", "period"], name="line_entitlement_period"),
            models.Index(fields=["period", "region_code"], name="line_period_region"),
            # the batch page lists its held lines by reason: the few of 300,000, without reading the rest
            models.Index(fields=["batch", "held_reason", "id"], name="line_batch_held",
                         condition=~models.Q(held_reason="")),
        ]  # fmt: skip
        constraints = [
            *LedgerEntry.Meta.constraints,
            models.UniqueConstraint(
                fields=["entitlement", "period", "purpose", "attempt"],
                condition=Q(held_reason="", reverses__isnull=True),
                name="one_payable_line_per_slot",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=False) | Q(amount__gte=0), name="line_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(reference__isnull=True) | (Q(held_reason="") & Q(reverses__isnull=True)),
                name="line_reference_only_when_payable",
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="line_period_first_of_month"),
        ]

    def __str__(self) -> str:
        return self.reference or f"{self.entitlement_id}-{self.period:%Y%m}"


class ReturnFile(models.Model):
    """A return file from the bank (回盘文件), once per content: importing it again changes nothing."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="returns")
    sha256 = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    paid_count = models.PositiveIntegerField(default=0)
    paid_total = MoneyField(default=Decimal("0.00"))
    failed_count = models.PositiveIntegerField(default=0)
    failed_total = MoneyField(default=Decimal("0.00"))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bank return file")
        constraints = [models.UniqueConstraint(fields=["batch", "sha256"], name="one_return_file_per_content")]

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    PAID = "paid", _("Paid (成功)")
    FAILED = "failed", _("Failed (失败)")


class LineOutcome(AppendOnlyModel):
    """What the bank did with a line: paid, or failed with its reason. Once, never changed."""

    line = models.OneToOneField(PaymentLine, on_delete=models.PROTECT, related_name="outcome")
    outcome = models.CharField(_("outcome"), max_length=6, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    return_file = models.ForeignKey(ReturnFile, on_delete=models.PROTECT, related_name="outcomes")
    # The line's slot again, so that the database itself refuses a second paid line for it.
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="+")
    period = models.DateField()
    purpose = models.CharField(max_length=20)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("line outcome")
        constraints = [
            models.UniqueConstraint(
                fields=["entitlement", "period", "purpose"],
                condition=Q(outcome="paid"),
                name="one_paid_line_per_slot",
            ),
            models.CheckConstraint(condition=Q(outcome="paid") | ~Q(reason=""), name="failed_outcome_has_reason"),
        ]


class OverpaymentState(models.TextChoices):
    OPEN = "open", _("To recover (待追回)")
    RECOVERED = "recovered", _("Recovered (已追回)")
    WAIVED = "waived", _("Written off (已核销)")
    VOID = "void", _("Not paid out: the bank failed the line (作废)")


class Overpayment(ScopedModel):
    """A line paid (or sent to the bank) for a month after the beneficiary's death: money to recover."""

    scope_field = "region_code"
    capabilities: ClassVar[Mapping[str, str]] = {"view": "benefits.view", "manage": "benefits.manage"}

    line = models.OneToOneField(PaymentLine, on_delete=models.PROTECT, related_name="overpayment")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="overpayments")
    amount = MoneyField(_("amount (yuan)"))
    #: the beneficiary's death, when that is what ended the entitlement (empty: it was ended back-dated)
    died_on = models.DateField(_("died on"), null=True, blank=True)
    found_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(_("found by"), max_length=100)
    state = models.CharField(_("state"), max_length=10, choices=OverpaymentState.choices, default="open")
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    region_code = models.CharField(max_length=15)

    class Meta:
        verbose_name = _("overpayment")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="overpayment_positive")]
