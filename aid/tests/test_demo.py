"""The hardship aid demo: donations, applications at every stage and a ceremony, through the services; once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.testing import Network
from aid.demo import APPLICATIONS, load_aid_demo
from aid.figures import stages
from aid.models import Application, Ceremony, Fund
from veterans.tests.factories import register as register_veteran

pytestmark = pytest.mark.django_db


def test_the_demo_loads_every_stage_once(net: Network) -> None:
    for _n in APPLICATIONS:
        register_veteran(net.users["city_staff"], net.grid)
    users = {u.username: u for u in net.users.values()}
    added = load_aid_demo(users, net.village.code)
    assert added["hardship aid applications"] == len(APPLICATIONS) and added["grants paid at a ceremony"] == 2
    assert stages(net.users["city_staff"]) == {"check": 1, "approve": 1, "approved": 1, "paid": 2, "refused": 1,
                                              "withdrawn": 0}  # fmt: skip
    assert Fund.objects.get().balance == Decimal("252000.00") - Decimal("15000.00") - Decimal("8000.00")
    assert Ceremony.objects.count() == 1
    assert load_aid_demo(users, net.village.code) == {} and Application.objects.count() == len(APPLICATIONS)
