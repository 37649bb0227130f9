from __future__ import annotations

import csv
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.roles import Role
from accounts.testing import TEST_PASSWORD
from core.crypto import decrypt
from martyrs.models import MartyrFamily
from regions.divisions import DIVISIONS_FILE, is_community, short_name
from regions.models import Designation, GridLeaderTerm, Level, Region, Station, StationDesignation
from veterans.models import Veteran
from workflow.models import Case


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--veterans", "3", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_loads_one_user_per_role_and_can_be_run_again() -> None:
    first = run_demo("--password", TEST_PASSWORD)
    roles = set(User.objects.values_list("role", flat=True))
    regions, cases = Region.objects.count(), Case.objects.count()
    assert "city_admin" in first and "veteran_demo" in first and TEST_PASSWORD in first
    assert roles == set(Role.values)
    assert User.objects.get(username="city_admin").check_password(TEST_PASSWORD)

    second = run_demo()
    assert Region.objects.count() == regions and Case.objects.count() == cases
    assert TEST_PASSWORD not in second  # each run without --password gives fresh random passwords
    assert not User.objects.get(username="city_admin").check_password(TEST_PASSWORD)


@pytest.mark.django_db
def test_the_demo_refuses_a_weak_password() -> None:
    with pytest.raises(CommandError, match="password rejected"):
        run_demo("--password", "123")
    assert not User.objects.exists()


def _official(prefix: str) -> dict[str, tuple[str, str, str]]:
    """code → (name, level, parent) of the divisions under ``prefix``, read from the file directly."""
    with DIVISIONS_FILE.open(encoding="utf-8", newline="") as f:
        return {r["code"]: (r["name"], r["level"], r["parent_code"]) for r in csv.DictReader(f)
                if r["code"].startswith(prefix)}  # fmt: skip


@pytest.mark.django_db
def test_the_demo_loads_pinghus_official_towns_and_villages_with_the_seed_pages_network() -> None:
    call_command("demo", "--veterans", "500", stdout=StringIO())
    official = _official("330482")
    loaded = Region.objects.filter(code__startswith="330482").exclude(level=Level.GRID).select_related("parent")
    levels = {Level.CITY: "county", Level.TOWN: "town", Level.VILLAGE: "village"}
    assert {r.code: (r.name, levels[r.level], r.parent.code) for r in loaded} == official  # type: ignore[union-attr]
    towns = {r.name: r.code for r in loaded if r.level == Level.TOWN}
    villages = {r.code for r in loaded if r.level == Level.VILLAGE}
    assert len(towns) == 9 and len(villages) == 136
    assert towns["乍浦镇"] == "330482101000" and towns["独山港镇"] == "330482108000"

    grids = Region.objects.filter(level=Level.GRID)
    per_village = Counter(grids.values_list("parent__code", flat=True))
    assert grids.count() == 412 and set(per_village) == villages and set(per_village.values()) == {3, 4}
    assert all(code[:12] == parent and re.fullmatch(r".+第\d网格", name)
               for code, name, parent in grids.values_list("code", "name", "parent__code"))  # fmt: skip
    assert GridLeaderTerm.objects.count() == 420
    assert GridLeaderTerm.objects.filter(end_date__isnull=True).count() == 412
    assert Station.objects.count() == 1 + 9 + 136
    assert Counter(StationDesignation.objects.values_list("designation", flat=True)) == {
        Designation.NATIONAL_MODEL: 9, Designation.PROVINCIAL_FENGQIAO: 18
    }  # fmt: skip
    assert User.objects.get(username="town_zhapu").scope_region.code == "330482101000"  # type: ignore[union-attr]
    assert User.objects.filter(username__in=["village_330482001001", "grid_330482001001001"]).count() == 2

    # the veterans demo's people; the martyrs demo registers its martyrs' families (烈士遗属) besides them
    veterans = list(Veteran.objects.filter(import_batch="demo").select_related("region"))
    assert len(veterans) == 500
    families = MartyrFamily.objects.values("veteran").distinct().count()
    assert families and Veteran.objects.exclude(import_batch="demo").count() == families
    assert {v.region_code[:12] for v in veterans} == villages  # 500 people over 412 grids: every village
    for v in veterans:
        town = official[v.region_code[:9] + "000"][0]
        village = short_name(official[v.region_code[:12]][0])
        assert v.region.level == Level.GRID and v.region_code[:12] in villages
        assert v.address.startswith(f"平湖市{town}"), v.address
        if is_community(v.region_code):
            assert re.fullmatch(r"平湖市.+[路街]\d+号\d+幢\d+室", v.address), v.address
        else:
            assert re.fullmatch(rf"平湖市{town}{village}\d+组\d+号", v.address), v.address
        assert decrypt(v.id_number_enc).startswith("330482")


@pytest.mark.django_db
def test_the_province_load_spreads_veterans_over_real_towns_of_every_city() -> None:
    call_command("demo", "--province", "--veterans", "2000", stdout=StringIO())
    official = _official("33")
    assert Region.objects.exclude(level=Level.GRID).count() == len(official) == 27036
    veterans = list(Veteran.objects.filter(import_batch="demo"))  # the martyrs' families aside
    assert len(veterans) == 2000
    assert sum(v.region_code.startswith("330482") for v in veterans) == round(2000 * 20000 / 1_500_000)
    cities = Counter(v.region_code[:4] for v in veterans)
    assert len(cities) == 11 and min(cities.values()) > 10, cities
    assert len({v.region_code[:9] for v in veterans}) > 500  # towns all over the province
    for v in veterans:
        village = v.region_code[:12]
        assert official[village][1] == "village"
        assert official[village[:9] + "000"][0] in v.address, v.address
        assert decrypt(v.id_number_enc)[:6] == v.region_code[:6]  # born where they live, by the county


@pytest.mark.django_db
def test_the_demo_refuses_a_database_with_an_older_demos_made_up_codes() -> None:
    city = Region.objects.create(code="330482000000", prefix="330482", name="平湖市", level=Level.CITY)
    Region.objects.create(code="330482100000", prefix="330482100", name="乍浦镇", level=Level.TOWN, parent=city)
    with pytest.raises(CommandError, match="330482100000 乍浦镇"):
        run_demo()
    assert not User.objects.exists()
