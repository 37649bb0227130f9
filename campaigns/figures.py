"""A campaign's progress and coverage by area, for its pages, its report, the API and the cockpit.

For an area (the campaign's, or one under it) and each area one level down (town, village, grid), counted on
the campaign's targets in one ``GROUP BY substr(region_code, 1, n)`` (the prefix every scoped query uses), and
the gifts in another:

- ``targets``: the people the campaign must reach there;
- ``reached``: those visited (全走访), and ``unreached`` the others; ``rate``: reached ÷ targets, a percentage
  to one decimal;
- ``visit``, ``greeting``, ``salute``, ``help``: how many of each action were marked;
- ``gifts``: the households given the campaign's gift.

Read on demand (live while the campaign is open, final once it is closed). The cockpit keeps them as aggregates,
current through the ``campaign_progressed`` event (``campaigns.services``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from campaigns.models import ACTIONS, Campaign, CampaignGift, CampaignTarget
from core.errors import invalid
from core.figures import percent
from regions.models import GridLeaderTerm, Level, Region, prefix_of


def _counts(campaign: Campaign, prefix: str, length: int) -> dict[str, dict[str, int]]:
    marks = {a: Count("id", filter=Q(**{f"{a}_on__isnull": False})) for a in ACTIONS}
    rows = (
        CampaignTarget.objects.filter(campaign=campaign, region_code__startswith=prefix)
        .annotate(area=Substr("region_code", 1, length))
        .values("area")
        .annotate(targets=Count("id"), **marks)
        .order_by()
    )
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        out[values.pop("area")] = values
    gifts = (
        CampaignGift.objects.filter(campaign=campaign, region_code__startswith=prefix)
        .annotate(area=Substr("region_code", 1, length))
        .values("area")
        .annotate(n=Count("id"))
        .order_by()
    )
    for gift in gifts:
        out.setdefault(gift["area"], {"targets": 0, **dict.fromkeys(ACTIONS, 0)})["gifts"] = gift["n"]
    return out


def _row(region: Region, counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    found = counts.get(region.prefix, {})
    targets = found.get("targets", 0)
    reached = found.get("visit", 0)
    marks = {a: found.get(a, 0) for a in ACTIONS}
    return {"code": region.code, "name": region.name, "level": region.level, "targets": targets, "reached": reached,
            "unreached": targets - reached, "rate": percent(reached, targets), "gifts": found.get("gifts", 0),
            **marks}  # fmt: skip


def coverage(campaign: Campaign, region_code: str = "") -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The area's figures (the campaign's area by default) and those of each area one level under it, in code
    order (the caller has checked that the area is the user's to see: ``scoped_area``)."""
    region = Region.objects.get(code=region_code or campaign.region_code)
    total = _row(region, _counts(campaign, region.prefix, len(region.prefix)))
    children = list(Region.objects.filter(parent=region).order_by("code"))
    if not children:
        return total, []
    counts = _counts(campaign, region.prefix, len(children[0].prefix))
    rows = [_row(child, counts) for child in children]
    if region.level == Level.VILLAGE and region.code in counts:  # people of the village outside any grid
        rows.append({**_row(region, {region.prefix: counts[region.code]}), "name": _("Outside a grid")})
    if children[0].level == Level.GRID:
        leaders = dict(
            GridLeaderTerm.objects.filter(grid__in=children, end_date__isnull=True).values_list(
                "grid__code", "leader_name"
            )
        )
        for row in rows:
            row["leader"] = leaders.get(row["code"], "")
    return total, rows


def by_action(campaign: Campaign, total: dict[str, Any]) -> list[tuple[str, Any, int, Decimal | None]]:
    """(action, words, done, share of the targets) for each action the campaign asks."""
    return [(a, label, total[a], percent(total[a], total["targets"])) for a, label in campaign.action_labels()]


def scoped_area(user: Any, campaign: Campaign, code: str) -> Region:
    """The area named by ``code`` (the campaign's, or the user's part of it, when none is given): within the
    campaign's area and the user's scope."""
    code = (code or "").strip()
    if not code:
        scope = user.scope_region
        if scope is not None and scope.prefix.startswith(prefix_of(campaign.region_code)):
            return scope
        return Region.objects.get(code=campaign.region_code)
    found = Region.objects.visible_to(user).filter(code=code).first()
    if found is None or not found.prefix.startswith(prefix_of(campaign.region_code)):
        raise invalid("region", _("No region of your area in this campaign has this code."), code="unknown_region")
    return found


def city_coverage(campaign: Campaign) -> dict[str, Any]:
    """The cockpit's figure of one campaign: its whole area's row."""
    return coverage(campaign)[0]
