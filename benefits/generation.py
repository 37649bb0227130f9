"""Generating a month's batch: one line per entitlement and month owed, back-pay, differences, resends.

``generate_batch`` runs in one transaction: a generator killed midway leaves nothing of its batch, and
two generators of the same batch queue on its row (the second finds every slot taken and adds nothing).
The plan reads in a few set queries (the entitlements due, the lines already there, the failed lines,
the paid months a back-dated standard raised) and the lines go in with one COPY on PostgreSQL.

What an entitlement is owed: every month from the one after ``settled_through`` (or its first month) to
the batch's month, up to its last month (its end, or the month of the beneficiary's death). A month is
settled once a line that may be paid exists for it; a line held back settles nothing, so the months
held come back as back-pay (补发) once the reason is gone. A line the bank failed is resent (once) by
the next batch. A standard published after its date raises the months already paid: the next batch
pays the difference, each month its own line.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from benefits.batches import lines_changed, regions_of
from benefits.models import (
    Batch,
    BatchState,
    Entitlement,
    EntitlementStatus,
    HeldReason,
    LineKind,
    Outcome,
    PaymentLine,
    Program,
    Standard,
)
from benefits.standards import Key, StandardTable, add_months, key_of, month_start, months_between
from core.auditing import audit_record
from core.db import any_of, copy_into
from core.errors import Conflict, invalid
from core.permissions import require
from regions.models import Level, Region, level_of

#: the columns a generated line is written with
LINE_COLUMNS = (
    "batch_id",
    "entitlement_id",
    "period",
    "kind",
    "purpose",
    "attempt",
    "amount",
    "standard_id",
    "standard_amount",
    "held_reason",
    "reference",
    "resend_of_id",
    "region_code",
    "program_id",
    "created_at",
    "reason",
)

#: What an entitlement row of the plan holds (one query, no model instances).
ENTITLEMENT_COLUMNS = (
    "id",
    "region_code",
    "program_id",
    "grade",
    "cause",
    "agreed_amount",
    "from_month",
    "to_month",
    "died_on",
    "status",
    "confirmed_year",
    "settled_through",
    "id_valid",
    "account_hash",
    "beneficiary_id_hash",
    "family_member_id",
    "veteran__deceased_on",
)

BASE = "base"


def reference(entitlement_id: int, period: dt.date, purpose: str, attempt: int) -> str:
    """The bank's reference of a line: the same slot and attempt always give the same reference."""
    code = "B" if purpose == BASE else f"S{purpose.removeprefix('std')}"
    return f"{entitlement_id}-{period:%Y%m}-{code}-{attempt}"


def confirmation_year_needed(month: dt.date) -> int:
    """The year whose annual confirmation a month's payment needs: this year's once its deadline has
    passed (``BENEFITS_CONFIRMATION_DEADLINE``, month and day), the year before's until then."""
    deadline_month, _day = settings.BENEFITS_CONFIRMATION_DEADLINE
    return month.year if month.month > deadline_month else month.year - 1


@dataclass
class Plan:
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    settled: dict[dt.date, list[int]] = field(default_factory=lambda: defaultdict(list))
    held: int = 0
    payable: int = 0
    total: Decimal = Decimal("0.00")


class Planner:
    """Works out the lines of one batch from what the database holds now."""

    def __init__(self, batch: Batch, prefix: str) -> None:
        self.batch, self.prefix, self.period = batch, prefix, batch.period
        self.programs = {p.pk: p for p in Program.objects.all()}
        self.table = StandardTable(self.programs)
        pairs = Program.excludes.through.objects.values_list("from_program_id", "to_program_id")
        self.excludes = {pair for a, b in pairs for pair in ((a, b), (b, a))}  # both ways, however stored
        self.now = timezone.now()
        self.plan = Plan()
        self.held_here = set(
            PaymentLine.objects.filter(batch=batch)
            .exclude(held_reason="")
            .values_list("entitlement_id", "period", "purpose", "held_reason")
        )
        scope = Entitlement.objects.filter(region_code__startswith=prefix).exclude(status=EntitlementStatus.ENDED)
        shared = scope.values("account_hash").annotate(people=Count("beneficiary_id_hash", distinct=True))
        self.shared_accounts = set(shared.filter(people__gt=1).values_list("account_hash", flat=True))
        several = scope.values("beneficiary_id_hash").annotate(n=Count("id")).filter(n__gt=1)
        self.programs_of: dict[str, set[int]] = defaultdict(set)
        for id_hash, program_id in scope.filter(
            beneficiary_id_hash__in=several.values("beneficiary_id_hash")
        ).values_list("beneficiary_id_hash", "program_id"):
            self.programs_of[id_hash].add(program_id)

    # --- what holds a line back ---------------------------------------------------------------------------

    def death_month(self, row: dict[str, Any]) -> dt.date | None:
        died = row["died_on"] or (row["veteran__deceased_on"] if row["family_member_id"] is None else None)
        return month_start(died) if died else None

    def held_reason(self, row: dict[str, Any], month: dt.date, due: Decimal | None, standard: Decimal | None) -> str:
        death = self.death_month(row)
        if death is not None and month > death:
            return HeldReason.DECEASED
        if row["status"] == EntitlementStatus.SUSPENDED:
            return HeldReason.SUSPENDED
        if not row["id_valid"]:
            return HeldReason.INVALID_ID
        if row["confirmed_year"] < confirmation_year_needed(self.period):
            return HeldReason.UNCONFIRMED
        others = self.programs_of.get(row["beneficiary_id_hash"], set())
        if any((row["program_id"], other) in self.excludes for other in others):
            return HeldReason.EXCLUSIVE
        if row["account_hash"] in self.shared_accounts:
            return HeldReason.SHARED_ACCOUNT
        if standard is None:
            return HeldReason.NO_STANDARD
        if due != standard:
            return HeldReason.AMOUNT_DIFFERS
        return ""

    def key(self, row: dict[str, Any]) -> Key:
        return key_of(self.programs[row["program_id"]], row["grade"], row["cause"])

    # --- the plan ---------------------------------------------------------------------------------------------

    def add(
        self,
        row: dict[str, Any],
        month: dt.date,
        kind: str,
        amount: Decimal,
        standard_id: int | None,
        standard_amount: Decimal | None,
        held: str,
        *,
        purpose: str = BASE,
        attempt: int = 1,
        resend_of: int | None = None,
        reason: str = "",
    ) -> None:
        if held:
            key = (row["id"], month, purpose, held)
            if key in self.held_here:
                return  # generated again: the batch shows that held line once
            self.held_here.add(key)
        ref = None if held else reference(row["id"], month, purpose, attempt)
        self.plan.lines.append(
            (
                self.batch.pk,
                row["id"],
                month,
                kind,
                purpose,
                attempt,
                amount,
                standard_id,
                standard_amount,
                held,
                ref,
                None if held else resend_of,
                row["region_code"],
                row["program_id"],
                self.now,
                reason,
            )
        )
        if held:
            self.plan.held += 1
        else:
            self.plan.payable += 1
            self.plan.total += amount

    def owed(self, row: dict[str, Any], existing: dict[dt.date, tuple[int, bool]]) -> None:
        """The months this entitlement is owed, as lines (or one held line for the batch's month)."""
        period = self.period
        program = self.programs[row["program_id"]]
        first = add_months(row["settled_through"], 1) if row["settled_through"] else row["from_month"]
        death = self.death_month(row)
        last = min(m for m in (period, row["to_month"], death) if m is not None)
        months = months_between(first, last)
        due = [m for m in months if m.month == program.pay_month] if program.pay_month else months
        key = self.key(row)
        ended = row["status"] == EntitlementStatus.ENDED
        this_month = self.table.in_force(key, period)
        standard = this_month.amount if this_month else None
        agreed = row["agreed_amount"]
        held = self.held_reason(row, period, agreed if agreed is not None else standard, standard)
        if held == HeldReason.DECEASED:
            if not due:
                if not ended:  # died, and the entitlement still runs: staff must end it
                    self.add(row, period, LineKind.REGULAR, Decimal("0.00"), None, None, held)
                return
            # Months before the death are still owed, unless another reason holds them (judged as of the death).
            force = self.table.in_force(key, last)
            standard = force.amount if force else None
            held = self.held_reason(row, last, agreed if agreed is not None else standard, standard)
            if held == HeldReason.NO_STANDARD:
                held = ""  # decided month by month below
        if held:
            if ended:  # an entitlement that is over pays nothing more it would hold: those months lapse
                self.plan.settled[last].append(row["id"])
            elif due:
                amount = agreed if agreed is not None else (standard or Decimal("0.00"))
                standard_id = this_month.standard_id if this_month else None
                self.add(row, period, LineKind.REGULAR, amount, standard_id, standard, held)
            return
        reached = months[-1] if months and not due else None
        for month in due:
            taken = existing.get(month)
            if taken is not None and taken[1]:
                reached = month
                continue  # a line that may be paid (or failed, and to be resent) is there already
            force = self.table.in_force(key, month)
            if force is None:  # nothing to pay for that month (the batch's own month is shown as held)
                if month == period:
                    self.add(row, month, LineKind.REGULAR, Decimal("0.00"), None, None, HeldReason.NO_STANDARD)
                reached = month
                continue
            kind = LineKind.REGULAR if month == period else LineKind.ARREARS
            attempt = taken[0] + 1 if taken is not None else 1
            self.add(row, month, kind, force.amount, force.standard_id, force.amount, "", attempt=attempt)
            reached = month
        else:
            reached = last if months else reached
        if reached is not None:
            self.plan.settled[reached].append(row["id"])

    def entitlements(self) -> Iterator[dict[str, Any]]:
        due = (
            Entitlement.objects.filter(region_code__startswith=self.prefix, from_month__lte=self.period)
            .filter(Q(settled_through__isnull=True) | Q(settled_through__lt=self.period))
            .filter(
                ~Q(status=EntitlementStatus.ENDED)
                | (Q(to_month__isnull=False) & (Q(settled_through__isnull=True) | Q(settled_through__lt=F("to_month"))))
            )
            .order_by()
        )
        return due.values(*ENTITLEMENT_COLUMNS).iterator(chunk_size=20000)

    def existing_lines(self, rows: list[dict[str, Any]]) -> dict[int, dict[dt.date, tuple[int, bool]]]:
        """For entitlements owed more than this month: the lines their owed months have already, as
        (latest attempt, whether it still stands: neither reversed nor failed, or failed and to be resent)."""
        deep = [
            r for r in rows if r["settled_through"] is not None and r["settled_through"] < add_months(self.period, -1)
        ]
        found: dict[int, dict[dt.date, tuple[int, bool]]] = defaultdict(dict)
        this_month = Q(period=self.period, region_code__startswith=self.prefix)
        queries = [PaymentLine.objects.filter(this_month)]
        for start in range(0, len(deep), 5000):
            chunk = deep[start : start + 5000]
            earliest = min(r["settled_through"] for r in chunk)
            queries.append(
                PaymentLine.objects.filter(any_of("entitlement_id", [r["id"] for r in chunk]), period__gt=earliest)
            )
        for query in queries:
            lines = query.filter(purpose=BASE, held_reason="", reverses__isnull=True).values_list(
                "entitlement_id", "period", "attempt", "reversed_by__id"
            )
            for entitlement_id, period, attempt, reversed_by in lines:
                stands = reversed_by is None  # a failed line stands: the resend takes it from here
                known = found[entitlement_id].get(period)
                if known is None or attempt > known[0]:
                    found[entitlement_id][period] = (attempt, stands)
        return found

    def resends(self) -> None:
        """Each line the bank failed and that no batch has resent yet: once more, unless now held back."""
        failed = list(
            PaymentLine.objects.filter(
                region_code__startswith=self.prefix,
                outcome__outcome=Outcome.FAILED,
                resent_by__isnull=True,
                reversed_by__isnull=True,
            ).values_list(
                "id", "entitlement_id", "period", "purpose", "attempt", "amount", "standard_id", "standard_amount"
            )
        )
        if not failed:
            return
        rows = {
            r["id"]: r
            for r in Entitlement.objects.filter(any_of("id", {f[1] for f in failed})).values(*ENTITLEMENT_COLUMNS)
        }
        for line_id, entitlement_id, period, purpose, attempt, amount, standard_id, standard_amount in failed:
            row = rows[entitlement_id]
            if row["to_month"] is not None and period > row["to_month"] and not row["died_on"]:
                continue  # the entitlement ended before that month: it is not owed any more
            held = self.held_reason(row, period, amount, amount)
            self.add(row, period, LineKind.RESEND, amount, standard_id, standard_amount, held, purpose=purpose,
                     attempt=attempt + 1, resend_of=line_id)  # fmt: skip

    def differences(self) -> None:
        """The months already paid below a standard published after its date: each its difference (补差)."""
        since = add_months(self.period, -settings.BENEFITS_BACKPAY_MONTHS)
        raised = [
            s
            for s in Standard.objects.filter(effective_from__lt=self.period, published_at__date__gte=since)
            if s.published_at.date() > s.effective_from
        ]
        for standard in raised:
            key: Key = (standard.program_id, standard.grade, standard.cause)
            months = [
                m
                for m in months_between(standard.effective_from, add_months(self.period, -1))
                if (s := self.table.standard_for(key, m)) is not None and s.pk == standard.pk
            ]
            if not months:
                continue
            program = self.programs[standard.program_id]
            lines = PaymentLine.objects.filter(
                region_code__startswith=self.prefix,
                program_id=standard.program_id,
                period__in=months,
                held_reason="",
                reverses__isnull=True,
                reversed_by__isnull=True,
            ).exclude(outcome__outcome=Outcome.FAILED)
            if program.by_grade:
                lines = lines.filter(entitlement__grade=standard.grade)
            if program.causes:
                lines = lines.filter(entitlement__cause=standard.cause)
            paid = lines.values("entitlement_id", "period").annotate(sum=Sum("amount"))
            wanted = defaultdict(list)
            for item in paid:
                force = self.table.in_force(key, item["period"])
                if force is not None and force.amount > item["sum"]:
                    wanted[item["entitlement_id"]].append((item["period"], force.amount - item["sum"], force.amount))
            if not wanted:
                continue
            rows = Entitlement.objects.filter(any_of("id", list(wanted)), agreed_amount__isnull=True)
            purpose = f"std{standard.pk}"
            taken = set(
                PaymentLine.objects.filter(any_of("entitlement_id", list(wanted)), purpose=purpose, held_reason="")
                .values_list("entitlement_id", "period")
            )  # fmt: skip
            for row in rows.values(*ENTITLEMENT_COLUMNS):
                death = self.death_month(row)
                for month, difference, amount in wanted[row["id"]]:
                    if (row["id"], month) in taken:
                        continue  # that difference is paid, sent, or failed and resent by its own line
                    if death is not None and month > death:
                        continue  # not owed: a month after the death (its payment is an overpayment)
                    held = self.held_reason(row, month, amount, amount)
                    note = str(_("Standard of %(date)s, published %(published)s")) % {
                        "date": f"{standard.effective_from:%Y-%m}",
                        "published": f"{timezone.localdate(standard.published_at):%Y-%m-%d}",
                    }
                    self.add(row, month, LineKind.ADJUSTMENT, difference, standard.pk, amount, held,
                             purpose=purpose, reason=note)  # fmt: skip

    def run(self) -> Plan:
        rows = list(self.entitlements())
        existing = self.existing_lines(rows)
        empty: dict[dt.date, tuple[int, bool]] = {}
        for row in rows:
            self.owed(row, existing.get(row["id"], empty))
        self.resends()
        self.differences()
        return self.plan


def area_of(actor: Any) -> Region:
    region = actor.scope_region
    if region is None or level_of(region.code) not in (Level.CITY, Level.PREFECTURE, Level.PROVINCE):
        raise invalid(None, _("A batch is generated by the bureau of a city (or above)."), code="not_a_bureau")
    return region


def parse_period(value: Any) -> dt.date:
    """``2026-11`` (or a date in that month) as the first of the month; a clear error otherwise."""
    if isinstance(value, dt.date):
        return month_start(value)
    text = str(value or "").strip()
    try:
        year, month = text[:7].split("-")
        period = dt.date(int(year), int(month), 1)
    except ValueError:
        raise invalid("period", _("Give the month as YYYY-MM, for example 2026-11."), code="period") from None
    if len(text) > 7 and text[7:] and not text[7] == "-":
        raise invalid("period", _("Give the month as YYYY-MM, for example 2026-11."), code="period")
    return period


def open_batch(actor: Any, area: Region, period: dt.date) -> Batch:
    """This area's batch of the month, locked; opened (with its case) when there is none yet."""
    from benefits.process import BATCH
    from workflow.services import open_case

    found = Batch.objects.select_for_update().filter(region_code=area.code, period=period).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            case = open_case(
                actor=actor,
                process=BATCH,
                title=str(_("Pensions and subsidies of %(month)s")) % {"month": f"{period:%Y-%m}"},
                region_code=area.code,
                owner_code=area.code,
                subject={"period": period},
            )
    except IntegrityError:
        # Another generator opened it first and has committed: wait for its row.
        return Batch.objects.select_for_update().get(region_code=area.code, period=period)
    batch: Batch = case.subject
    return Batch.objects.select_for_update().get(pk=batch.pk)


@dataclass(frozen=True)
class Generated:
    batch: Batch
    added: int
    held: int
    total: Decimal


def generate_batch(*, actor: Any, period: Any, today: dt.date | None = None) -> Generated:
    """Build (or complete) the area's batch of the month: idempotent, all or nothing."""
    require(actor, "benefits.manage")
    period = parse_period(period)
    today = today or timezone.localdate()
    if period > month_start(today):
        raise invalid("period", _("The month %(month)s has not begun."), code="future", month=f"{period:%Y-%m}")
    area = area_of(actor)
    later = Batch.objects.filter(region_code=area.code, period__gt=period).order_by("period").first()
    if later is not None:
        raise invalid(
            "period",
            _("The batch of %(later)s exists already; months before it are paid by later batches as back-pay."),
            code="earlier_month",
            later=f"{later.period:%Y-%m}",
        )
    with transaction.atomic():
        batch = open_batch(actor, area, period)
        if batch.state != BatchState.DRAFT:
            raise invalid(
                "period",
                _("The batch of %(month)s is %(state)s: it takes no more lines; what is owed goes into next month's."),
                code="batch_closed",
                month=f"{period:%Y-%m}",
                state=batch.get_state_display(),
            )
        plan = Planner(batch, area.prefix).run()
        try:
            with transaction.atomic():
                copy_into(PaymentLine, LINE_COLUMNS, plan.lines)
        except IntegrityError:
            # Another area's batch that covers these people (a province's and a city's) took a line first.
            raise Conflict(
                _("Another batch of %(month)s is being generated for some of these people; try again shortly."),
                code="generating_elsewhere",
                params={"month": f"{period:%Y-%m}"},
            ) from None
        for settled, ids in plan.settled.items():
            for start in range(0, len(ids), 50000):
                Entitlement.objects.filter(any_of("id", ids[start : start + 50000])).update(settled_through=settled)
        batch.generated_at = timezone.now()
        batch.save(update_fields=["generated_at"])
        audit_record(
            actor=actor,
            action="benefits.batch_generate",
            obj=batch,
            region_code=area.code,
            after={"period": f"{period:%Y-%m}", "added": plan.payable, "held": plan.held, "total": str(plan.total)},
        )
        lines_changed(regions_of(batch))
    return Generated(batch, plan.payable, plan.held, plan.total)
