"""Who keeps in touch with whom, and who is overdue: scoped reads of the veterans, annotated in one query.

A veteran's contact is due ``months`` after the last visit, ``months`` being the most frequent of the rules
that cover them (``ContactFrequency``). Each rule's cut-off date (today less its months) is worked out here,
so the query compares dates only: ``last_visit`` (the newest visit's day, a subquery on the
``(veteran, visited_on)`` index) against ``since`` (a CASE over the rules, most frequent first). A person
never contacted is overdue.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.db.models import BooleanField, Case, DateField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from care.models import KEY_PERSON_TAG, Assignment, ContactFrequency, Visit
from regions.models import GridLeaderTerm, Level, Region, ancestor_code, level_of
from veterans.choices import Status
from veterans.models import Veteran, VeteranCategory

#: Months of the default rule when the catalog has none (it is seeded with one).
FALLBACK_MONTHS = 12


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_after(day: dt.date, months: int) -> dt.date:
    return months_before(day, -months)


def _has_tag(tag_id: int) -> Exists:
    return Exists(Veteran.tags.through.objects.filter(veteran_id=OuterRef("pk"), tag_id=tag_id))


def _has_category(today: dt.date) -> Exists:
    current = Q(end_date__isnull=True) | Q(end_date__gte=today)
    return Exists(VeteranCategory.objects.filter(current, veteran_id=OuterRef("pk"), start_date__lte=today))


def _rule_condition(rule: ContactFrequency, today: dt.date) -> Exists | None:
    if rule.tag_id is not None:
        return _has_tag(rule.tag_id)
    if rule.any_category:
        return _has_category(today)
    return None


def _since(today: dt.date) -> Case:
    """The first day a visit counts as within the person's frequency (a CASE over the rules)."""
    rules = list(ContactFrequency.objects.order_by("months", "code"))
    default = next((r.months for r in rules if r.is_default), FALLBACK_MONTHS)
    whens = []
    for rule in rules:
        condition = _rule_condition(rule, today)
        if condition is not None and rule.months < default:
            whens.append(When(condition, then=Value(months_before(today, rule.months))))
    return Case(*whens, default=Value(months_before(today, default)), output_field=DateField())


def with_contacted(qs: QuerySet[Veteran], today: dt.date | None = None) -> QuerySet[Any]:
    """The veterans with ``since`` and ``contacted`` (a visit on ``since`` or later): what coverage counts, one
    index probe per person."""
    today = today or timezone.localdate()
    recent = Visit.objects.filter(veteran_id=OuterRef("pk"), visited_on__gte=OuterRef("since"))
    return qs.annotate(since=_since(today)).annotate(contacted=Exists(recent))


def with_contact(qs: QuerySet[Veteran], today: dt.date | None = None) -> QuerySet[Any]:
    """The veterans with ``last_visit``, ``since`` (visits from this day on are within their frequency) and
    ``overdue``."""
    today = today or timezone.localdate()
    last = Visit.objects.filter(veteran_id=OuterRef("pk")).order_by("-visited_on").values("visited_on")[:1]
    recent = Visit.objects.filter(veteran_id=OuterRef("pk"), visited_on__gte=OuterRef("since"))
    return qs.annotate(
        last_visit=Subquery(last, output_field=DateField()),
        since=_since(today),
    ).annotate(overdue=Case(When(Exists(recent), then=Value(False)), default=Value(True), output_field=BooleanField()))


def due_on(veteran: Any) -> dt.date | None:
    """When an annotated veteran's next contact is due (None: never contacted, due now)."""
    if veteran.last_visit is None:
        return None
    today = timezone.localdate()
    months = (today.year - veteran.since.year) * 12 + today.month - veteran.since.month
    return months_after(veteran.last_visit, months)


def living(user: Any, within: str = "") -> QuerySet[Veteran]:
    return Veteran.objects.visible_to(user, within=within).filter(status=Status.LIVING)


def _key_person() -> Exists:
    return Exists(Veteran.tags.through.objects.filter(veteran_id=OuterRef("pk"), tag__code=KEY_PERSON_TAG))


def leads_grid(user: Any) -> bool:
    """Whether the user's scope is a grid: they are its leader, every non-key person's default contact."""
    region = getattr(user, "scope_region", None)
    return region is not None and region.level == Level.GRID


def my_people(user: Any, today: dt.date | None = None) -> QuerySet[Any]:
    """The living people whose contact person the user is, overdue first, then by when they were last seen."""
    mine: Any = Q(care_assignment__user=user)
    if leads_grid(user):
        mine |= Q(care_assignment__isnull=True) & ~_key_person()
    qs = with_contact(living(user).filter(mine), today)
    return qs.order_by("-overdue", F("last_visit").asc(nulls_first=True), "name", "id")


def overdue_contacts(user: Any, within: str = "", today: dt.date | None = None) -> QuerySet[Any]:
    """The living people of the user's area (or of ``within``) whose contact is overdue: a station's list (paged
    by id)."""
    return with_contact(living(user, within), today).filter(overdue=True)


def grid_leader_of(region_code: str) -> Any:
    """The user leading the grid a code lies in: the current term's account, else a user scoped to the grid who
    may log visits."""
    from accounts.models import User
    from accounts.roles import roles_with

    if level_of(region_code) != Level.GRID:
        return None
    grid = ancestor_code(region_code, Level.GRID)
    term = GridLeaderTerm.objects.filter(grid__code=grid, end_date__isnull=True, user__isnull=False).first()
    if term is not None and term.user is not None:
        return term.user
    return (
        User.objects.filter(scope_region__code=grid, role__in=roles_with("care.visit"), is_active=True)
        .order_by("id")
        .first()
    )


def contact_of(veteran: Veteran) -> tuple[Any, Region | None]:
    """A veteran's contact person (or None) and, when no one person is, the station that is."""
    assignment = Assignment.objects.filter(veteran=veteran).select_related("user").first()
    if assignment is not None:
        return assignment.user, None
    key_person = veteran.tags.filter(code=KEY_PERSON_TAG).exists()
    if not key_person:
        leader = grid_leader_of(veteran.region_code)
        if leader is not None:
            return leader, None
    level = Level.VILLAGE if level_of(veteran.region_code) in (Level.VILLAGE, Level.GRID) else Level.TOWN
    return None, Region.objects.filter(code=ancestor_code(veteran.region_code, level)).first()


def frequency_of(veteran: Veteran, today: dt.date | None = None) -> int:
    """The months between contacts for this person: the most frequent rule that covers them."""
    today = today or timezone.localdate()
    annotated = with_contact(Veteran.objects.filter(pk=veteran.pk), today)
    found = annotated.values_list("since", flat=True).first()
    if found is None:
        return FALLBACK_MONTHS
    return (today.year - found.year) * 12 + today.month - found.month


def visits(user: Any, *, veteran: int | None = None, within: str = "", since: dt.date | None = None) -> QuerySet[Visit]:
    """The visits the user may see, newest first, narrowed to a person, an area or a first day."""
    qs = Visit.objects.visible_to(user, within=within).select_related("veteran", "recorded_by")
    if veteran is not None:
        qs = qs.filter(veteran_id=veteran)
    if since is not None:
        qs = qs.filter(visited_on__gte=since)
    return qs
