"""A points entry and a booked ledger row in a region, for the generated access test."""

from __future__ import annotations

from accounts.roles import Role
from accounts.testing import Network, UserFactory, sample
from points.models import Entry, PointEntry
from points.tests.helpers import decide, submit
from regions.models import Level, Region, ancestor_code
from veterans.tests.factories import register as register_veteran


@sample(Entry)
def entry_in(net: Network, region: Region) -> Entry:
    """An entry of a veteran of the region, waiting for the village's approval."""
    veteran = register_veteran(net.users["city_staff"], region)
    return submit(net.users["city_staff"], [veteran])


def village_approver(region: Region) -> object:
    """The village station's staff of the region (the network has one only in the first village)."""
    village = Region.objects.get(code=ancestor_code(region.code, Level.VILLAGE))
    return UserFactory(username=f"approver{village.code}", role=Role.VILLAGE_STAFF, scope_region=village)


@sample(PointEntry)
def ledger_row_in(net: Network, region: Region) -> PointEntry:
    """An award booked for a veteran of the region: an entry approved by its village."""
    veteran = register_veteran(net.users["city_staff"], region)
    entry = submit(net.users["city_staff"], [veteran])
    decide(entry, village_approver(region))
    return PointEntry.objects.get(entry=entry)  # type: ignore[no-any-return]
