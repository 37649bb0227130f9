"""Festival campaigns (春节"四全", 八一, or the bureau's own): who is reached, by whom, and what they were given.

- ``Campaign``: a name, a kind, a period, the area it covers (the city or one town), the people it targets
  declared as data (an audience: the 优抚对象 of some or all categories, or every living veteran; optionally
  narrowed to people with some tags), which of the four actions of 四全 it asks (全走访、全祝福、全致敬、全帮扶),
  the gift it hands out, if any (新春大礼包), and its state: draft → open → closed.
- ``CampaignTarget``: one person the campaign must reach, written when it opens (one ``INSERT … SELECT``,
  ``campaigns.assignment``), with the region code of their residence (their grid, else their village): the
  grid leader and the stations see the targets of their area. Each action is marked once, with who and when
  (``<action>_on`` / ``<action>_by``); a person is *reached* when the visit is done.
- ``CampaignGift``: the campaign's gift handed to a household, once: ``UNIQUE (campaign, household)``.

The household: the registry has no household key (an address is free text, written as the person gave it;
family members are rows under one veteran, not people of their own). So a household is, for now, the
veteran's own record: ``CampaignTarget.household`` holds the veteran's id as text. The gift's constraint is on
that column, so when the registry gains a household number (户号) the assignment fills it with that, and two
veterans of one household get one gift, with nothing else changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedModel, ScopedQuerySet, scope_prefix
from regions.models import PREFIX_LENGTH, ancestor_code


class Kind(models.TextChoices):
    SPRING_FESTIVAL = "spring_festival", _("Spring Festival (春节)")
    AUGUST_FIRST = "august_first", _("Army Day (八一)")
    CUSTOM = "custom", _("Other campaign")


class Audience(models.TextChoices):
    SPECIAL_CARE = "special_care", _("People in special care (优抚对象)")
    ALL_VETERANS = "all_veterans", _("Every living veteran")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Under way")
    CLOSED = "closed", _("Closed")


class Action(models.TextChoices):
    """The four actions of 四全, in their order."""

    VISIT = "visit", _("Visit (全走访)")
    GREETING = "greeting", _("Greeting (全祝福)")
    SALUTE = "salute", _("Salute (全致敬)")
    HELP = "help", _("Help (全帮扶)")


ACTIONS: tuple[str, ...] = tuple(Action.values)


class CampaignQuerySet(ScopedQuerySet["Campaign"]):
    def visible_to(self, user: Any, action: str = "view", within: str = "") -> Any:
        """As every scoped row, and also by those granted it whose scope lies within the campaign's area: a city
        campaign is every grid leader's of the city (as a ranking's notice is, ``workflow.models.SubjectQuerySet``)."""
        below = super().visible_to(user, action, within)
        prefix = scope_prefix(user)
        if action != "view" or not prefix or self.granted(user, action) is None:
            return below  # managed only by those whose area holds the campaign's
        above = [ancestor_code(prefix, level) for level, n in PREFIX_LENGTH.items() if n < len(prefix)]
        above = [code for code in above if code.startswith(within)]
        return below | self.filter(region_code__in=above) if above else below


class Campaign(ScopedModel):
    scope_field = "region_code"
    capabilities: ClassVar[Mapping[str, str]] = {"view": "campaigns.view", "manage": "campaigns.manage"}
    #: seen, beside those who see its area, by those within it (``CampaignQuerySet``)
    seen_from_within: ClassVar[bool] = True

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    #: the area it covers: the city or one town
    region_code = models.CharField(_("area"), max_length=15)
    audience = models.CharField(_("who"), max_length=20, choices=Audience.choices)
    #: the special-care categories (``veterans.choices.CATEGORIES``) targeted; empty: any current one
    categories = models.JSONField(_("categories"), default=list, blank=True)
    #: the tags (``veterans.Tag`` codes) a person must have one of; empty: no narrowing
    tags = models.JSONField(_("tags"), default=list, blank=True)
    #: the actions of 四全 it asks, in ``ACTIONS`` order
    actions = models.JSONField(_("actions"), default=list)
    gift_name = models.CharField(_("gift"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    targets = models.PositiveIntegerField(_("people targeted"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CampaignQuerySet.as_manager()  # type: ignore[misc]  # the scoped manager, seen from within too

    class Meta:
        verbose_name = _("campaign")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["region_code", "state"], name="campaign_region_state")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_ends_after_start"),
            models.CheckConstraint(
                condition=Q(state="closed", closed_at__isnull=False) | (~Q(state="closed") & Q(closed_at__isnull=True)),
                name="campaign_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.state == State.OPEN

    def action_labels(self) -> list[tuple[str, Any]]:
        return [(a, Action(a).label) for a in ACTIONS if a in self.actions]


class CampaignTarget(ScopedModel):
    """One person the campaign must reach, and each action done for them (once, by whom, when)."""

    scope_field = "region_code"
    capabilities: ClassVar[Mapping[str, str]] = {"view": "campaigns.view"}

    # no index of its own: the area index leads with the campaign
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="target_rows", db_index=False)
    veteran = models.ForeignKey("veterans.Veteran", verbose_name=_("veteran"), on_delete=models.PROTECT,
                                related_name="+", db_index=False)  # fmt: skip
    #: the person's residence code when assigned: their grid (15 digits), else their village
    region_code = models.CharField(_("region code"), max_length=15)
    #: the household the gift is counted by (see the module's docstring): the veteran's id for now
    household = models.CharField(_("household"), max_length=40)
    added_at = models.DateTimeField(_("added at"))
    # The marks' users and visit have no index of their own: nothing looks a target up by them, and an
    # assignment of 300,000 people pays for every index of the table.
    visit_on = models.DateField(_("visited on"), null=True, blank=True)
    visit_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", db_index=False)  # fmt: skip
    #: the regular-contact visit the campaign's visit logged (``care.services.visit_log``)
    care_visit = models.ForeignKey(
        "care.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    greeting_on = models.DateField(_("greeted on"), null=True, blank=True)
    greeting_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", db_index=False)  # fmt: skip
    salute_on = models.DateField(_("saluted on"), null=True, blank=True)
    salute_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", db_index=False)  # fmt: skip
    help_on = models.DateField(_("helped on"), null=True, blank=True)
    help_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", db_index=False)  # fmt: skip
    help_note = models.CharField(_("help given"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("campaign target")
        indexes = [
            models.Index(fields=["campaign", "region_code", "id"], name="campaign_target_area",
                         opclasses=["int8_ops", "varchar_pattern_ops", "int8_ops"]),
        ]  # fmt: skip
        constraints = [
            models.UniqueConstraint(fields=["veteran", "campaign"], name="campaign_target_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.veteran_id}"

    @property
    def reached(self) -> bool:
        return self.visit_on is not None

    def done(self, action: str) -> bool:
        return getattr(self, f"{action}_on") is not None


class CampaignGift(ScopedModel):
    """The campaign's gift handed to one household: once (the database refuses a second)."""

    scope_field = "region_code"
    capabilities: ClassVar[Mapping[str, str]] = {"view": "campaigns.view"}

    # no index of its own: the household constraint leads with the campaign
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="gifts", db_index=False)
    household = models.CharField(_("household"), max_length=40)
    #: the person it was handed to
    target = models.ForeignKey(CampaignTarget, on_delete=models.PROTECT, related_name="gifts")
    region_code = models.CharField(_("region code"), max_length=15)
    given_on = models.DateField(_("given on"))
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign gift")
        indexes = [
            models.Index(fields=["campaign", "region_code"], name="campaign_gift_area",
                         opclasses=["int8_ops", "varchar_pattern_ops"]),
        ]  # fmt: skip
        constraints = [
            models.UniqueConstraint(fields=["campaign", "household"], name="campaign_gift_once_per_household"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.household}"
