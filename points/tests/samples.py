"""A points entry, a booked ledger row, a ranking and an objection in a region, for the generated access test.

The ranking is the sample region's town's, as a frozen ranking is: a public notice (``seen_from_within``), so
the generated test expects the village station and the grid leader of the region to see it too, and the other
town's users not to."""

from __future__ import annotations

from accounts.roles import Role
from accounts.testing import Network, UserFactory, sample
from points.models import Entry, Objection, PointEntry, Ranking
from points.process import OBJECTION, RANKING
from points.tests.helpers import decide, submit
from regions.models import Level, Region, ancestor_code
from veterans.tests.factories import register as register_veteran
from workflow.services import open_case


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


@sample(Ranking)
def ranking_in(net: Network, region: Region) -> Ranking:
    town = ancestor_code(region.code, Level.TOWN)
    made = Ranking.objects.filter(quarter="2026Q1", region_code=town).first()
    if made is not None:
        return made
    case = open_case(
        actor=net.users["city_staff"], process=RANKING, title="2026Q1", region_code=town, owner_code=town,
        data={"dates": {"notice": "2026-04-01"}}, subject={"quarter": "2026Q1"},
    )  # fmt: skip
    return case.subject  # type: ignore[no-any-return]


@sample(Objection)
def objection_in(net: Network, region: Region) -> Objection:
    veteran = register_veteran(net.users["city_staff"], region)
    case = open_case(
        actor=net.users["city_staff"], process=OBJECTION, title=veteran.name, region_code=veteran.region_code,
        owner_code=region.code, veteran=veteran,
        subject={"ranking": ranking_in(net, region), "veteran": veteran, "claim": "积分有误"},
    )  # fmt: skip
    return case.subject  # type: ignore[no-any-return]
