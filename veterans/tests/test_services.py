"""The registry's writes: each validated, atomic, audited, and never storing a plain ID number."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from accounts.testing import Network
from audit.models import AuditEntry
from core.crypto import decrypt, keyed_hash
from core.export_jobs import export_job_start
from core.models import ExportJob
from veterans import services
from veterans.exports import EXPORT
from veterans.models import Tag, Veteran, VeteranCategory
from veterans.tests.factories import id_number_born, register, register_born, valid_row
from veterans.validation import VeteranData, clean_veteran

TODAY = timezone.localdate()


def clean(actor: Any, region: Any, **overrides: Any) -> VeteranData:
    return clean_veteran(valid_row(region, **overrides), regions=services.scope_regions(actor))


def changed(actor: Any, veteran: Veteran, **changes: Any) -> VeteranData:
    """The record's own data with ``changes``, cleaned as an edit would be."""
    return clean_veteran(services.veteran_as_input(veteran) | changes, regions=services.scope_regions(actor))


def codes(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.value.error_dict.items()}


def audit_json(action: str) -> str:
    entry = AuditEntry.objects.get(action=action)
    return json.dumps([entry.before, entry.after, entry.reason, entry.object_repr], ensure_ascii=False)


# --- scope -------------------------------------------------------------------------------------


def test_a_user_may_place_veterans_in_the_villages_and_grids_of_the_scope(net: Network) -> None:
    assert set(services.scope_regions(net.users["town_staff"])) == {net.village.code, net.grid.code}
    assert set(services.scope_regions(net.users["grid_leader"])) == {net.grid.code}
    assert set(services.scope_regions(net.users["city_staff"])) == {
        net.village.code,
        net.grid.code,
        net.other_village.code,
        net.other_grid.code,
    }


# --- create ------------------------------------------------------------------------------------


def test_it_stores_the_id_number_and_phone_only_encrypted_and_hashed(net: Network) -> None:
    actor = net.users["town_staff"]
    data = clean(actor, net.village, phone="13800005678")
    number = data.id_number.value

    veteran = services.veteran_create(actor=actor, data=data)

    stored = Veteran.objects.filter(pk=veteran.pk).values().get()
    assert all(number not in str(v) and "13800005678" not in str(v) for v in stored.values())
    assert decrypt(veteran.id_number_enc) == number and decrypt(veteran.phone_enc) == "13800005678"
    assert veteran.id_hash == keyed_hash(number, "id")
    assert veteran.id_tail6_hash == keyed_hash(number[-6:], "id_tail6")
    assert veteran.phone_tail4_hash == keyed_hash("5678", "phone_tail4")


def test_it_takes_gender_and_birth_date_from_the_id_number(net: Network) -> None:
    actor = net.users["town_staff"]
    born = dt.date(1979, 11, 23)

    woman = services.veteran_create(
        actor=actor,
        data=clean(
            actor,
            net.village,
            enlisted_on="1998-12",
            discharged_on="2000-12",
            id_number=id_number_born(born, female=True),
        ),
    )

    assert (woman.gender, woman.birth_date) == ("F", born)
    assert (woman.enlisted_on, woman.enlisted_precision) == (dt.date(1998, 12, 1), "month")


@pytest.mark.parametrize(
    ("name", "pinyin", "initials"),
    [("张三丽", "zhangsanli", "zsl"), ("曾小明", "zengxiaoming", "zxm"), ("李·明", "liming", "lm")],
)
def test_it_keeps_the_names_pinyin_for_search(net: Network, name: str, pinyin: str, initials: str) -> None:
    assert services.pinyin_of(name) == (pinyin, initials)


def test_its_categories_begin_on_the_discharge_date(net: Network) -> None:
    actor = net.users["town_staff"]
    data = clean(
        actor, net.village, categories=["残疾军人", "烈士遗属"], disability_grade="3级", disability_cause="因公"
    )

    veteran = services.veteran_create(actor=actor, data=data)

    periods = {c.category: c for c in veteran.categories.all()}
    assert set(periods) == {"disabled_soldier", "martyr_family"}
    assert all(c.start_date == veteran.discharged_on and c.end_date is None for c in periods.values())
    assert (periods["disabled_soldier"].disability_grade, periods["disabled_soldier"].disability_cause) == (3, "duty")
    assert (periods["martyr_family"].disability_grade, periods["martyr_family"].disability_cause) == (None, "")


def test_it_audits_the_creation_with_the_number_masked(net: Network) -> None:
    actor = net.users["town_staff"]
    data = clean(actor, net.village, phone="13800005678", tags=["困难"])

    veteran = services.veteran_create(actor=actor, data=data)

    text = audit_json("veteran.create")
    assert data.id_number.value not in text and "13800005678" not in text
    entry = AuditEntry.objects.get(action="veteran.create")
    assert entry.after["id_number_masked"] == veteran.id_number_masked
    assert entry.region_code == net.village.code and entry.object_id == str(veteran.pk)
    assert list(veteran.tags.values_list("code", flat=True)) == ["hardship"]


def test_it_refuses_an_id_number_already_registered_anywhere(net: Network) -> None:
    elsewhere = register(net.users["other_town_staff"], net.other_village)
    actor = net.users["town_staff"]

    # the same person's number and service dates (a number of its own with another's dates could be born after them)
    theirs = {k: v for k, v in services.veteran_as_input(elsewhere).items() if k in ("id_number", "enlisted_on",
                                                                                    "discharged_on")}  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.veteran_create(actor=actor, data=clean(actor, net.village, **theirs))

    assert codes(exc) == {"id_number": ["duplicate"]}
    assert Veteran.objects.count() == 1


def test_it_refuses_a_region_outside_the_actors_scope(net: Network) -> None:
    data = clean(net.users["city_staff"], net.other_village)

    with pytest.raises(ValidationError) as exc:
        services.veteran_create(actor=net.users["town_staff"], data=data)

    assert codes(exc) == {"region_code": ["unknown_region"]}
    assert not Veteran.objects.exists()


@pytest.mark.parametrize("role", ["grid_leader", "auditor", "liaison", "veteran"])
def test_it_refuses_a_role_that_may_not_register(net: Network, role: str) -> None:
    data = clean(net.users["city_staff"], net.grid)

    with pytest.raises(PermissionDenied):
        services.veteran_create(actor=net.users[role], data=data)
    assert not Veteran.objects.exists()
    assert not AuditEntry.objects.filter(action="veteran.create").exists()


# --- update ------------------------------------------------------------------------------------


def test_an_unchanged_record_round_trips_through_its_input(net: Network) -> None:
    actor = net.users["town_staff"]
    veteran = register_born(
        actor,
        net.village,
        dt.date(1978, 3, 4),
        phone="0573-85012345",
        categories=["残疾军人"],
        disability_grade="7",
        disability_cause="因病",
        political_status="中共党员",
        party_joined_on="2001-07-01",
        tags=["空巢"],
        discharged_on="2000-12",
    )
    before = services.veteran_as_input(veteran)

    services.veteran_update(actor=actor, veteran=veteran, data=changed(actor, veteran))

    veteran.refresh_from_db()
    assert services.veteran_as_input(veteran) == before
    assert before["discharged_on"] == "2000-12" and before["tags"] == ["empty_nest"]
    assert not AuditEntry.objects.filter(action="veteran.update").exists()  # nothing changed: no empty entry


def test_an_update_audits_only_what_changed(net: Network) -> None:
    actor = net.users["town_staff"]
    veteran = register(actor, net.village, name="张三丽")

    services.veteran_update(actor=actor, veteran=veteran, data=changed(actor, veteran, name="张三力", rank="上士"))

    entry = AuditEntry.objects.get(action="veteran.update")
    assert entry.before == {"name": "张三丽", "rank": "", "categories": []}
    assert entry.after == {"name": "张三力", "rank": "上士", "categories": []}


def test_an_update_of_only_the_phone_is_audited_masked(net: Network) -> None:
    actor = net.users["town_staff"]
    veteran = register(actor, net.village, phone="13800001111")

    services.veteran_update(actor=actor, veteran=veteran, data=changed(actor, veteran, phone="13900002222"))

    entry = AuditEntry.objects.get(action="veteran.update")
    assert entry.after["phone_changed"] is True
    assert entry.after["phone_masked"] == "139****2222"
    assert "13900002222" not in json.dumps(entry.after) + json.dumps(entry.before)
    assert "13800001111" not in json.dumps(entry.before)


def test_an_update_of_only_the_disability_grade_is_audited(net: Network) -> None:
    actor = net.users["town_staff"]
    veteran = register(actor, net.village, categories=["残疾军人"], disability_grade="7", disability_cause="因病")

    services.veteran_update(actor=actor, veteran=veteran, data=changed(actor, veteran, disability_grade="6"))

    entry = AuditEntry.objects.get(action="veteran.update")
    assert entry.before["disability_grade"] == 7 and entry.after["disability_grade"] == 6


def test_an_update_may_not_take_another_veterans_id_number(net: Network) -> None:
    actor = net.users["town_staff"]
    # Service dates after both birth dates, so that only the ID number can clash.
    first = register(actor, net.village, name="甲", enlisted_on="2020-01", discharged_on="2022-01")
    second = register(actor, net.village, name="乙", enlisted_on="2020-01", discharged_on="2022-01")

    with pytest.raises(ValidationError) as exc:
        services.veteran_update(
            actor=actor,
            veteran=second,
            data=changed(
                actor, second, id_number=services.veteran_as_input(first)["id_number"], birth_date=None, gender=None
            ),
        )

    assert codes(exc) == {"id_number": ["duplicate"]}
    second.refresh_from_db()
    assert second.id_hash != first.id_hash


def test_an_update_may_not_move_a_veteran_out_of_the_actors_scope(net: Network) -> None:
    veteran = register(net.users["town_staff"], net.village)
    data = changed(net.users["city_staff"], veteran, region_code=net.other_village.code)

    with pytest.raises(ValidationError) as exc:
        services.veteran_update(actor=net.users["town_staff"], veteran=veteran, data=data)

    assert codes(exc) == {"region_code": ["unknown_region"]}
    veteran.refresh_from_db()
    assert veteran.region_code == net.village.code


def test_categories_keep_their_history(net: Network) -> None:
    actor = net.users["town_staff"]
    veteran = register(actor, net.village, categories=["残疾军人", "在乡复员军人"], disability_grade="5")

    services.veteran_update(
        actor=actor,
        veteran=veteran,
        data=changed(actor, veteran, categories=["残疾军人", "烈士遗属"], disability_grade="4"),
    )

    periods = {c.category: c for c in VeteranCategory.objects.filter(veteran=veteran)}
    assert periods["demobilised_rural"].end_date == TODAY
    assert (periods["martyr_family"].start_date, periods["martyr_family"].end_date) == (TODAY, None)
    disabled = periods["disabled_soldier"]
    assert (disabled.start_date, disabled.end_date, disabled.disability_grade) == (veteran.discharged_on, None, 4)
    assert VeteranCategory.objects.filter(veteran=veteran).count() == 3


def test_tags_left_out_of_the_data_stay_as_they_are(net: Network) -> None:
    actor = net.users["town_staff"]
    veteran = register(actor, net.village, tags=["困难"])
    raw = services.veteran_as_input(veteran) | {"address": "某路"}
    del raw["tags"]

    services.veteran_update(
        actor=actor, veteran=veteran, data=clean_veteran(raw, regions=services.scope_regions(actor))
    )

    assert list(veteran.tags.values_list("code", flat=True)) == ["hardship"]
    assert "tags" not in AuditEntry.objects.get(action="veteran.update").after


# --- death -------------------------------------------------------------------------------------


def test_a_death_ends_the_open_categories_and_is_audited(net: Network) -> None:
    actor = net.users["town_staff"]
    veteran = register(actor, net.village, categories=["在乡复员军人"])
    died = TODAY - dt.timedelta(days=1)

    services.veteran_mark_deceased(actor=actor, veteran=veteran, died_on=died, reason="家属告知")

    veteran.refresh_from_db()
    assert (veteran.status, veteran.deceased_on) == ("deceased", died)
    assert veteran.categories.get().end_date == died
    entry = AuditEntry.objects.get(action="veteran.mark_deceased")
    assert (entry.before, entry.reason) == ({"status": "living"}, "家属告知")


def test_a_category_begun_after_the_death_ends_where_it_began(net: Network) -> None:
    actor = net.users["town_staff"]
    veteran = register(actor, net.village, categories=["在乡复员军人"])
    late = VeteranCategory.objects.create(veteran=veteran, category="martyr_family", start_date=TODAY)
    died = TODAY - dt.timedelta(days=10)

    services.veteran_mark_deceased(actor=actor, veteran=veteran, died_on=died)

    late.refresh_from_db()
    assert late.end_date == TODAY
    assert veteran.categories.get(category="demobilised_rural").end_date == died


@pytest.mark.parametrize("when", ["tomorrow", "before_birth"])
def test_an_impossible_date_of_death_is_refused(net: Network, when: str) -> None:
    actor = net.users["town_staff"]
    veteran = register(actor, net.village)
    died = TODAY + dt.timedelta(days=1) if when == "tomorrow" else veteran.birth_date - dt.timedelta(days=1)

    with pytest.raises(ValidationError) as exc:
        services.veteran_mark_deceased(actor=actor, veteran=veteran, died_on=died)

    assert codes(exc) == {"deceased_on": ["bad_date"]}
    veteran.refresh_from_db()
    assert veteran.status == "living"


def test_a_death_is_recorded_once(net: Network) -> None:
    actor = net.users["town_staff"]
    veteran = register(actor, net.village)
    services.veteran_mark_deceased(actor=actor, veteran=veteran, died_on=dt.date(2020, 1, 1))

    with pytest.raises(ValidationError) as exc:
        services.veteran_mark_deceased(actor=actor, veteran=veteran, died_on=dt.date(2021, 1, 1))

    assert codes(exc) == {"deceased_on": ["already_deceased"]}


def test_the_record_of_a_dead_veteran_can_still_be_corrected(net: Network) -> None:
    actor = net.users["town_staff"]
    veteran = register(actor, net.village, categories=["在乡复员军人"])
    services.veteran_mark_deceased(actor=actor, veteran=veteran, died_on=dt.date(2020, 1, 1))

    services.veteran_update(actor=actor, veteran=veteran, data=changed(actor, veteran, address="某路"))

    veteran.refresh_from_db()
    assert (veteran.status, veteran.deceased_on, veteran.address) == ("deceased", dt.date(2020, 1, 1), "某路")
    assert not veteran.categories.filter(end_date__isnull=True).exists()


# --- revealing ---------------------------------------------------------------------------------


def test_revealing_returns_the_number_and_audits_the_reason(net: Network) -> None:
    veteran = register(net.users["town_staff"], net.village)

    number = services.veteran_reveal_id(actor=net.users["city_staff"], veteran=veteran, reason="  办理抚恤  ")

    assert number == services.veteran_as_input(veteran)["id_number"]
    entry = AuditEntry.objects.get(action="veteran.reveal_id")
    assert (entry.reason, entry.actor_username, entry.region_code) == ("办理抚恤", "city_staff", net.village.code)
    assert number not in audit_json("veteran.reveal_id")


@pytest.mark.parametrize(
    ("reason", "code"), [("", "reason_required"), ("看一下", "reason_required"), ("长" * 201, "too_long")]
)
def test_revealing_needs_a_reason_of_4_to_200_characters(net: Network, reason: str, code: str) -> None:
    veteran = register(net.users["town_staff"], net.village)

    with pytest.raises(ValidationError) as exc:
        services.veteran_reveal_id(actor=net.users["town_staff"], veteran=veteran, reason=reason)

    assert codes(exc) == {"reason": [code]}
    assert not AuditEntry.objects.filter(action="veteran.reveal_id").exists()


@pytest.mark.parametrize("role", ["village_staff", "grid_leader", "auditor"])
def test_revealing_is_refused_to_a_role_without_the_right(net: Network, role: str) -> None:
    veteran = register(net.users["town_staff"], net.grid)

    with pytest.raises(PermissionDenied):
        services.veteran_reveal_id(actor=net.users[role], veteran=veteran, reason="核对身份信息")


# --- export ------------------------------------------------------------------------------------


def test_the_export_rows_are_masked(net: Network) -> None:
    veteran = register_born(
        net.users["town_staff"],
        net.village,
        dt.date(1978, 3, 4),
        phone="13800005678",
        discharged_on="2000-12",
        political_status="中共党员",
        party_joined_on="1999-07-01",
    )

    [row] = list(services.export_rows(Veteran.objects.all()))

    record = dict(zip(services.EXPORT_HEADERS, row, strict=True))
    assert record["身份证号"] == veteran.id_number_masked and record["联系电话"] == "138****5678"
    assert record["退役时间"] == "2000-12" and record["入党时间"] == dt.date(1999, 7, 1)
    assert services.veteran_as_input(veteran)["id_number"] not in str(row)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_is_audited_with_its_size_and_filters(net: Network, fmt: str) -> None:
    actor = net.users["town_staff"]
    for _ in range(3):
        register(actor, net.village)

    job = export_job_start(actor=actor, export=EXPORT, fmt=fmt, filters={"status": "living"})

    assert job.status == "done" and job.total_rows == 3
    if fmt == "xlsx":
        rows = list(load_workbook(job.file_path).active.iter_rows(values_only=True))
    else:
        rows = list(csv.reader(io.StringIO(Path(job.file_path).read_text(encoding="utf-8-sig"))))
    assert len(rows) == 4 and list(rows[0]) == services.EXPORT_HEADERS
    entry = AuditEntry.objects.get(action="veteran.export")
    assert entry.after == {"format": fmt, "rows": 3, "filters": {"status": "living"}}
    assert entry.region_code == net.danghu.code


@pytest.mark.parametrize("role", ["village_staff", "grid_leader"])
def test_an_export_is_refused_to_a_role_without_the_right(net: Network, role: str) -> None:
    with pytest.raises(PermissionDenied):
        export_job_start(actor=net.users[role], export=EXPORT, fmt="csv", filters={})
    assert not AuditEntry.objects.filter(action="veteran.export").exists()
    assert not ExportJob.objects.exists()


def test_tags_are_a_catalogue_seeded_by_migration(db: None) -> None:
    assert set(Tag.objects.values_list("name", flat=True)) >= {"困难", "重点人员", "空巢", "独居"}


def test_only_those_who_may_reveal_see_who_revealed(net: Network) -> None:
    from veterans.timeline import timeline

    veteran = register(net.users["town_staff"], net.village)
    services.veteran_reveal_id(actor=net.users["town_staff"], veteran=veteran, reason="核对身份信息")

    def revealed(role: str) -> bool:
        return any("完整" in str(i.title) or "Full ID" in str(i.title) for i in timeline(veteran, net.users[role]))

    assert revealed("town_staff") and revealed("auditor")
    assert not revealed("grid_leader") and not revealed("village_staff")


def test_a_category_removed_and_given_back_the_same_day_reopens_its_period(net: Network) -> None:
    actor = net.users["town_staff"]
    veteran = register(actor, net.village, categories=["rural_over_60"])
    services.veteran_update(actor=actor, veteran=veteran, data=changed(actor, veteran, categories=[]))
    services.veteran_update(actor=actor, veteran=veteran, data=changed(actor, veteran, categories=["rural_over_60"]))

    periods = list(veteran.categories.filter(category="rural_over_60"))
    assert len(periods) == 1 and periods[0].end_date is None


def test_no_category_begins_after_death(net: Network) -> None:
    import datetime as dt

    actor = net.users["town_staff"]
    veteran = register(actor, net.village)
    services.veteran_mark_deceased(actor=actor, veteran=veteran, died_on=timezone.localdate() - dt.timedelta(days=3))

    with pytest.raises(ValidationError) as exc:
        services.veteran_update(
            actor=actor, veteran=veteran, data=changed(actor, veteran, categories=["rural_over_60"])
        )

    assert codes(exc) == {"categories": ["category_after_death"]}
    assert not veteran.categories.exists()
