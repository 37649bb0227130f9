"""Making the cockpit's cells: a full build from the registers, and the refresh of the regions named by events.

Both write in one transaction, so a page reads either the cells before or the cells after, never half of them;
both are one ``INSERT … SELECT`` per indicator, dimension and period grain for the regions' cells counted from
the register (its ``GROUP BY`` run by the database, nothing carried through Python), then one
``INSERT … SELECT`` per level for the subtree cells of the regions that have areas under them, grid to province.
The statements join a temporary table of the regions (code, parent, level, whether it has areas under it) made
for each build.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Expression, F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cockpit.kit import Indicator, declared
from cockpit.models import MEASURES, Built, Cell, Dirty
from regions.models import LEVEL_ORDER, PREFIX_LENGTH, Region, level_of

CELL = Cell._meta.db_table
REGION = Region._meta.db_table
#: the regions of one build: code, parent's code, level, and whether it is a leaf (no areas under it)
REGIONS = "cockpit_regions"
COLUMNS = [f"m{n}" for n in range(MEASURES)]
#: regions per statement when cells are recounted for some regions
CHUNK = 500


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


def _regions_table(codes: Iterable[str] | None = None) -> None:
    """The temporary table of the regions a build reads: every one, or (a refresh) only these codes."""
    select = (
        f"SELECT r.code AS code, COALESCE(p.code, '') AS parent_code, r.level AS level, "  # noqa: S608
        f"CASE WHEN EXISTS (SELECT 1 FROM {REGION} c WHERE c.parent_id = r.id) THEN 0 ELSE 1 END AS leaf "
        f"FROM {REGION} r LEFT JOIN {REGION} p ON p.id = r.parent_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {REGIONS}")
        if codes is None:
            cursor.execute(f"CREATE TEMP TABLE {REGIONS} AS {select}")
        else:
            listed = sorted(set(codes))
            cursor.execute(f"CREATE TEMP TABLE {REGIONS} AS {select} WHERE 1 = 0")
            for i in range(0, len(listed), CHUNK):
                part = listed[i : i + CHUNK]
                cursor.execute(f"INSERT INTO {REGIONS} {select} WHERE r.code IN ({_marks(len(part))})", part)
        cursor.execute(f"CREATE INDEX {REGIONS}_code ON {REGIONS} (code)")
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {REGIONS}")
            cursor.execute("SET LOCAL work_mem = '256MB'")


#: the sets of cells counted from the register (dim, its expression, grain, the period's) and those summed from
#: other cells (dim, grain, what from: "period" or a dimension)
Counted = list[tuple[str, Expression, str, Expression]]
Summed = list[tuple[str, str, str]]


def _plan(indicator: Indicator) -> tuple[Counted, Summed]:
    """The sets of cells counted from the register, and those summed from others (for an additive indicator: a
    year from its months or quarters, a total from its first dimension's values), as (dim, grain, from)."""
    sets = indicator.sets()
    if not indicator.additive:
        return sets, []
    have = {(dim, grain) for dim, _e, grain, _p in sets}
    fine = indicator.period.grain if indicator.period else ""
    first = indicator.dims[0].key if indicator.dims else None
    counted: Counted = []
    summed: Summed = []
    for dim, expr, grain, period in sets:
        if grain == "year" and (dim, fine) in have:
            summed.append((dim, grain, "period"))
        elif dim == "" and first is not None and (first, grain) in have:
            summed.append((dim, grain, first))
        else:
            counted.append((dim, expr, grain, period))
    # in an order where each is summed from cells already there: the totals of months or quarters from a
    # dimension, then the years from the months or quarters, then the years' totals from a dimension
    summed.sort(key=lambda s: 1 if s[2] == "period" else (2 if s[1] == "year" else 0))
    return counted, summed


def distinct_field(indicator: Indicator) -> str | None:
    """The field an indicator counts the distinct values of, when that is its one measure (people taking part):
    counted as the rows of a ``SELECT DISTINCT`` (a parallel hash aggregate) rather than by ``COUNT(DISTINCT)``
    (a sort for every group)."""
    if len(indicator.measures) != 1:
        return None
    aggregate = indicator.measures[0].expression()
    if not (isinstance(aggregate, Count) and getattr(aggregate, "distinct", False) and aggregate.filter is None):
        return None
    source = aggregate.get_source_expressions()[0]
    return getattr(source, "name", None)


def _queries(
    indicator: Indicator, counted_sets: Counted, regions: Sequence[str] | None
) -> Iterable[tuple[str, QuerySet[Any]]]:
    """(dim, grouped queryset) for each set of cells counted from the register; for a distinct count, the
    distinct (region, period, value, counted field) rows, which the statement counts."""
    base = indicator.rows()
    if regions is not None:
        base = base.filter(**{f"{indicator.region}__in": list(regions)})
    aggregates = {f"m_{n}": m.expression() for n, m in enumerate(indicator.measures)}
    counted = distinct_field(indicator)
    for dim, expr, _grain, period in counted_sets:
        qs = base.annotate(c_region=Coalesce(indicator.region, Value("")), c_period=period, c_key=expr)
        if counted is not None:
            yield (
                dim,
                qs.annotate(c_who=F(counted)).values("c_region", "c_period", "c_key", "c_who").distinct().order_by(),
            )
            continue
        yield dim, qs.values("c_region", "c_period", "c_key").annotate(**aggregates).order_by()


def _grain_sql(grain: str, column: str = "c.period") -> str:
    return {"": f"{column} = ''", "year": f"length({column}) = 4"}.get(grain, f"length({column}) > 4")


def _sum_counted(indicator: Indicator, summed: Summed, regions: Sequence[str] | None) -> None:
    """The sets of cells an additive indicator sums from the ones counted (``_plan``), for these regions only
    when given; read from the counted cells alone (a leaf's subtree cells, another region's own ones)."""
    sums = ", ".join(f"SUM(c.{c})" for c in COLUMNS)
    where, params = "", []
    if regions is not None:
        where, params = f" AND c.region_code IN ({_marks(len(regions))})", list(regions)
    with connection.cursor() as cursor:
        for dim, grain, source in summed:
            if source == "period":  # a year, from the same dimension's months or quarters
                period, key, from_dim, from_grain = "substr(c.period, 1, 4)", "c.key", dim, "month"
            else:  # a total, from a dimension's values in the same period
                period, key, from_dim, from_grain = "c.period", "''", source, grain
            cursor.execute(
                f"INSERT INTO {CELL} (indicator, period, dim, key, region_code, parent_code, own, "  # noqa: S608
                f"{', '.join(COLUMNS)}) "
                f"SELECT c.indicator, {period}, %s, {key}, c.region_code, c.parent_code, c.own, {sums} "
                f"FROM {CELL} c JOIN {REGIONS} r ON r.code = c.region_code "
                f"WHERE c.indicator = %s AND c.dim = %s AND {_grain_sql(from_grain)} AND (c.own OR r.leaf = 1)"
                f"{where} GROUP BY c.indicator, {period}, {'c.key, ' if key == 'c.key' else ''}c.region_code, "
                f"c.parent_code, c.own",
                [dim, indicator.key, from_dim, *params],
            )


def _insert_counted(indicator: Indicator, regions: Sequence[str] | None) -> None:
    """Count the indicator's cells of each region from its register (for these regions only, when given): a
    leaf's are its subtree cells, another region's its own cells; then sum those an additive indicator sums."""
    n = len(indicator.measures)
    values = ", ".join([f"COALESCE(q.m_{i}, 0)" for i in range(n)] + ["0"] * (MEASURES - n))
    distinct = distinct_field(indicator) is not None
    counted_sets, summed = _plan(indicator)
    with connection.cursor() as cursor:
        for dim, qs in _queries(indicator, counted_sets, regions):
            sql, params = qs.query.sql_with_params()
            if distinct:
                sql = (f"SELECT d.c_region, d.c_period, d.c_key, COUNT(*) AS m_0 FROM ({sql}) d "  # noqa: S608
                       f"GROUP BY d.c_region, d.c_period, d.c_key")  # fmt: skip
            cursor.execute(
                f"WITH q AS ({sql}) INSERT INTO {CELL} "  # noqa: S608  (names declared in code; values are parameters)
                f"(indicator, period, dim, key, region_code, parent_code, own, {', '.join(COLUMNS)}) "
                f"SELECT %s, q.c_period, %s, q.c_key, q.c_region, "
                f"CASE WHEN r.leaf = 1 THEN r.parent_code ELSE q.c_region END, r.leaf = 0, {values} "
                f"FROM q JOIN {REGIONS} r ON r.code = q.c_region",
                [*params, indicator.key, dim],
            )
    _sum_counted(indicator, summed, regions)


def _roll_up(keys: Sequence[str], nodes: dict[str, set[str]] | None) -> None:
    """The subtree cells of the given regions that have areas under them (by level; all when None), deepest
    level first: a region's are the sum of the cells whose parent_code is the region (its own cells and its
    children's subtree cells)."""
    sums = ", ".join(f"SUM(c.{c})" for c in COLUMNS)
    with connection.cursor() as cursor:
        for level in reversed(LEVEL_ORDER):
            if nodes is None:
                where, params = "r.level = %s AND r.leaf = 0", [level]
            else:
                # a leaf's subtree cells are counted from the register, never summed
                codes = sorted(set(nodes.get(level, ())) - _leaves(sorted(nodes.get(level, ()))))
                if not codes:
                    continue
                where, params = f"r.code IN ({_marks(len(codes))}) AND r.leaf = 0", codes
                Cell.objects.filter(own=False, indicator__in=keys, region_code__in=codes).delete()
            cursor.execute(
                f"INSERT INTO {CELL} (indicator, period, dim, key, region_code, parent_code, own, "  # noqa: S608
                f"{', '.join(COLUMNS)}) "
                f"SELECT c.indicator, c.period, c.dim, c.key, c.parent_code, r.parent_code, %s, {sums} "
                f"FROM {CELL} c JOIN {REGIONS} r ON r.code = c.parent_code "
                f"WHERE {where} AND c.indicator IN ({_marks(len(keys))}) "
                f"GROUP BY c.indicator, c.period, c.dim, c.key, c.parent_code, r.parent_code",
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
    wanted = None if keys is None else set(keys)
    indicators = [i for i in declared() if wanted is None or i.key in wanted]
    chosen = [i.key for i in indicators]
    seconds: dict[str, float] = {}
    with transaction.atomic():
        last = Dirty.objects.filter(indicator__in=chosen).order_by("-pk").values_list("pk", flat=True).first()
        start = time.perf_counter()
        Cell.objects.filter(indicator__in=chosen).delete()
        _regions_table()
        seconds["(clear)"] = time.perf_counter() - start
        for indicator in indicators:
            start = time.perf_counter()
            _insert_counted(indicator, None)
            seconds[indicator.key] = time.perf_counter() - start
        start = time.perf_counter()
        if chosen:
            _roll_up(chosen, None)
        seconds["(roll-up)"] = time.perf_counter() - start
        if last is not None:
            Dirty.objects.filter(indicator__in=chosen, pk__lte=last).delete()
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


def _leaves(codes: Sequence[str]) -> set[str]:
    found: set[str] = set()
    with connection.cursor() as cursor:
        for i in range(0, len(codes), CHUNK):
            part = list(codes[i : i + CHUNK])
            cursor.execute(f"SELECT code FROM {REGIONS} WHERE leaf = 1 AND code IN ({_marks(len(part))})", part)  # noqa: S608
            found |= {row[0] for row in cursor.fetchall()}
    return found


def refresh(limit: int = 100_000) -> dict[str, int]:
    """Recount the regions marked stale since the last refresh: their cells from the registers, then the
    subtree cells of every region above them. Answers how many regions each indicator recounted."""
    with transaction.atomic():
        marks = list(Dirty.objects.order_by("pk").values_list("pk", "indicator", "region_code")[:limit])
        if not marks:
            return {}
        stale: dict[str, set[str]] = defaultdict(set)
        for _pk, key, code in marks:
            stale[key].add(code)
        # the regions it reads: the marked ones and those above them
        every = set().union(*stale.values())
        around = ancestors_by_level(every)
        _regions_table(every | set().union(*around.values()))
        known = {i.key: i for i in declared()}
        done: dict[str, int] = {}
        for key, codes in stale.items():
            indicator = known.get(key)
            if indicator is None:  # an indicator no longer declared: its marks are dropped
                continue
            listed = sorted(codes)
            leaves = _leaves(listed)
            for i in range(0, len(listed), CHUNK):
                part = listed[i : i + CHUNK]
                Cell.objects.filter(indicator=key, own=False, region_code__in=[c for c in part if c in leaves]).delete()
                Cell.objects.filter(
                    indicator=key, own=True, region_code__in=[c for c in part if c not in leaves]
                ).delete()
                _insert_counted(indicator, part)
            done[key] = len(listed)
        # one pass for them all: the events that mark one indicator mostly mark the others of its module too, and
        # summing an indicator's cells again at a region none of its marks named changes nothing
        if done:
            _roll_up(sorted(done), around)
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
