"""The benefits demo: a year of batches for Pinghu that pays the seed page's 2216.7824 万元 to the yuan."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.testing import TEST_PASSWORD
from benefits.demo import (
    MAX_RECOGNISED,
    PERIODS,
    TARGET,
    Row,
    closing,
    expected,
    load_benefits_demo,
    paid_in_year,
)
from benefits.models import (
    Batch,
    BatchState,
    Entitlement,
    HeldReason,
    LineKind,
    LineOutcome,
    Overpayment,
    PaymentLine,
    Standard,
)
from benefits.standards import add_months
from cockpit.report import CALIBRATED, LINES, annual_report, parse_year
from regions.demo import CITY_CODE
from regions.models import Region
from veterans.models import Veteran

pytestmark = pytest.mark.django_db


def test_the_demo_pays_the_seed_pages_year_and_shows_every_kind_of_line() -> None:
    # The whole Pinghu demo (20,000 veterans): the beneficiaries are drawn from it.
    out = StringIO()
    call_command("demo", "--password", TEST_PASSWORD, stdout=out)
    assert "benefits entitlements" in out.getvalue()

    assert paid_in_year() == TARGET == Decimal("22167824.00")
    # the annual report of the demo's year (the demo ends with the cockpit's rebuild) shows every figure the
    # demo is calibrated to as the seed page publishes it
    report = annual_report(Region.objects.get(code=CITY_CODE), parse_year(f"{PERIODS[-1]:%Y-%m}"))
    calibrated = {line.key: line.published for line in LINES if line.demo == CALIBRATED}
    assert {f.line.key: f.shown for f in report.figures if f.line.key in calibrated} == calibrated
    assert calibrated["pensions"] == "2216.7824" and len(calibrated) == 6
    # the veterans first paid during the year (the last few recognised in it) are in the registry's category
    # from the month before
    recognised = Entitlement.objects.filter(
        from_month__gt=PERIODS[0],
        family_member=None,
        program__code__in=["war_participant", "sick_returned", "disability"],
    )
    assert recognised.exists()
    for entitlement in recognised:
        before = add_months(entitlement.from_month, -1)
        category = entitlement.veteran.categories.get(start_date__range=(before, entitlement.from_month))
        assert category.disability_grade == (entitlement.grade or None)
    # November's two failed lines wait for December's batch (a draft of this month's, when it is December)
    last = LineOutcome.objects.filter(outcome="failed", line__batch__period=PERIODS[-1])
    assert last.count() == 2
    later = PaymentLine.objects.filter(resend_of__in=last.values("line")).values_list("batch__period", flat=True)
    assert all(period > PERIODS[-1] for period in later)

    batches = Batch.objects.filter(period__in=PERIODS)
    assert batches.count() == 12 and set(batches.values_list("state", flat=True)) == {BatchState.RECONCILED}
    assert {b.checked_by.username for b in batches} == {"city_staff"}  # type: ignore[union-attr]
    assert {b.approved_by.username for b in batches} == {"city_admin"}  # type: ignore[union-attr]

    disabled = Entitlement.objects.filter(program__code="disability").count()
    assert 120 <= disabled <= 180  # about 150, as on the seed page
    held = set(PaymentLine.objects.exclude(held_reason="").values_list("held_reason", flat=True))
    assert {HeldReason.UNCONFIRMED, HeldReason.AMOUNT_DIFFERS, HeldReason.INVALID_ID, HeldReason.SUSPENDED,
            HeldReason.SHARED_ACCOUNT} <= held  # fmt: skip

    overpayment = Overpayment.objects.get()
    assert overpayment.line.period > overpayment.died_on and overpayment.line.outcome.outcome == "paid"

    failed = LineOutcome.objects.filter(outcome="failed", line__batch__period__lt=PERIODS[-1])
    resends = PaymentLine.objects.filter(kind=LineKind.RESEND)
    assert failed.count() >= 2 * 11 and resends.count() >= failed.count()
    assert set(resends.values_list("resend_of", flat=True)) >= set(failed.values_list("line", flat=True))
    # August pays the raise of April (published in August) for April to July, each month its own line
    august = PaymentLine.objects.filter(batch__period__month=8, kind=LineKind.ADJUSTMENT, held_reason="")
    assert set(august.values_list("period__month", flat=True)) == {4, 5, 6, 7}
    assert all(line.amount > Decimal("0") for line in august[:50])

    # Loaded once: again, nothing is added.
    counts = (Standard.objects.count(), Entitlement.objects.count(), PaymentLine.objects.count())
    users = {u.username: u for u in User.objects.filter(username__in=["city_admin", "city_staff"])}
    assert load_benefits_demo(users) == {}
    assert (Standard.objects.count(), Entitlement.objects.count(), PaymentLine.objects.count()) == counts


@pytest.mark.parametrize("gap", ["20000.00", "23456.50", "27183.00", "31035.50", "0.00"])
def test_the_few_recognised_during_the_year_close_a_gap_to_the_yuan(gap: str) -> None:
    closers = closing(Decimal(gap))
    assert closers is not None and len(closers) <= MAX_RECOGNISED
    paid = sum((expected(Row(Veteran(), program, grade, cause, from_month=month))
                for program, grade, cause, month in closers), Decimal("0.00"))  # fmt: skip
    assert paid == Decimal(gap)
    assert all(PERIODS[0] < month <= PERIODS[-1] for *_rest, month in closers)


@pytest.mark.parametrize("gap", ["100.25", "-934.50"])
def test_a_gap_no_year_of_payments_can_make_is_not_closed(gap: str) -> None:
    assert closing(Decimal(gap)) is None
