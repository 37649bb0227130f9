"""The martyrs demo: 施奇烈士 as the page records her (nothing invented), synthetic martyrs marked as such, their
families in the registry with 一人一档 records, care's visits and needs, facilities with upkeep and 清明 visits;
loaded once, the same every time."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.testing import Network
from care.models import Need, Visit
from martyrs.demo import MARTYRS, load_martyrs_demo
from martyrs.models import Martyr, MartyrFamily, Memorial, Remembrance, Upkeep
from veterans.models import VeteranCategory

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_and_invents_nothing_about_shi_qi(net: Network) -> None:
    users = {u.username: u for u in net.users.values()}
    added = load_martyrs_demo(users, net.village.code)
    assert added["martyrs (1 real, the rest synthetic)"] == len(MARTYRS) + 1
    shi_qi = Martyr.objects.get(name="施奇")
    assert not shi_qi.synthetic and shi_qi.gender == "F" and shi_qi.native_place == "平湖"
    assert "《丹娘》" in shi_qi.deeds
    assert (shi_qi.birth_on, shi_qi.sacrificed_on, shi_qi.unit, shi_qi.place_of_sacrifice, shi_qi.memorial_id,
            shi_qi.burial_place) == (None, None, "", "", None, "")  # fmt: skip
    assert not shi_qi.family.exists()
    assert Martyr.objects.filter(synthetic=True).count() == len(MARTYRS)
    families = MartyrFamily.objects.select_related("veteran")
    assert families.count() >= len(MARTYRS)
    assert all(VeteranCategory.objects.filter(veteran=f.veteran, category="martyr_family").exists() for f in families)
    assert families.filter(responsible__isnull=False).count() > families.count() // 2
    assert all(f.living for f in families)
    assert Visit.objects.filter(veteran__martyr_links__isnull=False).exists() and Need.objects.exists()
    cemetery = Memorial.objects.get(name="平湖市烈士陵园")
    assert not cemetery.synthetic and cemetery.address == "" and cemetery.protection_level == "none"
    assert Memorial.objects.filter(synthetic=True).count() == 3
    assert Upkeep.objects.exists() and Remembrance.objects.filter(visited_on__month=4, visited_on__day=4).exists()
    names = sorted(Martyr.objects.values_list("name", flat=True))
    assert load_martyrs_demo(users, net.village.code) == {}
    assert sorted(Martyr.objects.values_list("name", flat=True)) == names


def test_the_demo_draws_the_same_martyrs_every_time(net: Network) -> None:
    users = {u.username: u for u in net.users.values()}
    drawn = []
    for _time in range(2):
        with transaction.atomic():
            load_martyrs_demo(users, net.village.code)
            drawn.append(list(Martyr.objects.order_by("id").values_list("name", "birth_on", "region_code")))
            drawn[-1] += list(MartyrFamily.objects.order_by("id").values_list("veteran__name", "relation"))
            transaction.set_rollback(True)
    assert drawn[0] == drawn[1] and len(drawn[0]) > len(MARTYRS)
