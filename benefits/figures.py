"""What 抚恤补助 figures say, read from the lines: a year's paid amounts, and one batch's summary.

Every figure is a ``GROUP BY`` over the lines in the database (one query per table), never a walk over
them: a batch holds 300,000 lines. The totals of a table are the sums of its rows, which are the sums of
the lines, to the fen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from benefits.models import (
    Batch,
    BatchState,
    HeldReason,
    LineKind,
    LineOutcome,
    Outcome,
    PaymentLine,
    Program,
    Standard,
)
from core.ledger import round_fen
from regions.models import PREFIX_LENGTH, Level, Region, ancestor_code

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class Table:
    rows: list[Row]

    @property
    def count(self) -> int:
        return sum(r.count for r in self.rows)

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in self.rows), ZERO)


def _table(rows: Iterable[Any], key: str, label: Any) -> Table:
    # A sum of fen amounts is exact; to the fen, it reads as money on every database (SQLite drops the scale).
    return Table([Row(str(r[key]), label(r), r["count"] or 0, round_fen(r["amount"] or ZERO)) for r in rows])


# --- a year's paid amounts --------------------------------------------------------------------------------------


def paid_lines(*, user: Any, year: int) -> QuerySet[PaymentLine]:
    """The lines the bank paid for the months of ``year``, of the region the user may see."""
    lines: QuerySet[PaymentLine] = PaymentLine.objects.visible_to(user).filter(
        outcome__outcome=Outcome.PAID, period__year=year
    )
    return lines.order_by()


@dataclass(frozen=True)
class Figures:
    year: int
    by_program: Table
    by_town: Table
    by_month: Table


def paid_by_program(*, user: Any, year: int) -> Table:
    rows = (
        paid_lines(user=user, year=year)
        .values("program_id", "program__name", "program__order")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by("program__order", "program_id")
    )
    return _table(rows, "program_id", lambda r: r["program__name"])


def paid_by_town(*, user: Any, year: int) -> Table:
    length = PREFIX_LENGTH[Level.TOWN]
    rows = list(
        paid_lines(user=user, year=year)
        .annotate(town=Substr("region_code", 1, length))
        .values("town")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by("town")
    )
    codes = {r["town"]: ancestor_code(r["town"], Level.TOWN) for r in rows}
    names = dict(Region.objects.filter(code__in=set(codes.values())).values_list("code", "name"))
    return _table(rows, "town", lambda r: names.get(codes[r["town"]], codes[r["town"]]))


def paid_by_month(*, user: Any, year: int) -> Table:
    """Every month of the year, a month nothing was paid for with zero."""
    found = {
        r["period"]: r
        for r in paid_lines(user=user, year=year).values("period").annotate(count=Count("id"), amount=Sum("amount"))
    }
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    rows = [found.get(m, {"period": m, "count": 0, "amount": ZERO}) for m in months]
    return _table(rows, "period", lambda r: f"{r['period']:%Y-%m}")


def paid_figures(*, user: Any, year: int) -> Figures:
    return Figures(
        year,
        paid_by_program(user=user, year=year),
        paid_by_town(user=user, year=year),
        paid_by_month(user=user, year=year),
    )


# --- one batch --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchSummary:
    #: lines to pay (count) and what they come to (the reversals of lines taken out net their lines)
    by_program: Table
    by_kind: Table
    #: lines held back, by reason (count and the amount they would have paid)
    held: Table
    #: what the bank did (once the batch went to the bank)
    outcomes: Table | None
    taken_out: int


def batch_summary(batch: Batch) -> BatchSummary:
    """The batch's totals by program and by kind (each sums to the batch's lines), its held lines by reason and,
    once sent to the bank, the outcomes: a few ``GROUP BY`` queries, whatever the number of lines."""
    lines = PaymentLine.objects.filter(batch=batch).order_by()
    # One pass over the lines to pay, by program and kind. A line taken out stays, and its reversal (same
    # batch, program and kind, the amount negated) nets it: the lines that stand are the originals less the
    # reversals, counted without joining the table to itself.
    groups = list(
        lines.values("program_id", "kind", "held_reason").annotate(
            lines=Count("id", filter=Q(reverses__isnull=True)),
            reversals=Count("id", filter=Q(reverses__isnull=False)),
            amount=Sum("amount"),
        )
    )  # one scan of the batch's lines, grouped by columns of its own (the programs' names come from their table)
    names = {p.pk: p for p in Program.objects.all()}
    programs: dict[int, dict[str, Any]] = {}
    kinds: dict[str, dict[str, Any]] = {}
    held_by: dict[str, dict[str, Any]] = {}
    for group in groups:
        if group["held_reason"]:
            reason = held_by.setdefault(group["held_reason"], {"held_reason": group["held_reason"], "count": 0,
                                                               "amount": ZERO})  # fmt: skip
            reason["count"] += group["lines"]
            reason["amount"] += group["amount"] or ZERO
            continue
        standing = group["lines"] - group["reversals"]
        known = names.get(group["program_id"])
        program = programs.setdefault(group["program_id"], {"key": group["program_id"],
                                                            "name": known.name if known else "",
                                                            "order": known.order if known else 0, "count": 0,
                                                            "amount": ZERO})  # fmt: skip
        kind = kinds.setdefault(group["kind"], {"key": group["kind"], "count": 0, "amount": ZERO})
        for total in (program, kind):
            total["count"] += standing
            total["amount"] += group["amount"] or ZERO
    kind_words = dict(LineKind.choices)
    kind_order = list(kind_words)
    reasons = dict(HeldReason.choices)
    reason_order = list(reasons)
    held = sorted(
        held_by.values(),
        key=lambda r: reason_order.index(r["held_reason"]) if r["held_reason"] in reasons else len(reasons),
    )
    outcomes = None
    if batch.state in (BatchState.EXPORTED, BatchState.RECONCILED):
        words = dict(Outcome.choices)
        found = (
            LineOutcome.objects.filter(line__batch=batch)
            .order_by()
            .values("outcome")
            .annotate(count=Count("id"), amount=Sum("line__amount"))
        )
        outcomes = _table(sorted(found, key=lambda r: r["outcome"] != Outcome.PAID), "outcome",
                          lambda r: str(words.get(r["outcome"], r["outcome"])))  # fmt: skip
    by_program = sorted(programs.values(), key=lambda r: (r["order"], r["key"]))
    by_kind = sorted(kinds.values(), key=lambda r: kind_order.index(r["key"]) if r["key"] in kind_words else 99)
    return BatchSummary(
        by_program=_table(by_program, "key", lambda r: r["name"]),
        by_kind=_table(by_kind, "key", lambda r: str(kind_words.get(r["key"], r["key"]))),
        held=_table(held, "held_reason", lambda r: str(reasons.get(r["held_reason"], r["held_reason"]))),
        outcomes=outcomes,
        taken_out=sum(g["reversals"] for g in groups if not g["held_reason"]),
    )


def batch_lines(batch: Batch, show: str) -> tuple[QuerySet[PaymentLine], tuple[str, ...]]:
    """The batch's lines to list (``held``: the held ones, grouped by reason; ``all``; ``payable``; ``failed`` at
    the bank; or one held reason), with the keyset they are paged by."""
    lines = PaymentLine.objects.filter(batch=batch).select_related("entitlement", "program", "outcome", "reversed_by")
    if show == "all":
        return lines, ("id",)
    if show == "payable":
        return lines.filter(held_reason=""), ("id",)
    if show == "failed":
        return lines.filter(outcome__outcome="failed"), ("id",)
    if show in HeldReason.values:
        return lines.filter(held_reason=show), ("id",)
    return lines.exclude(held_reason=""), ("held_reason", "id")


# --- the standards ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramStandards:
    program: Program
    #: the standard in force this month for each grade and cause (what a line of this month pays)
    in_force: list[Standard]
    #: every standard published for the program, the latest first
    history: list[Standard]


def standards_overview(month: dt.date) -> list[ProgramStandards]:
    """Each program with its standards in force for ``month`` and its whole history (two queries: the
    standards are a few hundred rows, published by the bureau)."""
    by_program: dict[int, list[Standard]] = {}
    ordered = Standard.objects.select_related("published_by").order_by("effective_from", "published_at", "id")
    for standard in ordered:
        by_program.setdefault(standard.program_id, []).append(standard)
    overview = []
    for program in Program.objects.order_by("order", "code"):
        published = by_program.get(program.pk, [])
        current: dict[tuple[int, str], Standard] = {}
        for standard in published:  # in the order that decides: the last one not after the month wins
            if standard.effective_from <= month:
                current[(standard.grade, standard.cause)] = standard
        in_force = [current[k] for k in sorted(current)]
        overview.append(ProgramStandards(program, in_force, list(reversed(published))))
    return overview


def back_dated(standard: Standard) -> bool:
    """Published after the month it is in force from: the next batch pays the difference for months paid."""
    return bool(timezone.localdate(standard.published_at) > standard.effective_from)


# --- the lines behind a figure ------------------------------------------------------------------------------------

#: which lines a list of lines shows: those the bank paid (the cockpit's amounts paid), those held back, all
LINE_SHOWS = ("paid", "held", "all")


@dataclass(frozen=True)
class LineFilter:
    """The lines of an area (and its subtree) behind a figure: for the months of ``period`` (the first day and
    the first day after), of a program, held back for a reason."""

    area: Region
    period: tuple[dt.date, dt.date] | None = None
    show: str = "paid"
    program_id: int | None = None
    reason: str = ""


def lines_of(user: Any, wanted: LineFilter) -> QuerySet[PaymentLine]:
    """The user's lines as the filter asks (scoped: a line outside the user's scope is never among them); the
    lines paid are the ones ``paid_lines`` and the cockpit's ``benefits.paid`` sum."""
    qs = PaymentLine.objects.visible_to(user).filter(region_code__startswith=wanted.area.prefix)
    if wanted.period is not None:
        qs = qs.filter(period__gte=wanted.period[0], period__lt=wanted.period[1])
    if wanted.show == "paid":
        qs = qs.filter(outcome__outcome=Outcome.PAID)
    elif wanted.show == "held":
        qs = qs.exclude(held_reason="")
    if wanted.reason:
        qs = qs.filter(held_reason=wanted.reason)
    if wanted.program_id is not None:
        qs = qs.filter(program_id=wanted.program_id)
    return qs


def lines_total(lines: QuerySet[PaymentLine]) -> tuple[int, Decimal]:
    """How many lines and their sum, to the fen, in one query."""
    found = lines.order_by().aggregate(count=Count("id"), total=Sum("amount"))
    return found["count"], round_fen(found["total"] or ZERO)  # SQLite's sum has no scale
