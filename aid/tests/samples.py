"""A hardship application, a ledger row of the fund and a ceremony in a region, for the generated access test.

The fund is the city's: its donations are given for the sample's region (a donation may name the area it is
for), and a ceremony belongs to the city, so the other region's ceremony is the city's second one."""

from __future__ import annotations

from accounts.testing import Network, sample
from aid.models import Application, Ceremony, FundEntry
from aid.tests.helpers import approved, donate, hold, propose
from regions.models import Region


@sample(Application)
def application_in(net: Network, region: Region) -> Application:
    """An application of a veteran of the region, waiting for its town's check."""
    return propose(net, region)


@sample(FundEntry)
def donation_in(net: Network, region: Region) -> FundEntry:
    return donate(net, "500", region=region.code)


@sample(Ceremony)
def ceremony_in(net: Network, region: Region) -> Ceremony:
    """A ceremony that paid an approved application of the region."""
    donate(net, "5000")
    return hold(net, approved(net, region, "1000"))
