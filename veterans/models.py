"""The whole-life record (全生命周期档案) of every veteran.

ID numbers and phones are stored only encrypted; look-ups go through keyed
hashes of the whole value and of its last digits. Records are never deleted:
a death is a status with a date.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.crypto import decrypt
from core.scoping import ScopedModel
from core.validators import mask_id, mask_phone
from veterans import choices as c


class Tag(models.Model):
    """A label such as 困难 or 重点人员; a back-office catalog."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("tag")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Veteran(ScopedModel):
    scope_field = "region_code"
    owner_field = "id"
    capabilities: ClassVar[Mapping[str, str]] = {
        "view": "veterans.view",
        "manage": "veterans.manage",
        "export": "veterans.export",
    }

    name = models.CharField(_("name"), max_length=50)
    name_pinyin = models.CharField(max_length=200, editable=False)
    name_initials = models.CharField(max_length=50, editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=c.choices(c.GENDERS))
    birth_date = models.DateField(_("birth date"))
    id_number_enc = models.TextField(editable=False)
    id_hash = models.CharField(max_length=64, editable=False)
    id_tail4_hash = models.CharField(max_length=64, editable=False)
    id_tail5_hash = models.CharField(max_length=64, editable=False)
    id_tail6_hash = models.CharField(max_length=64, editable=False)
    ethnicity = models.CharField(_("ethnicity"), max_length=10, blank=True)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_tail4_hash = models.CharField(max_length=64, blank=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    hukou_region_code = models.CharField(_("household registration region"), max_length=15, blank=True)
    # No index of its own: every look-up goes by region_code; the key only guards a region's deletion.
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("residence region"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # The residence code again, so that scope is one indexed LIKE on this table.
    region_code = models.CharField(_("region code"), max_length=15, editable=False)
    enlisted_on = models.DateField(_("enlisted on"))
    enlisted_precision = models.CharField(max_length=5, choices=c.Precision.choices, default=c.Precision.DAY)
    discharged_on = models.DateField(_("discharged on"))
    discharged_precision = models.CharField(max_length=5, choices=c.Precision.choices, default=c.Precision.DAY)
    branch = models.CharField(_("branch"), max_length=24, choices=c.choices(c.BRANCHES), blank=True)
    rank = models.CharField(_("rank"), max_length=30, blank=True)
    discharge_type = models.CharField(_("discharge type"), max_length=20, choices=c.choices(c.DISCHARGE_TYPES))
    placement = models.CharField(_("placement"), max_length=20, choices=c.choices(c.PLACEMENTS), blank=True)
    awards = models.CharField(_("awards"), max_length=500, blank=True)
    political_status = models.CharField(
        _("political status"), max_length=24, choices=c.choices(c.POLITICAL_STATUSES), blank=True
    )
    party_joined_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    education = models.CharField(_("education"), max_length=20, choices=c.choices(c.EDUCATION), blank=True)
    employment_status = models.CharField(
        _("employment status"), max_length=20, choices=c.choices(c.EMPLOYMENT), blank=True
    )
    status = models.CharField(_("status"), max_length=10, choices=c.Status.choices, default=c.Status.LIVING)
    deceased_on = models.DateField(_("died on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    import_batch = models.CharField(_("import batch"), max_length=64, blank=True, editable=False)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="veterans")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("veteran")
        verbose_name_plural = _("veterans")
        # Indexes declared here, not with db_index: on PostgreSQL db_index on a CharField adds a second,
        # LIKE-only index, and a bulk load pays for every index. Each one below serves a look-up the
        # pages or the API make; a low-cardinality filter (status, discharge type) runs within a region.
        indexes = [
            models.Index(fields=["region_code", "id"], name="veteran_region_keyset",
                         opclasses=["varchar_pattern_ops", "int8_ops"]),
            models.Index(fields=["id_tail4_hash"], name="veteran_id_tail4"),
            models.Index(fields=["id_tail5_hash"], name="veteran_id_tail5"),
            models.Index(fields=["id_tail6_hash"], name="veteran_id_tail6"),
            models.Index(fields=["phone_tail4_hash"], name="veteran_phone_tail4"),
            # A pinyin search is a prefix (LIKE 'zsl%') within a region prefix: both in one index, so
            # PostgreSQL need not AND a bitmap of the whole town (measured 56 ms → 1 ms at 1.5M).
            models.Index(fields=["name_initials", "region_code"], name="veteran_initials_region",
                         opclasses=["varchar_pattern_ops", "varchar_pattern_ops"]),
            models.Index(fields=["name_pinyin", "region_code"], name="veteran_pinyin_region",
                         opclasses=["varchar_pattern_ops", "varchar_pattern_ops"]),
        ]  # fmt: skip
        constraints = [
            models.UniqueConstraint(fields=["id_hash"], name="one_record_per_id_number"),
            models.CheckConstraint(
                condition=Q(discharged_on__gte=models.F("enlisted_on")), name="discharged_after_enlisted"
            ),
            models.CheckConstraint(
                condition=Q(status="living", deceased_on__isnull=True)
                | Q(status="deceased", deceased_on__isnull=False),
                name="deceased_has_date",
            ),
            models.CheckConstraint(
                condition=Q(party_joined_on__isnull=True)
                | Q(political_status__in=["party_member", "probationary_member"]),
                name="party_date_only_for_members",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id(decrypt(self.id_number_enc))

    @property
    def phone_masked(self) -> str:
        return mask_phone(decrypt(self.phone_enc)) if self.phone_enc else ""


class VeteranCategory(models.Model):
    """One period in a category of special care (优抚对象)."""

    veteran = models.ForeignKey(Veteran, on_delete=models.PROTECT, related_name="categories")
    category = models.CharField(_("category"), max_length=30, choices=c.choices(c.CATEGORIES))
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    disability_grade = models.PositiveSmallIntegerField(_("disability grade"), null=True, blank=True)
    disability_cause = models.CharField(
        _("disability cause"), max_length=10, choices=c.choices(c.DISABILITY_CAUSES), blank=True
    )

    class Meta:
        verbose_name = _("special-care category")
        ordering = ["category", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="category_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True) | (Q(disability_grade__gte=1) & Q(disability_grade__lte=10)),
                name="disability_grade_1_to_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.start_date}–{self.end_date or ''}"


class FamilyMember(models.Model):
    veteran = models.ForeignKey(Veteran, on_delete=models.PROTECT, related_name="family")
    relation = models.CharField(_("relation"), max_length=10, choices=c.choices(c.RELATIONS))
    name = models.CharField(_("name"), max_length=50)
    id_number_enc = models.TextField(blank=True, editable=False)
    id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_enc = models.TextField(blank=True, editable=False)
    is_military_family = models.BooleanField(_("military family (军属)"), default=False)

    class Meta:
        verbose_name = _("family member")
        ordering = ["relation", "name"]

    def __str__(self) -> str:
        return f"{self.get_relation_display()} {self.name}"

    @property
    def id_number_masked(self) -> str:
        return mask_id(decrypt(self.id_number_enc)) if self.id_number_enc else ""


class VeteranNameGram(models.Model):
    """One- and two-character pieces of a name, so that a 1-2 character search uses an index.

    pg_trgm cannot serve fragments shorter than three characters, and most
    Chinese names are two or three characters long. A piece starting with ``~``
    is a search key of another pinyin reading of the name (veterans.pinyin).
    """

    # No foreign key in the database: the pieces are derived from the name and written only with it
    # (records are never deleted), and checking 4 or 5 of them a record at commit cost an import of
    # 100,000 people seconds.
    veteran = models.ForeignKey(
        Veteran, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    # A 1-2 character piece, or a search key of another pinyin reading (veterans.pinyin.search_keys).
    gram = models.CharField(max_length=60)

    class Meta:
        verbose_name = _("name search key")
        indexes = [models.Index(fields=["gram", "veteran"], name="name_gram_lookup")]
        constraints = [models.UniqueConstraint(fields=["veteran", "gram"], name="one_gram_per_name_piece")]

    def __str__(self) -> str:
        return self.gram
