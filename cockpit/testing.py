"""For the tests: every indicator's cells compared with a live count over its register.

``disagreements(regions)`` counts each declared indicator afresh for each region's subtree (``GROUP BY`` over
``source()`` with the region's prefix, by each dimension and period) and answers every figure where the cells
say otherwise. A module's test changes its records, lets the events mark them, refreshes, and expects none.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from cockpit.kit import Indicator, declared
from cockpit.models import Cell
from regions.models import Region


def live(indicator: Indicator, region: Region) -> dict[tuple[str, str, str, str], Decimal]:
    """(period, dim, key, measure) → value, counted now over the register for the region's subtree."""
    found: dict[tuple[str, str, str, str], Decimal] = {}
    base = indicator.rows().filter(**{f"{indicator.region}__startswith": region.prefix})
    for dim, expr, period in indicator.combos():
        rows = (
            base.annotate(l_period=period, l_key=expr)
            .values("l_period", "l_key")
            .annotate(**{f"m_{m.key}": m.expression() for m in indicator.measures})
            .order_by()
        )
        for row in rows:
            for m in indicator.measures:
                value = Decimal(row[f"m_{m.key}"] or 0)
                if value:
                    found[(row["l_period"] or "", dim, row["l_key"] or "", m.key)] = value
    return found


def cells(indicator: Indicator, region: Region) -> dict[tuple[str, str, str, str], Decimal]:
    found: dict[tuple[str, str, str, str], Decimal] = {}
    for c in Cell.objects.filter(indicator=indicator.key, region_code=region.code, own=False):
        values = c.values()
        for n, m in enumerate(indicator.measures):
            if values[n]:
                found[(c.period, c.dim, c.key, m.key)] = values[n]
    return found


def disagreements(regions: Iterable[Region], keys: Iterable[str] | None = None) -> list[str]:
    """Every figure where the cells and a live count differ: ``indicator region (period, dim, key, measure):
    cells … live …``."""
    wanted = set(keys) if keys is not None else None
    problems: list[str] = []
    for indicator in declared():
        if wanted is not None and indicator.key not in wanted:
            continue
        for region in regions:
            have, want = cells(indicator, region), live(indicator, region)
            for where in sorted(set(have) | set(want)):
                if have.get(where, Decimal(0)) != want.get(where, Decimal(0)):
                    problems.append(f"{indicator.key} {region.code} {where}: cells {have.get(where)} "
                                    f"live {want.get(where)}")  # fmt: skip
    return problems
