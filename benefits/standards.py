"""Which standard is in force for a month, and what it pays for that month: read once, asked many times."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from benefits.models import Per, Program, Standard
from core import events
from core.auditing import audit_record
from core.errors import invalid, merged
from core.ledger import round_fen
from core.permissions import require

#: (program id, grade, cause): what a standard is for; grade 0 and cause "" where the program has none
Key = tuple[int, int, str]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


@functools.lru_cache(maxsize=4096)
def months_between(first: dt.date, last: dt.date) -> tuple[dt.date, ...]:
    """Every month from ``first`` to ``last``, both included (empty when ``last`` is earlier); asked once for
    each of a batch's 300,000 entitlements, mostly with the same two months, so kept."""
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return tuple(add_months(first, i) for i in range(max(count, 0)))


def key_of(program: Program, grade: int, cause: str) -> Key:
    return (program.pk, grade if program.by_grade else 0, cause if program.causes else "")


@dataclass(frozen=True)
class InForce:
    standard_id: int
    effective_from: dt.date
    amount: Decimal  # for the month it pays (a yearly program's whole year, in its pay month)


class StandardTable:
    """Every published standard, by key, in the order that decides which is in force."""

    def __init__(self, programs: dict[int, Program] | None = None) -> None:
        self.programs = programs or {p.pk: p for p in Program.objects.all()}
        self._by_key: dict[Key, list[tuple[dt.date, Any, Standard]]] = {}
        for standard in Standard.objects.order_by("effective_from", "published_at", "id"):
            key = (standard.program_id, standard.grade, standard.cause)
            self._by_key.setdefault(key, []).append((standard.effective_from, standard.published_at, standard))
        self._starts = {key: [row[0] for row in rows] for key, rows in self._by_key.items()}
        self._cache: dict[tuple[Key, dt.date], InForce | None] = {}

    def standard_for(self, key: Key, month: dt.date) -> Standard | None:
        rows = self._by_key.get(key)
        if not rows:
            return None
        index = bisect.bisect_right(self._starts[key], month)
        return rows[index - 1][2] if index else None  # the last of equal dates is the one published last

    def in_force(self, key: Key, month: dt.date) -> InForce | None:
        """What the standard in force pays for this month (None: none is in force, or a yearly program's
        month that is not its pay month)."""
        cached = self._cache.get((key, month), ...)
        if cached is not ...:
            return cached
        standard = self.standard_for(key, month)
        result = None
        if standard is not None:
            program = self.programs[key[0]]
            result = InForce(standard.pk, standard.effective_from, monthly_amount(program, standard, month))
        if result is not None and result.amount is None:
            result = None
        self._cache[(key, month)] = result
        return result


def monthly_amount(program: Program, standard: Standard, month: dt.date) -> Any:
    """What a standard pays for one month: a monthly amount, a twelfth of a yearly one (rounded to the fen,
    half up), or, for a program paid once a year, the year's amount in its pay month and nothing else."""
    if program.pay_month:
        if month.month != program.pay_month:
            return None
        return standard.amount * 12 if standard.per == Per.MONTH else standard.amount
    if standard.per == Per.YEAR:
        return round_fen(standard.amount / 12)
    return standard.amount


#: a new standard (a policy change): ``standard`` (its id), after the commit
standard_published = events.declare("standard_published")


def publish_standard(
    *,
    actor: Any,
    program: Program,
    amount: Decimal,
    effective_from: dt.date,
    grade: int = 0,
    cause: str = "",
    per: str = Per.MONTH,
    document: str = "",
) -> Standard:
    """Publish a standard (it may be back-dated: the next batch then pays the differences)."""
    require(actor, "benefits.standards")
    errors = []
    if program.by_grade and not 1 <= grade <= 10:
        errors.append(invalid("grade", _("Give the disability grade (1–10)."), code="grade"))
    if not program.by_grade and grade:
        errors.append(invalid("grade", _("This program has no grades."), code="grade"))
    if program.causes and cause not in program.causes:
        errors.append(invalid("cause", _("Choose one of this program's causes."), code="cause"))
    if not program.causes and cause:
        errors.append(invalid("cause", _("This program does not distinguish causes."), code="cause"))
    if amount <= 0 or round_fen(amount) != amount:
        errors.append(invalid("amount", _("The amount is in yuan, above zero, to the fen."), code="amount"))
    if effective_from.day != 1:
        errors.append(invalid("effective_from", _("A standard is in force from the first of a month."), code="month"))
    if per not in Per.values:
        errors.append(invalid("per", _("Per month or per year."), code="per"))
    if errors:
        raise merged(errors)
    with transaction.atomic():
        standard = Standard.objects.create(
            program=program,
            grade=grade if program.by_grade else 0,
            cause=cause,
            amount=amount,
            per=per,
            effective_from=effective_from,
            document=document,
            published_by=actor,
        )
        audit_record(
            actor=actor,
            action="benefits.standard_publish",
            obj=standard,
            region_code=actor.scope_region.code if actor.scope_region_id else "",
            after={
                "program": program.code,
                "grade": standard.grade,
                "cause": cause,
                "amount": str(amount),
                "per": per,
                "effective_from": effective_from.isoformat(),
                "document": document,
            },
        )
        events.emit("standard_published", sender=Standard, standard=standard.pk)
    return standard
