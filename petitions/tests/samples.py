"""A petition in a region, for the generated access test."""

from __future__ import annotations

from accounts.testing import Network, sample
from petitions.models import Petition
from petitions.tests.helpers import register_petition
from regions.models import Region


@sample(Petition)
def petition_in(net: Network, region: Region) -> Petition:
    return register_petition(net, region_code=region.code)
