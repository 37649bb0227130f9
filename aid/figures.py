"""The figures of hardship aid for the cockpit: the fund's money in and out by month and by area, and the
applications by stage.

Money is counted on the ledger: ``in`` is the donations less their reversals, ``out`` the grants less theirs
(a reversal is booked on the day it was made, so it lowers the month of the correction). Areas are the ones
one level under the fund's city (its towns), by the leading digits of the rows' region codes (``GROUP BY
substr(region_code, 1, n)``): a grant counts in the applicant's town, a donation in the area it was given for
(the city itself when it was given to the whole fund).

Read on demand from the registers. The cockpit keeps the same figures as cells (``aid/indicators.py``), current
through the ``aid_fund_moved`` event and the kit's case events.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, Substr
from django.utils.translation import gettext_lazy as _

from aid.models import Application, EntryKind, Fund, FundEntry
from core.ledger import round_fen
from regions.models import Region, prefix_of
from workflow.models import Case, Task

ZERO = Decimal("0.00")

#: The stages of an application, in order, with what the pages call them.
STAGE_LABELS = {
    "check": _("At the town's check"),
    "approve": _("At the city's approval"),
    "approved": _("Approved, waiting for a ceremony"),
    "paid": _("Paid"),
    "refused": _("Refused"),
    "withdrawn": _("Withdrawn"),
}
STAGES = tuple(STAGE_LABELS)


def _flows(rows: QuerySet[FundEntry], group: Any) -> dict[Any, dict[str, Decimal]]:
    out: dict[Any, dict[str, Decimal]] = {}
    for row in rows.annotate(key=group).values("key", "kind").annotate(total=Sum("amount")):
        money = out.setdefault(row["key"], {"in": ZERO, "out": ZERO})
        total = round_fen(row["total"] or ZERO)  # SQLite's SUM gives the decimal without its places
        if row["kind"] == EntryKind.DONATION:
            money["in"] += total
        else:
            money["out"] -= total
    return out


def fund_flows(fund: Fund, year: int) -> dict[str, Any]:
    """The fund's money in and out in ``year``: in all, by month (1–12) and by each area under its city."""
    rows = FundEntry.objects.filter(fund=fund, day__year=year) if fund.pk else FundEntry.objects.none()
    by_month = _flows(rows, ExtractMonth("day"))
    months = [{"month": m, **by_month.get(m, {"in": ZERO, "out": ZERO})} for m in range(1, 13)]
    city = Region.objects.filter(code=fund.region_code).first()
    children = list(Region.objects.filter(parent=city).order_by("code")) if city is not None else []
    areas = []
    if children:
        length = len(children[0].prefix)
        by_area = _flows(rows, Substr("region_code", 1, length))
        areas = [{"code": c.code, "name": c.name, **by_area.get(c.prefix, {"in": ZERO, "out": ZERO})}
                 for c in children]  # fmt: skip
        whole = {"in": ZERO, "out": ZERO}
        for key, money in by_area.items():
            if key == prefix_of(fund.region_code).ljust(length, "0"):  # given to the city as a whole
                whole = money
        areas.append({"code": fund.region_code, "name": city.name if city else "", **whole})
    total_in = sum((by_month.get(m, {}).get("in", ZERO) for m in range(1, 13)), ZERO)
    total_out = sum((by_month.get(m, {}).get("out", ZERO) for m in range(1, 13)), ZERO)
    return {"year": year, "in": total_in, "out": total_out, "months": months, "areas": areas}


def stages(user: Any, within: str = "") -> dict[str, int]:
    """How many of the applications the user sees (under ``within``, a code prefix) stand at each stage: at the
    town's check, at the city's approval, approved and waiting for a ceremony, paid, refused, withdrawn."""
    seen = Application.objects.visible_to(user, within=within)
    counts = dict.fromkeys(STAGES, 0)
    closed = seen.exclude(case__state=Case.State.OPEN).aggregate(
        approved=Count("id", filter=Q(case__state=Case.State.DONE, ceremony__isnull=True)),
        paid=Count("id", filter=Q(case__state=Case.State.DONE, ceremony__isnull=False)),
        refused=Count("id", filter=Q(case__state=Case.State.REJECTED)),
        withdrawn=Count("id", filter=Q(case__state=Case.State.WITHDRAWN)),
    )
    counts.update({k: v or 0 for k, v in closed.items()})
    open_cases = seen.filter(case__state=Case.State.OPEN).values("case_id")
    for row in Task.objects.filter(case__in=open_cases, status=Task.Status.OPEN).values("step").annotate(
        n=Count("case_id", distinct=True)
    ):  # fmt: skip
        if row["step"] in counts:
            counts[row["step"]] += row["n"]
    return counts


def stage_rows(user: Any, within: str = "") -> list[tuple[str, Any, int]]:
    """``stages`` as (key, words, count) rows, in order, for a page."""
    counts = stages(user, within)
    return [(key, STAGE_LABELS[key], counts[key]) for key in STAGES]
