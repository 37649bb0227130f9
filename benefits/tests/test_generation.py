"""Generating a month's batch: the lines, the held reasons, back-pay, differences and resends."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.testing import Network
from benefits.generation import generate_batch
from benefits.models import HeldReason, LineKind, PaymentLine
from benefits.tests.helpers import entitlement, standard

pytestmark = pytest.mark.django_db

NOV = dt.date(2026, 11, 1)
TODAY = dt.date(2026, 11, 20)


def generate(net: Network, period: str = "2026-11", who: str = "city_staff"):
    return generate_batch(actor=net.users[who], period=period, today=TODAY)


def test_one_line_per_entitlement_at_the_standard_in_force(net: Network) -> None:
    standard("disability", "2000.00", grade=6, cause="war")
    standard("disability", "2100.00", "2026-10-01", grade=6, cause="war")
    a = entitlement(net, since="2026-11-01")
    result = generate(net)
    lines = list(PaymentLine.objects.filter(batch=result.batch))
    assert [(line.entitlement_id, line.period, line.amount, line.kind, line.held_reason) for line in lines] == [
        (a.pk, NOV, Decimal("2100.00"), LineKind.REGULAR, "")
    ]
    assert lines[0].reference == f"{a.pk}-202611-B-1"
    # again: nothing more
    again = generate(net)
    assert again.added == 0 and again.batch.pk == result.batch.pk
    assert PaymentLine.objects.count() == 1


def test_months_since_the_start_are_back_paid(net: Network) -> None:
    standard("disability", "2000.00", grade=6, cause="war")
    entitlement(net, since="2026-09-01")
    result = generate(net)
    kinds = sorted((line.period, line.kind) for line in result.batch.lines.all())
    assert kinds == [(dt.date(2026, 9, 1), "arrears"), (dt.date(2026, 10, 1), "arrears"), (NOV, "regular")]
    assert result.total == Decimal("6000.00")


def test_held_reasons(net: Network) -> None:
    standard("disability", "2000.00", grade=6, cause="war")
    unconfirmed = entitlement(net, since="2026-11-01", confirmed_year=2025)
    differs = entitlement(net, since="2026-11-01", agreed_amount=Decimal("1999.00"))
    shared = entitlement(net, since="2026-11-01", account="621700000000000999")
    shared2 = entitlement(net, since="2026-11-01", account="621700000000000999")
    result = generate(net)
    held = dict(result.batch.lines.values_list("entitlement_id", "held_reason"))
    assert held == {
        unconfirmed.pk: HeldReason.UNCONFIRMED,
        differs.pk: HeldReason.AMOUNT_DIFFERS,
        shared.pk: HeldReason.SHARED_ACCOUNT,
        shared2.pk: HeldReason.SHARED_ACCOUNT,
    }
    assert result.added == 0 and result.held == 4


def test_future_month_refused(net: Network) -> None:
    with pytest.raises(ValidationError) as exc:
        generate(net, "2026-12")
    assert exc.value.error_dict["period"][0].code == "future"
