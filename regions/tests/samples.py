"""A region and a station in a region, for the generated access test."""

from __future__ import annotations

from accounts.testing import Network, sample
from regions.models import Level, Region, Station


@sample(Region)
def region_in(net: Network, region: Region) -> Region:
    return region


@sample(Station)
def station_in(net: Network, region: Region) -> Station:
    """The region's station; a grid has none (老兵壹家 is no station), so a grid's is its village's."""
    holder = region.parent if region.level == Level.GRID else region
    return Station.objects.get(region=holder)
