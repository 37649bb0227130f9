"""帮扶基金 on the cockpit: the balance, the money in and out by month as ``aid.figures.fund_flows`` counts it, and
the applications by stage as ``aid.figures.stages`` names them; a donation, a ceremony, a reversal or a step is
stale until the refresh."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import Network
from aid.figures import fund_flows, stages
from aid.models import Fund
from aid.services import entry_reverse
from aid.tests.helpers import approved, donate, hold, propose, step, town_staff
from cockpit import build, selectors
from cockpit.kit import INDICATORS
from cockpit.models import Dirty
from cockpit.testing import disagreements

pytestmark = pytest.mark.django_db

KEYS = ["aid.fund", "aid.fund_flows", "aid.applications"]
TODAY = timezone.localdate()
YEAR = str(TODAY.year)


def areas(net: Network) -> list[Any]:
    return [net.city, net.danghu, net.zhapu, net.village, net.other_village, net.grid, net.other_grid]


def figure(region: Any, key: str, period: str = YEAR) -> dict[str, Decimal]:
    found = selectors.overview(region, period, [key])[0]
    return {m.key: found.measure(m.key) for m in found.indicator.measures}


def by_stage(region: Any) -> dict[str, int]:
    rows = selectors.breakdown(INDICATORS["aid.applications"], region, YEAR, by="stage")
    return {r.key: int(r.values["count"]) for r in rows}


def agrees_with_the_fund_pages(net: Network) -> None:
    fund = Fund.objects.get()
    assert figure(net.city, "aid.fund")["balance"] == fund.balance
    flows = fund_flows(fund, TODAY.year)
    assert figure(net.city, "aid.fund_flows") == {"in": flows["in"], "out": flows["out"]}
    month = flows["months"][TODAY.month - 1]
    assert figure(net.city, "aid.fund_flows", f"{TODAY:%Y-%m}") == {"in": month["in"], "out": month["out"]}
    live = {k: v for k, v in stages(net.users["city_staff"]).items() if v}
    assert by_stage(net.city) == live


@pytest.fixture
def fund(net: Network) -> dict[str, Any]:
    donate(net, "10000")
    paid = approved(net, net.grid, "3000")
    waiting = approved(net, net.other_grid, "2000", amount="1500")
    hold(net, paid)
    checking = propose(net, net.village, "800", need="living")
    return {"paid": paid, "waiting": waiting, "checking": checking}


def test_the_fund_and_the_applications_are_counted_as_the_fund_pages_count_them(
    net: Network, fund: dict[str, Any]
) -> None:
    build.rebuild(KEYS)
    assert figure(net.city, "aid.fund") == {"balance": Decimal("7000.00"), "donated": Decimal("10000.00"),
                                            "granted": Decimal("3000.00")}  # fmt: skip
    assert figure(net.grid, "aid.fund")["granted"] == Decimal("3000.00")  # a grant counts at the applicant's
    assert figure(net.zhapu, "aid.fund")["granted"] == 0
    assert figure(net.city, "aid.applications") == {"count": 3, "requested": Decimal("5800.00"),
                                                    "approved": Decimal("4500.00")}  # fmt: skip
    assert by_stage(net.city) == {"check": 1, "approved": 1, "paid": 1}
    assert by_stage(net.zhapu) == {"approved": 1}
    agrees_with_the_fund_pages(net)
    assert disagreements(areas(net), KEYS) == []


def test_a_donation_a_ceremony_a_reversal_or_a_step_is_stale_until_the_refresh(
    net: Network, fund: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    build.rebuild(KEYS)
    with django_capture_on_commit_callbacks(execute=True):
        gift = donate(net, "500")
    with django_capture_on_commit_callbacks(execute=True):
        hold(net, fund["waiting"], name="助困发放仪式")
    with django_capture_on_commit_callbacks(execute=True):
        entry_reverse(actor=net.users["city_staff"], entry=gift, reason="重复登记")
    with django_capture_on_commit_callbacks(execute=True):
        step(fund["checking"], town_staff(net, net.village), "forward")
    assert {net.other_grid.code, net.village.code} <= set(Dirty.objects.values_list("region_code", flat=True))
    assert figure(net.city, "aid.fund")["balance"] == Decimal("7000.00")  # as of the last build
    assert disagreements(areas(net), KEYS) != []

    build.refresh()
    assert figure(net.city, "aid.fund") == {"balance": Decimal("5500.00"), "donated": Decimal("10000.00"),
                                            "granted": Decimal("4500.00")}  # fmt: skip
    assert by_stage(net.city) == {"approve": 1, "paid": 2}
    agrees_with_the_fund_pages(net)
    assert disagreements(areas(net), KEYS) == []
