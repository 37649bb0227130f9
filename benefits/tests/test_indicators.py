"""抚恤补助 on the cockpit: what the bank paid, by month and program, agrees with the year's figures page; held
lines by reason; overpayments found and settled; every write of the lines makes its regions stale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from accounts.testing import Network
from benefits import entitlements as services
from benefits.figures import paid_figures
from benefits.models import HeldReason, Overpayment
from benefits.tests.helpers import entitlement, program, standard
from benefits.tests.test_generation import generate, pay
from cockpit import build, selectors
from cockpit.kit import INDICATORS
from cockpit.models import Dirty
from cockpit.testing import disagreements

pytestmark = pytest.mark.django_db

KEYS = ["benefits.paid", "benefits.held", "benefits.overpayments"]


def areas(net: Network) -> list[Any]:
    return [net.city, net.danghu, net.zhapu, net.village, net.other_village, net.grid, net.other_grid]


def figure(region: Any, key: str, period: str = "2026") -> dict[str, Decimal]:
    found = selectors.overview(region, period, [key])[0]
    return {m.key: found.measure(m.key) for m in found.indicator.measures}


def by(region: Any, key: str, dim: str, measure: str, period: str = "2026") -> dict[str, Decimal]:
    return {r.key: r.values.get(measure, Decimal(0))
            for r in selectors.breakdown(INDICATORS[key], region, period, by=dim)}  # fmt: skip


def agrees_with_the_year_figures(net: Network) -> None:
    """The cockpit says what the year's figures page says, to the fen, by program and by month."""
    page = paid_figures(user=net.users["city_staff"], year=2026)
    assert figure(net.city, "benefits.paid")["amount"] == page.by_program.total
    assert figure(net.city, "benefits.paid")["lines"] == page.by_program.count
    assert by(net.city, "benefits.paid", "program", "amount") == {r.key: r.amount for r in page.by_program.rows}
    months = {r.label: r.amount for r in page.by_month.rows if r.count}
    assert by(net.city, "benefits.paid", "period", "amount") == months


@pytest.fixture
def paid_twice(net: Network) -> dict[str, Any]:
    standard("disability", "2000.00", grade=6, cause="war")
    made = {
        "east": entitlement(net, net.village, since="2026-10-01"),
        "bay": entitlement(net, net.other_grid, since="2026-10-01"),
        "unconfirmed": entitlement(net, net.grid, since="2026-10-01", confirmed_year=2025),
    }
    pay(net, generate(net, "2026-10").batch)
    pay(net, generate(net, "2026-11").batch)
    return made


def test_what_the_bank_paid_is_counted_by_area_month_and_program(net: Network, paid_twice: dict[str, Any]) -> None:
    build.rebuild(KEYS)
    disability = str(program("disability").pk)
    assert figure(net.city, "benefits.paid") == {"amount": Decimal("8000.00"), "people": 2, "lines": 4}
    assert figure(net.danghu, "benefits.paid") == {"amount": Decimal("4000.00"), "people": 1, "lines": 2}
    assert figure(net.other_grid, "benefits.paid") == {"amount": Decimal("4000.00"), "people": 1, "lines": 2}
    assert figure(net.grid, "benefits.paid")["lines"] == 0
    assert figure(net.city, "benefits.paid", "2026-10") == {"amount": Decimal("4000.00"), "people": 2, "lines": 2}
    assert by(net.city, "benefits.paid", "program", "amount") == {disability: Decimal("8000.00")}
    assert figure(net.city, "benefits.held") == {"lines": 2, "amount": Decimal("4000.00")}
    assert by(net.danghu, "benefits.held", "reason", "lines") == {HeldReason.UNCONFIRMED: 2}
    assert figure(net.zhapu, "benefits.held")["lines"] == 0
    assert figure(net.city, "benefits.overpayments")["count"] == 0
    agrees_with_the_year_figures(net)
    assert disagreements(areas(net), KEYS) == []


def test_each_write_of_the_lines_is_stale_until_the_refresh(
    net: Network, paid_twice: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    build.rebuild(KEYS)
    staff = net.users["city_staff"]
    with django_capture_on_commit_callbacks(execute=True):
        batch = generate(net, "2026-12").batch  # generated: one more held line
    assert Dirty.objects.filter(indicator="benefits.held", region_code=net.grid.code).exists()
    with django_capture_on_commit_callbacks(execute=True):
        pay(net, batch)  # checked, approved, reconciled
    with django_capture_on_commit_callbacks(execute=True):
        services.record_death(actor=staff, id_hash=paid_twice["east"].beneficiary_id_hash,
                              died_on=dt.date(2026, 10, 2), source="公安死亡名单")  # fmt: skip
    first = Overpayment.objects.order_by("line__period").first()
    assert first is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.overpayment_settle(actor=staff, overpayment=first, state="recovered", on=dt.date(2026, 12, 1))

    # as of the last build
    assert figure(net.city, "benefits.paid")["amount"] == Decimal("8000.00")
    assert figure(net.city, "benefits.overpayments")["count"] == 0
    assert disagreements(areas(net), KEYS) != []

    build.refresh()
    assert figure(net.city, "benefits.paid") == {"amount": Decimal("12000.00"), "people": 2, "lines": 6}
    assert figure(net.city, "benefits.paid", "2026-12")["amount"] == Decimal("4000.00")
    assert figure(net.danghu, "benefits.held")["lines"] == 3
    assert figure(net.village, "benefits.overpayments") == {
        "count": 2, "amount": Decimal("4000.00"), "settled": 1, "recovered": Decimal("2000.00"),
        "open": Decimal("2000.00"),
    }  # fmt: skip
    assert figure(net.zhapu, "benefits.overpayments")["count"] == 0
    agrees_with_the_year_figures(net)
    assert disagreements(areas(net), KEYS) == []
