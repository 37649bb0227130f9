"""Generating a month's batch: the lines, the held reasons, back-pay, differences and resends."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.testing import Network
from benefits import entitlements as services
from benefits.batches import Result, payable_lines, record_return, reverse_line
from benefits.generation import Generated, generate_batch, reference
from benefits.models import Batch, EntitlementStatus, HeldReason, LineKind, PaymentLine, Program
from benefits.tests.helpers import entitlement, program, standard
from workflow.models import Task
from workflow.services import act

pytestmark = pytest.mark.django_db

SEP, OCT, NOV, DEC = (dt.date(2026, m, 1) for m in (9, 10, 11, 12))


def generate(net: Network, period: str = "2026-11", who: str = "city_staff") -> Generated:
    month = dt.date.fromisoformat(f"{period}-01")
    return generate_batch(actor=net.users[who], period=period, today=month.replace(day=20))


def lines_of(batch: Batch) -> list[tuple[Any, ...]]:
    return sorted(
        (line.entitlement_id, line.period, line.kind, line.amount, line.held_reason)
        for line in PaymentLine.objects.filter(batch=batch)
    )


def pay(net: Network, batch: Batch, failed: dict[str, str] | None = None) -> None:
    """Check, approve (a second person), send and reconcile a batch; ``failed`` maps references to reasons."""
    failed = failed or {}
    for step, action, who in (("check", "checked", "city_staff"), ("approve", "approve", "city_admin")):
        act(actor=net.users[who], task=batch.case.tasks.get(step=step, status=Task.Status.OPEN), action=action)
    batch, lines = payable_lines(actor=net.users["city_staff"], batch=batch)
    results = [
        Result(line.reference, line.amount, line.reference not in failed, failed.get(line.reference, ""), row=i)
        for i, line in enumerate(lines, start=3)
    ]
    total = sum((r.amount for r in results), Decimal("0.00"))
    record_return(actor=net.users["city_staff"], batch=batch, name="回盘.xlsx", sha256=f"{batch.pk}-{len(failed)}",
                  results=results, count=len(results), total=total)  # fmt: skip


@pytest.fixture
def disability(db: None) -> None:
    standard("disability", "2000.00", grade=6, cause="war")


def test_one_line_per_entitlement_at_the_standard_in_force(net: Network) -> None:
    standard("disability", "2000.00", grade=6, cause="war")
    standard("disability", "2100.00", "2026-10-01", grade=6, cause="war")
    a = entitlement(net, since="2026-11-01")
    result = generate(net)
    assert lines_of(result.batch) == [(a.pk, NOV, LineKind.REGULAR, Decimal("2100.00"), "")]
    assert PaymentLine.objects.get().reference == reference(a.pk, NOV, "base", 1) == f"{a.pk}-202611-B-1"


def test_generating_again_adds_nothing(net: Network, disability: None) -> None:
    entitlement(net, since="2026-11-01")
    first = generate(net)
    again = generate(net)
    assert again.added == 0 and again.batch.pk == first.batch.pk
    assert PaymentLine.objects.count() == 1


def test_an_entitlement_approved_after_the_draft_joins_it_when_generated_again(net: Network, disability: None) -> None:
    entitlement(net, since="2026-11-01")
    first = generate(net)
    late = entitlement(net, since="2026-11-01")
    again = generate(net)
    assert again.added == 1 and again.batch.pk == first.batch.pk
    assert PaymentLine.objects.filter(entitlement=late).count() == 1


def test_months_since_the_start_are_back_paid(net: Network, disability: None) -> None:
    entitlement(net, since="2026-09-01")
    result = generate(net)
    assert [(p, k) for _e, p, k, _a, _h in lines_of(result.batch)] == [
        (SEP, LineKind.ARREARS),
        (OCT, LineKind.ARREARS),
        (NOV, LineKind.REGULAR),
    ]
    assert result.total == Decimal("6000.00")


def test_the_next_month_pays_only_the_next_month(net: Network, disability: None) -> None:
    e = entitlement(net, since="2026-10-01")
    pay(net, generate(net, "2026-10").batch)
    result = generate(net, "2026-11")
    assert lines_of(result.batch) == [(e.pk, NOV, LineKind.REGULAR, Decimal("2000.00"), "")]


def test_a_yearly_program_pays_once_in_its_month(net: Network) -> None:
    standard("conscript_family", "24000.00", per="year")
    family = program("conscript_family")
    family.pay_month = 11
    family.save()
    e = entitlement(net, code="conscript_family", since="2026-01-01")
    result = generate(net)
    assert lines_of(result.batch) == [(e.pk, NOV, LineKind.REGULAR, Decimal("24000.00"), "")]


def test_a_yearly_standard_of_a_monthly_program_pays_a_twelfth_rounded_half_up(net: Network) -> None:
    standard("war_participant", "10000.06", per="year")  # 833.338333… → 833.34
    entitlement(net, code="war_participant", since="2026-11-01")
    assert generate(net).total == Decimal("833.34")


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"confirmed_year": 2025}, HeldReason.UNCONFIRMED),
        ({"agreed_amount": Decimal("1999.00")}, HeldReason.AMOUNT_DIFFERS),
        ({"id_valid": False}, HeldReason.INVALID_ID),
    ],
)
def test_a_line_is_held_with_its_reason(net: Network, disability: None, overrides: dict[str, Any], reason: str) -> None:
    e = entitlement(net, since="2026-11-01", **overrides)
    result = generate(net)
    assert lines_of(result.batch) == [
        (e.pk, NOV, LineKind.REGULAR, overrides.get("agreed_amount", Decimal("2000.00")), reason)
    ]
    line = PaymentLine.objects.get()
    assert line.reference is None and result.added == 0 and result.held == 1


def test_a_shared_bank_account_holds_both_people(net: Network, disability: None) -> None:
    a = entitlement(net, since="2026-11-01", account="621700000000000999")
    b = entitlement(net, since="2026-11-01", account="621700000000000999")
    held = dict(generate(net).batch.lines.values_list("entitlement_id", "held_reason"))
    assert held == {a.pk: HeldReason.SHARED_ACCOUNT, b.pk: HeldReason.SHARED_ACCOUNT}


def test_two_programs_that_exclude_each_other_hold_both(net: Network) -> None:
    standard("demobilised", "1500.00")
    standard("sick_returned", "900.00")
    a = entitlement(net, code="demobilised", since="2026-11-01")
    b = entitlement(net, code="sick_returned", since="2026-11-01", veteran=a.veteran)
    held = dict(generate(net).batch.lines.values_list("entitlement_id", "held_reason"))
    assert held == {a.pk: HeldReason.EXCLUSIVE, b.pk: HeldReason.EXCLUSIVE}


def test_two_programs_that_do_not_exclude_each_other_are_both_paid(net: Network, disability: None) -> None:
    standard("nursing", "3000.00", grade=2)
    a = entitlement(net, since="2026-11-01")
    entitlement(net, code="nursing", grade=2, since="2026-11-01", veteran=a.veteran)
    assert generate(net).added == 2


def test_no_standard_in_force_is_a_held_line(net: Network) -> None:
    e = entitlement(net, code="war_participant", since="2026-11-01")
    assert lines_of(generate(net).batch) == [(e.pk, NOV, LineKind.REGULAR, Decimal("0.00"), HeldReason.NO_STANDARD)]


def test_suspended_months_are_back_paid_on_resuming(net: Network, disability: None) -> None:
    e = entitlement(net, since="2026-10-01")
    services.suspend(actor=net.users["city_staff"], entitlement=e, reason="户籍核查")
    oct_batch = generate(net, "2026-10").batch
    assert lines_of(oct_batch) == [(e.pk, OCT, LineKind.REGULAR, Decimal("2000.00"), HeldReason.SUSPENDED)]
    pay_nothing = oct_batch  # a batch of held lines only cannot be checked: there is nothing to pay
    with pytest.raises(ValidationError):
        act(actor=net.users["city_staff"], task=pay_nothing.case.tasks.get(status=Task.Status.OPEN), action="checked")
    services.resume(actor=net.users["city_staff"], entitlement=e, backpay=True)
    nov = generate(net, "2026-11").batch
    assert [(p, k) for _e, p, k, _a, _h in lines_of(nov)] == [(OCT, LineKind.ARREARS), (NOV, LineKind.REGULAR)]


def test_resuming_without_back_pay_lets_the_held_months_lapse(net: Network, disability: None) -> None:
    e = entitlement(net, since="2026-09-01")
    services.suspend(actor=net.users["city_staff"], entitlement=e, reason="待核实")
    services.resume(actor=net.users["city_staff"], entitlement=e, backpay=False)
    e.refresh_from_db()
    assert e.settled_through == add_month(month_start_today(), -1)


def add_month(month: dt.date, n: int) -> dt.date:
    from benefits.standards import add_months

    return add_months(month, n)


def month_start_today() -> dt.date:
    return timezone.localdate().replace(day=1)


def test_a_late_confirmation_resumes_with_back_pay(net: Network, disability: None) -> None:
    e = entitlement(net, since="2026-10-01", confirmed_year=2025)
    assert generate(net, "2026-10").held == 1
    services.confirm(actor=net.users["village_staff"], entitlement=e, year=2026, on=dt.date(2026, 11, 3))
    nov = generate(net, "2026-11")
    assert [(p, k, h) for _e, p, k, _a, h in lines_of(nov.batch)] == [
        (OCT, LineKind.ARREARS, ""),
        (NOV, LineKind.REGULAR, ""),
    ]


def test_a_late_confirmation_without_back_pay_pays_from_its_month(net: Network) -> None:
    standard("war_participant", "800.00")
    Program.objects.filter(code="war_participant").update(backpay_on_confirm=False)
    e = entitlement(net, code="war_participant", since="2026-09-01", confirmed_year=2025)
    services.confirm(actor=net.users["village_staff"], entitlement=e, year=2026, on=dt.date(2026, 11, 3))
    assert lines_of(generate(net).batch) == [(e.pk, NOV, LineKind.REGULAR, Decimal("800.00"), "")]


def test_confirming_twice_is_refused(net: Network, disability: None) -> None:
    e = entitlement(net, since="2026-10-01", confirmed_year=2025)
    services.confirm(actor=net.users["village_staff"], entitlement=e, year=2026)
    with pytest.raises(ValidationError) as exc:
        services.confirm(actor=net.users["village_staff"], entitlement=e, year=2026)
    assert exc.value.error_dict["year"][0].code == "already_confirmed"


def test_a_back_dated_standard_pays_the_difference_of_each_month_already_paid(net: Network, disability: None) -> None:
    e = entitlement(net, since="2026-09-01")
    pay(net, generate(net, "2026-09").batch)
    pay(net, generate(net, "2026-10").batch)
    raised = standard("disability", "2150.00", "2026-09-01", grade=6, cause="war",
                      published=dt.datetime(2026, 11, 5, 10, tzinfo=dt.UTC))  # fmt: skip
    nov = generate(net, "2026-11").batch
    assert lines_of(nov) == [
        (e.pk, SEP, LineKind.ADJUSTMENT, Decimal("150.00"), ""),
        (e.pk, OCT, LineKind.ADJUSTMENT, Decimal("150.00"), ""),
        (e.pk, NOV, LineKind.REGULAR, Decimal("2150.00"), ""),
    ]
    adjustment = nov.lines.filter(kind=LineKind.ADJUSTMENT).first()
    assert adjustment.purpose == f"std{raised.pk}" and adjustment.reference == f"{e.pk}-202609-S{raised.pk}-1"
    assert "2026-09" in adjustment.reason
    # paid once: the next batch does not pay the differences again
    pay(net, nov)
    assert generate(net, "2026-12").batch.lines.filter(kind=LineKind.ADJUSTMENT).count() == 0


def test_a_line_the_bank_failed_is_resent_once_by_the_next_batch(net: Network, disability: None) -> None:
    e = entitlement(net, since="2026-10-01")
    oct_batch = generate(net, "2026-10").batch
    failed_ref = reference(e.pk, OCT, "base", 1)
    pay(net, oct_batch, failed={failed_ref: "账户已销户"})
    nov = generate(net, "2026-11").batch
    resend = nov.lines.get(kind=LineKind.RESEND)
    assert (resend.period, resend.attempt, resend.resend_of.reference) == (OCT, 2, failed_ref)
    assert resend.reference == f"{e.pk}-202610-B-2"
    assert nov.lines.filter(kind=LineKind.REGULAR, period=NOV).count() == 1
    pay(net, nov)
    assert not generate(net, "2026-12").batch.lines.filter(kind=LineKind.RESEND).exists()


def test_a_line_taken_out_of_a_draft_is_owed_again(net: Network, disability: None) -> None:
    e = entitlement(net, since="2026-11-01")
    batch = generate(net).batch
    reverse_line(actor=net.users["city_staff"], line=batch.lines.get(), reason="账号待核实")
    assert generate(net).added == 1
    again = batch.lines.filter(held_reason="", reverses__isnull=True, reversed_by__isnull=True).get()
    assert (again.attempt, again.reference) == (2, f"{e.pk}-202611-B-2")


def test_nobody_is_paid_for_a_month_after_their_death(net: Network, disability: None) -> None:
    from veterans.services import veteran_mark_deceased

    e = entitlement(net, since="2026-09-01")
    veteran_mark_deceased(actor=net.users["city_staff"], veteran=e.veteran, died_on=dt.date(2026, 10, 14))
    e.refresh_from_db()
    assert (e.status, e.to_month, e.died_on) == (EntitlementStatus.ENDED, OCT, dt.date(2026, 10, 14))
    months = [p for _e, p, _k, _a, h in lines_of(generate(net).batch) if not h]
    assert months == [SEP, OCT]


def test_a_death_after_a_payment_lists_the_overpayment(net: Network, disability: None) -> None:
    e = entitlement(net, since="2026-10-01")
    pay(net, generate(net, "2026-10").batch)
    pay(net, generate(net, "2026-11").batch)
    ended, found = services.record_death(actor=net.users["city_staff"], id_hash=e.beneficiary_id_hash,
                                         died_on=dt.date(2026, 10, 2), source="公安死亡名单")  # fmt: skip
    assert [x.pk for x in ended] == [e.pk]
    assert [(o.line.period, o.amount, o.state) for o in found] == [(NOV, Decimal("2000.00"), "open")]
    # recorded again: nothing more
    assert services.record_death(actor=net.users["city_staff"], id_hash=e.beneficiary_id_hash,
                                 died_on=dt.date(2026, 10, 2), source="民政") == ([], [])  # fmt: skip


def test_a_month_that_has_not_begun_is_refused(net: Network) -> None:
    with pytest.raises(ValidationError) as exc:
        generate_batch(actor=net.users["city_staff"], period="2026-12", today=dt.date(2026, 11, 30))
    assert exc.value.error_dict["period"][0].code == "future"


@pytest.mark.parametrize("period", ["2026-13", "11/2026", "", "2026-1x", "二〇二六年"])
def test_a_malformed_month_is_refused(net: Network, period: str) -> None:
    with pytest.raises(ValidationError) as exc:
        generate_batch(actor=net.users["city_staff"], period=period)
    assert exc.value.error_dict["period"][0].code == "period"


def test_an_earlier_month_than_the_last_batch_is_refused(net: Network, disability: None) -> None:
    entitlement(net, since="2026-10-01")
    generate(net, "2026-11")
    with pytest.raises(ValidationError) as exc:
        generate(net, "2026-10")
    assert exc.value.error_dict["period"][0].code == "earlier_month"


def test_a_checked_batch_takes_no_more_lines(net: Network, disability: None) -> None:
    entitlement(net, since="2026-11-01")
    batch = generate(net).batch
    act(actor=net.users["city_staff"], task=batch.case.tasks.get(status=Task.Status.OPEN), action="checked")
    entitlement(net, since="2026-11-01")
    with pytest.raises(ValidationError) as exc:
        generate(net)
    assert exc.value.error_dict["period"][0].code == "batch_closed"


@pytest.mark.parametrize("who", ["town_staff", "village_staff", "auditor"])
def test_only_the_bureau_generates(net: Network, who: str) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        generate(net, who=who)


def test_nobody_active_and_confirmed_is_left_out_without_a_reason(net: Network, disability: None) -> None:
    standard("war_participant", "800.00")
    people = [entitlement(net, since=f"2026-{m:02d}-01") for m in (1, 6, 11)]
    people += [entitlement(net, code="war_participant", since="2026-03-01", confirmed_year=y) for y in (2025, 2026)]
    batch = generate(net).batch
    for e in people:
        e.refresh_from_db()
        this_month = batch.lines.filter(entitlement=e, period=NOV)
        assert this_month.filter(held_reason="").exists() or this_month.exclude(held_reason="").exists(), e


def test_a_back_dated_standard_pays_no_difference_for_a_month_after_the_death(net: Network, disability: None) -> None:
    e = entitlement(net, since="2026-09-01")
    pay(net, generate(net, "2026-09").batch)
    pay(net, generate(net, "2026-10").batch)
    services.record_death(actor=net.users["city_staff"], id_hash=e.beneficiary_id_hash, died_on=dt.date(2026, 9, 15),
                          source="民政")  # fmt: skip
    standard("disability", "2150.00", "2026-09-01", grade=6, cause="war",
             published=dt.datetime(2026, 11, 5, 10, tzinfo=dt.UTC))  # fmt: skip
    nov = generate(net, "2026-11").batch
    assert lines_of(nov) == [(e.pk, SEP, LineKind.ADJUSTMENT, Decimal("150.00"), "")]


# --- what a fresh review found: each a way money could have gone wrong ---------------------------------------------


def test_a_death_recorded_later_does_not_release_the_months_another_reason_held(net: Network, disability: None) -> None:
    e = entitlement(net, since="2026-09-01")
    services.suspend(actor=net.users["city_staff"], entitlement=e, reason="户籍核查")
    generate(net, "2026-09")
    services.record_death(actor=net.users["city_staff"], id_hash=e.beneficiary_id_hash, died_on=dt.date(2026, 10, 14),
                          source="民政")  # fmt: skip
    assert [h for *_rest, h in lines_of(generate(net, "2026-11").batch) if not h] == []


def test_a_death_recorded_after_generation_takes_later_months_out_of_a_draft(net: Network, disability: None) -> None:
    e = entitlement(net, since="2026-10-01")
    batch = generate(net, "2026-11").batch
    services.record_death(actor=net.users["city_staff"], id_hash=e.beneficiary_id_hash, died_on=dt.date(2026, 10, 2),
                          source="公安")  # fmt: skip
    standing = batch.lines.filter(held_reason="", reverses__isnull=True, reversed_by__isnull=True)
    assert [line.period for line in standing] == [OCT]


def test_a_death_recorded_after_approval_lists_the_later_months_to_recover(net: Network, disability: None) -> None:
    e = entitlement(net, since="2026-11-01")
    batch = generate(net, "2026-11").batch
    for step, action, who in (("check", "checked", "city_staff"), ("approve", "approve", "city_admin")):
        act(actor=net.users[who], task=batch.case.tasks.get(step=step, status=Task.Status.OPEN), action=action)
    _ended, found = services.record_death(actor=net.users["city_staff"], id_hash=e.beneficiary_id_hash,
                                          died_on=dt.date(2026, 10, 2), source="公安")  # fmt: skip
    assert [(o.line.period, o.state) for o in found] == [(NOV, "open")]
    # the bank then fails the line: nothing was paid out, so nothing is to recover
    batch, lines = payable_lines(actor=net.users["city_staff"], batch=batch)
    line = lines.get()
    failed = [Result(line.reference, line.amount, False, "户名不符")]
    record_return(actor=net.users["city_staff"], batch=batch, name="回盘.xlsx", sha256="f" * 64, results=failed,
                  count=1, total=line.amount)  # fmt: skip
    found[0].refresh_from_db()
    assert found[0].state == "void"


def test_a_line_failed_before_the_entitlement_ended_is_not_resent(net: Network, disability: None) -> None:
    e = entitlement(net, since="2026-09-01")
    pay(net, generate(net, "2026-09").batch)
    pay(net, generate(net, "2026-10").batch, failed={reference(e.pk, OCT, "base", 1): "账户已销户"})
    services.end(actor=net.users["city_staff"], entitlement=e, last_month=SEP, reason="取消资格")
    assert not generate(net, "2026-11").batch.lines.filter(kind=LineKind.RESEND).exists()


def test_ending_back_dated_lists_the_months_paid_after_it(net: Network, disability: None) -> None:
    e = entitlement(net, since="2026-09-01")
    pay(net, generate(net, "2026-09").batch)
    pay(net, generate(net, "2026-10").batch)
    services.end(actor=net.users["city_staff"], entitlement=e, last_month=SEP, reason="资格复核不符")
    assert [(o.line.period, o.died_on) for o in e.overpayments.all()] == [(OCT, None)]


def test_a_new_entitlement_of_the_same_program_does_not_pay_the_old_ones_months_again(net: Network) -> None:
    standard("disability", "2000.00", grade=6, cause="war")
    standard("disability", "2500.00", grade=5, cause="war")
    old = entitlement(net, since="2026-09-01")
    pay(net, generate(net, "2026-09").batch)
    pay(net, generate(net, "2026-10").batch)
    services.end(actor=net.users["city_staff"], entitlement=old, last_month=OCT, reason="等级调整")
    new = entitlement(net, since="2026-09-01", grade=5, veteran=old.veteran)
    assert lines_of(generate(net, "2026-11").batch) == [(new.pk, NOV, LineKind.REGULAR, Decimal("2500.00"), "")]


def test_generating_again_shows_a_held_line_once(net: Network, disability: None) -> None:
    entitlement(net, since="2026-11-01", confirmed_year=2025)
    for _ in range(3):
        batch = generate(net).batch
    assert batch.lines.count() == 1
