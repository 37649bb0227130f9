"""烈士 (martyrs), their families (烈属 "一人一档") and the memorial facilities (烈士陵园, 纪念碑 …).

- ``Martyr``: one martyr of the register: name, dates (a year, a month or a day: ``Precision``), native place,
  unit, place of sacrifice, deeds, memorial and burial place. Scoped by the region that registers them
  (their native town or village, or the city when no more is known). ``synthetic`` marks demo data.
- ``MartyrFamily``: one family member of a martyr, who is a person of the registry (``veterans.Veteran``,
  category 烈士遗属), with their relation and their 一人一档 record (living situation, schooling,
  employment, benefits, notes) and the one responsible person (专人对接). Scoped by the person's residence,
  so care's visits and needs of that person (``care.Visit``, ``care.Need``) are the same objects here.
- ``RecordChange``: the append-only history of a 一人一档 record: each change, field by field, by whom.
- ``Memorial``: a facility of remembrance, its kind, protection level and condition (完好, 一般, 需修缮).
- ``Upkeep``: the facility's upkeep ledger (append-only; a correction is a reversing row, ``core.ledger``).
- ``Remembrance``: a visit of remembrance (清明祭扫 …): the day, the group, how many people came.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.ledger import AppendOnlyModel, AppendOnlyQuerySetMixin, LedgerEntry, MoneyField
from core.scoping import ScopedModel, ScopedQuerySet
from veterans import choices as vc

#: The most one upkeep row may cost, in yuan (a larger project is recorded as several).
MAX_COST = Decimal("100000000.00")

VIEW: Mapping[str, str] = {"view": "martyrs.view", "manage": "martyrs.manage"}


class Precision(models.TextChoices):
    """How much of a date is known: the year, the month or the day (the stored date is its first day)."""

    YEAR = "year", _("Year")
    MONTH = "month", _("Month")
    DAY = "day", _("Day")


def shown_date(day: dt.date | None, precision: str) -> str:
    """A date as far as it is known: 1944, 1944-05 or 1944-05-17 ("" when unknown)."""
    if day is None:
        return ""
    if precision == Precision.YEAR:
        return f"{day.year}"
    if precision == Precision.MONTH:
        return f"{day.year}-{day.month:02d}"
    return day.isoformat()


class MemorialKind(models.TextChoices):
    CEMETERY = "cemetery", _("Martyrs' cemetery (烈士陵园)")
    MONUMENT = "monument", _("Monument (纪念碑)")
    HALL = "hall", _("Memorial hall (纪念馆)")
    TOMB = "tomb", _("Martyr's tomb (烈士墓)")
    EDUCATION_BASE = "education_base", _("Education base (崇军教育基地)")
    OTHER = "other", _("Other facility")


class ProtectionLevel(models.TextChoices):
    NATIONAL = "national", _("National (国家级)")
    PROVINCIAL = "provincial", _("Provincial (省级)")
    PREFECTURE = "prefecture", _("Prefecture (市级)")
    COUNTY = "county", _("County (县级)")
    NONE = "none", _("Not graded (未定级)")


class Condition(models.TextChoices):
    GOOD = "good", _("Good (完好)")
    FAIR = "fair", _("Fair (一般)")
    REPAIR = "repair", _("Needs repair (需修缮)")


class Memorial(ScopedModel):
    """A facility of remembrance of the region: a cemetery, a monument, a hall, a scattered tomb …"""

    scope_field = "region_code"
    capabilities: ClassVar[Mapping[str, str]] = VIEW

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind of facility"), max_length=20, choices=MemorialKind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("region code"), max_length=15, editable=False)
    protection_level = models.CharField(
        _("protection level"), max_length=12, choices=ProtectionLevel.choices, default=ProtectionLevel.NONE
    )
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices, default=Condition.GOOD)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    #: demo data, shown as 示例数据（虚构）
    synthetic = models.BooleanField(_("synthetic (demo)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("memorial facility")
        ordering = ["region_code", "name"]
        indexes = [models.Index(fields=["region_code", "condition"], name="martyrs_memorial_region")]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="martyrs_memorial_one_name")]

    def __str__(self) -> str:
        return self.name


class Martyr(ScopedModel):
    """A martyr (烈士) of the register, scoped by the region that registers them."""

    scope_field = "region_code"
    capabilities: ClassVar[Mapping[str, str]] = VIEW

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=vc.choices(vc.GENDERS), blank=True)
    birth_on = models.DateField(_("born"), null=True, blank=True)
    birth_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    sacrificed_on = models.DateField(_("sacrificed"), null=True, blank=True)
    sacrificed_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    native_place = models.CharField(_("native place"), max_length=100, blank=True)
    #: the region that registers the martyr (their native town or village; the city when no more is known)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("region code"), max_length=15, editable=False)
    unit = models.CharField(_("unit (部队/单位)"), max_length=200, blank=True)
    place_of_sacrifice = models.CharField(_("place of sacrifice"), max_length=200, blank=True)
    deeds = models.TextField(_("deeds (事迹)"), max_length=5000, blank=True)
    memorial = models.ForeignKey(
        Memorial, verbose_name=_("memorial"), on_delete=models.PROTECT, null=True, blank=True, related_name="martyrs"
    )
    burial_place = models.CharField(_("burial place"), max_length=200, blank=True)
    #: demo data, shown as 示例数据（虚构）
    synthetic = models.BooleanField(_("synthetic (demo)"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("martyr")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["region_code", "id"], name="martyrs_martyr_region_keyset",
                         opclasses=["varchar_pattern_ops", "int8_ops"]),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_on__isnull=True)
                | Q(sacrificed_on__isnull=True)
                | Q(sacrificed_on__gte=F("birth_on")),
                name="martyrs_sacrificed_after_birth",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def born_shown(self) -> str:
        return shown_date(self.birth_on, self.birth_precision)

    @property
    def sacrificed_shown(self) -> str:
        return shown_date(self.sacrificed_on, self.sacrificed_precision)


class MartyrFamily(ScopedModel):
    """A family member of a martyr (烈属), a person of the registry, with their 一人一档 record.

    Scoped by the person's residence (``veteran.region_code`` when linked): the station that visits the
    person sees their record, whoever registers the martyr."""

    scope_field = "region_code"
    capabilities: ClassVar[Mapping[str, str]] = VIEW

    martyr = models.ForeignKey(Martyr, verbose_name=_("martyr"), on_delete=models.PROTECT, related_name="family")
    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name=_("person"), on_delete=models.PROTECT, related_name="martyr_links"
    )
    relation = models.CharField(_("relation"), max_length=10, choices=vc.choices(vc.RELATIONS))
    region_code = models.CharField(_("region code"), max_length=15)
    # the 一人一档 record
    living = models.CharField(_("living situation (生活状况)"), max_length=1000, blank=True)
    schooling = models.CharField(_("schooling (就学)"), max_length=500, blank=True)
    employment = models.CharField(_("employment (就业)"), max_length=500, blank=True)
    benefits = models.CharField(_("benefits in place (待遇落实)"), max_length=500, blank=True)
    note = models.CharField(_("notes"), max_length=1000, blank=True)
    #: the one person who answers for this family member (专人对接): a user of the person's area
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible person (专人对接)"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("martyr's family member")
        ordering = ["martyr_id", "relation", "id"]
        indexes = [
            models.Index(fields=["region_code", "id"], name="martyrs_family_region_keyset",
                         opclasses=["varchar_pattern_ops", "int8_ops"]),
            models.Index(fields=["responsible"], name="martyrs_family_responsible"),
        ]  # fmt: skip
        constraints = [models.UniqueConstraint(fields=["martyr", "veteran"], name="martyrs_family_once_per_martyr")]

    def __str__(self) -> str:
        return f"{self.martyr_id} · {self.veteran_id}"


#: The fields of the 一人一档 record a change may touch (``RecordChange.changes`` names them).
RECORD_FIELDS = ("living", "schooling", "employment", "benefits", "note")


class RecordChangeQuerySet(AppendOnlyQuerySetMixin, ScopedQuerySet["RecordChange"]):
    pass


class RecordChange(AppendOnlyModel, ScopedModel):
    """One change of a 一人一档 record: each field's value before and after, who changed it and when."""

    scope_field = "region_code"
    capabilities: ClassVar[Mapping[str, str]] = VIEW

    family = models.ForeignKey(MartyrFamily, on_delete=models.PROTECT, related_name="changes")
    region_code = models.CharField(_("region code"), max_length=15)
    #: {field: [before, after]}; the responsible person's change is ``responsible`` (user ids)
    changes = models.JSONField(_("changes"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, editable=False)

    objects = RecordChangeQuerySet.as_manager()  # type: ignore[assignment,misc]  # append-only and scoped

    class Meta:
        verbose_name = _("change of a 一人一档 record")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.family_id} {self.changed_at:%Y-%m-%d}"


class UpkeepQuerySet(AppendOnlyQuerySetMixin, ScopedQuerySet["Upkeep"]):
    pass


class Upkeep(LedgerEntry):
    """A row of a facility's upkeep ledger: the day, what was done, what it cost and by whom. Never changed: a
    wrong row is cancelled by its reversal (``reverses``, the cost negated) and entered again."""

    scope_field = "region_code"
    capabilities: ClassVar[Mapping[str, str]] = VIEW
    amount_fields = ("cost",)

    memorial = models.ForeignKey(Memorial, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="upkeep")
    region_code = models.CharField(_("region code"), max_length=15)
    done_on = models.DateField(_("date"))
    work = models.CharField(_("what was done"), max_length=500)
    cost = MoneyField(_("cost (yuan)"))
    done_by = models.CharField(_("done by"), max_length=100)

    objects = UpkeepQuerySet.as_manager()  # type: ignore[assignment,misc]  # append-only and scoped

    class Meta(LedgerEntry.Meta):
        verbose_name = _("upkeep record")
        indexes = [models.Index(fields=["memorial", "done_on"], name="martyrs_upkeep_memorial")]
        constraints = [
            *LedgerEntry.Meta.constraints,
            models.CheckConstraint(
                condition=(Q(reverses__isnull=False) & Q(cost__lte=0)) | (Q(reverses__isnull=True) & Q(cost__gte=0)),
                name="martyrs_upkeep_cost_sign",
            ),
            models.CheckConstraint(
                condition=Q(cost__lte=MAX_COST) & Q(cost__gte=-MAX_COST), name="martyrs_upkeep_cost_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.done_on} {self.work[:30]}"


class Remembrance(ScopedModel):
    """A visit of remembrance to a facility (清明祭扫, a school's 缅怀 …): written once."""

    scope_field = "region_code"
    capabilities: ClassVar[Mapping[str, str]] = VIEW

    memorial = models.ForeignKey(
        Memorial, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="remembrances"
    )
    region_code = models.CharField(_("region code"), max_length=15)
    visited_on = models.DateField(_("date"))
    group = models.CharField(_("group or organisation"), max_length=100)
    people = models.PositiveIntegerField(_("number of people"))
    note = models.CharField(_("notes"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit of remembrance")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["memorial", "visited_on"], name="martyrs_remembrance_memorial")]
        constraints = [models.CheckConstraint(condition=Q(people__gte=1), name="martyrs_remembrance_someone_came")]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.group}"
