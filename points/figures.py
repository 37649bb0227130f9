"""The figures of “老兵本色” points by area and quarter: how many veterans take part, and the points of each aspect.

For an area (the city, a town, a village, a grid) and each area one level under it (a city's towns, a town's
villages, a village's grids), counted on the ledger and the registry by the leading digits of the region code
(``GROUP BY substr(region_code, 1, n)``: the same indexed prefix every scoped query uses):

- ``living``: the living veterans of the area (the registry);
- ``participants``: the veterans with an award or a deduction of the quarter that stands (not reversed): a
  veteran whose every row of the quarter was reversed no longer takes part;
- ``rate``: participants ÷ living, a percentage to one decimal;
- ``points`` and ``aspects``: the quarter's awards less its deductions, reversals included (a reversal lowers
  what it reversed), in all and by aspect. Redemptions are spending, not merit: not counted.

Read on demand from the registers. The cockpit keeps the same figures as cells (``points/indicators.py``, with
these definitions), current through the ``points_booked`` event.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Substr

from core.figures import percent
from points.models import Aspect, Kind, PointEntry
from regions.models import Region
from veterans.choices import Status
from veterans.models import Veteran

MERIT = (Kind.AWARD, Kind.DEDUCTION)


def _by_area(qs: QuerySet[Any], length: int, *extra: str, **aggregates: Any) -> list[dict[str, Any]]:
    """The queryset's rows grouped by the first ``length`` digits of their region code (and ``extra`` fields)."""
    return list(qs.annotate(area=Substr("region_code", 1, length)).values("area", *extra).annotate(**aggregates))


def _counts(
    prefix: str, quarter: str, length: int
) -> tuple[dict[str, int], dict[str, int], dict[tuple[str, Any], int]]:
    """Living veterans, participants and points by (area, aspect), for the areas of ``length`` digits under
    ``prefix``: three GROUP BY queries."""
    living_qs = Veteran.objects.filter(region_code__startswith=prefix, status=Status.LIVING)
    living = {r["area"]: r["n"] for r in _by_area(living_qs, length, n=Count("id"))}
    merit = PointEntry.objects.filter(region_code__startswith=prefix, quarter=quarter, kind__in=MERIT)
    standing = merit.filter(reverses__isnull=True, reversed_by__isnull=True)
    taking_part = {r["area"]: r["n"] for r in _by_area(standing, length, n=Count("veteran_id", distinct=True))}
    points = {(r["area"], r["aspect_id"]): r["total"] or 0 for r in _by_area(merit, length, "aspect_id",
                                                                           total=Sum("points"))}  # fmt: skip
    return living, taking_part, points


def _row(region: Region, key: str, aspects: Iterable[Aspect], counts: Any) -> dict[str, Any]:
    living, taking_part, points = counts
    alive, joined = living.get(key, 0), taking_part.get(key, 0)
    by_aspect = [{"aspect": a.code, "name": a.name, "points": points.get((key, a.pk), 0)} for a in aspects]
    rate = percent(joined, alive)
    return {
        "code": region.code, "name": region.name, "level": region.level, "living": alive, "participants": joined,
        "rate": rate, "points": sum(p for (area, _a), p in points.items() if area == key), "aspects": by_aspect,
    }  # fmt: skip


def figures(region_code: str, quarter: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The area's figures of the quarter, and those of each area one level under it, in code order.

    The caller has checked that the region is the user's to see (``scoped_area``)."""
    region = Region.objects.get(code=region_code)
    aspects = list(Aspect.objects.order_by("order", "code"))
    children = list(Region.objects.filter(parent=region).order_by("code"))
    total = _row(region, region.prefix, aspects, _counts(region.prefix, quarter, len(region.prefix)))
    if not children:
        return total, []
    # Children of one parent share one level, so their prefixes share one length.
    length = len(children[0].prefix)
    counts = _counts(region.prefix, quarter, length)
    return total, [_row(child, child.prefix, aspects, counts) for child in children]
