"""A points entry and a ledger row in a region, for the generated access test."""

from __future__ import annotations

from accounts.testing import Network, sample
from points.entries import book_entry
from points.models import Entry, PointEntry
from points.tests.helpers import submit
from regions.models import Region
from veterans.tests.factories import register as register_veteran


@sample(Entry)
def entry_in(net: Network, region: Region) -> Entry:
    veteran = register_veteran(net.users["city_staff"], region)
    return submit(net.users["city_staff"], [veteran])


@sample(PointEntry)
def row_in(net: Network, region: Region) -> PointEntry:
    """A booked award (the ledger's correction and cancellation pages)."""
    entry = entry_in(net, region)
    return book_entry(actor=net.users["city_staff"], entry=entry)[0]
