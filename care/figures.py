"""Contact coverage by area: the share of living people contacted within their frequency.

For an area (the city, a town, a village, a grid) and each area one level under it, counted on the registry
annotated by ``care.selectors.with_contacted`` and grouped by the leading digits of the region code
(``GROUP BY substr(region_code, 1, n)``, the prefix every scoped query uses):

- ``living``: the living veterans of the area;
- ``contacted``: those whose last visit is within their frequency (``since`` or later);
- ``overdue``: the others (never contacted included);
- ``rate``: contacted ÷ living, a percentage to one decimal.

Needs (``needs_figures``), for the needs raised in a period (by the day their case was opened), by area the same
way: ``opened``; ``resolved`` (resolved, or followed up and closed); ``on_time`` (resolved without any of its
handling steps having passed its limit); ``followed_up`` (a 回访 was made); ``satisfied`` (its last 回访 found the
person satisfied); ``satisfaction`` (satisfied ÷ followed up, a percentage) and ``by_category``.

Read on demand; the cockpit keeps the same figures as cells (``care/indicators.py``, with these expressions),
kept current by the engine's case events for a need and ``care_visit_logged`` for a visit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Substr
from django.utils import timezone

from care.models import Need, Satisfaction
from care.selectors import with_contacted
from core.figures import percent
from regions.models import Region
from veterans.choices import Status
from veterans.models import Veteran
from workflow.models import Task


def _counts(prefix: str, length: int, today: dt.date | None) -> dict[str, tuple[int, int]]:
    qs = with_contacted(Veteran.objects.filter(region_code__startswith=prefix, status=Status.LIVING), today)
    rows = (
        qs.annotate(area=Substr("region_code", 1, length))
        .values("area")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(contacted=True)))
        .order_by()
    )
    return {r["area"]: (r["n"], r["ok"]) for r in rows}


def _row(region: Region, counts: dict[str, tuple[int, int]]) -> dict[str, Any]:
    living, contacted = counts.get(region.prefix, (0, 0))
    rate = percent(contacted, living)
    return {"code": region.code, "name": region.name, "level": region.level, "living": living,
            "contacted": contacted, "overdue": living - contacted, "rate": rate}  # fmt: skip


def coverage(region_code: str, today: dt.date | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The area's coverage and that of each area one level under it, in code order (the caller has checked
    that the area is the user's to see: ``scoped_area``)."""
    region = Region.objects.get(code=region_code)
    children = list(Region.objects.filter(parent=region).order_by("code"))
    # one GROUP BY by the children's prefix; the area's own total is the sum of its groups (people registered
    # at the area itself, in no child, are a group of their own)
    counts = _counts(region.prefix, len(children[0].prefix) if children else len(region.prefix), today)
    living, contacted = (sum(n for n, _ok in counts.values()), sum(ok for _n, ok in counts.values()))
    total = _row(region, {region.prefix: (living, contacted)})
    return total, [_row(child, counts) for child in children]


SATISFIED = (Satisfaction.VERY, Satisfaction.SATISFIED, Satisfaction.BASIC)


def _late(today: dt.date) -> Exists:
    """A handling step of the need passed its limit: done after its due day, still open after it, or marked by
    the deadline sweep (read from the steps themselves, not from when the sweep last ran)."""
    passed = (
        Q(overdue_at__isnull=False)
        | Q(due_on__isnull=False, completed_at__date__gt=F("due_on"))
        | Q(due_on__lt=today, status=Task.Status.OPEN)
    )
    return Exists(Task.objects.filter(passed, case_id=OuterRef("case_id"), step="handle"))


def _need_counts(prefix: str, length: int, since: dt.date, until: dt.date) -> dict[str, dict[str, int]]:
    late = _late(timezone.localdate())
    resolved = Q(resolved_on__isnull=False) | Q(case__state="done")
    qs = (
        Need.objects.filter(region_code__startswith=prefix, case__created_at__date__gte=since,
                            case__created_at__date__lte=until)
        .annotate(area=Substr("region_code", 1, length), late=late)
        .values("area")
        .annotate(
            opened=Count("case_id"),
            resolved=Count("case_id", filter=resolved),
            on_time=Count("case_id", filter=resolved & Q(late=False)),
            followed_up=Count("case_id", filter=~Q(satisfaction="")),
            satisfied=Count("case_id", filter=Q(satisfaction__in=SATISFIED)),
        )
        .order_by()
    )  # fmt: skip
    return {r.pop("area"): r for r in qs}


def _need_row(region: Region, counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    c = counts.get(region.prefix, {})
    row = {k: c.get(k, 0) for k in ("opened", "resolved", "on_time", "followed_up", "satisfied")}
    return {"code": region.code, "name": region.name, "level": region.level, **row,
            "satisfaction": percent(row["satisfied"], row["followed_up"])}  # fmt: skip


def needs_figures(region_code: str, since: dt.date, until: dt.date) -> dict[str, Any]:
    """Needs raised from ``since`` to ``until`` in the area and in each area one level under it, and the area's
    needs by category (the caller has checked that the area is the user's to see: ``scoped_area``)."""
    region = Region.objects.get(code=region_code)
    total = _need_row(region, _need_counts(region.prefix, len(region.prefix), since, until))
    children = list(Region.objects.filter(parent=region).order_by("code"))
    areas: list[dict[str, Any]] = []
    if children:
        counts = _need_counts(region.prefix, len(children[0].prefix), since, until)
        areas = [_need_row(child, counts) for child in children]
    in_period = Need.objects.filter(region_code__startswith=region.prefix, case__created_at__date__gte=since,
                                    case__created_at__date__lte=until)  # fmt: skip
    by_category = dict(in_period.values_list("category").annotate(n=Count("case_id")).order_by())
    categories = [{"category": key, "name": str(label), "opened": by_category.get(key, 0)}
                  for key, label in Need._meta.get_field("category").choices]  # type: ignore[union-attr]  # fmt: skip
    return {"since": since, "until": until, "total": total, "areas": areas, "categories": categories}
