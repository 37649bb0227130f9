"""A register's list narrowed to an area (``?region=``), as the cockpit's figures link to their records: only that
area's subjects, said on the page; a region outside the user's scope is refused and narrows nothing."""

from __future__ import annotations

import pytest

from accounts.testing import Network
from petitions.tests.helpers import register_petition

pytestmark = pytest.mark.django_db


def test_a_list_narrowed_to_an_area(net: Network) -> None:
    here = register_petition(net, region_code=net.village.code)
    there = register_petition(net, region_code=net.other_village.code)
    client = net.client("city_staff")
    page = client.get("/petitions/", {"region": net.zhapu.code}).content.decode()
    assert there.case.number in page and here.case.number not in page
    assert net.zhapu.name in page  # the page says which area it lists
    both = client.get("/petitions/").content.decode()
    assert here.case.number in both and there.case.number in both
    with_filter = client.get("/petitions/", {"region": net.danghu.code, "channel": "visit"}).content.decode()
    assert here.case.number in with_filter and there.case.number not in with_filter


def test_a_region_outside_the_scope_is_refused(net: Network) -> None:
    register_petition(net, region_code=net.village.code)
    there = register_petition(net, region_code=net.other_village.code)
    town = net.client("town_staff")
    refused = town.get("/petitions/", {"region": net.zhapu.code})
    assert refused.status_code == 400
    assert there.case.number not in refused.content.decode()
    assert town.get("/petitions/", {"region": "x" * 40}).status_code == 400
