"""A year of 抚恤补助 for Pinghu's demo veterans: standards, entitlements, twelve batches paid by the bank.

The standards are plausible Zhejiang amounts (not an official table): 残疾抚恤金 by grade and cause, the
survivors' 定期抚恤金 by cause, the other programs monthly, 义务兵家庭优待金 yearly (paid in August). A raise
of 5% in force from 2026-04-01 is published on 2026-08-10 (优抚标准自然增长机制, back-dated), so the August
batch pays the differences for April to July as adjustment lines.

The beneficiaries come from the registry: every living disabled veteran (about 150 in 20,000, as on the
seed page) and 护理费 for grades 1–4, survivors of deceased veterans (family members), 在乡复员, 带病回乡,
60 岁以上农村籍, 义务兵家庭 and 参战参试, the last group sized so that the year's paid lines come to within
a few people of the seed page's 2216.7824 万元 (``TARGET``); the few recognised during the year (新认定参战参试,
带病回乡, 新评残 of grades 7–10), each paid from the month after, close it to the yuan. A few legacy problems
show the held reasons (unconfirmed, an amount on the roll that differs, an invalid ID number, a suspension, one bank
account shared by two people), one death is learnt of after a month already paid (an overpayment), and
each month two or three lines come back failed from the bank and are resent by the next batch (November's two,
planned with the rest, wait for December's).

Batches 2025-12 … 2026-11 are generated, checked (city_staff), approved (city_admin), exported and
reconciled; the batch of the current month (when it is 2026-12 or later) is left as a draft to try the
procedure on. Idempotent: nothing is loaded when entitlements exist already.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.services import audit_record
from benefits.batches import Result, payable_lines, record_return
from benefits.entitlements import account_hash, audited, record_death, suspend
from benefits.generation import generate_batch
from benefits.models import (
    Batch,
    Cause,
    Confirmation,
    Entitlement,
    LineKind,
    Per,
    Program,
    ReturnFile,
    Standard,
)
from benefits.standards import add_months, month_start, months_between
from core.context import batch as audit_batch
from core.crypto import encrypt, keyed_hash
from core.ledger import round_fen
from core.validators import build_id_number, check_digit
from regions.demo import CITY_CODE, synthetic_name
from veterans.models import FamilyMember, Veteran, VeteranCategory

#: the seed page's year of pensions and subsidies paid through the bank: 2216.7824 万元
TARGET = Decimal("22167824.00")
FIRST = dt.date(2025, 12, 1)
LAST = dt.date(2026, 11, 1)
PERIODS = months_between(FIRST, LAST)
#: the old roll paid everything up to here (the months before the demo's year are settled)
SETTLED = dt.date(2025, 11, 1)
#: the registry a year of batches is drawn from (a smaller one gets the standards only)
MIN_VETERANS = 5000

BASE_FROM = dt.date(2025, 1, 1)
BASE_PUBLISHED = dt.datetime(2024, 12, 20, 10, 0, tzinfo=dt.UTC)
BASE_DOCUMENT = "浙退役军人发〔2024〕52号"
RAISE_FROM = dt.date(2026, 4, 1)
RAISE_PUBLISHED = dt.datetime(2026, 8, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing
RAISE_DOCUMENT = "浙退役军人发〔2026〕31号（自2026年4月1日起调整）"
RAISE = Decimal("1.05")

#: 残疾抚恤金, yuan a month: grade → (因战, 因公, 因病)
DISABILITY = {
    1: ("8950", "8680", "8400"), 2: ("8060", "7510", "7240"), 3: ("7240", "6660", "6390"),
    4: ("5840", "5290", "5010"), 5: ("4710", "4170", "3890"), 6: ("3620", "3340", "2780"),
    7: ("2780", "2500", "1950"), 8: ("1670", "1390", "1110"), 9: ("1390", "1110", "840"),
    10: ("840", "700", "560"),
}  # fmt: skip
SURVIVOR = {Cause.MARTYR: "2860", Cause.DIED_ON_DUTY: "2450", Cause.DIED_OF_ILLNESS: "2310"}
MONTHLY = {"demobilised": "1980", "sick_returned": "1160", "war_participant": "890", "rural_elderly": "300"}
NURSING = {1: "5100", 2: "4080", 3: "3060", 4: "2040"}
#: 义务兵家庭优待金, yuan a year: 2025's, and 2026's (in force from January, published in December)
CONSCRIPT_2025, CONSCRIPT_2026 = Decimal("27800"), Decimal("28600")

BANKS = [  # (bank, card prefix): synthetic card numbers with a valid Luhn digit, not real accounts
    ("浙江平湖农村商业银行", "623091"), ("浙江平湖农村商业银行", "623091"), ("浙江平湖农村商业银行", "623091"),
    ("中国农业银行平湖支行", "622848"), ("中国工商银行平湖支行", "622202"), ("中国建设银行平湖支行", "621700"),
    ("中国邮政储蓄银行平湖市支行", "621799"),
]  # fmt: skip
FAILURES = ["账户已销户", "户名不符", "账户已冻结", "账号不存在", "账户已销户", "户名不符"]

SURVIVORS = {Cause.MARTYR: 6, Cause.DIED_ON_DUTY: 12, Cause.DIED_OF_ILLNESS: 22}
DEMOBILISED, SICK_RETURNED, CONSCRIPT_FAMILIES = 25, 35, 60


@dataclass
class Row:
    """An entitlement to write, and what the demo does with it."""

    veteran: Veteran
    program: str
    grade: int = 0
    cause: str = ""
    member: FamilyMember | None = None
    id_number: str = ""  # a family member's (a veteran's comes from the registry)
    from_month: dt.date = SETTLED
    to_month: dt.date | None = None
    agreed: Decimal | None = None
    id_valid: bool = True
    confirmed_year: int = 2026
    account: str = ""
    bank: str = ""
    #: the months of the year it is expected to be paid for (None: every month it runs)
    paid_until: dt.date | None = None
    #: the registry's category a recognition during the year adds (written with the entitlement)
    category: VeteranCategory | None = None


def luhn(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


class Accounts:
    """Distinct synthetic bank cards (19 digits, Luhn-valid)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.used = rng, set[str]()

    def new(self) -> tuple[str, str]:
        bank, prefix = self.rng.choice(BANKS)
        while True:
            body = prefix + f"{self.rng.randrange(10**12):012d}"
            number = body + luhn(body)
            if number not in self.used:
                self.used.add(number)
                return bank, number


# --- standards ----------------------------------------------------------------------------------------------------


def standard_rows() -> list[tuple[str, int, str, Decimal, str]]:
    """(program, grade, cause, amount, per) of the base standards."""
    rows: list[tuple[str, int, str, Decimal, str]] = []
    for grade, amounts in DISABILITY.items():
        for cause, amount in zip((Cause.WAR, Cause.DUTY, Cause.ILLNESS), amounts, strict=True):
            rows.append(("disability", grade, cause, Decimal(amount), Per.MONTH))
    rows += [("survivor", 0, cause, Decimal(amount), Per.MONTH) for cause, amount in SURVIVOR.items()]
    rows += [(code, 0, "", Decimal(amount), Per.MONTH) for code, amount in MONTHLY.items()]
    rows += [("nursing", grade, "", Decimal(amount), Per.MONTH) for grade, amount in NURSING.items()]
    return rows


def raised(amount: Decimal) -> Decimal:
    return round_fen(amount * RAISE)


def load_standards(actor: User) -> int:
    """The base standards of 2025, 2026's 优待金, and the raise of 2026-04 published on 2026-08-10."""
    if Standard.objects.exists():
        return 0
    programs = {p.code: p for p in Program.objects.all()}
    made = []
    for code, grade, cause, amount, per in standard_rows():
        made.append(Standard(program=programs[code], grade=grade, cause=cause, amount=amount, per=per,
                             effective_from=BASE_FROM, document=BASE_DOCUMENT, published_at=BASE_PUBLISHED,
                             published_by=actor))  # fmt: skip
    conscript = programs["conscript_family"]
    made.append(Standard(program=conscript, amount=CONSCRIPT_2025, per=Per.YEAR, effective_from=BASE_FROM,
                         document=BASE_DOCUMENT, published_at=BASE_PUBLISHED, published_by=actor))  # fmt: skip
    made.append(Standard(program=conscript, amount=CONSCRIPT_2026, per=Per.YEAR, effective_from=dt.date(2026, 1, 1),
                         document="平退役军人〔2025〕88号", published_by=actor,
                         published_at=dt.datetime(2025, 12, 18, 2, 0, tzinfo=dt.UTC)))  # fmt: skip
    with transaction.atomic():
        for standard in made:
            standard.save()
            _audit_standard(actor, standard)
    return len(made)


def publish_raise(actor: User) -> int:
    """The raise, back-dated to 2026-04-01 (made directly: ``publish_standard`` dates it now)."""
    programs = {p.code: p for p in Program.objects.all()}
    with transaction.atomic():
        count = 0
        for code, grade, cause, amount, per in standard_rows():
            standard = Standard.objects.create(program=programs[code], grade=grade, cause=cause, per=per,
                                               amount=raised(amount), effective_from=RAISE_FROM,
                                               document=RAISE_DOCUMENT, published_at=RAISE_PUBLISHED,
                                               published_by=actor)  # fmt: skip
            _audit_standard(actor, standard)
            count += 1
    return count


def _audit_standard(actor: User, standard: Standard) -> None:
    audit_record(actor=actor, action="benefits.standard_publish", obj=standard, region_code=CITY_CODE,
                 after={"program": standard.program.code, "grade": standard.grade, "cause": standard.cause,
                        "amount": str(standard.amount), "per": standard.per,
                        "effective_from": standard.effective_from.isoformat(), "document": standard.document},
                 reason="演示数据")  # fmt: skip


@functools.cache
def _bases() -> dict[tuple[str, int, str], Decimal]:
    return {(code, grade, cause): amount for code, grade, cause, amount, _per in standard_rows()}


def monthly(program: str, grade: int, cause: str, month: dt.date) -> Decimal:
    """What a clean entitlement is paid for a month, the raise included (its differences are paid in August)."""
    if program == "conscript_family":
        if month.month != 8:
            return Decimal("0.00")
        return CONSCRIPT_2026 if month.year >= 2026 else CONSCRIPT_2025
    base = _bases()[(program, grade, cause)]
    return raised(base) if month >= RAISE_FROM else base


def expected(row: Row) -> Decimal:
    """What the row's entitlement is paid over the demo's year (held ones nothing)."""
    if row.agreed is not None or not row.id_valid:
        return Decimal("0.00")
    last = min(m for m in (LAST, row.to_month, row.paid_until) if m is not None)
    total = Decimal("0.00")
    for month in months_between(max(FIRST, row.from_month), last):
        total += monthly(row.program, row.grade, row.cause, month)
    if row.paid_until is not None and RAISE_FROM <= row.paid_until < dt.date(2026, 8, 1):
        # a death learnt of after the month after it was paid (at the old amount): that month's difference
        # is held, the months before it get theirs
        month = row.paid_until
        total -= monthly(row.program, row.grade, row.cause, month) - monthly(row.program, row.grade, row.cause, FIRST)
    return total


# --- the beneficiaries --------------------------------------------------------------------------------------------


def next_month(day: dt.date) -> dt.date:
    return add_months(month_start(day), 1)


class People:
    """Draws the demo's beneficiaries from the registry, deterministically."""

    def __init__(self, seed: int = 2026) -> None:
        self.rng = random.Random(seed)
        self.accounts = Accounts(random.Random(seed + 1))
        self.pinghu = Veteran.objects.filter(region_code__startswith=CITY_CODE[:6]).order_by("id")
        self.taken: dict[str, set[int]] = {}
        self.ids: set[str] = set()

    def pick(self, queryset: Any, n: int, *, avoid: Iterable[str] = ()) -> list[Veteran]:
        busy = set().union(*(self.taken.get(code, set()) for code in avoid))
        found = [v for v in queryset if v.pk not in busy]
        self.rng.shuffle(found)
        return sorted(found[:n], key=lambda v: v.pk)

    def mark(self, code: str, rows: list[Row]) -> list[Row]:
        self.taken.setdefault(code, set()).update(r.veteran.pk for r in rows)
        return rows

    def member(self, veteran: Veteran, relation: str, birth: dt.date, male: bool) -> tuple[FamilyMember, str]:
        while True:
            sequence = self.rng.randrange(0, 999, 2) + (1 if male else 0)
            id_number = build_id_number(CITY_CODE[:6], birth, sequence)
            if id_number not in self.ids:
                self.ids.add(id_number)
                break
        surname = veteran.name[0] if relation in ("parent", "child") and male else ""
        name = (surname + synthetic_name(self.rng, (1, 2))[1:]) if surname else synthetic_name(self.rng, (1, 2))
        member = FamilyMember(veteran=veteran, relation=relation, name=name, id_number_enc=encrypt(id_number),
                              id_hash=keyed_hash(id_number, "family_id"), is_military_family=True)  # fmt: skip
        return member, id_number

    def disabled(self) -> list[Row]:
        categories = VeteranCategory.objects.filter(
            category="disabled_soldier", veteran__status="living", veteran__region_code__startswith=CITY_CODE[:6],
            disability_grade__isnull=False,
        ).select_related("veteran").order_by("veteran_id")  # fmt: skip
        rows = [Row(c.veteran, "disability", c.disability_grade or 10, c.disability_cause or Cause.DUTY,
                    from_month=next_month(c.veteran.discharged_on)) for c in categories]  # fmt: skip
        return self.mark("disability", rows)

    def survivors(self) -> list[Row]:
        rows = []
        dead = list(self.pinghu.filter(status="deceased", deceased_on__lt=dt.date(2026, 9, 1)))
        self.rng.shuffle(dead)
        for cause, n in SURVIVORS.items():
            for veteran in sorted(dead[:n], key=lambda v: v.pk):
                old = veteran.birth_date.year < 1960
                if old:  # the widow
                    birth = veteran.birth_date.replace(year=veteran.birth_date.year + self.rng.randint(0, 4), day=9)
                    member, id_number = self.member(veteran, "spouse", birth, False)
                else:  # the mother or father
                    birth = veteran.birth_date.replace(year=veteran.birth_date.year - self.rng.randint(22, 30), day=9)
                    member, id_number = self.member(veteran, "parent", birth, self.rng.random() < 0.4)
                rows.append(Row(veteran, "survivor", cause=cause, member=member, id_number=id_number,
                                from_month=next_month(veteran.deceased_on or SETTLED)))  # fmt: skip
            dead = dead[n:]
        return self.mark("survivor", rows)

    def demobilised(self) -> list[Row]:
        old = self.pinghu.filter(status="living", discharge_type="demobilised", birth_date__lt=dt.date(1937, 1, 1))
        return self.mark("demobilised", [Row(v, "demobilised", from_month=dt.date(2012, 1, 1))
                                         for v in self.pick(old, DEMOBILISED)])  # fmt: skip

    def sick_returned(self) -> list[Row]:
        candidates = self.pinghu.filter(status="living", discharge_type="discharged",
                                        birth_date__range=(dt.date(1950, 1, 1), dt.date(1965, 12, 31)))  # fmt: skip
        picked = self.pick(candidates, SICK_RETURNED, avoid=["demobilised"])
        return self.mark("sick_returned", [Row(v, "sick_returned", from_month=dt.date(2010, 7, 1)) for v in picked])

    def rural_elderly(self) -> list[Row]:
        categories = VeteranCategory.objects.filter(
            category="rural_over_60", veteran__status="living", veteran__region_code__startswith=CITY_CODE[:6]
        ).select_related("veteran").order_by("veteran_id")  # fmt: skip
        busy = self.taken.get("demobilised", set()) | self.taken.get("sick_returned", set())
        rows = [Row(c.veteran, "rural_elderly", from_month=max(dt.date(2012, 1, 1), next_month(
            c.veteran.birth_date.replace(year=c.veteran.birth_date.year + 60, day=1))))
            for c in categories if c.veteran_id not in busy]  # fmt: skip
        return self.mark("rural_elderly", rows)

    def conscript_families(self) -> list[Row]:
        serving = self.pinghu.filter(status="living", enlisted_on__lte=dt.date(2025, 9, 1),
                                     discharged_on__gte=dt.date(2026, 9, 1))  # fmt: skip
        rows = []
        for veteran in self.pick(serving, CONSCRIPT_FAMILIES):
            birth = veteran.birth_date.replace(year=veteran.birth_date.year - self.rng.randint(22, 30), day=9)
            member, id_number = self.member(veteran, "parent", birth, self.rng.random() < 0.6)
            rows.append(Row(veteran, "conscript_family", member=member, id_number=id_number,
                            from_month=month_start(veteran.enlisted_on),
                            to_month=month_start(veteran.discharged_on)))  # fmt: skip
        return self.mark("conscript_family", rows)

    def war_participants(self, n: int) -> list[Row]:
        marked = VeteranCategory.objects.filter(category="war_or_test_veteran").values("veteran_id")
        first = self.pick(self.pinghu.filter(status="living", pk__in=marked), n, avoid=["special"])
        more = self.pinghu.filter(status="living", birth_date__range=(dt.date(1945, 1, 1), dt.date(1972, 12, 31)))
        more = more.exclude(pk__in=[v.pk for v in first])
        picked = sorted(first + self.pick(more, max(0, n - len(first)), avoid=["special"]), key=lambda v: v.pk)
        return self.mark("war_participant", [Row(v, "war_participant", from_month=dt.date(2011, 8, 1))
                                             for v in picked])  # fmt: skip

    def recognised(self, closers: list[tuple[str, int, str, dt.date]]) -> list[Row]:
        """The people recognised during the year, each with the registry's category from the month before."""
        living = self.pinghu.filter(status="living", birth_date__range=(dt.date(1950, 1, 1), dt.date(1972, 12, 31)))
        code = {"war_participant": "war_or_test_veteran", "sick_returned": "returned_ill",
                "disability": "disabled_soldier"}  # fmt: skip
        avoid = ["special", "recognised", "disability", "war_participant", "demobilised", "sick_returned",
                 "rural_elderly"]  # fmt: skip
        rows = []
        for program, grade, cause, month in closers:
            veteran = self.pick(living, 1, avoid=avoid)[0]
            self.taken.setdefault("recognised", set()).add(veteran.pk)
            on = add_months(month, -1).replace(day=self.rng.randint(5, 25))
            category = VeteranCategory(veteran=veteran, category=code[program], start_date=on,
                                       disability_grade=grade or None, disability_cause=cause)  # fmt: skip
            rows.append(Row(veteran, program, grade, cause, from_month=month, category=category))
        return rows

    def bank(self, rows: list[Row]) -> None:
        """One account per person (a person's entitlements are paid into it)."""
        by_person: dict[str, tuple[str, str]] = {}
        for row in rows:
            person = row.id_number or f"v{row.veteran.pk}"
            if person not in by_person:
                by_person[person] = self.accounts.new()
            row.bank, row.account = by_person[person]


def war_participant_year() -> Decimal:
    return expected(Row(Veteran(), "war_participant", from_month=dt.date(2011, 8, 1)))


#: who may be recognised during the year, and with what: (program, grade, cause)
RECOGNISED = [("war_participant", 0, ""), ("sick_returned", 0, "")] + [
    ("disability", grade, cause) for grade in (7, 8, 9, 10) for cause in (Cause.WAR, Cause.DUTY, Cause.ILLNESS)
]
#: at most this many recognised during the year
MAX_RECOGNISED = 4


def closing(gap: Decimal) -> list[tuple[str, int, str, dt.date]] | None:
    """The fewest people recognised during the year (program, grade, cause, first month paid) whose year is
    ``gap`` to the yuan, or None. Every amount is a multiple of half a yuan: the sums are sets of bits."""
    units = gap * 2
    if units != units.to_integral_value() or units < 0:
        return None
    goal = int(units)
    options = []
    for program, grade, cause in RECOGNISED:
        for month in PERIODS[1:]:
            amount = expected(Row(Veteran(), program, grade, cause, from_month=month)) * 2
            options.append((int(amount), (program, grade, cause, month)))
    limit = (1 << (goal + 1)) - 1
    layers = [1]  # layers[k]: bit s is set when k people can be paid s half-yuan
    for _k in range(MAX_RECOGNISED):
        if (layers[-1] >> goal) & 1:
            break
        reach = 0
        for units_, _option in options:
            reach |= layers[-1] << units_
        layers.append(reach & limit)
    if not (layers[-1] >> goal) & 1:
        return None
    picked, left = [], goal
    for k in range(len(layers) - 1, 0, -1):
        units_, option = next(o for o in options if left >= o[0] and (layers[k - 1] >> (left - o[0])) & 1)
        picked.append(option)
        left -= units_
    return picked


@dataclass
class Specials:
    died: Row
    suspended: Row
    unconfirmed: Row
    differs: Row
    invalid: Row
    shared: tuple[Row, Row]
    #: the two whose November line comes back failed (resent in December, out of the year)
    last_failed: tuple[Row, Row]

    def rows(self) -> list[Row]:
        return [self.died, self.suspended, self.unconfirmed, self.differs, self.invalid, *self.shared,
                *self.last_failed]  # fmt: skip


def beneficiaries(people: People) -> tuple[list[Row], Specials]:
    """Every group, the legacy problems marked, and 参战参试 sized, with the few recognised during the year,
    to pay ``TARGET`` to the yuan."""
    disabled = people.disabled()
    nursing = [Row(r.veteran, "nursing", r.grade, from_month=r.from_month) for r in disabled if r.grade <= 4]
    survivors = people.survivors()
    rows = disabled + nursing + survivors + people.demobilised() + people.sick_returned()
    rows += people.rural_elderly() + people.conscript_families()
    # the two parents of a martyr, paid into one account (老两口共用一个存折): both held until it is sorted out
    martyr = next(r for r in survivors if r.cause == Cause.MARTYR and r.member and r.member.relation == "parent")
    assert martyr.member is not None
    partner_birth = dt.date(martyr.veteran.birth_date.year - 27, 3, 9)
    is_father = martyr.member.name[0] != martyr.veteran.name[0]  # the one listed first shares no surname
    partner, partner_id = people.member(martyr.veteran, "parent", partner_birth, is_father)
    second = Row(martyr.veteran, "survivor", cause=Cause.MARTYR, member=partner, id_number=partner_id,
                 from_month=martyr.from_month)  # fmt: skip
    rows.append(second)
    people.bank(rows)
    second.account, second.bank = martyr.account, martyr.bank
    # an invalid ID number kept from the legacy roll (its check digit is wrong)
    invalid = next(r for r in survivors if r.cause == Cause.DIED_OF_ILLNESS and r is not martyr)
    wrong = "X" if check_digit(invalid.id_number[:17]) != "X" else "0"
    invalid.id_number, invalid.id_valid = invalid.id_number[:17] + wrong, False
    assert invalid.member is not None
    invalid.member.id_number_enc, invalid.member.id_hash = "", ""  # the registry has no (valid) number for them
    regular = [r for r in rows if r.from_month <= FIRST and r.to_month is None]
    died = next(r for r in regular if r.program == "disability" and 5 <= r.grade <= 8)
    died.paid_until = dt.date(2026, 7, 1)  # died in June; July was paid before the death was known
    suspended = next(r for r in regular if r.program == "sick_returned")
    suspended.paid_until = dt.date(2026, 2, 1)
    unconfirmed = next(r for r in regular if r.program == "rural_elderly")
    unconfirmed.confirmed_year, unconfirmed.paid_until = 2025, dt.date(2026, 3, 1)
    people.taken["special"] = {r.veteran.pk for r in (died, suspended, unconfirmed)}
    clean = [r for r in regular if r.program in ("rural_elderly", "war_participant") and r.veteran.pk not in
             people.taken["special"] and r.agreed is None and r.id_valid]  # fmt: skip
    last_failed = (clean[len(clean) // 3], clean[2 * len(clean) // 3])
    gap = TARGET - sum((expected(r) for r in rows if r is not martyr and r is not second), Decimal("0.00"))
    gap += sum((monthly(r.program, r.grade, r.cause, LAST) for r in last_failed), Decimal("0.00"))
    # 参战参试 for all but the last two or three years' worth; the rest recognised during the year
    year = war_participant_year()
    n = max(0, int(gap / year) - 2)
    while (closers := closing(gap - n * year)) is None:
        if n == 0:
            raise ValueError(f"the demo's year cannot be closed to {TARGET} yuan")
        n -= 1
    # one more: the one whose amount on the roll differs is held all year
    war = people.war_participants(n + 1)
    differs = war[len(war) // 2]
    differs.agreed = Decimal("850.00")  # the old roll's amount, before 2025's standard
    more = war + people.recognised(closers)
    people.bank(more)
    specials = Specials(died, suspended, unconfirmed, differs, invalid, (martyr, second), last_failed)
    return rows + more, specials


def write(rows: list[Row], town_users: dict[str, User], fallback: User) -> list[Entitlement]:
    """The family members, entitlements and 2026's confirmations, in bulk, each entitlement audited."""
    programs = {p.code: p for p in Program.objects.all()}
    members: list[FamilyMember] = []
    for row in rows:
        if row.member is not None and row.member.pk is None:
            members.append(row.member)
    FamilyMember.objects.bulk_create(members, batch_size=1000)
    VeteranCategory.objects.bulk_create([row.category for row in rows if row.category is not None])
    made = []
    for row in rows:
        program = programs[row.program]
        made.append(Entitlement(
            veteran=row.veteran, family_member=row.member, program=program,
            beneficiary_name=row.member.name if row.member is not None else row.veteran.name,
            beneficiary_id_enc=encrypt(row.id_number) if row.id_number else row.veteran.id_number_enc,
            beneficiary_id_hash=keyed_hash(row.id_number, "id") if row.id_number else row.veteran.id_hash,
            id_valid=row.id_valid, grade=row.grade if program.by_grade else 0,
            cause=row.cause if program.causes else "", agreed_amount=row.agreed, from_month=row.from_month,
            to_month=row.to_month, bank_name=row.bank, account_enc=encrypt(row.account),
            account_hash=account_hash(row.account), confirmed_year=row.confirmed_year,
            settled_through=SETTLED if row.from_month <= SETTLED else None, region_code=row.veteran.region_code,
            import_batch="demo",
        ))  # fmt: skip
    made = Entitlement.objects.bulk_create(made, batch_size=1000)
    rng = random.Random(7)
    confirmations = []
    for entitlement, row in zip(made, rows, strict=True):
        audit_record(actor=fallback, action="benefits.entitlement_start", obj=entitlement,
                     region_code=entitlement.region_code, after=audited(entitlement),
                     reason="演示数据：原发放名册")  # fmt: skip
        year = row.confirmed_year
        on = max(dt.date(year, rng.randint(1, 3), rng.randint(1, 28)), row.from_month)
        by = town_users.get(entitlement.region_code[:9], fallback)
        confirmations.append(Confirmation(entitlement=entitlement, year=year, confirmed_on=on, confirmed_by=by))
    Confirmation.objects.bulk_create(confirmations, batch_size=1000)
    return made


# --- the year of batches ------------------------------------------------------------------------------------------


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A time of day in Beijing, as stored."""
    return dt.datetime(day.year, day.month, day.day, hour - 8, minute, tzinfo=dt.UTC)


def pay_month(period: dt.date, maker: User, checker: User, rng: random.Random, spare: set[int],
              fail: set[int] | None = None) -> tuple[int, int]:  # fmt: skip
    """Generate, check, approve, export and reconcile one month; return (lines paid, lines failed). Two or three
    lines fail at the bank, none of the ``spare`` entitlements'; ``fail``: the entitlements whose month's line
    fails instead."""
    from workflow.models import Task
    from workflow.services import act

    generated = generate_batch(actor=maker, period=period, today=period.replace(day=20))
    batch = generated.batch
    act(actor=maker, task=batch.case.tasks.get(status=Task.Status.OPEN), action="checked", note="已逐项核对")
    act(actor=checker, task=batch.case.tasks.get(status=Task.Status.OPEN), action="approve", note="同意发放")
    batch, lines = payable_lines(actor=maker, batch=Batch.objects.get(pk=batch.pk))
    sent = list(lines.values_list("reference", "amount", "entitlement_id", "kind"))
    if fail is None:
        failing = rng.sample([i for i, line in enumerate(sent) if line[2] not in spare], rng.choice((2, 3, 3)))
    else:
        failing = [i for i, line in enumerate(sent) if line[2] in fail and line[3] == LineKind.REGULAR]
    results = [Result(ref, amount, i not in failing, rng.choice(FAILURES) if i in failing else "", i + 2)
               for i, (ref, amount, _e, _k) in enumerate(sent)]  # fmt: skip
    content = "\n".join(f"{r.reference},{r.amount},{int(r.paid)},{r.reason}" for r in results)
    total = sum((r.amount for r in results), Decimal("0.00"))
    returned, _changed = record_return(actor=maker, batch=batch, name=f"平湖农商银行回盘{period:%Y%m}.xlsx",
                                       sha256=hashlib.sha256(content.encode()).hexdigest(), results=results,
                                       count=len(results), total=total)  # fmt: skip
    # The demo's year happened in the past: its steps are dated on the days they would have been done.
    day = period.replace(day=20)
    Batch.objects.filter(pk=batch.pk).update(
        generated_at=at(day, 9, 30), checked_at=at(day, 15), approved_at=at(day + dt.timedelta(days=1), 10),
        exported_at=at(day + dt.timedelta(days=1), 14), reconciled_at=at(day + dt.timedelta(days=5), 16),
    )  # fmt: skip
    ReturnFile.objects.filter(pk=returned.pk).update(imported_at=at(day + dt.timedelta(days=5), 16))
    return len(results) - len(failing), len(failing)


def load_benefits_demo(users: dict[str, User], stdout: Any = None) -> dict[str, int]:
    """Load the benefits demo (see the module's docstring); return what was added."""
    added: dict[str, int] = {}
    admin, staff = users["city_admin"], users["city_staff"]
    with audit_batch():
        standards = load_standards(admin)
        if standards:
            added["benefits standards"] = standards
        pinghu = Veteran.objects.filter(region_code__startswith=CITY_CODE[:6]).count()
        if Entitlement.objects.exists() or Batch.objects.exists() or pinghu < MIN_VETERANS:
            return added
        with transaction.atomic():
            added.update(_load_year(users, admin, staff, stdout))
    return added


def _load_year(users: dict[str, User], admin: User, staff: User, stdout: Any) -> dict[str, int]:
    people = People()
    rows, specials = beneficiaries(people)
    town_users = {u.scope_region.code[:9]: u for u in users.values()
                  if u.role == Role.TOWN_STAFF and u.scope_region is not None}  # fmt: skip
    entitlements = write(rows, town_users, staff)
    by_row = {id(row): e for row, e in zip(rows, entitlements, strict=True)}
    died, suspended = by_row[id(specials.died)], by_row[id(specials.suspended)]
    spare = {by_row[id(row)].pk for row in specials.rows()}
    last_failed = {by_row[id(row)].pk for row in specials.last_failed}
    rng = random.Random(11)
    paid = failed = 0
    for period in PERIODS:
        if period == dt.date(2026, 3, 1):
            suspend(actor=staff, entitlement=suspended, reason="长期外出下落不明，暂停发放待核实")
        if period == dt.date(2026, 8, 1):
            publish_raise(admin)
            record_death(actor=staff, id_hash=died.beneficiary_id_hash, died_on=dt.date(2026, 6, 18),
                         source="民政部门死亡名单（2026年8月）")  # fmt: skip
        p, f = pay_month(period, staff, admin, rng, spare, last_failed if period == LAST else None)
        paid, failed = paid + p, failed + f
        if stdout is not None:
            stdout.write(f"  … batch {period:%Y-%m}: {p + f} lines, {f} failed at the bank")
    today = timezone.localdate()
    drafts = 0
    if month_start(today) > LAST:  # this month's batch, as a draft to try the procedure on
        generate_batch(actor=staff, period=month_start(today), today=today)
        drafts = 1
    return {
        "benefits entitlements": len(entitlements),
        "payment batches (2025-12 … 2026-11, reconciled)": len(PERIODS),
        "draft batch of this month": drafts,
        "lines paid": paid,
        "lines failed at the bank": failed,
    }


def paid_in_year() -> Decimal:
    """The sum of the lines the bank paid for the demo's twelve batches."""
    from django.db.models import Sum

    from benefits.models import PaymentLine

    total = PaymentLine.objects.filter(batch__period__range=(FIRST, LAST), outcome__outcome="paid").aggregate(
        total=Sum("amount")
    )["total"]
    return total or Decimal("0.00")
