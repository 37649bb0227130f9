"""A ranking and an objection in a region, for the generated access test.

The ranking's case is at the sample region itself (a frozen ranking is a town's or the city's, but the
generated test works out who may see it from the case's region alone; the upward rule, that a village
station sees its town's ranking, is asserted in ``test_ranking_pages``)."""

from __future__ import annotations

from accounts.testing import Network, sample
from points.models import Objection, Ranking
from points.process import OBJECTION, RANKING
from regions.models import Region
from veterans.tests.factories import register as register_veteran
from workflow.services import open_case


@sample(Ranking)
def ranking_in(net: Network, region: Region) -> Ranking:
    made = Ranking.objects.filter(quarter="2026Q1", region_code=region.code).first()
    if made is not None:
        return made
    case = open_case(
        actor=net.users["city_staff"], process=RANKING, title="2026Q1", region_code=region.code,
        owner_code=region.code, data={"dates": {"notice": "2026-04-01"}}, subject={"quarter": "2026Q1"},
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
