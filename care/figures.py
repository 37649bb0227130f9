"""Contact coverage by area: the share of living people contacted within their frequency.

For an area (the city, a town, a village, a grid) and each area one level under it, counted on the registry
annotated by ``care.selectors.with_contact`` and grouped by the leading digits of the region code
(``GROUP BY substr(region_code, 1, n)``, the prefix every scoped query uses):

- ``living``: the living veterans of the area;
- ``contacted``: those whose last visit is within their frequency (``since`` or later);
- ``overdue``: the others (never contacted included);
- ``rate``: contacted ÷ living, a percentage to one decimal.

Read on demand; the cockpit (issue 14) may keep them as aggregates.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from care.selectors import with_contact
from core.errors import invalid
from regions.models import Region
from veterans.choices import Status
from veterans.models import Veteran


def _counts(prefix: str, length: int, today: dt.date | None) -> dict[str, tuple[int, int]]:
    qs = with_contact(Veteran.objects.filter(region_code__startswith=prefix, status=Status.LIVING), today)
    rows = (
        qs.annotate(area=Substr("region_code", 1, length))
        .values("area")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(overdue=False)))
        .order_by()
    )
    return {r["area"]: (r["n"], r["ok"]) for r in rows}


def _row(region: Region, counts: dict[str, tuple[int, int]]) -> dict[str, Any]:
    living, contacted = counts.get(region.prefix, (0, 0))
    rate = (Decimal(contacted * 100) / living).quantize(Decimal("0.1"), ROUND_HALF_UP) if living else None
    return {"code": region.code, "name": region.name, "level": region.level, "living": living,
            "contacted": contacted, "overdue": living - contacted, "rate": rate}  # fmt: skip


def coverage(region_code: str, today: dt.date | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The area's coverage and that of each area one level under it, in code order (the caller has checked
    that the area is the user's to see: ``scoped_area``)."""
    region = Region.objects.get(code=region_code)
    total = _row(region, _counts(region.prefix, len(region.prefix), today))
    children = list(Region.objects.filter(parent=region).order_by("code"))
    if not children:
        return total, []
    counts = _counts(region.prefix, len(children[0].prefix), today)
    return total, [_row(child, counts) for child in children]


def scoped_area(user: Any, code: str) -> Region:
    """The region named by ``code`` within the user's scope (their scope's region when none is given)."""
    code = (code or "").strip()
    if not code:
        if user.scope_region is None:
            raise invalid("region", _("No region has this code."), code="unknown_region")
        return user.scope_region
    found = Region.objects.visible_to(user).filter(code=code).first()
    if found is None:
        raise invalid("region", _("No region of your area has this code."), code="unknown_region")
    return found
