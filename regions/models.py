"""The service network 一中心两站N家: regions, stations, grids and their leaders."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.scoping import ScopedModel
from core.validators import mask_phone

#: The service network (regions, stations, grids, their leaders) is seen with one capability.
NETWORK_CAPABILITIES: Mapping[str, str] = {"view": "regions.view"}

models.CharField.register_lookup(Length)


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")
    CITY = "city", _("City / county")
    TOWN = "town", _("Town / street")
    VILLAGE = "village", _("Village / community")
    GRID = "grid", _("Grid (老兵壹家)")


#: How many leading digits of the code are significant at each level: the
#: region's subtree is every code that starts with those digits.
PREFIX_LENGTH: dict[str, int] = {
    Level.PROVINCE: 2,
    Level.PREFECTURE: 4,
    Level.CITY: 6,
    Level.TOWN: 9,
    Level.VILLAGE: 12,
    Level.GRID: 15,
}
LEVEL_ORDER: list[str] = list(PREFIX_LENGTH)
PARENT_LEVEL: dict[str, str] = {LEVEL_ORDER[i + 1]: LEVEL_ORDER[i] for i in range(len(LEVEL_ORDER) - 1)}


def level_of(code: str) -> str | None:
    """The level a code has by its shape: the deepest level whose own digits are not all zero.

    330482001000 is a town, 330482001001 a village, 330482001001001 a grid; None for no code.
    """
    if not (code.isascii() and code.isdigit()):
        return None
    if len(code) == 15:
        return Level.GRID if code[12:] != "000" else None
    if len(code) != 12:
        return None
    for level in reversed(LEVEL_ORDER[:-1]):
        start = PREFIX_LENGTH[PARENT_LEVEL[level]] if level in PARENT_LEVEL else 0
        if set(code[start : PREFIX_LENGTH[level]]) - {"0"}:
            return level
    return None


def prefix_of(code: str) -> str:
    """The significant digits of a code (its subtree is every code that starts with them)."""
    level = level_of(code)
    return code[: PREFIX_LENGTH[level]] if level else code


class Region(ScopedModel):
    scope_field = "code"
    capabilities: ClassVar[Mapping[str, str]] = NETWORK_CAPABILITIES

    code = models.CharField(_("division code"), max_length=15, unique=True)
    prefix = models.CharField(_("code prefix"), max_length=15, db_index=True, editable=False)
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(level="grid") & Q(code__length=15)) | (~Q(level="grid") & Q(code__length=12)),
                name="region_code_length_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def parent_code(self) -> str | None:
        return self.parent.code if self.parent_id else None  # type: ignore[union-attr]

    def ancestors(self) -> list[Region]:
        chain: list[Region] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class StationKind(models.TextChoices):
    CENTRE = "centre", _("Service centre (服务中心)")
    TOWN_STATION = "town_station", _("Town service station (镇街道服务站)")
    VILLAGE_STATION = "village_station", _("Village service station (村社区服务站)")


STATION_KIND_BY_LEVEL: dict[str, str] = {
    Level.PROVINCE: StationKind.CENTRE,
    Level.PREFECTURE: StationKind.CENTRE,
    Level.CITY: StationKind.CENTRE,
    Level.TOWN: StationKind.TOWN_STATION,
    Level.VILLAGE: StationKind.VILLAGE_STATION,
}


class Station(ScopedModel):
    """A service centre or station; one per region above grid level."""

    scope_field = "region__code"
    capabilities: ClassVar[Mapping[str, str]] = NETWORK_CAPABILITIES

    region = models.OneToOneField(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="station")
    kind = models.CharField(_("kind"), max_length=20, choices=StationKind.choices)
    name = models.CharField(_("name"), max_length=80)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Often the station head's own mobile: personal data, kept encrypted like a veteran's phone.
    phone = EncryptedTextField(_("phone"), blank=True)
    head_name = models.CharField(_("station head"), max_length=50, blank=True)
    full_time_staff = models.PositiveSmallIntegerField(_("full-time staff"), default=0)
    part_time_staff = models.PositiveSmallIntegerField(_("part-time staff"), default=0)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["region__code"]

    def __str__(self) -> str:
        return self.name


class Designation(models.TextChoices):
    NATIONAL_MODEL = "national_model", _("National model station (全国示范型)")
    PROVINCIAL_FENGQIAO = "provincial_fengqiao", _('Provincial "Fengqiao" station (省级"枫桥式")')


class StationDesignation(ScopedModel):
    scope_field = "station__region__code"
    capabilities: ClassVar[Mapping[str, str]] = NETWORK_CAPABILITIES

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="designations")
    designation = models.CharField(_("designation"), max_length=30, choices=Designation.choices)
    year = models.PositiveSmallIntegerField(
        _("year awarded"), validators=[MinValueValidator(2018), MaxValueValidator(2100)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("station designation")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["station", "designation"], name="one_designation_of_a_kind_per_station")
        ]

    def __str__(self) -> str:
        return f"{self.get_designation_display()} {self.year}"


class StarCriterion(models.Model):
    """A scored criterion of the yearly star rating (星级评定); a back-office catalog."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    max_score = models.DecimalField(_("maximum score"), max_digits=5, decimal_places=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("star rating criterion")
        verbose_name_plural = _("star rating criteria")
        ordering = ["order", "code"]
        constraints = [models.CheckConstraint(condition=Q(max_score__gt=0), name="criterion_max_score_positive")]

    def __str__(self) -> str:
        return self.name


#: Total score (out of the criteria's maxima, scaled to 100) needed for each star count.
STAR_THRESHOLDS: list[tuple[Decimal, int]] = [
    (Decimal("90"), 5),
    (Decimal("80"), 4),
    (Decimal("70"), 3),
    (Decimal("60"), 2),
    (Decimal("0"), 1),
]


class StarRating(ScopedModel):
    scope_field = "station__region__code"
    capabilities: ClassVar[Mapping[str, str]] = NETWORK_CAPABILITIES

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="star_ratings")
    year = models.PositiveSmallIntegerField(_("year"))
    total_score = models.DecimalField(_("total score"), max_digits=6, decimal_places=1)
    stars = models.PositiveSmallIntegerField(_("stars"))
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("star rating")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["station", "year"], name="one_star_rating_per_station_year"),
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="stars_between_1_and_5"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {'★' * self.stars}"


class StarRatingScore(models.Model):
    rating = models.ForeignKey(StarRating, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(StarCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("star rating score")
        constraints = [
            models.UniqueConstraint(fields=["rating", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(condition=Q(score__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


class GridLeaderTerm(ScopedModel):
    """One leader's (班长/轮值站长) term at one grid; the rotation history is the list of terms."""

    scope_field = "grid__code"
    capabilities: ClassVar[Mapping[str, str]] = NETWORK_CAPABILITIES

    grid = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="leader_terms")
    leader_name = models.CharField(_("leader name"), max_length=50)
    leader_phone = EncryptedTextField(_("leader phone"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="grid_terms"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("grid leader term")
        ordering = ["grid__code", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid"], condition=Q(end_date__isnull=True), name="one_current_leader_per_grid"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="term_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader_name} ({self.start_date}–{self.end_date or ''})"

    @property
    def leader_phone_masked(self) -> str:
        return mask_phone(self.leader_phone)

    @property
    def leader_phone_shown(self) -> str:
        """The in-office leader's phone in full (the grid's contact); a past leader's only masked."""
        return self.leader_phone_masked if self.end_date else self.leader_phone


def ancestor_code(code: str, level: str) -> str:
    """The code of the region at ``level`` that contains ``code`` (330482001001 at town level: 330482001000)."""
    return code[: PREFIX_LENGTH[level]].ljust(12, "0")
