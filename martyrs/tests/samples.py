"""A martyr, a family member, a facility and an upkeep row in a region, for the generated access test."""

from __future__ import annotations

import itertools

from accounts.testing import Network, sample
from martyrs.models import Martyr, MartyrFamily, Memorial, Upkeep
from martyrs.tests.helpers import family, martyr, memorial, upkeep
from regions.models import Region

_n = itertools.count(1)


@sample(Martyr)
def martyr_in(net: Network, region: Region) -> Martyr:
    return martyr(net.users["city_staff"], region)


@sample(MartyrFamily)
def family_in(net: Network, region: Region) -> MartyrFamily:
    return family(net.users["city_staff"], region)


@sample(Memorial)
def memorial_in(net: Network, region: Region) -> Memorial:
    return memorial(net.users["city_staff"], region, name=f"纪念碑{next(_n)}")


@sample(Upkeep)
def upkeep_in(net: Network, region: Region) -> Upkeep:
    return upkeep(net.users["city_staff"], memorial_in(net, region))
