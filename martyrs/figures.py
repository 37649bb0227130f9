"""The register's figures for the cockpit, by area: for an area and each area one level under it,

- ``families``: the martyrs' family members living there (one person counted once, however many martyrs);
- ``with_responsible``: those with their one responsible person named (专人对接);
- ``contacted``: those whose last visit is within their contact frequency (care's coverage,
  ``care.selectors.with_contact``: the same visits, the same rule);
- ``rate``: contacted ÷ families, a percentage to one decimal;

and the facilities of the area by condition (完好, 一般, 需修缮). Grouped by the leading digits of the region
code, the prefix every scoped query uses. Read on demand; the cockpit (issue 14) may keep them as aggregates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr

from care.selectors import with_contact
from core.figures import percent
from martyrs.models import Condition, MartyrFamily, Memorial
from regions.models import Region
from veterans.choices import Status
from veterans.models import Veteran


def _family_counts(prefix: str, length: int, today: dt.date | None) -> dict[str, tuple[int, int, int]]:
    links = MartyrFamily.objects.filter(veteran_id=OuterRef("pk"))
    people = Veteran.objects.filter(Exists(links), region_code__startswith=prefix, status=Status.LIVING)
    answered = Exists(links.filter(responsible__isnull=False))
    rows = (
        with_contact(people, today)
        .annotate(area=Substr("region_code", 1, length), answered=answered)
        .values("area")
        .annotate(n=Count("id"), named=Count("id", filter=Q(answered=True)), ok=Count("id", filter=Q(overdue=False)))
        .order_by()
    )
    return {r["area"]: (r["n"], r["named"], r["ok"]) for r in rows}


def _family_row(region: Region, counts: dict[str, tuple[int, int, int]]) -> dict[str, Any]:
    n, named, ok = counts.get(region.prefix, (0, 0, 0))
    return {"code": region.code, "name": region.name, "level": region.level, "families": n,
            "with_responsible": named, "contacted": ok, "rate": percent(ok, n)}  # fmt: skip


def family_figures(region_code: str, today: dt.date | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The area's martyr families and those of each area one level under it (the caller has checked that the
    area is the user's: ``care.figures.scoped_area``)."""
    region = Region.objects.get(code=region_code)
    total = _family_row(region, _family_counts(region.prefix, len(region.prefix), today))
    children = list(Region.objects.filter(parent=region).order_by("code"))
    if not children:
        return total, []
    counts = _family_counts(region.prefix, len(children[0].prefix), today)
    return total, [_family_row(child, counts) for child in children]


def memorial_conditions(region_code: str) -> list[dict[str, Any]]:
    """The area's facilities by condition, every condition listed (0 when none)."""
    region = Region.objects.get(code=region_code)
    counts = dict(Memorial.objects.filter(region_code__startswith=region.prefix).values("condition").annotate(
        n=Count("id")).order_by().values_list("condition", "n"))  # fmt: skip
    return [{"condition": c.value, "name": str(c.label), "count": counts.get(c.value, 0)} for c in Condition]
