"""The service network's writes: what each service records, and what it refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.testing import Network
from audit.models import AuditEntry
from core.errors import error_items
from regions.models import (
    Designation,
    GridLeaderTerm,
    Level,
    Region,
    StarCriterion,
    StarRating,
    Station,
    StationDesignation,
    StationKind,
)
from regions.services import (
    find_region_for,
    grid_leader_appoint,
    grid_leader_rotate,
    region_create,
    region_update,
    star_rating_record,
    station_designate,
    station_save,
)
from regions.testing import RegionFactory

TODAY = timezone.localdate()
THIS_YEAR = TODAY.year
FULL_MARKS = {"party_building": "20", "service": "30", "support": "30", "honour": "20"}


def codes(exc: ValidationError) -> dict[str, list[str]]:
    """The refusal as {field: [error codes]}, so a test states both the field and the reason."""
    return {field: [error.code for error in errors] for field, errors in exc.error_dict.items()}  # type: ignore[misc]


def english(exc: ValidationError) -> list[str]:
    return [item["message_en"] for item in error_items(exc)]


def audit_count() -> int:
    return AuditEntry.objects.count()


def last_audit() -> AuditEntry:
    return AuditEntry.objects.order_by("-seq").first()  # type: ignore[return-value]


def new_village(net: Network, **kwargs: Any) -> Region:
    defaults: dict[str, Any] = {"code": "330482001002", "name": "新埭村", "level": Level.VILLAGE}
    defaults.update(kwargs)
    return region_create(actor=net.users["city_admin"], parent=net.danghu, **defaults)


# --- region_create ---------------------------------------------------------------------------


class TestRegionCreate:
    def test_it_creates_a_village_under_a_town(self, net: Network) -> None:
        region = new_village(net)

        region.refresh_from_db()
        assert (region.code, region.name, region.level, region.parent) == (
            "330482001002",
            "新埭村",
            Level.VILLAGE,
            net.danghu,
        )

    def test_it_derives_the_prefix_from_the_level(self, net: Network) -> None:
        village = new_village(net)
        grid = region_create(
            actor=net.users["city_admin"],
            code="330482001002003",
            name="新埭村老兵壹家",
            level=Level.GRID,
            parent=village,
        )
        town = region_create(
            actor=net.users["city_admin"],
            code="330482102000",
            name="独山港镇",
            level=Level.TOWN,
            parent=net.city,
        )

        assert village.prefix == "330482001002"
        assert grid.prefix == "330482001002003"
        assert town.prefix == "330482102"

    def test_it_strips_the_name_and_the_code(self, net: Network) -> None:
        region = new_village(net, code=" 330482001002 ", name="  新埭村 ")

        assert (region.code, region.name) == ("330482001002", "新埭村")

    def test_it_writes_an_audit_entry(self, net: Network) -> None:
        region = new_village(net)

        entry = last_audit()
        assert entry.action == "region.create"
        assert entry.actor_username == "city_admin"
        assert entry.object_id == str(region.pk)
        assert entry.region_code == "330482001002"
        assert entry.before is None
        assert entry.after == {
            "code": "330482001002",
            "name": "新埭村",
            "level": "village",
            "parent": net.danghu.pk,
        }

    @pytest.mark.parametrize(
        ("code", "level"),
        [
            ("33048200100A", Level.VILLAGE),  # a letter
            ("3304820010023", Level.VILLAGE),  # 13 digits
            ("33048200100", Level.VILLAGE),  # 11 digits
            ("330482001002", Level.GRID),  # a grid needs 15 digits
            ("330482001002003", Level.VILLAGE),  # a village has 12
            ("330482001000", Level.VILLAGE),  # the village digits are all zero
            ("330482001", Level.TOWN),  # a prefix is not a code
            ("330482001１２３", Level.VILLAGE),  # full-width digits are not ASCII digits
        ],
    )
    def test_it_refuses_a_code_of_the_wrong_shape(self, net: Network, code: str, level: str) -> None:
        parent = net.danghu if level == Level.VILLAGE else net.village if level == Level.GRID else net.city

        with pytest.raises(ValidationError) as exc:
            region_create(actor=net.users["city_admin"], code=code, name="新区划", level=level, parent=parent)

        assert codes(exc.value) == {"code": ["bad_code_shape"]}

    def test_it_refuses_a_town_code_that_sets_village_digits(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            region_create(
                actor=net.users["city_admin"],
                code="330482102001",
                name="独山港镇",
                level=Level.TOWN,
                parent=net.city,
            )

        assert codes(exc.value) == {"code": ["bad_code_shape"]}
        assert "does not have the shape of a" in english(exc.value)[0]

    def test_it_says_how_many_digits_a_code_needs(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            region_create(actor=net.users["city_admin"], code="123", name="网格", level=Level.GRID, parent=net.village)

        assert english(exc.value) == ["A Grid (老兵壹家) code has 15 digits."]

    def test_it_refuses_an_unknown_level(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            region_create(
                actor=net.users["city_admin"],
                code="330482001002",
                name="新村",
                level="hamlet",
                parent=net.danghu,
            )

        assert codes(exc.value) == {"level": ["bad_level"]}

    def test_it_refuses_a_code_outside_the_parent_prefix(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            new_village(net, code="330482100002")

        assert codes(exc.value) == {"code": ["prefix_mismatch"]}
        assert english(exc.value) == ["The code 330482100002 does not start with its parent's prefix 330482001."]

    def test_it_refuses_a_parent_of_the_wrong_level(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            region_create(
                actor=net.users["city_admin"],
                code="330482001002",
                name="新村",
                level=Level.VILLAGE,
                parent=net.city,
            )

        assert codes(exc.value) == {"parent": ["bad_parent_level"]}
        assert english(exc.value) == ["A Village / community belongs under a Town / street, not under a City / county."]

    def test_it_refuses_a_grid_directly_under_a_town(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            region_create(
                actor=net.users["city_admin"],
                code="330482001001002",
                name="网格",
                level=Level.GRID,
                parent=net.danghu,
            )

        assert codes(exc.value) == {"parent": ["bad_parent_level"]}

    def test_it_refuses_a_duplicate_code(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            new_village(net, code="330482001001")

        assert codes(exc.value) == {"code": ["duplicate"]}
        assert Region.objects.filter(code="330482001001").get().name == "东湖村"

    def test_it_refuses_a_blank_name(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            new_village(net, name="   ")

        assert codes(exc.value) == {"name": ["required"]}

    def test_it_refuses_a_root_from_a_scoped_admin(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            region_create(
                actor=net.users["city_admin"],
                code="330000000000",
                name="浙江省",
                level=Level.PROVINCE,
                parent=None,
            )

        assert codes(exc.value) == {"parent_code": ["required"]}

    def test_it_refuses_a_parent_outside_the_actors_scope(self, net: Network) -> None:
        haining = RegionFactory(code="330481000000", name="海宁市", level=Level.CITY)

        with pytest.raises(ValidationError) as exc:
            region_create(
                actor=net.users["city_admin"],
                code="330481001000",
                name="硖石街道",
                level=Level.TOWN,
                parent=haining,
            )

        assert codes(exc.value) == {"parent_code": ["unknown_region"]}

    @pytest.mark.parametrize("role", ["city_staff", "town_staff", "auditor", "veteran"])
    def test_it_requires_the_manage_capability(self, net: Network, role: str) -> None:
        with pytest.raises(PermissionDenied):
            region_create(
                actor=net.users[role],
                code="330482001002",
                name="新村",
                level=Level.VILLAGE,
                parent=net.danghu,
            )

    def test_a_refused_create_leaves_nothing_behind(self, net: Network) -> None:
        regions_before, audit_before = Region.objects.count(), audit_count()

        for code in ["330482100002", "33048200100X", "330482001001"]:
            with pytest.raises(ValidationError):
                new_village(net, code=code)
        with pytest.raises(PermissionDenied):
            region_create(
                actor=net.users["town_staff"],
                code="330482001002",
                name="新村",
                level=Level.VILLAGE,
                parent=net.danghu,
            )

        assert Region.objects.count() == regions_before
        assert audit_count() == audit_before
        assert not Region.objects.filter(code__in=["330482100002", "330482001002"]).exists()


class TestFindRegionFor:
    def test_it_finds_a_region_in_scope(self, net: Network) -> None:
        assert find_region_for(net.users["town_staff"], " 330482001001 ") == net.village

    def test_it_refuses_a_region_outside_the_scope_as_unknown(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            find_region_for(net.users["town_staff"], "330482100000")

        assert codes(exc.value) == {"parent_code": ["unknown_region"]}
        assert english(exc.value) == ["Unknown region code: 330482100000."]

    def test_it_refuses_a_code_that_does_not_exist_the_same_way(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            find_region_for(net.users["city_admin"], "330482999000", field="parent")

        assert codes(exc.value) == {"parent": ["unknown_region"]}

    def test_it_finds_nothing_for_a_role_that_does_not_see_regions(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            find_region_for(net.users["employer"], "330482001000")

        assert codes(exc.value) == {"parent_code": ["unknown_region"]}


# --- region_update ---------------------------------------------------------------------------


class TestRegionUpdate:
    def test_it_renames_and_audits_before_and_after(self, net: Network) -> None:
        region_update(actor=net.users["city_admin"], region=net.village, name=" 东湖社区 ")

        net.village.refresh_from_db()
        assert net.village.name == "东湖社区"
        entry = last_audit()
        assert entry.action == "region.update"
        assert entry.before["name"] == "东湖村"
        assert entry.after["name"] == "东湖社区"

    def test_it_attaches_a_root_to_a_parent_that_shares_its_prefix(self, net: Network) -> None:
        orphan = RegionFactory(code="330482103000", name="广陈镇", level=Level.TOWN, parent=None)

        region_update(actor=net.users["city_admin"], region=orphan, parent=net.city)

        orphan.refresh_from_db()
        assert orphan.parent == net.city
        assert last_audit().after["parent"] == net.city.pk

    def test_it_refuses_to_move_a_town_under_its_own_village(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            region_update(actor=net.users["city_admin"], region=net.danghu, parent=net.village)

        assert codes(exc.value) == {"parent_code": ["cycle"]}
        net.danghu.refresh_from_db()
        assert net.danghu.parent == net.city

    def test_it_refuses_to_move_a_region_under_itself(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            region_update(actor=net.users["city_admin"], region=net.village, parent=net.village)

        assert codes(exc.value) == {"parent_code": ["cycle"]}

    def test_it_refuses_a_new_parent_whose_prefix_the_code_does_not_share(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            region_update(actor=net.users["city_admin"], region=net.village, parent=net.zhapu)

        assert codes(exc.value) == {"code": ["prefix_mismatch"]}
        net.village.refresh_from_db()
        assert net.village.parent == net.danghu

    def test_it_refuses_a_new_parent_of_the_wrong_level(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            region_update(actor=net.users["city_admin"], region=net.village, parent=net.city)

        assert codes(exc.value) == {"parent": ["bad_parent_level"]}

    def test_it_refuses_a_blank_name(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            region_update(actor=net.users["city_admin"], region=net.village, name=" ")

        assert codes(exc.value) == {"name": ["required"]}

    def test_it_requires_the_manage_capability(self, net: Network) -> None:
        with pytest.raises(PermissionDenied):
            region_update(actor=net.users["town_staff"], region=net.village, name="改名")

    def test_a_refused_update_writes_no_audit_entry(self, net: Network) -> None:
        before = audit_count()

        with pytest.raises(ValidationError):
            region_update(actor=net.users["city_admin"], region=net.danghu, name="新名", parent=net.village)

        assert audit_count() == before
        net.danghu.refresh_from_db()
        assert net.danghu.name == "当湖街道"


# --- stations --------------------------------------------------------------------------------


class TestStationSave:
    def test_it_creates_the_station_of_a_new_village(self, net: Network) -> None:
        village = new_village(net)

        station = station_save(
            actor=net.users["city_staff"],
            region=village,
            data={
                "name": "新埭村服务站",
                "phone": "0573 8501 2345",
                "head_name": "王建国",
                "full_time_staff": 2,
                "opened_on": dt.date(2020, 8, 1),
            },
        )

        station.refresh_from_db()
        assert station.region == village
        assert station.kind == StationKind.VILLAGE_STATION
        assert station.phone == "057385012345"  # spaces go, the digits stay
        entry = last_audit()
        assert entry.action == "station.create"
        assert entry.region_code == "330482001002"
        assert entry.before is None
        assert entry.after["name"] == "新埭村服务站"
        assert entry.after["full_time_staff"] == 2
        assert entry.after["opened_on"] == "2020-08-01"

    def test_it_updates_a_station_and_audits_before_and_after(self, net: Network) -> None:
        station_save(
            actor=net.users["city_admin"],
            region=net.danghu,
            data={"name": "当湖街道退役军人服务站", "phone": "13812345678", "address": "当湖街道人民路1号"},
        )

        station = Station.objects.get(region=net.danghu)
        assert (station.name, station.phone, station.kind) == (
            "当湖街道退役军人服务站",
            "13812345678",
            StationKind.TOWN_STATION,
        )
        assert Station.objects.filter(region=net.danghu).count() == 1
        entry = last_audit()
        assert entry.action == "station.update"
        assert entry.before["name"] == "当湖街道服务站"
        assert entry.before["phone_masked"] == "" and entry.after["phone_masked"] == "138****5678"
        assert "phone" not in entry.after  # the audit log is forever: never the phone itself
        assert entry.after["name"] == "当湖街道退役军人服务站"
        assert entry.after["address"] == "当湖街道人民路1号"

    def test_it_ignores_fields_that_are_not_station_fields(self, net: Network) -> None:
        station = station_save(
            actor=net.users["city_admin"], region=net.danghu, data={"name": "当湖站", "kind": "centre"}
        )

        assert station.kind == StationKind.TOWN_STATION

    @pytest.mark.parametrize("phone", ["12345", "2381234567", "0573-123", "phone"])
    def test_it_refuses_a_bad_phone(self, net: Network, phone: str) -> None:
        before = audit_count()

        with pytest.raises(ValidationError) as exc:
            station_save(actor=net.users["city_admin"], region=net.danghu, data={"name": "当湖站", "phone": phone})

        assert codes(exc.value) == {"phone": ["bad_phone"]}
        assert "mainland mobile number" in english(exc.value)[0]
        assert Station.objects.get(region=net.danghu).name == "当湖街道服务站"
        assert audit_count() == before

    def test_it_refuses_a_blank_name(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            station_save(actor=net.users["city_admin"], region=net.danghu, data={"name": "  "})

        assert codes(exc.value) == {"name": ["required"]}

    def test_it_refuses_a_station_for_a_grid(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            station_save(actor=net.users["city_admin"], region=net.grid, data={"name": "网格站"})

        assert codes(exc.value) == {"region": ["grid_has_no_station"]}
        assert not Station.objects.filter(region=net.grid).exists()

    def test_it_requires_the_station_capability(self, net: Network) -> None:
        with pytest.raises(PermissionDenied):
            station_save(actor=net.users["town_staff"], region=net.danghu, data={"name": "当湖站"})


class TestStationDesignate:
    def test_it_records_a_designation(self, net: Network) -> None:
        station = net.danghu.station

        item = station_designate(
            actor=net.users["city_staff"],
            station=station,
            designation=Designation.NATIONAL_MODEL,
            year=2021,
            note=" 首批 ",
        )

        assert (item.station, item.year, item.note) == (station, 2021, "首批")
        entry = last_audit()
        assert entry.action == "station.designate"
        assert entry.region_code == "330482001000"
        assert entry.after["designation"] == "national_model"

    def test_it_refuses_the_same_designation_twice(self, net: Network) -> None:
        station = net.danghu.station
        station_designate(
            actor=net.users["city_staff"], station=station, designation=Designation.NATIONAL_MODEL, year=2021
        )

        with pytest.raises(ValidationError) as exc:
            station_designate(
                actor=net.users["city_staff"],
                station=station,
                designation=Designation.NATIONAL_MODEL,
                year=2023,
            )

        assert codes(exc.value) == {"designation": ["duplicate"]}
        assert StationDesignation.objects.filter(station=station).count() == 1

    def test_it_allows_a_different_designation_for_the_same_station(self, net: Network) -> None:
        station = net.danghu.station
        for designation in Designation.values:
            station_designate(actor=net.users["city_staff"], station=station, designation=designation, year=2022)

        assert StationDesignation.objects.filter(station=station).count() == len(Designation.values)

    @pytest.mark.parametrize("year", [2017, THIS_YEAR + 1])
    def test_it_refuses_a_year_outside_2018_to_now(self, net: Network, year: int) -> None:
        with pytest.raises(ValidationError) as exc:
            station_designate(
                actor=net.users["city_staff"],
                station=net.danghu.station,
                designation=Designation.NATIONAL_MODEL,
                year=year,
            )

        assert codes(exc.value) == {"year": ["bad_year"]}

    def test_it_refuses_an_unknown_designation(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            station_designate(
                actor=net.users["city_staff"],
                station=net.danghu.station,
                designation="world_class",
                year=2021,
            )

        assert codes(exc.value) == {"designation": ["bad_choice"]}

    def test_it_requires_the_station_capability(self, net: Network) -> None:
        with pytest.raises(PermissionDenied):
            station_designate(
                actor=net.users["town_staff"],
                station=net.danghu.station,
                designation=Designation.NATIONAL_MODEL,
                year=2021,
            )


class TestStarRatingRecord:
    def rate(self, net: Network, scores: dict[str, Any], year: int = THIS_YEAR) -> StarRating:
        return star_rating_record(actor=net.users["city_staff"], station=net.danghu.station, year=year, scores=scores)

    def test_full_marks_give_five_stars_and_a_total_of_100(self, net: Network) -> None:
        rating = self.rate(net, FULL_MARKS)

        rating.refresh_from_db()
        assert rating.stars == 5
        assert rating.total_score == Decimal("100.0")
        assert rating.rated_by == net.users["city_staff"]
        assert {s.criterion.code: s.score for s in rating.scores.select_related("criterion")} == {
            "party_building": Decimal("20.0"),
            "service": Decimal("30.0"),
            "support": Decimal("30.0"),
            "honour": Decimal("20.0"),
        }

    @pytest.mark.parametrize(
        ("scores", "total", "stars"),
        [
            ({"party_building": 18, "service": 27, "support": 27, "honour": 18}, "90.0", 5),
            ({"party_building": 20, "service": 30, "support": 30, "honour": "9.9"}, "89.9", 4),
            ({"party_building": 14, "service": 21, "support": 21, "honour": 14}, "70.0", 3),
            ({"party_building": 12, "service": 18, "support": 18, "honour": "11.9"}, "59.9", 1),
            ({"party_building": 0, "service": 0, "support": 0, "honour": 0}, "0.0", 1),
        ],
    )
    def test_the_stars_follow_from_the_total(
        self, net: Network, scores: dict[str, Any], total: str, stars: int
    ) -> None:
        rating = self.rate(net, scores)

        assert (rating.total_score, rating.stars) == (Decimal(total), stars)

    def test_it_scales_the_total_to_100_when_the_maxima_do_not_add_up_to_100(self, net: Network) -> None:
        StarCriterion.objects.filter(code="honour").update(active=False)

        rating = self.rate(net, {"party_building": 20, "service": 30, "support": 30})

        assert (rating.total_score, rating.stars) == (Decimal("100.0"), 5)
        assert rating.scores.count() == 3

    def test_it_writes_an_audit_entry_with_every_score(self, net: Network) -> None:
        self.rate(net, FULL_MARKS)

        entry = last_audit()
        assert entry.action == "station.star_rating"
        assert entry.region_code == "330482001000"
        assert entry.after["stars"] == 5
        assert entry.after["total_score"] == "100.0"
        assert entry.after["scores"]["service"] == "30.0"

    def test_it_refuses_a_score_over_the_maximum_at_that_criterion(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            self.rate(net, {**FULL_MARKS, "service": "30.1"})

        assert codes(exc.value) == {"service": ["bad_score"]}
        assert english(exc.value) == ["The score must be between 0 and 30.0."]
        assert not StarRating.objects.exists()

    def test_it_refuses_a_score_for_a_criterion_that_does_not_exist(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            self.rate(net, {**FULL_MARKS, "made_up": "5"})

        assert codes(exc.value) == {"made_up": ["unknown_criterion"]}
        assert not StarRating.objects.exists()

    def test_it_names_every_bad_score(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            self.rate(net, {"party_building": "-1", "service": "thirty", "support": "NaN"})

        assert codes(exc.value) == {
            "party_building": ["bad_score"],
            "service": ["bad_score"],
            "support": ["bad_score"],
            "honour": ["bad_score"],
        }

    def test_it_refuses_a_second_rating_in_the_same_year(self, net: Network) -> None:
        self.rate(net, FULL_MARKS)
        before = audit_count()

        with pytest.raises(ValidationError) as exc:
            self.rate(net, {"party_building": 1, "service": 1, "support": 1, "honour": 1})

        assert codes(exc.value) == {"year": ["duplicate"]}
        assert english(exc.value) == [f"This station has already been rated for {THIS_YEAR}."]
        assert StarRating.objects.get().stars == 5
        assert audit_count() == before

    def test_it_rates_the_same_station_again_in_another_year(self, net: Network) -> None:
        self.rate(net, FULL_MARKS, year=THIS_YEAR - 1)
        self.rate(net, {"party_building": 14, "service": 21, "support": 21, "honour": 14})

        assert list(StarRating.objects.values_list("year", "stars")) == [(THIS_YEAR, 3), (THIS_YEAR - 1, 5)]

    @pytest.mark.parametrize("year", [2017, THIS_YEAR + 1])
    def test_it_refuses_a_year_outside_2018_to_now(self, net: Network, year: int) -> None:
        with pytest.raises(ValidationError) as exc:
            self.rate(net, FULL_MARKS, year=year)

        assert codes(exc.value) == {"year": ["bad_year"]}

    def test_it_refuses_when_no_criteria_are_configured(self, net: Network) -> None:
        StarCriterion.objects.update(active=False)

        with pytest.raises(ValidationError) as exc:
            self.rate(net, FULL_MARKS)

        assert [(item["field"], item["code"]) for item in error_items(exc.value)] == [(None, "no_criteria")]

    def test_it_requires_the_station_capability(self, net: Network) -> None:
        with pytest.raises(PermissionDenied):
            star_rating_record(
                actor=net.users["town_staff"], station=net.danghu.station, year=THIS_YEAR, scores=FULL_MARKS
            )


# --- grid leaders ----------------------------------------------------------------------------


def appoint(net: Network, name: str = "张卫国", start: dt.date | None = None, **kwargs: Any) -> GridLeaderTerm:
    return grid_leader_appoint(
        actor=net.users["town_staff"],
        grid=kwargs.pop("grid", net.grid),
        leader_name=name,
        start_date=start or TODAY - dt.timedelta(days=100),
        **kwargs,
    )


def rotate(net: Network, name: str, start: dt.date, **kwargs: Any) -> GridLeaderTerm:
    return grid_leader_rotate(
        actor=net.users["town_staff"], grid=net.grid, leader_name=name, start_date=start, **kwargs
    )


class TestGridLeaders:
    def test_it_appoints_a_leader_to_a_grid(self, net: Network) -> None:
        term = appoint(net, " 张卫国 ", leader_phone="139 0000 1111", note="退役班长")

        term.refresh_from_db()
        assert (term.grid, term.leader_name, term.leader_phone, term.end_date) == (
            net.grid,
            "张卫国",
            "13900001111",
            None,
        )
        entry = last_audit()
        assert entry.action == "grid.leader_appoint"
        assert entry.region_code == "330482001001001"
        assert entry.after["leader_name"] == "张卫国"

    def test_it_refuses_a_second_leader_while_one_is_in_office(self, net: Network) -> None:
        appoint(net)

        with pytest.raises(ValidationError) as exc:
            appoint(net, "李强", start=TODAY)

        assert codes(exc.value) == {"leader_name": ["leader_in_office"]}
        assert english(exc.value) == ["This grid already has a leader in office (张卫国); rotate instead."]
        assert GridLeaderTerm.objects.filter(grid=net.grid).count() == 1

    def test_rotation_ends_the_current_term_the_day_before_and_appoints_the_next(self, net: Network) -> None:
        first = appoint(net, start=TODAY - dt.timedelta(days=100))

        second = rotate(net, "李强", TODAY - dt.timedelta(days=10))

        first.refresh_from_db()
        assert first.end_date == TODAY - dt.timedelta(days=11)
        assert (second.leader_name, second.start_date, second.end_date) == (
            "李强",
            TODAY - dt.timedelta(days=10),
            None,
        )
        assert list(GridLeaderTerm.objects.filter(grid=net.grid, end_date__isnull=True)) == [second]

    def test_rotation_audits_the_end_and_the_appointment(self, net: Network) -> None:
        appoint(net)
        seq = last_audit().seq

        rotate(net, "李强", TODAY)

        entries = list(AuditEntry.objects.filter(seq__gt=seq).order_by("seq"))
        assert [e.action for e in entries] == ["grid.leader_end", "grid.leader_appoint"]
        assert entries[0].before["end_date"] is None
        assert entries[0].after["end_date"] == (TODAY - dt.timedelta(days=1)).isoformat()
        assert entries[1].after["leader_name"] == "李强"

    def test_rotation_of_a_vacant_grid_just_appoints(self, net: Network) -> None:
        term = rotate(net, "李强", TODAY)

        assert GridLeaderTerm.objects.get(grid=net.grid) == term

    @pytest.mark.parametrize("days_after_current_start", [0, -1])
    def test_it_refuses_a_rotation_that_does_not_start_after_the_current_term(
        self, net: Network, days_after_current_start: int
    ) -> None:
        start = TODAY - dt.timedelta(days=30)
        current = appoint(net, start=start)

        with pytest.raises(ValidationError) as exc:
            rotate(net, "李强", start + dt.timedelta(days=days_after_current_start))

        assert codes(exc.value) == {"start_date": ["overlap"]}
        current.refresh_from_db()
        assert current.end_date is None

    def test_a_refused_rotation_keeps_the_current_leader_and_writes_no_audit_entry(self, net: Network) -> None:
        current = appoint(net)
        before = audit_count()

        with pytest.raises(ValidationError) as exc:
            rotate(net, "李强", TODAY, leader_phone="12345")

        assert codes(exc.value) == {"leader_phone": ["bad_phone"]}
        current.refresh_from_db()
        assert current.end_date is None
        assert GridLeaderTerm.objects.filter(grid=net.grid).count() == 1
        assert audit_count() == before

    def test_it_refuses_to_appoint_a_leader_to_a_village(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            appoint(net, grid=net.village)

        assert codes(exc.value) == {"grid": ["not_a_grid"]}
        assert not GridLeaderTerm.objects.exists()

    def test_it_refuses_a_term_that_overlaps_an_ended_term(self, net: Network) -> None:
        GridLeaderTerm.objects.create(
            grid=net.grid,
            leader_name="赵刚",
            start_date=TODAY - dt.timedelta(days=200),
            end_date=TODAY - dt.timedelta(days=50),
        )

        with pytest.raises(ValidationError) as exc:
            appoint(net, start=TODAY - dt.timedelta(days=50))

        assert codes(exc.value) == {"start_date": ["overlap"]}
        assert "overlaps the previous leader's term" in english(exc.value)[0]

    def test_it_appoints_the_day_after_an_ended_term(self, net: Network) -> None:
        GridLeaderTerm.objects.create(
            grid=net.grid,
            leader_name="赵刚",
            start_date=TODAY - dt.timedelta(days=200),
            end_date=TODAY - dt.timedelta(days=50),
        )

        term = appoint(net, start=TODAY - dt.timedelta(days=49))

        assert term.end_date is None

    def test_it_refuses_a_start_too_far_in_the_future(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            appoint(net, start=TODAY + dt.timedelta(days=32))

        assert codes(exc.value) == {"start_date": ["future"]}

    def test_it_refuses_a_blank_name(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            appoint(net, " ")

        assert codes(exc.value) == {"leader_name": ["required"]}

    def test_it_refuses_a_bad_leader_phone(self, net: Network) -> None:
        with pytest.raises(ValidationError) as exc:
            appoint(net, leader_phone="110")

        assert codes(exc.value) == {"leader_phone": ["bad_phone"]}

    @pytest.mark.parametrize("role", ["village_staff", "grid_leader", "auditor"])
    def test_it_requires_the_grid_capability(self, net: Network, role: str) -> None:
        with pytest.raises(PermissionDenied):
            grid_leader_appoint(actor=net.users[role], grid=net.grid, leader_name="张卫国", start_date=TODAY)
        with pytest.raises(PermissionDenied):
            grid_leader_rotate(actor=net.users[role], grid=net.grid, leader_name="张卫国", start_date=TODAY)

        assert not GridLeaderTerm.objects.exists()

    def test_the_database_holds_one_current_leader_per_grid(self, net: Network) -> None:
        appoint(net)

        with pytest.raises(IntegrityError), transaction.atomic():
            GridLeaderTerm.objects.create(grid=net.grid, leader_name="李强", start_date=TODAY)

        assert GridLeaderTerm.objects.filter(grid=net.grid).count() == 1

    def test_the_database_allows_one_current_leader_in_each_grid(self, net: Network) -> None:
        appoint(net)
        appoint(net, "李强", grid=net.other_grid)

        assert GridLeaderTerm.objects.filter(end_date__isnull=True).count() == 2

    def test_the_database_refuses_a_term_that_ends_before_it_starts(self, net: Network) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            GridLeaderTerm.objects.create(
                grid=net.grid, leader_name="赵刚", start_date=TODAY, end_date=TODAY - dt.timedelta(days=1)
            )
