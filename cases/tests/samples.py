"""A 一件事 case in a region, for the generated access test."""

from __future__ import annotations

from accounts.testing import Network, sample
from cases.models import LifeCase
from cases.services import life_case_open
from regions.models import Region
from veterans.tests.factories import register


@sample(LifeCase)
def life_case_in(net: Network, region: Region) -> LifeCase:
    veteran = register(net.users["city_admin"], region, name="样本老兵")
    return life_case_open(actor=net.users["city_admin"], veteran=veteran, stage="reporting")
