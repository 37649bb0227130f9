"""The benefits demo: a year of batches for Pinghu that pays the seed page's 2216.7824 万元 (within 1%)."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.testing import TEST_PASSWORD
from benefits.demo import PERIODS, TARGET, load_benefits_demo, paid_in_year
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

pytestmark = pytest.mark.django_db


def test_the_demo_pays_the_seed_pages_year_and_shows_every_kind_of_line() -> None:
    # The whole Pinghu demo (20,000 veterans): the beneficiaries are drawn from it.
    out = StringIO()
    call_command("demo", "--password", TEST_PASSWORD, stdout=out)
    assert "benefits entitlements" in out.getvalue()

    total = paid_in_year()
    assert abs(total - TARGET) <= TARGET / 100, (total, TARGET)

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
