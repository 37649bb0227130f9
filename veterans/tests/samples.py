"""A veteran and a family member in a region, for the generated access test."""

from __future__ import annotations

from accounts.testing import Network, sample
from regions.models import Region
from veterans.models import FamilyMember, Veteran
from veterans.services import family_member_add
from veterans.tests.factories import register


@sample(Veteran)
def veteran_in(net: Network, region: Region) -> Veteran:
    return register(net.users["city_admin"], region, name="样本老兵")


@sample(FamilyMember)
def family_member_in(net: Network, region: Region) -> FamilyMember:
    """The spouse of a veteran in the region: seen by whoever sees the veteran."""
    veteran = veteran_in(net, region)
    member: FamilyMember = family_member_add(actor=net.users["city_admin"], veteran=veteran,
                                             raw={"relation": "spouse", "name": "王芳"})  # fmt: skip
    return member
