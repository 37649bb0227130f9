"""抚恤补助 on the cockpit: what the bank paid, by month and program, agrees with the year's figures page; held
lines by reason; overpayments found and settled; every write of the lines makes its regions stale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils.translation import gettext

from accounts.testing import Network
from benefits import entitlements as services
from benefits.figures import paid_figures
from benefits.models import HeldReason, Overpayment, PaymentLine
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


def listed(client: Any, url: str) -> tuple[int, Decimal, set[int]]:
    """What a list page of lines or overpayments says: its count, its sum and the lines on its page."""
    page = client.get(url)
    assert page.status_code == 200, url
    context = page.context
    if "count" in context:
        return context["count"], context["total"], {row.pk for row in context["rows"]}
    rows = context["rows"]
    return len(rows), sum((row.amount for row in rows), Decimal("0.00")), {row.line_id for row in rows}


def test_each_figure_links_to_its_records_and_they_add_up_to_it(net: Network, paid_twice: dict[str, Any]) -> None:
    services.record_death(actor=net.users["city_staff"], id_hash=paid_twice["east"].beneficiary_id_hash,
                          died_on=dt.date(2026, 10, 2), source="公安死亡名单")  # fmt: skip
    build.rebuild(KEYS)
    client = net.client("city_staff")
    paid = INDICATORS["benefits.paid"]
    rows = [*selectors.breakdown(paid, net.city, "2026"), *selectors.breakdown(paid, net.city, "2026", "period"),
            *selectors.breakdown(paid, net.danghu, "2026", "program")]  # fmt: skip
    assert len(rows) >= 5 and all(row.records for row in rows)
    for row in rows:
        count, total, _lines = listed(client, row.records)
        assert (count, total) == (row.values.get("lines", 0), row.values.get("amount", Decimal("0.00"))), row.key
    held = selectors.breakdown(INDICATORS["benefits.held"], net.danghu, "2026", "reason")
    assert [r.key for r in held] == [HeldReason.UNCONFIRMED]
    count, total, _lines = listed(client, held[0].records)
    assert (count, total) == (2, Decimal("4000.00"))
    found = selectors.breakdown(INDICATORS["benefits.overpayments"], net.city, "2026")
    by_town = {r.key: r for r in found}
    count, total, lines = listed(client, by_town[net.danghu.code].records)
    danghu = by_town[net.danghu.code].values
    assert (count, total) == (danghu["count"], danghu["amount"]) == (1, Decimal("2000.00"))
    assert lines == set(Overpayment.objects.values_list("line_id", flat=True))
    assert listed(client, by_town[net.zhapu.code].records)[0] == 0


def test_the_list_of_lines_is_the_users_area_and_refuses_a_bad_filter(net: Network, paid_twice: dict[str, Any]) -> None:
    town = net.client("other_town_staff")  # 乍浦镇
    count, total, lines = listed(town, "/benefits/lines/")
    assert (count, total) == (2, Decimal("4000.00"))
    assert {line.region_code for line in PaymentLine.objects.filter(pk__in=lines)} == {net.other_grid.code}
    # another town's lines are not listed, whatever the filter says
    page = town.get("/benefits/lines/", {"region": net.danghu.code})
    assert page.status_code == 400 and page.context["rows"] == []
    assert gettext("No region of your area has this code.") in page.content.decode()
    page = town.get("/benefits/overpayments/", {"region": net.danghu.code})
    assert page.status_code == 400
    for bad in ({"period": "2026-13"}, {"period": "2026Q5"}, {"show": "everything"}, {"reason": "x"},
                {"program": "999999"}, {"cursor": "junk"}):  # fmt: skip
        page = net.client("city_staff").get("/benefits/lines/", bad)
        assert page.status_code == 400, bad
    page = net.client("city_staff").get("/benefits/lines/", {"period": "2026-13"})
    assert "2026Q1" in page.content.decode()  # the error says what a period is, at its field


def test_the_api_lists_the_lines_behind_a_figure(net: Network, paid_twice: dict[str, Any]) -> None:
    api = net.api_client("city_staff")
    found = api.get("/api/v1/benefit-lines", {"region": net.danghu.code, "period": "2026-10"}).json()
    assert (found["count"], found["total"]) == (1, "2000.00") and len(found["items"]) == 1
    found = api.get("/api/v1/benefit-lines", {"show": "held", "reason": HeldReason.UNCONFIRMED}).json()
    assert found["count"] == 2 and {i["held_reason"] for i in found["items"]} == {HeldReason.UNCONFIRMED}
    everything = api.get("/api/v1/benefit-lines", {"show": "all", "period": "2026Q4", "program": "disability"})
    assert everything.json()["count"] == PaymentLine.objects.count() == 6
    town = net.api_client("other_town_staff")
    assert town.get("/api/v1/benefit-lines").json()["count"] == 2
    refused = town.get("/api/v1/benefit-lines", {"region": net.danghu.code})
    assert refused.status_code == 400 and "unknown_region" in refused.content.decode()
    for bad in ({"period": "2026-00"}, {"show": "x"}, {"reason": "x"}, {"program": "nothing"}):
        assert api.get("/api/v1/benefit-lines", bad).status_code == 400, bad
