"""“老兵本色” merit points: a versioned catalog, entries approved on the kit, an append-only ledger, the
quarterly ranking with its objections, and what points are redeemed for.

What a veteran does for the community is scored by the catalog's items (7 aspects, 27 items in the
example scheme). An entry records one item on one day for one or several veterans (a group activity);
once approved, each of them gets a ledger row. The ledger is never edited: a correction, an upheld
objection and a cancelled redemption are reversing rows.

The database holds the invariants:

- the same item for the same veteran on the same day is live (pending or approved) at most once
  (``one_live_item_per_veteran_and_day``);
- an approved participant is booked at most once (``one_booking_per_participant``), a row is reversed at most
  once (``LedgerEntry``), and no row is updated or deleted (``AppendOnly``: the ORM and a PostgreSQL trigger);
- an account's balance is never negative (``account_balance_not_negative``); a deduction larger than the
  balance is owed, and later awards pay it first (``account_owes_or_holds``);
- a ranking is frozen once per quarter and region (``one_ranking_per_quarter_and_region``), and its rows,
  once written, never change (``AppendOnly``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.ledger import AppendOnlyModel, AppendOnlyQuerySetMixin, LedgerEntry
from core.scoping import ScopedModel, ScopedQuerySet
from workflow.models import CaseSubject

if TYPE_CHECKING:
    pass

#: The keys of the module's processes (``points.process`` declares them; the services look them up by key in
#: ``workflow.registry``, so that the processes' effects may call the services without an import cycle).
ENTRY_PROCESS = "points_entry"
RANKING_PROCESS = "points_ranking"
OBJECTION_PROCESS = "points_objection"

#: A quarter's key: ``2026Q3``.
QUARTER_LENGTH = 6


class Aspect(models.Model):
    """One of the scheme's aspects (参与思政教育, 平安建设, 志愿服务, 争先创优 …): data the bureau edits."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("aspect")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Basis(models.TextChoices):
    FIXED = "fixed", _("Fixed points")
    PER_HOUR = "per_hour", _("Points per hour")
    PER_OCCASION = "per_occasion", _("Points per occasion")


class Evidence(models.TextChoices):
    NONE = "none", _("None needed")
    PHOTO = "photo", _("A photo")
    DOCUMENT = "document", _("A document (certificate, letter)")


class Submitter(models.TextChoices):
    """Who may submit an item: the grid leader, a station's staff, the veteran themself."""

    GRID_LEADER = "grid", _("Grid leader")
    STATION = "station", _("Service station staff")
    VETERAN = "veteran", _("The veteran (self-report)")


class Item(models.Model):
    """An item of the catalog: its identity. What it is worth and who handles it are its versions."""

    aspect = models.ForeignKey(Aspect, verbose_name=_("aspect"), on_delete=models.PROTECT, related_name="items")
    code = models.SlugField(_("code"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("item")
        ordering = ["aspect__order", "order", "code"]

    def __str__(self) -> str:
        return self.code


class ItemVersion(AppendOnlyModel):
    """An item as it stands from a date on: name, points, caps, who submits and approves, evidence.

    A change to the catalog is a new version from a date; an entry keeps the version it was scored by, so
    a change never rewrites the past. Of two versions from the same date the later published wins.
    """

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="versions")
    effective_from = models.DateField(_("in force from"))
    name = models.CharField(_("name"), max_length=60)
    basis = models.CharField(_("scored"), max_length=15, choices=Basis.choices, default=Basis.FIXED)
    #: points for the item, an hour or an occasion; always positive, ``deduction`` gives the sign
    points = models.PositiveSmallIntegerField(_("points"))
    deduction = models.BooleanField(_("deduction"), default=False)
    #: the most points one veteran may get (or lose) by this item in a quarter and in a year; empty: no cap
    quarter_cap = models.PositiveIntegerField(_("cap per quarter"), null=True, blank=True)
    year_cap = models.PositiveIntegerField(_("cap per year"), null=True, blank=True)
    submitters = models.JSONField(_("who may submit"), default=list)
    #: an award of at least this many points to one person is approved by the town; empty: the village approves
    town_from = models.PositiveIntegerField(_("town approves from (points)"), null=True, blank=True)
    evidence = models.CharField(_("evidence needed"), max_length=10, choices=Evidence.choices, default=Evidence.NONE)
    evidence_hint = models.CharField(_("what the evidence shows"), max_length=200, blank=True)
    #: no longer in the catalog from ``effective_from`` (past entries keep their version)
    retired = models.BooleanField(_("withdrawn from the catalog"), default=False)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("item version")
        ordering = ["item", "effective_from", "published_at"]
        indexes = [models.Index(fields=["item", "effective_from"], name="points_item_version_lookup")]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="points_item_points_positive"),
            models.CheckConstraint(
                condition=Q(quarter_cap__isnull=True) | Q(quarter_cap__gt=0), name="points_item_quarter_cap_positive"
            ),
            models.CheckConstraint(
                condition=Q(year_cap__isnull=True) | Q(year_cap__gt=0), name="points_item_year_cap_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def signed_points(self) -> int:
        return -self.points if self.deduction else self.points

    def needs_town(self, points_each: int) -> bool:
        """Whether the town approves an entry of this version worth ``points_each`` to each person."""
        return self.deduction or (self.town_from is not None and abs(points_each) >= self.town_from)


class Entry(CaseSubject):
    """One item on one day for one veteran or several (a group activity), submitted and approved on the kit."""

    capabilities: ClassVar[Mapping[str, str]] = {"view": "points.view"}

    version = models.ForeignKey(ItemVersion, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("date"))
    quarter = models.CharField(_("quarter"), max_length=QUARTER_LENGTH)
    #: hours (per hour) or occasions (per occasion); 1 for a fixed item
    quantity = models.DecimalField(_("hours or occasions"), max_digits=5, decimal_places=1, default=1)
    #: what each participant gets (negative for a deduction)
    points_each = models.IntegerField(_("points each"))
    description = models.CharField(_("what was done"), max_length=500, blank=True)
    submitted_as = models.CharField(_("submitted by"), max_length=15, choices=Submitter.choices)
    #: the town approves it (a deduction, or a large award); otherwise the village does
    town_approval = models.BooleanField(_("approved by the town"), default=False)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        indexes = [models.Index(fields=["quarter", "region_code"], name="points_entry_quarter_region")]
        constraints = [models.CheckConstraint(condition=~Q(points_each=0), name="points_entry_not_zero")]

    def __str__(self) -> str:
        return f"{self.version.name} {self.day}"


class Participant(models.Model):
    """One veteran of an entry. Live while the entry is pending or approved: a rejected or withdrawn entry
    frees the day for the item again."""

    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="participants")
    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name=_("veteran"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    live = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("participant")
        indexes = [models.Index(fields=["veteran", "item", "day"], name="points_participant_lookup")]
        constraints = [
            models.UniqueConstraint(fields=["entry", "veteran"], name="one_participation_per_entry"),
            models.UniqueConstraint(
                fields=["item", "veteran", "day"], condition=Q(live=True), name="one_live_item_per_veteran_and_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.veteran_id}"


class Kind(models.TextChoices):
    AWARD = "award", _("Award")
    DEDUCTION = "deduction", _("Deduction")
    REDEMPTION = "redemption", _("Redemption")


class PointEntryQuerySet(AppendOnlyQuerySetMixin, ScopedQuerySet["PointEntry"]):
    pass


class PointEntry(LedgerEntry):
    """A row of the points ledger: an approved participant's points, a redemption's debit, or the reversal
    of one of them (``reverses``). Its quarter is that of the activity's date (a redemption's: the day
    it is made); a reversal keeps the quarter of the row it reverses."""

    scope_field = "region_code"
    owner_field = "veteran_id"
    capabilities: ClassVar[Mapping[str, str]] = {"view": "points.view", "correct": "points.correct"}
    amount_fields = ("points",)

    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name=_("veteran"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    #: the veteran's region when the row was written
    region_code = models.CharField(_("region code"), max_length=15)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    day = models.DateField(_("date"))
    quarter = models.CharField(_("quarter"), max_length=QUARTER_LENGTH)
    points = models.IntegerField(_("points"))
    aspect = models.ForeignKey(Aspect, verbose_name=_("aspect"), on_delete=models.PROTECT, null=True, related_name="+")
    version = models.ForeignKey(
        ItemVersion, verbose_name=_("item"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.PROTECT, null=True, related_name="bookings"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("participant"), on_delete=models.PROTECT, null=True, related_name="bookings"
    )
    reward = models.ForeignKey(
        "Reward", verbose_name=_("redeemed for"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    #: the upheld objection a reversal answers
    objection = models.ForeignKey(
        "Objection", verbose_name=_("objection"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = PointEntryQuerySet.as_manager()  # type: ignore[assignment,misc]  # append-only and scoped

    class Meta(LedgerEntry.Meta):
        verbose_name = _("points ledger row")
        indexes = [
            models.Index(fields=["veteran", "id"], name="points_ledger_veteran"),
            models.Index(fields=["quarter", "veteran"], name="points_ledger_quarter"),
        ]
        constraints = [
            *LedgerEntry.Meta.constraints,
            models.UniqueConstraint(
                fields=["participant"], condition=Q(reverses__isnull=True), name="one_booking_per_participant"
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=False)
                | (Q(kind="award") & Q(points__gt=0) & Q(participant__isnull=False))
                | (Q(kind="deduction") & Q(points__lt=0) & Q(participant__isnull=False))
                | (Q(kind="redemption") & Q(points__lt=0) & Q(reward__isnull=False)),
                name="points_ledger_sign_follows_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.veteran_id} {self.points:+d} {self.day}"


class Account(ScopedModel):
    """A veteran's points: the balance that may be redeemed, and what a deduction left owing.

    ``balance - owed`` is always the sum of the veteran's ledger rows; written only under this row's lock
    (``SELECT … FOR UPDATE``), so two redemptions at once cannot both spend the same points."""

    scope_field = "region_code"
    owner_field = "veteran_id"
    capabilities: ClassVar[Mapping[str, str]] = {"view": "points.view"}

    veteran = models.OneToOneField(
        "veterans.Veteran", verbose_name=_("veteran"), on_delete=models.PROTECT, related_name="points_account"
    )
    region_code = models.CharField(_("region code"), max_length=15)
    balance = models.IntegerField(_("balance"), default=0)
    owed = models.IntegerField(_("owed"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("points account")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="account_balance_not_negative"),
            models.CheckConstraint(condition=Q(owed__gte=0), name="account_owed_not_negative"),
            models.CheckConstraint(condition=Q(balance=0) | Q(owed=0), name="account_owes_or_holds"),
        ]

    def __str__(self) -> str:
        return f"{self.veteran_id}: {self.balance}"


class RankingState(models.TextChoices):
    NOTICE = "notice", _("Publicised, objections open (公示中)")
    FINAL = "final", _("Final ranking published")


class Ranking(CaseSubject):
    """A quarter's ranking of the veterans of a town or of the city, frozen once, publicised, then final."""

    capabilities: ClassVar[Mapping[str, str]] = {"view": "points.view"}
    #: a public notice (公示): a village station and its grid leaders see their town's ranking
    seen_from_within = True

    quarter = models.CharField(_("quarter"), max_length=QUARTER_LENGTH)
    state = models.CharField(_("state"), max_length=10, choices=RankingState.choices, default=RankingState.NOTICE)
    people = models.PositiveIntegerField(_("people ranked"), default=0)
    frozen_at = models.DateTimeField(_("frozen at"), default=timezone.now)
    final_at = models.DateTimeField(_("final ranking published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("quarterly ranking")
        constraints = [
            models.UniqueConstraint(fields=["quarter", "region_code"], name="one_ranking_per_quarter_and_region"),
        ]

    def __str__(self) -> str:
        return f"{self.quarter} {self.region_code}"


class Phase(models.TextChoices):
    NOTICE = "notice", _("Publicised (公示)")
    FINAL = "final", _("Final")


class RankingRow(AppendOnlyModel):
    """One veteran's score and ranks in a frozen ranking: within the grid, the village, the town and (when the
    city froze it) the city. Ties share a rank (1, 1, 3). Written once per phase, never changed."""

    # Both keys are checked once per statement (core.bulk_reference, in the migration), not row by row: a
    # province's freeze writes 1.5 million rows, and a foreign key's check of each (with its lock on each
    # veteran's row) took twice as long as computing the ranking. The referenced ranking and veteran are kept
    # as a foreign key keeps them. No index of the ranking's own: the town index and the unique (ranking,
    # phase, veteran) both start with it, and a freeze writes its rows through every index the table has.
    ranking = models.ForeignKey(Ranking, on_delete=models.PROTECT, related_name="rows", db_index=False,
                                db_constraint=False)  # fmt: skip
    phase = models.CharField(max_length=10, choices=Phase.choices)
    veteran = models.ForeignKey(
        "veterans.Veteran", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    name = models.CharField(max_length=50)
    region_code = models.CharField(max_length=15)
    grid_code = models.CharField(max_length=15)
    village_code = models.CharField(max_length=15)
    town_code = models.CharField(max_length=15)
    score = models.IntegerField()
    entries = models.PositiveIntegerField(default=0)
    rank_grid = models.PositiveIntegerField(null=True)
    rank_village = models.PositiveIntegerField()
    rank_town = models.PositiveIntegerField()
    rank_city = models.PositiveIntegerField(null=True)

    class Meta:
        verbose_name = _("ranking row")
        indexes = [
            models.Index(fields=["ranking", "phase", "town_code", "rank_town"], name="points_ranking_town"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["ranking", "phase", "veteran"], name="one_row_per_veteran_and_phase"),
        ]

    def __str__(self) -> str:
        return f"{self.ranking_id} {self.phase} {self.veteran_id}: {self.score}"


class Outcome(models.TextChoices):
    PENDING = "pending", _("Under review")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class Objection(CaseSubject):
    """An objection to a publicised ranking, raised within its objection period and decided by the town."""

    capabilities: ClassVar[Mapping[str, str]] = {"view": "points.view"}

    ranking = models.ForeignKey(Ranking, verbose_name=_("ranking"), on_delete=models.PROTECT, related_name="objections")
    veteran = models.ForeignKey(
        "veterans.Veteran", verbose_name=_("veteran"), on_delete=models.PROTECT, related_name="+"
    )
    #: the ledger row the objection disputes (empty: the score as a whole)
    disputed = models.ForeignKey(
        PointEntry, verbose_name=_("disputed row"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    claim = models.CharField(_("objection"), max_length=1000)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    reversal = models.OneToOneField(
        PointEntry, verbose_name=_("reversal"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("objection")

    def __str__(self) -> str:
        return f"{self.ranking} · {self.veteran_id}"


class RewardKind(models.TextChoices):
    HONOUR = "honour", _("Priority in honours nominations")
    GIFT = "gift", _("Gift")
    SERVICE = "service", _("Service")


class Reward(models.Model):
    """What points can be redeemed for (积分兑换): data the bureau edits. ``stock`` empty: no limit."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=RewardKind.choices)
    cost = models.PositiveIntegerField(_("points"))
    stock = models.IntegerField(_("in stock"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    active = models.BooleanField(_("offered"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("reward")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gt=0), name="reward_cost_positive"),
            models.CheckConstraint(condition=Q(stock__isnull=True) | Q(stock__gte=0), name="reward_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name
