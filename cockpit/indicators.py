"""The service network's indicators (服务网络): stations by kind, designation and stars; grids with and without a
leader in office; the leaders appointed and in office.

They are the regions app's, declared here because the cockpit stands on regions (its cells are kept by region):
``regions/indicators.py`` importing ``cockpit.kit`` would make the two apps import each other. The network's
writes (``regions.services``) send ``records_changed`` with the regions they touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cockpit.kit import Dim, Indicator, Measure, declare
from regions.models import (
    Designation,
    GridLeaderTerm,
    Level,
    Region,
    StarRating,
    Station,
    StationDesignation,
    StationKind,
)

GROUP = _("Service network")
WATCH = ("model:regions.Station", "model:regions.StationDesignation", "model:regions.StarRating",
         "model:regions.Region", "model:regions.GridLeaderTerm")  # fmt: skip


def region_page(region_code: str, filters: Mapping[str, str]) -> str | None:
    """The region's own page (its station, its children, its grids' leaders); the network's lists take no area."""
    if filters:
        return None
    return reverse("regions:detail", kwargs={"code": region_code})


def _designated(designation: str) -> Exists:
    return Exists(StationDesignation.objects.filter(station_id=OuterRef("pk"), designation=designation))


def stars() -> dict[str, Any]:
    """The star counts' names, in the language of the page that reads them."""
    return {str(n): _("%(n)s stars") % {"n": n} for n in range(5, 0, -1)} | {"": _("Not rated")}


def latest_stars() -> Any:  # a Subquery, which the stubs do not count as an Expression
    """The stars of the station's latest yearly rating (星级评定)."""
    return Subquery(StarRating.objects.filter(station_id=OuterRef("pk")).order_by("-year").values("stars")[:1])


declare(Indicator(
    key="network.stations", group=GROUP, name=_("Service stations"), source=lambda: Station.objects.all(),
    region="region__code",
    measures=(
        Measure("count", _("stations"), Count("id"), _("stations")),
        Measure("national_model", _("national model stations"),
                Count("id", filter=Q(_designated(Designation.NATIONAL_MODEL))), _("stations")),
        Measure("provincial_fengqiao", _('provincial "Fengqiao" stations'),
                Count("id", filter=Q(_designated(Designation.PROVINCIAL_FENGQIAO))), _("stations")),
    ),
    dims=(
        Dim("kind", _("Kind"), "kind", dict(StationKind.choices)),
        Dim("stars", _("Star rating"), latest_stars, stars),
    ),
    watch=WATCH, records=region_page, order=70, chart="bar",
))  # fmt: skip


def grids() -> QuerySet[Region]:
    return Region.objects.filter(level=Level.GRID)


def _in_office() -> Exists:
    return Exists(GridLeaderTerm.objects.filter(grid_id=OuterRef("pk"), end_date__isnull=True))


declare(Indicator(
    key="network.grids", group=GROUP, name=_("Grids (老兵壹家)"), source=grids, region="code",
    measures=(
        Measure("count", _("grids"), Count("id"), _("grids")),
        Measure("with_leader", _("with a leader in office"), Count("id", filter=Q(_in_office())), _("grids")),
        Measure("without_leader", _("without a leader"), Count("id", filter=~Q(_in_office())), _("grids")),
    ),
    rate=("with_leader", "count"), watch=WATCH, records=region_page, order=71, chart="bar",
))  # fmt: skip

declare(Indicator(
    key="network.leaders", group=GROUP, name=_("Grid leaders (班长)"), source=lambda: GridLeaderTerm.objects.all(),
    region="grid__code",
    measures=(
        Measure("appointed", _("appointed (terms)"), Count("id"), _("people")),
        Measure("in_office", _("in office"), Count("id", filter=Q(end_date__isnull=True)), _("people")),
        Measure("rotated_out", _("rotated out"), Count("id", filter=Q(end_date__isnull=False)), _("people")),
    ),
    watch=WATCH, records=region_page, order=72, chart="bar",
))  # fmt: skip
