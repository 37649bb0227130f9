"""A campaign's people, assigned to their grids in one statement.

The target set is a query over the registry (``people``): the living veterans of the campaign's area, those in
special care (a category in force on some day of the period, of the categories named, or of any) when the
campaign says so, and those with one of its tags when it names any. ``assign`` writes the ones not yet
targeted as ``CampaignTarget`` rows with one ``INSERT INTO … SELECT`` compiled from that query by the ORM (the
table and column names from ``_meta``): no row goes through Python, so a province's 300,000 people cost one
statement (``bench/campaign_assign.py``). Each row keeps the person's residence code (their grid, else their
village): the grid's leader and the stations see it by the one scope rule. Run again, it adds only the people
who came in since (moved in, newly in a category): a refresh is idempotent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.fields import DateTimeField
from django.db.models.functions import Cast
from django.utils import timezone

from campaigns.models import Audience, Campaign, CampaignTarget
from core.db import analyze, table
from regions.models import prefix_of
from veterans.choices import Status
from veterans.models import Veteran, VeteranCategory

#: The target's columns the statement fills, in order.
COLUMNS = ("campaign_id", "veteran_id", "region_code", "household", "added_at", "help_note")


def people(campaign: Campaign) -> QuerySet[Veteran]:
    """The registry's people the campaign targets (whether already targeted or not)."""
    qs = Veteran.objects.filter(region_code__startswith=prefix_of(campaign.region_code), status=Status.LIVING)
    if campaign.audience == Audience.SPECIAL_CARE:
        in_force = Q(start_date__lte=campaign.ends_on) & (
            Q(end_date__isnull=True) | Q(end_date__gte=campaign.starts_on)
        )
        categories = VeteranCategory.objects.filter(in_force, veteran_id=OuterRef("pk"))
        if campaign.categories:
            categories = categories.filter(category__in=campaign.categories)
        qs = qs.filter(Exists(categories))
    if campaign.tags:
        tagged = Veteran.tags.through.objects.filter(veteran_id=OuterRef("pk"), tag__code__in=campaign.tags)
        qs = qs.filter(Exists(tagged))
    return qs


def _untargeted(campaign: Campaign, now: dt.datetime, *, first: bool) -> QuerySet[Any]:
    """The SELECT of the statement: the columns of ``COLUMNS`` for each person not yet a target.

    The first assignment of a campaign has no targets to leave out, and asks for none: the anti-join would read
    the very table the statement fills, planned while it was empty (PostgreSQL then scans it afresh for every
    person, quadratic in the campaign's size: 300,000 people took more than seven minutes instead of seconds).
    A refresh leaves out the people targeted already (the table then has its statistics: a hash anti-join)."""
    qs = people(campaign)
    if not first:
        qs = qs.filter(~Exists(CampaignTarget.objects.filter(campaign_id=campaign.pk, veteran_id=OuterRef("pk"))))
    return (
        qs.order_by()
        .annotate(
            t_campaign=Value(campaign.pk),
            t_veteran=F("pk"),
            t_region=F("region_code"),
            # the household is the person's own record (campaigns.models): their id as text
            t_household=Cast("pk", output_field=CharField(max_length=40)),
            t_added=Value(now, output_field=DateTimeField()),
            t_note=Value(""),
        )
        .values_list("t_campaign", "t_veteran", "t_region", "t_household", "t_added", "t_note")
    )


def assign(campaign: Campaign, now: dt.datetime | None = None) -> int:
    """Add the campaign's people not yet targeted, in one ``INSERT … SELECT``; how many were added. The caller
    holds the campaign's row (one assignment of a campaign at a time)."""
    first = not CampaignTarget.objects.filter(campaign_id=campaign.pk).exists()
    select, params = _untargeted(campaign, now or timezone.now(), first=first).query.sql_with_params()
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table(CampaignTarget)} ({columns}) {select}", params)
        added = max(cursor.rowcount, 0)
    if added > 1000:
        analyze(CampaignTarget)  # the planner learns of a large campaign now, not when autovacuum comes by
    return added
