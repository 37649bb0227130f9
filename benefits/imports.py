"""The two importable registers of 抚恤补助 (see core/imports.py): the entitlement roll (发放名册) and the
death list (死亡名单) from 公安/民政.

Both go through the import pipeline: every row checked, errors at their Excel row, all or nothing, a
template to download. Neither writer streams: its rows are written in ``finish``, once the whole file
is clean, so what a row is checked against may be read before the rows (``existing``) or, for the
few beneficiaries the registry does not know, by a query of its own.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from benefits.entitlements import EntitlementInput, clean_account, entitlement_values, record_death
from benefits.models import Cause, Entitlement, EntitlementStatus, Program
from benefits.standards import StandardTable, add_months, key_of, month_start
from core.context import current_batch_id
from core.crypto import decrypt, keyed_hash
from core.db import any_of
from core.errors import ErrorCollector, error_items, invalid
from core.imports import Column, Register
from core.ledger import round_fen
from core.parsing import date_value, is_blank, text
from core.permissions import require
from core.validators import IdNumber, id_text, parse_id_number
from veterans.models import FamilyMember, Veteran
from veterans.search import id_lookup_hash

#: 残疾性质/抚恤类别 as a roll writes it → the cause's code
CAUSE_WORDS: dict[str, str] = {
    "因战": Cause.WAR,
    "因公": Cause.DUTY,
    "因病": Cause.ILLNESS,
    "烈士遗属": Cause.MARTYR,
    "烈士": Cause.MARTYR,
    "因公牺牲军人遗属": Cause.DIED_ON_DUTY,
    "因公牺牲": Cause.DIED_ON_DUTY,
    "病故军人遗属": Cause.DIED_OF_ILLNESS,
    "病故": Cause.DIED_OF_ILLNESS,
}
CAUSE_CHOICES = ("因战", "因公", "因病", "烈士遗属", "因公牺牲军人遗属", "病故军人遗属")
SOURCES = ("公安", "民政")
_CHINESE_GRADES = {w: n for n, w in enumerate("一二三四五六七八九十", start=1)}
_NO_LIMIT = dt.date(9999, 12, 31)


def _program_names() -> tuple[str, ...]:
    from benefits.programs import PROGRAMS

    return tuple(p["name"] for p in PROGRAMS)


def _beneficiary_id(raw: Any, field: str) -> tuple[str, dt.date | None, bool]:
    """An ID number of a beneficiary: (the number, the birth date it holds, whether its check digit is right).

    A legacy roll may hold a number of the right shape whose check digit is wrong: kept, marked invalid
    (its lines are held until it is corrected); anything else that is no ID number is refused."""
    try:
        parsed: IdNumber = parse_id_number(raw, field)
    except ValidationError as exc:
        if [item["code"] for item in error_items(exc)] != ["id_checksum"]:
            raise
        value = id_text(raw)
        return value, dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14])), False
    return parsed.value, parsed.birth_date, True


def _key(raw_id_number: Any) -> str | None:
    """The keyed hash of an ID number as clean() reads it; a number cell is none (its row fails clean())."""
    if raw_id_number is None or isinstance(raw_id_number, (int, float)) or is_blank(raw_id_number):
        return None
    return id_lookup_hash(id_text(raw_id_number))


# --- the entitlement roll (发放名册) ----------------------------------------------------------------------------

ROLL_COLUMNS = [
    Column("身份证号", "id_number", required=True, as_text=True, width=22, example="330482199001011234",
           sensitive=True),
    Column("领取人姓名", "beneficiary_name", width=10, example="张三"),
    Column("领取人身份证号", "beneficiary_id", as_text=True, width=22, example="空白 = 本人", sensitive=True),
    Column("项目", "program", required=True, choices=_program_names(), width=26),
    Column("残疾等级", "grade", width=8, example="6"),
    Column("残疾性质/抚恤类别", "cause", choices=CAUSE_CHOICES, width=16),
    Column("起始月份", "from_month", required=True, width=10, example="2026-01"),
    Column("终止月份", "to_month", width=10, example="2030-12"),
    Column("开户银行", "bank_name", required=True, width=16, example="平湖农商银行"),
    Column("银行账号", "account", required=True, as_text=True, width=24, example="6217000000000000000",
           sensitive=True),
    Column("月发放金额", "amount", width=10, example="2350.00"),
    Column("年度确认年份", "confirmed_year", width=10, example="2026"),
]  # fmt: skip


@dataclass
class RollContext:
    """What every row of a roll is checked against, read before the rows."""

    actor: Any
    prefix: str
    today: dt.date
    programs: dict[str, Program]
    table: StandardTable
    #: the registry's people named by the file: id hash → veteran (in any region)
    veterans: dict[str, Veteran] = field(default_factory=dict)
    #: their family members: (veteran id, family id hash) → member
    family: dict[tuple[int, str], FamilyMember] = field(default_factory=dict)
    #: the open entitlements of these people: (beneficiary id hash, program id)
    open: set[tuple[str, int]] = field(default_factory=set)
    #: (beneficiary id hash, program id) of the rows already cleaned
    seen: set[tuple[str, int]] = field(default_factory=set)


def roll_prepare(actor: Any) -> RollContext:
    require(actor, "benefits.import")
    programs: dict[str, Program] = {}
    for program in Program.objects.all():
        programs[program.name] = programs[program.code] = program
    return RollContext(actor=actor, prefix=actor.scope_prefix, today=timezone.localdate(), programs=programs,
                       table=StandardTable({p.pk: p for p in programs.values()}))  # fmt: skip


#: Each row's key is its veteran's id hash and its place in the file: a veteran may be on a roll more than
#: once (two programs; his widow and his mother), so the pipeline's own duplicate check must not see one.
_rows = itertools.count()


def roll_key(raw_id_number: Any) -> str | None:
    found = _key(raw_id_number)
    return None if found is None else f"{found}:{next(_rows)}"


def roll_existing(keys: list[str], context: RollContext) -> dict[str, bool]:
    """Reads the people the roll names (never "already registered": a duplicate is a beneficiary's own)."""
    hashes = list({key.partition(":")[0] for key in keys})
    for start in range(0, len(hashes), 10000):
        for veteran in Veteran.objects.filter(any_of("id_hash", hashes[start : start + 10000])):
            context.veterans[veteran.id_hash] = veteran
    ids = [v.pk for v in context.veterans.values()]
    beneficiaries = set(context.veterans)
    for start in range(0, len(ids), 10000):
        for member in FamilyMember.objects.filter(any_of("veteran_id", ids[start : start + 10000])).exclude(id_hash=""):
            context.family[(member.veteran_id, member.id_hash)] = member
            beneficiaries.add(id_lookup_hash(decrypt(member.id_number_enc)))
    found = list(beneficiaries)
    for start in range(0, len(found), 10000):
        open_ones = Entitlement.objects.filter(Q(any_of("beneficiary_id_hash", found[start : start + 10000]))).exclude(
            status=EntitlementStatus.ENDED
        )
        context.open.update(open_ones.values_list("beneficiary_id_hash", "program_id"))
    return {}


def _grade(raw: Any) -> int | None:
    if is_blank(raw):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        words = str(raw).strip().removesuffix("级")
        if words in _CHINESE_GRADES:
            value = _CHINESE_GRADES[words]
        elif words.isascii() and words.isdigit():
            value = int(words)
        else:
            raise invalid("grade", _("The grade is a number from 1 to 10."), code="grade")
    if not 1 <= value <= 10:
        raise invalid("grade", _("The grade is a number from 1 to 10."), code="grade")
    return value


def _cause(raw: Any) -> str:
    if is_blank(raw):
        return ""
    words = str(raw).strip()
    if words in CAUSE_WORDS:
        return CAUSE_WORDS[words]
    if words in Cause.values:
        return words
    raise invalid("cause", _("%(value)s is not in the list; use one of: %(allowed)s."), code="bad_choice",
                  value=words, allowed="、".join(CAUSE_CHOICES))  # fmt: skip


def _month(raw: Any, name: str, *, required: bool) -> dt.date | None:
    day, _precision = date_value(raw, name, required=required, allow_month=True, today=_NO_LIMIT)
    return month_start(day) if day else None


_AMOUNT = re.compile(r"^[0-9]+(\.[0-9]{1,2})?$")


def amount_value(raw: Any) -> Decimal | None:
    if is_blank(raw):
        return None
    words = format(raw, "f") if isinstance(raw, float) else str(raw).strip().replace(",", "")
    if isinstance(raw, float):
        words = words.rstrip("0").rstrip(".") if "." in words else words
    if not _AMOUNT.fullmatch(words):
        raise invalid("amount", _("The amount is in yuan, above zero, to the fen."), code="amount")
    try:
        value = Decimal(words)
    except InvalidOperation:
        raise invalid("amount", _("The amount is in yuan, above zero, to the fen."), code="amount") from None
    if value <= 0 or value >= Decimal("1000000"):
        raise invalid("amount", _("The amount is in yuan, above zero, to the fen."), code="amount")
    return round_fen(value)


def _year(raw: Any, today: dt.date) -> int | None:
    if is_blank(raw):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    words = str(raw).strip().removesuffix("年")
    if not (words.isascii() and words.isdigit()) or not 2000 <= int(words) <= today.year + 1:
        raise invalid("confirmed_year", _("A year from 2000 to next year."), code="year")
    return int(words)


def roll_clean(raw: dict[str, Any], context: RollContext) -> EntitlementInput:
    errors = ErrorCollector()
    veteran = None
    raw_id = raw.get("id_number")
    if isinstance(raw_id, (int, float)) or is_blank(raw_id):
        errors.check(parse_id_number, raw_id, "id_number")
    else:
        veteran = context.veterans.get(id_lookup_hash(id_text(raw_id)))
        if veteran is None:
            errors.check(parse_id_number, raw_id, "id_number")  # a malformed number says why
            if not errors.has("id_number"):
                errors.add(invalid("id_number", _("This person is not in the veteran registry."), code="unknown"))
        elif not (context.prefix and veteran.region_code.startswith(context.prefix)):
            errors.add(invalid("id_number", _("This person is registered in a region outside your scope."),
                               code="out_of_scope"))  # fmt: skip
            veteran = None
    name = errors.check(text, raw.get("beneficiary_name"), "beneficiary_name", max_length=50) or ""
    program = None
    if is_blank(raw.get("program")):
        errors.add(invalid("program", _("This value is required."), code="required"))
    else:
        program = context.programs.get(str(raw["program"]).strip())
        if program is None:
            errors.add(invalid("program", _("%(value)s is not in the list; use one of: %(allowed)s."),
                               code="bad_choice", value=str(raw["program"]).strip()[:50],
                               allowed="、".join(_program_names())))  # fmt: skip
    grade = errors.check(_grade, raw.get("grade"))
    cause = errors.check(_cause, raw.get("cause")) or ""
    from_month = errors.check(_month, raw.get("from_month"), "from_month", required=True)
    to_month = errors.check(_month, raw.get("to_month"), "to_month", required=False)
    if from_month and to_month and to_month < from_month:
        errors.add(invalid("to_month", _("The last month is before the first."), code="order"))
    bank = errors.check(text, raw.get("bank_name"), "bank_name", max_length=50, required=True) or ""
    account = ""
    if isinstance(raw.get("account"), (int, float)) and not isinstance(raw.get("account"), bool):
        message = _(
            "The account number was stored as a number and has lost digits; format the column as text and "
            "enter it again."
        )
        errors.add(invalid("account", message, code="account_as_number"))
    else:
        account = errors.check(clean_account, raw.get("account"), "account") or ""
    amount = errors.check(amount_value, raw.get("amount"))
    year = errors.check(_year, raw.get("confirmed_year"), context.today)

    # the beneficiary: the veteran himself, or one of his family (a number the registry does not know is
    # kept as it is typed, with the name)
    member, id_number, id_valid, beneficiary_hash = None, "", True, ""
    raw_beneficiary = raw.get("beneficiary_id")
    if veteran is not None:
        if is_blank(raw_beneficiary) or (_key(raw_beneficiary) == veteran.id_hash):
            beneficiary_hash = veteran.id_hash
            if veteran.deceased_on is not None:
                errors.add(invalid("id_number", _("The beneficiary is recorded as deceased."), code="deceased"))
            if name and name != veteran.name:
                errors.add(invalid("beneficiary_name", _("The name differs from the registered one (%(name)s)."),
                                   code="name_differs", name=veteran.name))  # fmt: skip
            name = ""
        else:
            parsed = errors.check(_beneficiary_id, raw_beneficiary, "beneficiary_id")
            if parsed is not None:
                id_number, _birth, id_valid = parsed
                beneficiary_hash = id_lookup_hash(id_number)
                member = context.family.get((veteran.pk, keyed_hash(id_number, "family_id")))
                if member is not None:
                    if name and name != member.name:
                        errors.add(invalid("beneficiary_name",
                                           _("The name differs from the registered one (%(name)s)."),
                                           code="name_differs", name=member.name))  # fmt: skip
                    name = ""
                elif not name:
                    errors.add(invalid("beneficiary_name", _("Give the name of the beneficiary: the ID number is "
                                                             "not one of the veteran's family."),
                                       code="required"))  # fmt: skip
    elif not is_blank(raw_beneficiary):
        errors.check(_beneficiary_id, raw_beneficiary, "beneficiary_id")
    if program is not None:
        if program.by_grade and not errors.has("grade") and not grade:
            errors.add(invalid("grade", _("%(program)s needs a grade from 1 to 10."), code="grade",
                               program=program.name))  # fmt: skip
        if program.causes and not errors.has("cause") and cause not in program.causes:
            errors.add(invalid("cause", _("%(program)s needs one of its causes."), code="cause",
                               program=program.name))  # fmt: skip
        grade, cause = (grade or 0) if program.by_grade else 0, cause if program.causes else ""
        if program.for_family and veteran is not None and member is None and not id_number:
            errors.add(invalid("beneficiary_id", _("%(program)s is paid to a family member: give their ID number."),
                               code="family_required", program=program.name))  # fmt: skip
        if beneficiary_hash:
            slot = (beneficiary_hash, program.pk)
            if slot in context.open or (member is None and id_number and _open_elsewhere(slot)):
                errors.add(invalid("program", _("This person already has an entitlement of %(program)s."),
                                   code="duplicate", program=program.name))  # fmt: skip
            elif slot in context.seen:
                errors.add(invalid("program", _("The same beneficiary and program as an earlier row of this file."),
                                   code="duplicate_in_file"))  # fmt: skip
    errors.raise_if_any()
    assert veteran is not None and program is not None and from_month is not None
    context.seen.add((beneficiary_hash, program.pk))
    if amount is not None and amount == _standard_amount(context, program, grade, cause):
        amount = None
    return EntitlementInput(
        veteran=veteran, program=program, from_month=from_month, bank_name=bank, account=account,
        id_number=id_number if member is None else "", family_member=member, beneficiary_name=name, grade=grade,
        cause=cause, agreed_amount=amount, to_month=to_month, confirmed_year=year, id_valid=id_valid,
    )  # fmt: skip


def _open_elsewhere(slot: tuple[str, int]) -> bool:
    """A beneficiary the registry does not know may draw through another veteran's record: asked here
    (the writer does not stream, so a row may query; such rows are few)."""
    return (
        Entitlement.objects.filter(beneficiary_id_hash=slot[0], program_id=slot[1])
        .exclude(status=EntitlementStatus.ENDED)
        .exists()
    )


def _standard_amount(context: RollContext, program: Program, grade: int, cause: str) -> Decimal | None:
    """What the standard in force pays now for a month (for a yearly program: in its pay month)."""
    month = month_start(context.today)
    if program.pay_month:
        month = month.replace(month=program.pay_month)
    found = context.table.in_force(key_of(program, grade, cause), month)
    return found.amount if found else None


class RollWriter:
    """The roll's entitlements, written together once every row is clean, through ``entitlement_values``
    (the pipeline audits the import as one batch; each entitlement keeps the batch's id)."""

    def __init__(self, actor: Any, context: RollContext, on_duplicate: str, expected: int) -> None:
        require(actor, "benefits.import")
        self.rows: list[EntitlementInput] = []

    def add(self, key: str, data: EntitlementInput, in_scope: bool | None) -> None:
        self.rows.append(data)

    def close(self) -> None:
        pass

    def finish(self) -> dict[str, int]:
        batch = current_batch_id() or ""
        # A roll's people were paid by the old system up to last month: the first batch pays from this month on
        # (or from their first month, if later), never years of back-pay.
        paid_through = add_months(month_start(timezone.localdate()), -1)
        entitlements = []
        for data in self.rows:
            values = entitlement_values(data)
            if values["from_month"] <= paid_through:
                values["settled_through"] = min(paid_through, values["to_month"] or paid_through)
            entitlements.append(Entitlement(**values, import_batch=batch))
        created = Entitlement.objects.bulk_create(entitlements, batch_size=1000)
        held = sum(1 for e in created if e.agreed_amount is not None or not e.id_valid)
        return {"created": len(created), "updated": 0, "skipped": 0, "held": held}


ROLL = Register(
    name="benefit_roll",
    title=_("Entitlement roll"),
    columns=ROLL_COLUMNS,
    prepare=roll_prepare,
    clean=roll_clean,
    key_field="id_number",
    key=roll_key,
    existing=roll_existing,
    writer=RollWriter,
    capability="benefits.import",
)


# --- the death list (死亡名单) ----------------------------------------------------------------------------------

DEATH_COLUMNS = [
    Column("姓名", "name", required=True, width=10, example="张三"),
    Column("身份证号", "id_number", required=True, as_text=True, width=22, example="330482193001011234",
           sensitive=True),
    Column("死亡日期", "died_on", required=True, width=12, example="2026-10-15"),
    Column("来源", "source", required=True, choices=SOURCES, width=8),
]  # fmt: skip


@dataclass
class DeathContext:
    actor: Any
    prefix: str
    today: dt.date
    #: the id hashes of beneficiaries in the importer's scope
    beneficiaries: set[str] = field(default_factory=set)
    #: the registry's veterans of these numbers, in the importer's scope: hash → veteran
    veterans: dict[str, Veteran] = field(default_factory=dict)


@dataclass
class Death:
    id_hash: str
    died_on: dt.date
    source: str


def death_prepare(actor: Any) -> DeathContext:
    require(actor, "benefits.import")
    return DeathContext(actor=actor, prefix=actor.scope_prefix, today=timezone.localdate())


def death_existing(keys: list[str], context: DeathContext) -> dict[str, bool]:
    """Reads who of the list is a beneficiary (or a veteran) in the importer's scope; a death is never
    "already registered" (a second import finds the entitlements ended and changes nothing)."""
    if not context.prefix:
        return {}
    for start in range(0, len(keys), 10000):
        part = keys[start : start + 10000]
        entitlements = Entitlement.objects.filter(any_of("beneficiary_id_hash", part),
                                                  region_code__startswith=context.prefix)  # fmt: skip
        context.beneficiaries.update(entitlements.values_list("beneficiary_id_hash", flat=True))
        for veteran in Veteran.objects.filter(any_of("id_hash", part), region_code__startswith=context.prefix):
            context.veterans[veteran.id_hash] = veteran
    return {}


def death_clean(raw: dict[str, Any], context: DeathContext) -> Death:
    errors = ErrorCollector()
    errors.check(text, raw.get("name"), "name", max_length=50, required=True)
    parsed = errors.check(_beneficiary_id, raw.get("id_number"), "id_number")
    died_on, _precision = errors.check(date_value, raw.get("died_on"), "died_on", required=True,
                                       today=context.today) or (None, "day")  # fmt: skip
    source = errors.check(text, raw.get("source"), "source", max_length=10, required=True) or ""
    if source and source not in SOURCES:
        errors.add(invalid("source", _("%(value)s is not in the list; use one of: %(allowed)s."), code="bad_choice",
                           value=source, allowed="、".join(SOURCES)))  # fmt: skip
    if parsed is not None and died_on is not None and parsed[1] is not None and died_on < parsed[1]:
        errors.add(invalid("died_on", _("The date of death is before the birth date in the ID number."),
                           code="before_birth"))  # fmt: skip
    errors.raise_if_any()
    assert parsed is not None and died_on is not None
    return Death(id_lookup_hash(parsed[0]), died_on, source)


class DeathWriter:
    """Each death of the list, once the whole file is clean: the entitlements end after the month of death
    and the lines paid after it are listed as overpayments (``record_death``); a veteran of the registry is
    recorded deceased too when the importer may change the registry."""

    def __init__(self, actor: Any, context: DeathContext, on_duplicate: str, expected: int) -> None:
        require(actor, "benefits.import")
        self.actor, self.context = actor, context
        self.rows: list[Death] = []

    def add(self, key: str, data: Death, in_scope: bool | None) -> None:
        self.rows.append(data)

    def close(self) -> None:
        pass

    def finish(self) -> dict[str, int]:
        from veterans.services import veteran_mark_deceased

        counts = {"created": 0, "updated": 0, "skipped": 0, "matched": 0, "not_beneficiary": 0, "ended": 0,
                  "overpayments": 0, "overpaid_fen": 0, "veterans_deceased": 0}  # fmt: skip
        may_mark = self.actor.can("veterans.manage")
        for death in self.rows:
            veteran = self.context.veterans.get(death.id_hash)
            if death.id_hash not in self.context.beneficiaries and veteran is None:
                counts["not_beneficiary"] += 1
                continue
            counts["matched"] += 1
            source = f"{death.source}死亡名单"
            if death.id_hash in self.context.beneficiaries:
                ended, found = record_death(actor=self.actor, id_hash=death.id_hash, died_on=death.died_on,
                                            source=source)  # fmt: skip
                counts["ended"] += len(ended)
                counts["overpayments"] += len(found)
                counts["overpaid_fen"] += sum(int(o.amount * 100) for o in found)
            if (
                veteran is not None
                and may_mark
                and veteran.status != "deceased"
                and death.died_on >= veteran.birth_date
            ):
                veteran_mark_deceased(actor=self.actor, veteran=veteran, died_on=death.died_on, reason=source)
                counts["veterans_deceased"] += 1
        counts["updated"] = counts["ended"]
        counts["skipped"] = counts["not_beneficiary"]
        return counts


DEATHS = Register(
    name="death_list",
    title=_("Death list"),
    columns=DEATH_COLUMNS,
    prepare=death_prepare,
    clean=death_clean,
    key_field="id_number",
    key=_key,
    existing=death_existing,
    writer=DeathWriter,
    capability="benefits.import",
)


def death_summary(counts: dict[str, int]) -> str:
    """The death list's result in words (the command and the tests print it)."""
    total = Decimal(counts.get("overpaid_fen", 0)) / 100
    return str(
        _("%(matched)s matched, %(not_beneficiary)s not a beneficiary; %(ended)s entitlements ended, "
          "%(overpayments)s overpayments found (%(total)s yuan).")
        % {**{k: counts.get(k, 0) for k in ("matched", "not_beneficiary", "ended", "overpayments")},
           "total": f"{total:.2f}"}
    )  # fmt: skip
