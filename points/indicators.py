"""老兵本色积分 for the cockpit, as ``points.figures`` counts them: the veterans taking part in a quarter (an award
or a deduction that stands, not reversed) and the quarter's points by aspect (awards less deductions, reversals
included; redemptions are spending, not merit).

The rate of taking part is the participants ÷ the living veterans, whose count is the registry's own
(``veterans.living``): the ledger's rows say nothing of those who have none. Every figure links to the points
figures page of its area and quarter.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cockpit.kit import Dim, Indicator, Measure, Period, declare
from points.figures import MERIT
from points.models import ENTRY_PROCESS, Aspect, PointEntry

GROUP = _("老兵本色 points")
WATCH = ("points_booked", f"process:{ENTRY_PROCESS}")
QUARTER = Period("quarter", "quarter", stored=True)
#: taking part is counted by quarter only (as the rankings are): a year reads its latest quarter
BY_QUARTER = Period("quarter", "quarter", stored=True, yearly=False)


def figures_page(region_code: str, filters: Mapping[str, str]) -> str | None:
    """The points figures of the area (and of the quarter, when one is asked): they show every aspect."""
    if set(filters) - {"period", "aspect"}:
        return None
    query = {"region": region_code}
    period = filters.get("period", "")
    if "Q" in period:
        query["quarter"] = period
    return f"{reverse('points:figures')}?{urlencode(query)}"


def merit() -> QuerySet[PointEntry]:
    return PointEntry.objects.filter(kind__in=MERIT)


def standing() -> QuerySet[PointEntry]:
    """The merit rows that stand: whoever has one in the quarter takes part in it."""
    # NOT EXISTS rather than the reverse relation's LEFT JOIN … IS NULL: PostgreSQL estimates that join at one row
    # and then sorts the province's millions in one process (measured: 63 s of the rebuild)
    reversed_rows = PointEntry.objects.filter(reverses_id=OuterRef("pk"))
    return merit().filter(reverses__isnull=True).filter(~Exists(reversed_rows))


def aspects() -> dict[str, str]:
    return {str(pk): name for pk, name in Aspect.objects.order_by("order", "code").values_list("pk", "name")}


declare(Indicator(
    key="points.participation", group=GROUP, name=_("Veterans taking part"), source=standing,
    measures=(Measure("participants", _("taking part"), Count("veteran_id", distinct=True), _("people")),),
    period=BY_QUARTER, watch=WATCH, records=figures_page, order=50, chart="bar",
))  # fmt: skip

declare(Indicator(
    key="points.by_aspect", group=GROUP, name=_("Points by aspect"), source=merit,
    measures=(Measure("points", _("points"), Sum("points"), _("points")),),
    period=QUARTER, dims=(Dim("aspect", _("Aspect"), "aspect_id", aspects),), watch=WATCH, records=figures_page,
    order=51, chart="pie", cross=True,
))  # fmt: skip
