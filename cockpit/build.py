"""Making the cockpit's cells: a full build from the registers, and the refresh of the regions named by events.

Both write in one transaction, so a page reads either the cells before or the cells after, never half of them;
both are one ``INSERT … SELECT`` per indicator, dimension and period grain for the own cells (the register's
``GROUP BY`` run by the database, nothing carried through Python), then one ``INSERT … SELECT`` per level for
the subtree cells, grid to province.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import CharField, Expression, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cockpit.kit import Indicator, declared
from cockpit.models import Built, Cell, Dirty
from regions.models import LEVEL_ORDER, PREFIX_LENGTH, Region, level_of

log = logging.getLogger(__name__)

CELL = Cell._meta.db_table
REGION = Region._meta.db_table
#: regions per statement when own cells are recounted for some regions
CHUNK = 500


def _queries(indicator: Indicator, regions: Sequence[str] | None) -> Iterable[tuple[str, str, QuerySet[Any]]]:
    """(dim, grain, grouped queryset) for each dimension (the total "" first) and period grain."""
    base = indicator.source()
    if regions is not None:
        base = base.filter(**{f"{indicator.region}__in": list(regions)})
    dims: list[tuple[str, Expression]] = [("", Value("", output_field=CharField()))]
    dims += [(d.key, Coalesce(d.expression(), Value(""), output_field=CharField())) for d in indicator.dims]
    aggregates = {f"m_{m.key}": m.expression() for m in indicator.measures}
    for grain, period in indicator.grains().items():
        for dim, expr in dims:
            qs = (
                base.annotate(c_region=Coalesce(indicator.region, Value("")),
                              c_period=period if period is not None else Value("", output_field=CharField()),
                              c_key=expr)
                .values("c_region", "c_period", "c_key")
                .annotate(**aggregates)
                .order_by()
            )  # fmt: skip
            yield dim, grain, qs


def _insert_own(indicator: Indicator, regions: Sequence[str] | None) -> int:
    """Count the indicator's own cells from its register (for these regions only, when given)."""
    inserted = 0
    with connection.cursor() as cursor:
        for dim, _grain, qs in _queries(indicator, regions):
            sql, params = qs.query.sql_with_params()
            selects = " UNION ALL ".join(
                # the measures' keys are declared in code, the values are parameters
                f"SELECT %s, %s, q.c_period, %s, q.c_key, q.c_region, q.c_region, %s, COALESCE(q.m_{m.key}, 0) FROM q"  # noqa: S608
                for m in indicator.measures
            )
            values: list[Any] = []
            for m in indicator.measures:
                values += [indicator.key, m.key, dim, True]
            cursor.execute(
                f"WITH q AS ({sql}) INSERT INTO {CELL} "
                f"(indicator, measure, period, dim, key, region_code, parent_code, own, value) {selects}",
                [*params, *values],
            )
            inserted += max(cursor.rowcount, 0)
    return inserted


def _roll_up(keys: Sequence[str], nodes: dict[str, set[str]] | None) -> None:
    """The subtree cells of the given nodes (by level; every region when None), deepest level first: a node's
    are the sum of the cells whose parent_code is the node (its own and its children's subtree cells)."""
    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        for level in reversed(LEVEL_ORDER):
            if nodes is not None and not nodes.get(level):
                continue
            if nodes is None:
                where, params = "r.level = %s", [level]
            else:
                codes = sorted(nodes[level])
                where, params = f"r.code IN ({', '.join(['%s'] * len(codes))})", codes
                cursor.execute(
                    f"DELETE FROM {CELL} WHERE own = %s AND indicator IN ({marks}) "  # noqa: S608  (placeholders)
                    f"AND region_code IN ({', '.join(['%s'] * len(codes))})",
                    [False, *keys, *codes],
                )
            cursor.execute(
                # table names and placeholders only
                f"INSERT INTO {CELL} (indicator, measure, period, dim, key, region_code, parent_code, own, value) "  # noqa: S608
                f"SELECT c.indicator, c.measure, c.period, c.dim, c.key, c.parent_code, COALESCE(p.code, ''), %s, "
                f"SUM(c.value) FROM {CELL} c JOIN {REGION} r ON r.code = c.parent_code "
                f"LEFT JOIN {REGION} p ON p.id = r.parent_id "
                f"WHERE {where} AND c.indicator IN ({marks}) "
                f"GROUP BY c.indicator, c.measure, c.period, c.dim, c.key, c.parent_code, p.code",
                [False, *params, *keys],
            )


def _stamp(keys: Iterable[str], *, full: bool, seconds: dict[str, float] | None = None) -> None:
    now = timezone.now()
    for key in keys:
        defaults: dict[str, Any] = {"as_of": now}
        if full:
            defaults |= {"built_at": now, "seconds": (seconds or {}).get(key, 0.0)}
        Built.objects.update_or_create(indicator=key, defaults=defaults, create_defaults={**defaults, "built_at": now})


def rebuild(keys: Iterable[str] | None = None) -> dict[str, float]:
    """Every cell of the given indicators (all when None) counted afresh from the registers; the seconds each
    took. The marks written before it began are dropped (it has counted what they marked)."""
    indicators = [i for i in declared() if keys is None or i.key in set(keys)]
    chosen = [i.key for i in indicators]
    seconds: dict[str, float] = {}
    with transaction.atomic():
        first = Dirty.objects.filter(indicator__in=chosen).order_by("-pk").values_list("pk", flat=True).first()
        Cell.objects.filter(indicator__in=chosen).delete()
        for indicator in indicators:
            start = time.perf_counter()
            _insert_own(indicator, None)
            seconds[indicator.key] = time.perf_counter() - start
        start = time.perf_counter()
        if chosen:
            _roll_up(chosen, None)
        seconds["(roll-up)"] = time.perf_counter() - start
        if first is not None:
            Dirty.objects.filter(indicator__in=chosen, pk__lte=first).delete()
        _stamp(chosen, full=True, seconds=seconds)
    return seconds


def ancestors_by_level(codes: Iterable[str]) -> dict[str, set[str]]:
    """The regions whose subtree holds any of the codes (the codes' own regions included), by level."""
    prefixes: set[str] = set()
    for code in codes:
        level = level_of(code)
        if level is None:
            continue
        depth = PREFIX_LENGTH[level]
        prefixes |= {code[:n] for n in PREFIX_LENGTH.values() if n <= depth}
    found: dict[str, set[str]] = defaultdict(set)
    listed = sorted(prefixes)
    for i in range(0, len(listed), CHUNK):
        for code, level in Region.objects.filter(prefix__in=listed[i : i + CHUNK]).values_list("code", "level"):
            found[level].add(code)
    return found


def refresh(limit: int = 100_000) -> dict[str, int]:
    """Recount the regions marked stale since the last refresh: their own cells from the registers, then the
    subtree cells of them and of every region above them. Answers how many regions each indicator recounted."""
    with transaction.atomic():
        marks = list(Dirty.objects.order_by("pk").values_list("pk", "indicator", "region_code")[:limit])
        if not marks:
            return {}
        stale: dict[str, set[str]] = defaultdict(set)
        for _pk, key, code in marks:
            stale[key].add(code)
        known = {i.key: i for i in declared()}
        done: dict[str, int] = {}
        for key, codes in stale.items():
            indicator = known.get(key)
            if indicator is None:  # an indicator no longer declared: its marks are dropped
                continue
            listed = sorted(codes)
            for i in range(0, len(listed), CHUNK):
                part = listed[i : i + CHUNK]
                Cell.objects.filter(indicator=key, own=True, region_code__in=part).delete()
                _insert_own(indicator, part)
            _roll_up([key], ancestors_by_level(listed))
            done[key] = len(listed)
        taken = [pk for pk, _key, _code in marks]
        for i in range(0, len(taken), CHUNK):
            Dirty.objects.filter(pk__in=taken[i : i + CHUNK]).delete()
        _stamp(done, full=False)
    return done


def keep_current() -> dict[str, int]:
    """The worker's round: build in full what was never built, and what depends on the day once a new day has
    begun; then refresh the regions marked stale. Answers the regions recounted by indicator (a full build
    counts as -1)."""
    today = timezone.localdate()
    built = {b.indicator: b for b in Built.objects.all()}
    due = [
        i.key
        for i in declared()
        if i.key not in built or (i.daily and timezone.localdate(built[i.key].built_at) < today)
    ]
    done: dict[str, int] = {}
    if due:
        rebuild(due)
        done |= dict.fromkeys(due, -1)
    done |= refresh()
    return done
