"""One validation for every way in: clean_veteran, ID numbers, phones, dates, lists and text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from core.crypto import keyed_hash, keyed_hasher
from core.errors import error_items
from core.parsing import Memo, date_value, enum_value, text
from core.validators import IdNumber, build_id_number, check_digit, mask_id, parse_id_number, validate_phone
from veterans import choices as c
from veterans.models import Tag
from veterans.services import scope_regions
from veterans.tests.factories import id_number, id_number_ending_in_x, id_number_with_birth, valid_row
from veterans.validation import VeteranData, clean_veteran

TODAY = dt.date(2024, 6, 15)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def codes(exc: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str | None, str]]:
    return [(item["field"], item["code"]) for item in error_items(exc.value)]


def refused(func: Any, *args: Any, **kwargs: Any) -> list[tuple[str | None, str]]:
    with pytest.raises(ValidationError) as exc:
        func(*args, **kwargs)
    return codes(exc)


# --- ID numbers ----------------------------------------------------------------------------------------


def test_a_valid_id_number_tells_birth_date_and_gender():
    man = parse_id_number(build_id_number("330482", dt.date(1980, 5, 17), 123))
    woman = parse_id_number(build_id_number("330482", dt.date(1980, 5, 17), 124))
    assert (man.birth_date, man.gender, woman.gender) == (dt.date(1980, 5, 17), "M", "F")
    assert man.masked == man.value[:6] + "********" + man.value[-4:]


def test_a_leap_day_is_a_real_birth_date():
    assert parse_id_number(id_number_with_birth("20000229")).birth_date == dt.date(2000, 2, 29)


@pytest.mark.parametrize(
    "written",
    [
        pytest.param(lambda n: n.translate(FULL_WIDTH), id="full-width-digits"),
        pytest.param(lambda n: f"  {n[:6]} {n[6:14]} {n[14:]} ", id="spaces"),
        pytest.param(lambda n: n.translate(FULL_WIDTH).replace("X", "ｘ"), id="full-width-x"),
        pytest.param(lambda n: n.lower(), id="lowercase-x"),
        pytest.param(lambda n: "\u3000" + n + "\u00a0", id="ideographic-and-no-break-spaces"),
    ],
)
def test_an_id_number_is_normalised(written):
    number = id_number_ending_in_x()
    assert number.endswith("X") and parse_id_number(number).value == number
    assert parse_id_number(written(number)).value == number


def test_an_id_number_ending_in_x_is_valid():
    number = id_number_ending_in_x(dt.date(1990, 1, 1))
    assert check_digit(number[:17]) == "X"
    assert parse_id_number(number) == IdNumber(number, dt.date(1990, 1, 1), parse_id_number(number).gender)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (None, "required"),
        ("", "required"),
        ("   ", "required"),
        (330482198005171234, "id_as_number"),
        (3.30482198005171e17, "id_as_number"),
        ("3.30482E+17", "id_as_number"),
        ("3.30482e17", "id_as_number"),
        ("３．３０４８２Ｅ＋１７", "id_as_number"),
        ("330482800517123", "id_old"),
        ("33048219800517123", "id_shape"),
        ("3304821980051712345", "id_shape"),
        ("33048219800517A234", "id_shape"),
        ("33048219800517123Y", "id_shape"),
        ("'330482198005171234", "id_shape"),
        (id_number_with_birth("19800517", region="990482"), "id_region"),
        (id_number_with_birth("19801301"), "id_birth_date"),
        (id_number_with_birth("19800230"), "id_birth_date"),
        (id_number_with_birth("19990229"), "id_birth_date"),
        (id_number_with_birth("19800001"), "id_birth_date"),
        (id_number_with_birth("18991231"), "id_birth_date"),
        (id_number_with_birth("20240616"), "id_birth_date"),  # the day after TODAY
    ],
)
def test_an_id_number_is_refused(raw, code):
    assert refused(parse_id_number, raw, "id_number", today=TODAY) == [("id_number", code)]


def test_every_wrong_check_digit_is_refused():
    number = build_id_number("330482", dt.date(1980, 5, 17), 123)
    for digit in "0123456789X":
        if digit != number[-1]:
            assert refused(parse_id_number, number[:-1] + digit) == [("id_number", "id_checksum")]


def test_the_birth_date_of_today_is_possible():
    assert parse_id_number(id_number_with_birth("20240615"), today=TODAY).birth_date == TODAY


def test_mask_id_shows_the_first_6_and_last_4():
    assert mask_id("330482198005171234") == "330482********1234"
    assert mask_id("1234567890") == "**********"


# --- phones --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("13800001234", "13800001234"),
        (" 138 0000 1234 ", "13800001234"),
        ("１３８００００１２３４", "13800001234"),
        (13800001234.0, "13800001234"),  # typed into a number cell
        (19912345678, "19912345678"),
        ("0573-85012345", "0573-85012345"),
        ("057385012345", "057385012345"),
        ("010-12345678", "010-12345678"),
        (None, ""),
        ("", ""),
    ],
)
def test_a_phone_is_accepted_and_normalised(raw, clean):
    assert validate_phone(raw) == clean


@pytest.mark.parametrize(
    "raw",
    ["12345", "12800001234", "1380000123", "138000012345", "573-85012345", "0573-850", "电话", "+8613800001234", 5.5],
)
def test_a_bad_phone_is_refused(raw):
    assert refused(validate_phone, raw) == [("phone", "bad_phone")]


# --- dates ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2001-09-01", (dt.date(2001, 9, 1), "day")),
        ("2001/9/1", (dt.date(2001, 9, 1), "day")),
        ("2001.9.1", (dt.date(2001, 9, 1), "day")),
        ("2001年9月1日", (dt.date(2001, 9, 1), "day")),
        ("2001年09月01日", (dt.date(2001, 9, 1), "day")),
        ("2001 - 09 - 01", (dt.date(2001, 9, 1), "day")),
        ("２００１－０９－０１", (dt.date(2001, 9, 1), "day")),
        (dt.date(2001, 9, 1), (dt.date(2001, 9, 1), "day")),
        (dt.datetime(2001, 9, 1, 8, 30), (dt.date(2001, 9, 1), "day")),  # noqa: DTZ001 spreadsheet cells hold naive datetimes
        (37135, (dt.date(2001, 9, 1), "day")),  # an Excel serial day number
        (37135.0, (dt.date(2001, 9, 1), "day")),
        ("2001-09", (dt.date(2001, 9, 1), "month")),
        ("2001.09", (dt.date(2001, 9, 1), "month")),
        ("2001.9", (dt.date(2001, 9, 1), "month")),
        ("2001/9", (dt.date(2001, 9, 1), "month")),
        ("2001年9月", (dt.date(2001, 9, 1), "month")),
        ("2001年9", (dt.date(2001, 9, 1), "month")),
        (None, (None, "day")),
        ("  ", (None, "day")),
    ],
)
def test_a_date_is_read_with_its_precision(raw, expected):
    assert date_value(raw, "enlisted_on", allow_month=True, today=TODAY) == expected


@pytest.mark.parametrize("raw", ["2001-09", "2001.09", "2001年9月"])
def test_a_month_is_not_enough_where_a_day_is_needed(raw):
    assert refused(date_value, raw, "birth_date", today=TODAY) == [("birth_date", "bad_date")]


@pytest.mark.parametrize(
    "raw",
    [
        "2001-13-01",
        "2001-02-29",
        "2001-09-31",
        "2001-13",
        "2001-00",
        "01-09-2001",
        "20010901",
        20010901,
        "九月",
        "2001-09-01 25:00x",
        2001.09,  # 2001.09 typed into a number cell: not the serial day 2001 (1905-06-23)
        2001.1,
        "1899-12-31",
        0,
    ],
)
def test_a_date_that_is_not_one_is_refused(raw):
    assert refused(date_value, raw, "enlisted_on", allow_month=True, today=TODAY) == [("enlisted_on", "bad_date")]


@pytest.mark.parametrize("raw", ["2024-06-16", "2024-07", dt.date(2024, 6, 16), "2025年1月1日"])
def test_a_date_in_the_future_is_refused(raw):
    assert refused(date_value, raw, "enlisted_on", allow_month=True, today=TODAY) == [("enlisted_on", "future_date")]


def test_today_and_this_month_are_not_the_future():
    assert date_value("2024-06-15", "x", today=TODAY) == (TODAY, "day")
    assert date_value("2024-06", "x", allow_month=True, today=TODAY) == (dt.date(2024, 6, 1), "month")


def test_a_required_date_must_be_given():
    assert refused(date_value, "", "enlisted_on", required=True) == [("enlisted_on", "required")]


# --- lists and text ------------------------------------------------------------------------------------


DISCHARGED_EN = next(en for code, en, _zh in c.DISCHARGE_TYPES if code == "discharged")


@pytest.mark.parametrize("raw", ["退伍", " 退伍 ", "discharged", DISCHARGED_EN, DISCHARGED_EN.upper()])
def test_a_list_value_is_its_chinese_term_english_label_or_code(raw):
    assert enum_value(raw, "x", c.DISCHARGE_TYPES) == "discharged"


@pytest.mark.parametrize(
    ("table", "code", "english", "chinese"),
    [
        pytest.param(table, *row, id=f"{name}-{row[0]}")
        for name, table in [("branch", c.BRANCHES), ("status", c.POLITICAL_STATUSES), ("discharge", c.DISCHARGE_TYPES),
                            ("placement", c.PLACEMENTS), ("employment", c.EMPLOYMENT), ("category", c.CATEGORIES)]
        for row in table
    ],
)  # fmt: skip
def test_every_english_label_is_accepted_even_with_spaces(table, code, english, chinese):
    assert enum_value(english, "x", table) == enum_value(chinese, "x", table) == enum_value(code, "x", table) == code


def test_a_value_not_in_the_list_names_the_allowed_chinese_terms():
    with pytest.raises(ValidationError) as exc:
        enum_value("开除", "discharge_type", c.DISCHARGE_TYPES, required=True)
    [item] = error_items(exc.value)
    assert item["code"] == "bad_choice"
    assert all(zh in item["message"] for _v, _en, zh in c.DISCHARGE_TYPES)
    assert "开除" in item["message"] and "退伍" in item["message_en"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
@pytest.mark.parametrize(
    "check",
    [
        pytest.param(lambda v: text(v, "name", max_length=50), id="text"),
        pytest.param(lambda v: date_value(v, "name"), id="date"),
        pytest.param(lambda v: enum_value(v, "name", c.GENDERS), id="list"),
    ],
)
def test_a_value_that_could_run_as_a_formula_is_refused(start, check):
    assert refused(check, f"{start}cmd|' /C calc'!A0") == [("name", "formula")]


def test_text_is_stripped_and_numbers_lose_their_dot_zero():
    assert text("  张三 ", "name", max_length=50) == "张三"
    assert text(330482001001.0, "region_code", max_length=15) == "330482001001"
    assert text("", "name", max_length=50) == ""
    assert refused(text, " ", "name", max_length=50, required=True) == [("name", "required")]
    assert refused(text, "长" * 51, "name", max_length=50) == [("name", "too_long")]
    assert text("长" * 50, "name", max_length=50) == "长" * 50


# --- clean_veteran -------------------------------------------------------------------------------------


@pytest.fixture
def regions(net):
    return scope_regions(net.users["town_staff"])


def clean(regions: dict, **overrides: Any) -> VeteranData:
    return clean_veteran(valid_row(regions["330482001001"], **overrides), regions=regions, today=TODAY)


def problems(regions: dict, **overrides: Any) -> list[tuple[str | None, str]]:
    with pytest.raises(ValidationError) as exc:
        clean(regions, **overrides)
    return codes(exc)


@pytest.mark.django_db
def test_a_full_row_is_cleaned_into_model_values(net, regions):
    birth = dt.date(1980, 5, 17)
    data = clean(
        regions,
        name=" 李四 ",
        id_number=id_number(birth, male=False).lower(),
        region_code=" 330482001001001 ",
        enlisted_on="1998年12月",
        discharged_on="2002.12.1",
        discharge_type="转业",
        gender="女",
        birth_date="1980/5/17",
        ethnicity="回",
        phone="0573-85012345",
        address="当湖街道",
        branch="海军",
        rank="中士",
        political_status="中共党员",
        party_joined_on="2001-07-01",
        education="大专",
        placement="安排工作",
        employment_status="在职",
        categories="残疾军人；参战参试退役人员；残疾军人",
        disability_grade="8级",
        disability_cause="因公",
        awards="三等功",
        note="备注",
    )
    assert (data.name, data.id_number.gender, data.region) == ("李四", "F", net.grid)
    assert (data.enlisted_on, data.enlisted_precision) == (dt.date(1998, 12, 1), "month")
    assert (data.discharged_on, data.discharged_precision) == (dt.date(2002, 12, 1), "day")
    assert data.discharge_type == "transferred" and data.phone == "0573-85012345"
    assert data.categories == ["disabled_soldier", "war_or_test_veteran"]
    assert (data.disability_grade, data.disability_cause) == (8, "duty")
    assert data.values == {
        "ethnicity": "回族", "address": "当湖街道", "rank": "中士", "awards": "三等功", "note": "备注",
        "hukou_region_code": "", "branch": "navy", "placement": "assigned_job", "political_status": "party_member",
        "education": "college", "employment_status": "employed", "party_joined_on": dt.date(2001, 7, 1),
    }  # fmt: skip
    assert data.tags is None


@pytest.mark.django_db
def test_every_bad_field_is_reported_at_once(regions):
    found = problems(regions, name="", phone="1", region_code="330482999999", discharge_type="开除",
                     ethnicity="火星族", hukou_region_code="12345")  # fmt: skip
    assert sorted(found) == sorted([
        ("name", "required"), ("phone", "bad_phone"), ("region_code", "unknown_region"),
        ("discharge_type", "bad_choice"), ("ethnicity", "bad_choice"), ("hukou_region_code", "bad_code_shape"),
    ])  # fmt: skip


@pytest.mark.django_db
def test_the_gender_and_birth_date_must_agree_with_the_id(regions):
    number = id_number(dt.date(1980, 5, 17), male=True)
    assert problems(regions, id_number=number, gender="女") == [("gender", "gender_mismatch")]
    assert problems(regions, id_number=number, birth_date="1980-05-18") == [("birth_date", "birth_date_mismatch")]
    assert clean(regions, id_number=number, gender="男", birth_date="1980年5月17日").id_number.value == number


@pytest.mark.django_db
def test_service_dates_must_be_in_order(regions):
    number = id_number(dt.date(1980, 5, 17))
    assert problems(regions, id_number=number, enlisted_on="2001-09-01", discharged_on="2001-08") == [
        ("discharged_on", "discharge_before_enlistment")
    ]
    assert problems(regions, id_number=number, enlisted_on="1979-09", discharged_on="2001-08") == [
        ("enlisted_on", "enlisted_before_birth")
    ]
    assert clean(regions, id_number=number, enlisted_on="2001-09-01", discharged_on="2001-09-01").discharged_on


@pytest.mark.django_db
def test_dates_after_today_are_refused(regions):
    assert problems(regions, discharged_on="2024-07") == [("discharged_on", "future_date")]


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["", "群众", "共青团员", "民主党派"])
def test_a_party_date_needs_party_membership(regions, status):
    assert problems(regions, party_joined_on="2005-07-01", political_status=status) == [
        ("party_joined_on", "party_date_without_membership")
    ]


@pytest.mark.django_db
def test_a_party_date_is_fine_for_members_and_not_before_birth(regions):
    number = id_number(dt.date(1980, 5, 17))
    for status in ("中共党员", "中共预备党员"):
        assert clean(regions, id_number=number, party_joined_on="2005-07-01", political_status=status)
    assert problems(regions, id_number=number, party_joined_on="1979-07-01", political_status="中共党员") == [
        ("party_joined_on", "party_before_birth")
    ]
    # a bad status is reported once, not again as a party date without membership
    assert problems(regions, party_joined_on="2005-07-01", political_status="党员") == [
        ("political_status", "bad_choice")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("separator", ["；", ";", "、", "，", ",", " ; "])
def test_categories_are_split_on_every_usual_mark(regions, separator):
    data = clean(regions, categories=f"烈士遗属{separator}在乡复员军人")
    assert data.categories == ["martyr_family", "demobilised_rural"]


@pytest.mark.django_db
def test_categories_may_be_a_list_of_codes(regions):
    assert clean(regions, categories=["martyr_family", "烈士遗属"]).categories == ["martyr_family"]
    assert problems(regions, categories="烈士遗属；困难户") == [("categories", "bad_choice")]


@pytest.mark.django_db
@pytest.mark.parametrize(("raw", "grade"), [(1, 1), ("10", 10), ("6级", 6), (" 3 ", 3), (7.0, 7), ("４", 4)])
def test_a_disability_grade_from_1_to_10(regions, raw, grade):
    assert clean(regions, categories="残疾军人", disability_grade=raw).disability_grade == grade


@pytest.mark.django_db
@pytest.mark.parametrize("raw", [0, 11, -1, "0级", "十", "6.5", 6.5, "inf", "nan", "1e400"])
def test_a_disability_grade_outside_1_to_10_is_refused(regions, raw):
    assert problems(regions, categories="残疾军人", disability_grade=raw) == [("disability_grade", "bad_grade")]


@pytest.mark.django_db
def test_a_disability_needs_the_disabled_category(regions):
    assert problems(regions, disability_grade="5") == [("disability_grade", "disability_without_category")]
    assert problems(regions, disability_cause="因战") == [("disability_grade", "disability_without_category")]


@pytest.mark.django_db
def test_a_region_must_be_a_village_or_grid_in_scope(net, regions):
    assert clean(regions, region_code=net.grid.code).region == net.grid
    for code in (net.danghu.code, net.other_village.code, net.other_grid.code, "330482999999"):
        assert problems(regions, region_code=code) == [("region_code", "unknown_region")]
    towns = {net.danghu.code: net.danghu}
    with pytest.raises(ValidationError) as exc:
        clean_veteran(valid_row(net.danghu), regions=towns, today=TODAY)
    assert codes(exc) == [("region_code", "bad_region_level")]


@pytest.mark.django_db
def test_tags_are_known_ones_given_by_code_or_name(regions):
    tag = Tag.objects.create(code="test_watch", name="测试关注")
    assert clean(regions, tags="测试关注；test_watch").tags == [tag]
    assert clean(regions, tags="").tags == []
    assert problems(regions, tags="测试关注；没有这个标签") == [("tags", "bad_choice")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "limit"), [("name", 50), ("address", 200), ("rank", 30), ("awards", 500), ("note", 500)]
)
def test_text_fields_have_a_length_limit(regions, field, limit):
    assert clean(regions, **{field: "长" * limit})
    assert problems(regions, **{field: "长" * (limit + 1)}) == [(field, "too_long")]


@pytest.mark.parametrize("year", [2001, 2001.0, 1999])
def test_a_year_typed_into_a_number_cell_is_refused_not_read_as_a_day_in_1905(year: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        date_value(year, "enlisted_on")

    assert exc.value.error_dict["enlisted_on"][0].code == "bad_date"


def test_an_excel_day_number_is_read_as_its_date() -> None:
    assert date_value(37135, "enlisted_on") == (dt.date(2001, 9, 1), "day")


def test_the_birth_date_message_does_not_repeat_the_digits() -> None:
    with pytest.raises(ValidationError) as exc:
        parse_id_number("330482199013011236")

    item = error_items(exc.value)[0]
    assert item["code"] == "id_birth_date" and "19901301" not in item["message"] + item["message_en"]


@pytest.mark.parametrize("text", ["2001-09-01 08:00", "2001-09-01 08:00:00", "2001/9/1 8:05"])
def test_a_date_exported_with_a_time_is_read_as_its_day(text: str) -> None:
    assert date_value(text, "enlisted_on") == (dt.date(2001, 9, 1), "day")


# --- an import's memo of parsed cells ------------------------------------------------------------------


def test_a_memo_parses_a_value_once_per_field_and_keeps_no_failure():
    calls: list[Any] = []

    def counted(value: Any, field: str, **options: Any) -> Any:
        calls.append((field, value))
        return date_value(value, field, today=TODAY, **options)

    memo = Memo()
    for _ in range(3):
        assert memo(counted, "2001-09-01", "enlisted_on") == (dt.date(2001, 9, 1), "day")
    assert calls == [("enlisted_on", "2001-09-01")]
    # the same value for another field is that field's own (its options may differ)
    assert memo(counted, "2001-09", "enlisted_on", allow_month=True) == (dt.date(2001, 9, 1), "month")
    with pytest.raises(ValidationError):
        memo(counted, "2001-09", "birth_date")
    with pytest.raises(ValidationError):
        memo(counted, "2001-09", "birth_date")
    assert calls[-2:] == [("birth_date", "2001-09"), ("birth_date", "2001-09")]  # a failure is checked again


def test_a_memo_tells_equal_values_of_different_types_apart():
    memo = Memo()
    assert memo(text, 1, "rank", max_length=10) == "1"
    assert memo(text, True, "rank", max_length=10) == "True"
    assert memo(text, 1.0, "rank", max_length=10) == "1"


def test_an_import_memo_gives_each_field_its_own_rules(net):
    # A month is a valid enlistment date but not a Party join date: parsed once for the first, the same text
    # must still be refused for the second.
    row = valid_row(net.village, id_number=id_number_with_birth("19800517"), enlisted_on="2001-09",
                    discharged_on="2005-12", political_status="中共党员", party_joined_on="2001-09")  # fmt: skip
    memo = Memo()
    regions = scope_regions(net.users["town_staff"])
    assert refused(clean_veteran, row, regions=regions, memo=memo) == [("party_joined_on", "bad_date")]
    row["party_joined_on"] = "2001-09-01"
    assert clean_veteran(row, regions=regions, memo=memo).values["party_joined_on"] == dt.date(2001, 9, 1)


def test_an_import_hasher_keeps_short_values_and_agrees_with_keyed_hash():
    keyed = keyed_hasher()
    assert keyed("1234", "id_tail4") == keyed("1234", "id_tail4") == keyed_hash("1234", "id_tail4")
    assert keyed("1234", "phone_tail4") == keyed_hash("1234", "phone_tail4") != keyed_hash("1234", "id_tail4")
    assert keyed("330482198005171234", "id") == keyed_hash("330482198005171234", "id")
