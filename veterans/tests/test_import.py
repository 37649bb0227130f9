"""The veteran import end to end: real xlsx and CSV files through the pipeline and the import_veterans command."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from accounts.testing import Network, UserFactory
from audit.models import AuditEntry
from core.crypto import decrypt
from core.imports import ImportResult, RowError, import_file, validate, write_report, write_template
from core.validators import build_id_number, mask_id
from veterans import choices as c
from veterans.imports import COLUMNS, REGISTER
from veterans.models import Veteran, VeteranCategory, VeteranNameGram
from veterans.search import pieces_of, search_q
from veterans.services import NewVeterans
from veterans.tests.factories import (
    id_number,
    id_number_ending_in_x,
    id_number_with_birth,
    register,
    valid_row,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db

REQUIRED_HEADERS = [c.header for c in COLUMNS if c.required]
FUTURE = timezone.localdate() + dt.timedelta(days=400)


# --- helpers -------------------------------------------------------------------


def run_import(*args: Any) -> tuple[int, str, str]:
    """The exit code (0 when the command returns), stdout and stderr of import_veterans."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_veterans", *[str(a) for a in args], stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def where(errors: list[RowError]) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.code) for e in errors]


def imports() -> Any:
    return AuditEntry.objects.filter(action="veteran.import")


def rejected(net: Network, path: Path, *, user: str = "town_staff", on_duplicate: str = "error") -> list[RowError]:
    """The file's errors, after checking that neither a writing import nor the command writes anything."""
    veterans_before = Veteran.objects.count()
    imports_before = imports().count()
    actor = net.users[user]
    result = import_file(path, REGISTER, actor=actor, on_duplicate=on_duplicate, write=True)
    assert result.errors and not result.committed
    assert where(validate(path, REGISTER, actor=actor, on_duplicate=on_duplicate).errors) == where(result.errors)
    code, out, _err = run_import(path, "--commit", "--user", user, "--on-duplicate", on_duplicate)
    assert code == 1, out
    assert "未写入任何数据" in out
    assert Veteran.objects.count() == veterans_before
    assert VeteranCategory.objects.count() == 0
    assert imports().count() == imports_before == 0
    return result.errors


def good_and_bad(tmp_path: Path, net: Network, headers: list[str] | None = None, **bad: Any) -> Path:
    """Row 2 is a clean person, row 3 the same with ``bad`` changed."""
    return write_xlsx(tmp_path / "veterans.xlsx", [valid_row(net.village), valid_row(net.village, **bad)], headers)


def same_person(veteran: Veteran, region: Any, **overrides: Any) -> dict[str, Any]:
    """A file row for an already registered person (their ID, dates that fit their birth)."""
    born = veteran.birth_date.year
    return valid_row(region, id_number=decrypt(veteran.id_number_enc), enlisted_on=f"{born + 18}-09-01",
                     discharged_on=f"{born + 22}-12", **overrides)  # fmt: skip


def other_digit(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last == "X" else str((int(last) + 1) % 10))


# --- rejections: each names Excel's row, the Chinese header and a code, and writes nothing ------------------


def test_it_rejects_a_wrong_check_digit(net, tmp_path):
    bad = other_digit(id_number())
    errors = rejected(net, good_and_bad(tmp_path, net, id_number=bad))
    assert where(errors) == [(3, "身份证号", "id_checksum")]
    assert errors[0].value == mask_id(bad)


@pytest.mark.parametrize("birth", ["20011301", "20010230", "19990229", "18991231"])
def test_it_rejects_an_impossible_birth_date_in_the_id(net, tmp_path, birth):
    errors = rejected(net, good_and_bad(tmp_path, net, id_number=id_number_with_birth(birth)))
    assert where(errors) == [(3, "身份证号", "id_birth_date")]


def test_it_rejects_a_birth_date_in_the_future_in_the_id(net, tmp_path):
    future = build_id_number("330482", timezone.localdate() + dt.timedelta(days=1), 123)
    errors = rejected(net, good_and_bad(tmp_path, net, id_number=future))
    assert where(errors) == [(3, "身份证号", "id_birth_date")]


def test_it_rejects_a_gender_that_contradicts_the_id(net, tmp_path):
    errors = rejected(net, good_and_bad(tmp_path, net, id_number=id_number(male=True), gender="女"))
    assert where(errors) == [(3, "性别", "gender_mismatch")]


def test_it_rejects_a_birth_date_that_contradicts_the_id(net, tmp_path):
    errors = rejected(
        net, good_and_bad(tmp_path, net, id_number=id_number(dt.date(1980, 5, 17)), birth_date="1980-05-18")
    )
    assert where(errors) == [(3, "出生日期", "birth_date_mismatch")]


@pytest.mark.parametrize(
    "cell",
    [
        pytest.param(int(build_id_number("330482", dt.date(1980, 5, 17), 123)), id="integer-cell"),
        pytest.param(float(build_id_number("330482", dt.date(1980, 5, 17), 123)), id="float-cell"),
        pytest.param("3.30482E+17", id="scientific-text"),
        pytest.param("3.304821980E17", id="scientific-text-no-plus"),
    ],
)
def test_it_rejects_an_id_that_excel_turned_into_a_number(net, tmp_path, cell):
    errors = rejected(net, good_and_bad(tmp_path, net, id_number=cell))
    assert where(errors) == [(3, "身份证号", "id_as_number")]
    assert "330482198005171" not in errors[0].value  # masked, whatever Excel left of it


def test_it_rejects_a_discharge_before_the_enlistment(net, tmp_path):
    path = good_and_bad(
        tmp_path, net, id_number=id_number(dt.date(1980, 1, 1)), enlisted_on="2001-09-01", discharged_on="2000-12"
    )
    assert where(rejected(net, path)) == [(3, "退役时间", "discharge_before_enlistment")]


@pytest.mark.parametrize(
    ("field", "header", "value", "extra"),
    [
        ("enlisted_on", "入伍时间", FUTURE.isoformat(), {}),
        ("discharged_on", "退役时间", f"{FUTURE:%Y-%m}", {}),
        ("discharged_on", "退役时间", FUTURE, {}),  # an Excel date cell
        ("birth_date", "出生日期", f"{FUTURE:%Y年%-m月%-d日}", {}),
        ("party_joined_on", "入党时间", f"{FUTURE:%Y/%-m/%-d}", {"political_status": "中共党员"}),
    ],
)
def test_it_rejects_a_date_in_the_future(net, tmp_path, field, header, value, extra):
    errors = rejected(net, good_and_bad(tmp_path, net, **{field: value}, **extra))
    assert where(errors) == [(3, header, "future_date")]


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("330482999999", id="no-such-village"),
        pytest.param("330482001000", id="a-town-not-a-village"),
        pytest.param("330482100001", id="a-zhapu-village-outside-danghu"),
        pytest.param("330482100001001", id="a-zhapu-grid-outside-danghu"),
    ],
)
def test_it_rejects_a_region_unknown_or_outside_the_importers_scope(net, tmp_path, code):
    errors = rejected(net, good_and_bad(tmp_path, net, region_code=code), user="town_staff")
    assert where(errors) == [(3, "所属区划代码", "unknown_region")]


def test_a_city_importer_may_use_any_village_or_grid(net, tmp_path):
    path = write_xlsx(tmp_path / "v.xlsx", [valid_row(net.other_village), valid_row(net.grid), valid_row(net.village)])
    assert validate(path, REGISTER, actor=net.users["city_staff"]).errors == []


def test_it_flags_the_second_occurrence_of_an_id_in_the_file(net, tmp_path):
    first = valid_row(net.village)
    # The same person again (a row of its own would take its dates from the next number in the factory's
    # sequence, which may fall before the birth the ID number says), the ID number in full-width digits.
    again = {**first, "id_number": first["id_number"].translate(str.maketrans("0123456789", "０１２３４５６７８９"))}
    path = write_xlsx(tmp_path / "v.xlsx", [valid_row(net.village), first, valid_row(net.village), again])
    errors = rejected(net, path)
    assert where(errors) == [(5, "身份证号", "duplicate_in_file")]
    assert errors[0].message_en == "The same value as row 3 of this file."
    assert "3" in errors[0].message
    assert errors[0].value == mask_id(first["id_number"])


def test_it_rejects_an_id_already_registered(net, tmp_path):
    existing = register(net.users["town_staff"], net.village)
    path = write_xlsx(tmp_path / "v.xlsx", [valid_row(net.village), same_person(existing, net.village)])
    errors = rejected(net, path, on_duplicate="error")
    assert where(errors) == [(3, "身份证号", "duplicate")]
    assert errors[0].message == "该身份证号已登记。"
    assert errors[0].value == ""


def test_it_rejects_an_id_registered_in_another_town_even_when_that_town_is_out_of_sight(net, tmp_path):
    existing = register(net.users["city_admin"], net.other_village)
    path = write_xlsx(tmp_path / "v.xlsx", [same_person(existing, net.village)])
    assert where(rejected(net, path)) == [(2, "身份证号", "duplicate")]


def test_it_refuses_to_update_a_person_registered_outside_the_importers_scope(net, tmp_path):
    existing = register(net.users["city_admin"], net.other_village)
    path = write_xlsx(tmp_path / "v.xlsx", [same_person(existing, net.village)])
    assert where(rejected(net, path, on_duplicate="update")) == [(2, "身份证号", "out_of_scope")]
    existing.refresh_from_db()
    assert existing.region_code == net.other_village.code


@pytest.mark.parametrize("blank", [None, "", "   "])
@pytest.mark.parametrize(("field", "header"), [(c.field, c.header) for c in COLUMNS if c.required])
def test_it_rejects_a_missing_required_value(net, tmp_path, field, header, blank):
    errors = rejected(net, good_and_bad(tmp_path, net, **{field: blank}))
    assert where(errors) == [(3, header, "required")]


def test_it_rejects_a_file_without_a_required_column(net, tmp_path):
    headers = [h for h in REQUIRED_HEADERS if h != "退役方式"]
    errors = rejected(net, good_and_bad(tmp_path, net, headers=headers))
    assert where(errors)[0] == (1, "退役方式", "missing_column")
    assert "退役方式" in errors[0].message
    assert {(e.column, e.code) for e in errors[1:]} <= {("退役方式", "required")}


def test_a_file_with_only_the_required_columns_is_enough(net, tmp_path):
    path = write_xlsx(tmp_path / "v.xlsx", [valid_row(net.village)], REQUIRED_HEADERS)
    assert validate(path, REGISTER, actor=net.users["town_staff"]).errors == []


@pytest.mark.parametrize(
    ("field", "header", "value", "table"),
    [
        ("discharge_type", "退役方式", "开除", c.DISCHARGE_TYPES),
        ("branch", "军种", "二炮", c.BRANCHES),
        ("political_status", "政治面貌", "党员", c.POLITICAL_STATUSES),
        ("categories", "优抚对象类别", "残疾军人；困难户", c.CATEGORIES),
    ],
)
def test_it_rejects_a_value_not_in_the_list_and_names_the_allowed_ones(net, tmp_path, field, header, value, table):
    errors = rejected(net, good_and_bad(tmp_path, net, **{field: value}))
    assert where(errors) == [(3, header, "bad_choice")]
    for _code, _en, chinese in table:
        assert chinese in errors[0].message
    if field == "discharge_type":
        assert "退伍" in errors[0].message and "开除" in errors[0].message


@pytest.mark.parametrize("phone", ["12345", "23800001234", "1380000123", "138000012345", "0573-850", "电话"])
def test_it_rejects_a_bad_phone(net, tmp_path, phone):
    errors = rejected(net, good_and_bad(tmp_path, net, phone=phone))
    assert where(errors) == [(3, "联系电话", "bad_phone")]
    assert errors[0].value != phone or len(phone) < 11  # a phone is shown masked


def test_a_bad_phone_is_shown_with_its_middle_masked(net, tmp_path):
    errors = rejected(net, good_and_bad(tmp_path, net, phone="138000012345"))
    assert errors[0].value == "138*****2345"


@pytest.mark.parametrize("status", [None, "群众", "共青团员"])
def test_it_rejects_a_party_join_date_without_party_membership(net, tmp_path, status):
    errors = rejected(net, good_and_bad(tmp_path, net, party_joined_on="2005-07-01", political_status=status))
    assert where(errors) == [(3, "入党时间", "party_date_without_membership")]


@pytest.mark.parametrize(
    ("field", "header", "limit"),
    [("name", "姓名", 50), ("address", "现居住地址", 200), ("rank", "军衔", 30), ("note", "备注", 500)],
)
def test_it_rejects_an_over_long_text(net, tmp_path, field, header, limit):
    errors = rejected(net, good_and_bad(tmp_path, net, **{field: "长" * (limit + 1)}))
    assert where(errors) == [(3, header, "too_long")]
    assert errors[0].message_en == f"At most {limit} characters (this has {limit + 1})."


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
@pytest.mark.parametrize(
    ("field", "header"),
    [("name", "姓名"), ("address", "现居住地址"), ("enlisted_on", "入伍时间"), ("discharge_type", "退役方式")],
)
def test_it_rejects_a_cell_that_could_run_as_a_formula(net, tmp_path, start, field, header):
    value = f'{start}HYPERLINK("http://example.com","1")'
    errors = rejected(net, good_and_bad(tmp_path, net, **{field: value}))
    assert where(errors) == [(3, header, "formula")]


def test_it_reports_every_error_of_a_row_and_of_every_row(net, tmp_path):
    rows = [
        valid_row(net.village, name="", phone="123"),
        valid_row(net.village),
        valid_row(net.village, discharge_type="开除", region_code="330482999999"),
    ]
    errors = rejected(net, write_xlsx(tmp_path / "v.xlsx", rows))
    assert where(errors) == [
        (2, "姓名", "required"),
        (2, "联系电话", "bad_phone"),
        (4, "所属区划代码", "unknown_region"),
        (4, "退役方式", "bad_choice"),
    ]


def test_row_numbers_are_excels_even_after_blank_rows(net, tmp_path):
    rows = [valid_row(net.village), {}, {}, valid_row(net.village, discharge_type="开除")]
    errors = rejected(net, write_xlsx(tmp_path / "v.xlsx", rows))
    assert where(errors) == [(5, "退役方式", "bad_choice")]


def test_an_importer_without_the_capability_is_refused(net, tmp_path):
    path = write_xlsx(tmp_path / "v.xlsx", [valid_row(net.village)])
    with pytest.raises(PermissionDenied):
        validate(path, REGISTER, actor=net.users["village_staff"])


# --- what the pipeline accepts -------------------------------------------------------------------------


def test_it_reads_every_accepted_date_format(net, tmp_path):
    birth = dt.date(1980, 1, 1)
    written = [
        ("2001-09-01", dt.date(2001, 9, 1), "day"),
        ("2001/9/1", dt.date(2001, 9, 1), "day"),
        ("2001.9.1", dt.date(2001, 9, 1), "day"),
        ("2001年9月1日", dt.date(2001, 9, 1), "day"),
        ("２００１－０９－０１", dt.date(2001, 9, 1), "day"),
        (dt.date(2001, 9, 1), dt.date(2001, 9, 1), "day"),
        (dt.datetime(2001, 9, 1, 0, 0), dt.date(2001, 9, 1), "day"),  # noqa: DTZ001 spreadsheet cells hold naive datetimes
        ("2001-09", dt.date(2001, 9, 1), "month"),
        ("2001.09", dt.date(2001, 9, 1), "month"),
        ("2001年9月", dt.date(2001, 9, 1), "month"),
        ("2001/9", dt.date(2001, 9, 1), "month"),
    ]
    rows = [
        valid_row(net.village, id_number=id_number(birth), enlisted_on=value, discharged_on=value)
        for value, _date, _precision in written
    ]
    path = write_xlsx(tmp_path / "v.xlsx", rows)
    result = validate(path, REGISTER, actor=net.users["town_staff"], keep_rows=True)
    assert result.errors == []
    read = [(d.enlisted_on, d.enlisted_precision, d.discharged_on, d.discharged_precision) for _n, d in result.rows]
    assert read == [(date, precision, date, precision) for _v, date, precision in written]
    assert import_file(path, REGISTER, actor=net.users["town_staff"], write=True).committed
    stored = Veteran.objects.get(id_hash=REGISTER.key(result.rows[-1][1].id_number.value))
    assert (stored.enlisted_on, stored.enlisted_precision) == (dt.date(2001, 9, 1), "month")


def test_a_birth_date_written_as_an_excel_date_cell_agrees_with_the_id(net, tmp_path):
    row = valid_row(net.village, id_number=id_number(dt.date(1980, 5, 17)), birth_date=dt.date(1980, 5, 17))
    result = validate(write_xlsx(tmp_path / "v.xlsx", [row]), REGISTER, actor=net.users["town_staff"])
    assert result.errors == []


def test_a_date_typed_as_a_decimal_number_is_not_read_as_an_excel_serial_day(net, tmp_path):
    # 2001.09 typed into a number cell: once read as serial day 2001 (1905-06-23) and blamed on the birth date
    row = valid_row(net.village, enlisted_on=2001.09)
    errors = rejected(net, write_xlsx(tmp_path / "v.xlsx", [row]))
    assert where(errors) == [(2, "入伍时间", "bad_date")]


def test_a_phone_and_a_region_code_stored_as_numbers_are_read(net, tmp_path):
    row = valid_row(net.village, phone=13800001234, region_code=int(net.grid.code), disability_grade=6)
    row["categories"] = "残疾军人"
    result = validate(write_xlsx(tmp_path / "v.xlsx", [row]), REGISTER, actor=net.users["town_staff"], keep_rows=True)
    assert result.errors == []
    data = result.rows[0][1]
    assert (data.phone, data.region, data.disability_grade) == ("13800001234", net.grid, 6)


def test_full_width_digits_and_a_lowercase_x_are_normalised(net, tmp_path):
    number = id_number_ending_in_x()
    full_width = number[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "ｘ"
    rows = [
        valid_row(net.village, id_number=number[:-1] + "x"),
        valid_row(net.village, id_number=id_number(), phone="１３８ ０００１ ２３４５"),
    ]
    path = write_xlsx(tmp_path / "v.xlsx", rows)
    result = validate(path, REGISTER, actor=net.users["town_staff"], keep_rows=True)
    assert result.errors == []
    assert result.rows[0][1].id_number.value == number
    assert result.rows[1][1].phone == "13800012345"
    assert import_file(path, REGISTER, actor=net.users["town_staff"], write=True).committed
    assert decrypt(Veteran.objects.get(id_hash=REGISTER.key(number)).id_number_enc) == number
    # the same person written in full-width digits is the same person
    again = write_xlsx(tmp_path / "again.xlsx", [valid_row(net.village, id_number=full_width)])
    assert where(validate(again, REGISTER, actor=net.users["town_staff"]).errors) == [(2, "身份证号", "duplicate")]


@pytest.mark.parametrize("separator", ["；", ";", "、", "，", ","])
def test_categories_may_be_separated_by_any_usual_mark(net, tmp_path, separator):
    row = valid_row(
        net.village, categories=f"残疾军人{separator} 参战参试退役人员", disability_grade="6级", disability_cause="因战"
    )
    result = import_file(write_xlsx(tmp_path / "v.xlsx", [row]), REGISTER, actor=net.users["town_staff"], write=True)
    assert result.errors == [] and result.committed
    categories = {(vc.category, vc.disability_grade, vc.disability_cause) for vc in VeteranCategory.objects.all()}
    assert categories == {("disabled_soldier", 6, "war"), ("war_or_test_veteran", None, "")}


@pytest.mark.parametrize("grade", [1, 10, "5", "6级", 7.0])
def test_a_disability_grade_from_1_to_10_is_accepted(net, tmp_path, grade):
    row = valid_row(net.village, categories="残疾军人", disability_grade=grade)
    result = validate(write_xlsx(tmp_path / "v.xlsx", [row]), REGISTER, actor=net.users["town_staff"], keep_rows=True)
    assert result.errors == []
    assert result.rows[0][1].disability_grade == int(str(grade).removesuffix("级").removesuffix(".0"))


@pytest.mark.parametrize("grade", [0, 11, -1, "十一", "6.5", "inf", "1e400"])
def test_a_disability_grade_out_of_range_is_rejected(net, tmp_path, grade):
    row = valid_row(net.village, categories="残疾军人", disability_grade=grade)
    errors = rejected(net, write_xlsx(tmp_path / "v.xlsx", [row]))
    assert where(errors) == [(2, "残疾等级", "bad_grade")]


def test_the_chinese_terms_english_labels_and_codes_of_a_list_are_all_accepted(net, tmp_path):
    english = next(en for code, en, _zh in c.DISCHARGE_TYPES if code == "discharged")
    rows = [
        valid_row(net.village, discharge_type="退伍", branch="陆军"),
        valid_row(
            net.village, discharge_type=english.upper(), branch="Army", political_status="Communist Party member"
        ),
        valid_row(net.village, discharge_type="discharged", branch="army"),
    ]
    result = validate(write_xlsx(tmp_path / "v.xlsx", rows), REGISTER, actor=net.users["town_staff"], keep_rows=True)
    assert result.errors == []
    assert {(d.discharge_type, d.values["branch"]) for _n, d in result.rows} == {("discharged", "army")}


def test_a_header_only_file_has_no_rows_and_no_errors(net, tmp_path):
    result = validate(write_xlsx(tmp_path / "v.xlsx", []), REGISTER, actor=net.users["town_staff"])
    assert (result.total, result.errors) == (0, [])


def _people(net: Network, count: int) -> list[dict[str, Any]]:
    births = [dt.date(1970, 1, 1) + dt.timedelta(days=n // 500) for n in range(count)]
    return [
        valid_row(net.village, id_number=build_id_number("330482", b, n % 500 * 2 + 1)) for n, b in enumerate(births)
    ]


def test_it_writes_more_than_one_batch_and_reports_progress(net, tmp_path):
    seen: list[tuple[int, int]] = []
    path = write_xlsx(tmp_path / "v.xlsx", _people(net, 2001), REQUIRED_HEADERS)
    result = validate(path, REGISTER, actor=net.users["town_staff"], progress=lambda done, of: seen.append((done, of)))
    assert result.errors == [] and seen == [(1000, 2001), (2000, 2001)]
    assert Veteran.objects.count() == 0
    result = import_file(path, REGISTER, actor=net.users["town_staff"], write=True)
    assert result.committed and Veteran.objects.count() == 2001
    assert imports().get().after["created"] == 2001
    assert VeteranNameGram.objects.values("veteran").distinct().count() == 2001


def test_an_error_after_thousands_of_written_rows_leaves_nothing_behind(net, tmp_path):
    # The writer has streamed the first 2,500 people into the database when row 2,502 fails its check:
    # the whole import is rolled back, and the report still lists the errors after it.
    rows = _people(net, 3000)
    rows[2500]["discharged_on"] = "1960-01"  # before the enlistment
    rows[2800]["id_number"] = rows[0]["id_number"]
    path = write_xlsx(tmp_path / "v.xlsx", rows, REQUIRED_HEADERS)
    result = import_file(path, REGISTER, actor=net.users["town_staff"], write=True)
    assert not result.committed
    assert where(result.errors) == [(2502, "退役时间", "discharge_before_enlistment"),
                                    (2802, "身份证号", "duplicate_in_file")]  # fmt: skip
    assert Veteran.objects.count() == VeteranNameGram.objects.count() == VeteranCategory.objects.count() == 0
    assert not imports().exists()


# --- the import_veterans command -----------------------------------------------------------------------


def clean_file(tmp_path: Path, net: Network, count: int = 3, name: str = "veterans.xlsx") -> tuple[Path, list[dict]]:
    rows = [valid_row(net.village, phone="13800001234", categories="残疾军人", disability_grade="5")]
    rows += [valid_row(net.grid) for _ in range(count - 1)]
    return write_xlsx(tmp_path / name, rows), rows


def test_a_clean_file_without_commit_exits_0_and_writes_nothing(net, tmp_path):
    path, _rows = clean_file(tmp_path, net)
    code, out, _err = run_import(path, "--user", "town_staff")
    assert code == 0
    assert "3 rows, 0 errors" in out and "--commit" in out
    assert Veteran.objects.count() == 0 and not imports().exists()


def test_commit_writes_every_row_and_one_audit_entry(net, tmp_path):
    path, rows = clean_file(tmp_path, net)
    code, out, _err = run_import(path, "--commit", "--user", "town_staff")
    assert code == 0, out
    assert "3 created, 0 updated, 0 skipped" in out
    assert Veteran.objects.count() == 3
    entry = imports().get()
    assert entry.batch_id and entry.object_id == entry.batch_id
    assert entry.actor_username == "town_staff" and entry.region_code == net.danghu.code
    assert entry.after["created"] == 3 and entry.after["on_duplicate"] == "error"
    assert entry.after["file"] == "veterans.xlsx" and entry.after["via"] == "command" and entry.after["sha256"]
    assert set(Veteran.objects.values_list("import_batch", flat=True)) == {entry.batch_id}
    first = Veteran.objects.get(region=net.village)
    assert decrypt(first.id_number_enc) == rows[0]["id_number"]
    assert first.categories.get().disability_grade == 5


def test_without_user_the_only_city_admin_imports(net, tmp_path):
    path, _rows = clean_file(tmp_path, net, count=1)
    assert run_import(path, "--commit")[0] == 0
    assert imports().get().actor_username == "city_admin"


def test_without_user_and_two_city_admins_it_asks_for_one(net, tmp_path):
    UserFactory(username="second_admin", role="city_admin", scope_region=net.city)
    path, _rows = clean_file(tmp_path, net, count=1)
    with pytest.raises(CommandError):
        run_import(path, "--commit")
    with pytest.raises(CommandError):
        run_import(path, "--commit", "--user", "nobody")
    assert Veteran.objects.count() == 0


def test_rerunning_with_skip_adds_nothing(net, tmp_path):
    path, _rows = clean_file(tmp_path, net)
    assert run_import(path, "--commit", "--user", "town_staff")[0] == 0
    assert run_import(path, "--commit", "--user", "town_staff")[0] == 1  # on_duplicate=error by default
    code, out, _err = run_import(path, "--commit", "--user", "town_staff", "--on-duplicate", "skip")
    assert code == 0, out
    assert "0 created, 0 updated, 3 skipped" in out
    assert Veteran.objects.count() == 3
    second = imports().order_by("seq").last()
    assert (second.after["created"], second.after["skipped"], second.after["on_duplicate"]) == (0, 3, "skip")


def test_update_changes_an_existing_record_and_audits_it(net, tmp_path):
    path, rows = clean_file(tmp_path, net, count=2)
    assert run_import(path, "--commit", "--user", "town_staff")[0] == 0
    rows[0].update(address="当湖街道新华路1号", rank="上士", categories="", disability_grade=None)
    rows[1].update(region_code=net.village.code)
    rows.append(valid_row(net.village, name="新人"))
    write_xlsx(path, rows)
    code, out, _err = run_import(path, "--commit", "--user", "town_staff", "--on-duplicate", "update")
    assert code == 0, out
    assert "1 created, 2 updated, 0 skipped" in out
    changed = Veteran.objects.get(address="当湖街道新华路1号")
    assert changed.rank == "上士" and not changed.categories.filter(end_date__isnull=True).exists()
    batch_id = imports().order_by("seq").last().batch_id
    updates = AuditEntry.objects.filter(action="veteran.update", batch_id=batch_id)
    assert updates.count() == 2
    entry = updates.get(object_id=str(changed.pk))
    assert entry.after["address"] == "当湖街道新华路1号" and entry.before["address"] == ""
    assert entry.after["categories"] == [] and entry.before["categories"] == ["disabled_soldier"]
    assert Veteran.objects.get(name="新人").import_batch == batch_id


def test_a_row_error_exits_1_and_writes_not_even_the_good_rows(net, tmp_path):
    rows = [valid_row(net.village) for _ in range(5)] + [valid_row(net.village, discharge_type="开除")]
    code, out, _err = run_import(write_xlsx(tmp_path / "v.xlsx", rows), "--commit", "--user", "town_staff")
    assert code == 1
    assert "第 7 行 [退役方式]" in out and "Nothing was written" in out
    assert Veteran.objects.count() == 0 and not imports().exists()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda d: (d / "v.xlsx").write_bytes(random.Random(7).randbytes(4096)), id="random-bytes-xlsx"),
        pytest.param(lambda d: (d / "v.xlsx").write_bytes(b"PK\x03\x04 not really a zip"), id="truncated-zip-xlsx"),
        pytest.param(lambda d: None, id="missing-file"),
        pytest.param(lambda d: (d / "v.txt").write_text("姓名,身份证号\n张三,1\n"), id="txt"),
        pytest.param(lambda d: (d / "v.csv").write_bytes(b""), id="empty-csv"),
        pytest.param(lambda d: (d / "v.xlsx").mkdir(), id="a-directory"),
    ],
)
def test_an_unreadable_file_exits_2(net, tmp_path, make):
    make(tmp_path)
    path = next(tmp_path.iterdir(), tmp_path / "missing.xlsx")
    code, _out, err = run_import(path, "--commit", "--user", "town_staff")
    assert code == 2
    assert "无法读取" in err
    assert Veteran.objects.count() == 0 and not imports().exists()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_a_csv_file_in_utf8_or_gb18030_is_imported(net, tmp_path, encoding):
    rows = [valid_row(net.village, name="王小明", address="当湖街道", categories="残疾军人；参战参试退役人员",
                      disability_grade="3", discharge_type="复员")]  # fmt: skip
    path = write_csv(tmp_path / "v.csv", rows, encoding=encoding)
    code, out, _err = run_import(path, "--commit", "--user", "town_staff")
    assert code == 0, out
    veteran = Veteran.objects.get()
    assert (veteran.name, veteran.address, veteran.discharge_type) == ("王小明", "当湖街道", "demobilised")
    assert veteran.categories.count() == 2


def test_a_csv_row_error_names_the_row_as_a_spreadsheet_shows_it(net, tmp_path):
    rows = [valid_row(net.village), valid_row(net.village, id_number="3.30482E+17")]
    path = write_csv(tmp_path / "v.csv", rows, encoding="gb18030")
    assert where(rejected(net, path)) == [(3, "身份证号", "id_as_number")]


def read_report(path: Path) -> tuple[list[tuple], list[tuple], list[str]]:
    book = load_workbook(path)
    errors = list(book["错误报告"].iter_rows(values_only=True))
    summary = list(book["汇总 Summary"].iter_rows(values_only=True))
    every_cell = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row]
    return errors, summary, every_cell


def test_the_report_lists_row_column_value_and_message_with_ids_masked(net, tmp_path):
    bad_id = other_digit(id_number())
    duplicate = valid_row(net.village)
    rows = [
        valid_row(net.village, id_number=bad_id),
        valid_row(net.village, region_code="330482999999"),
        valid_row(net.village, name="=1+1"),
        duplicate,
        valid_row(net.village, phone="138000012345"),
        dict(duplicate),
    ]
    report = tmp_path / "report.xlsx"
    code, _out, _err = run_import(write_xlsx(tmp_path / "v.xlsx", rows), "--user", "town_staff", "--report", report)
    assert code == 1
    errors, summary, every_cell = read_report(report)
    assert errors[0] == ("行号 Row", "列 Column", "值 Value", "错误 Error", "Error (English)")
    assert [row[:3] for row in errors[1:]] == [
        (2, "身份证号", mask_id(bad_id)),
        (3, "所属区划代码", "330482999999"),
        (4, "姓名", "'=1+1"),
        (6, "联系电话", "138*****2345"),
        (7, "身份证号", mask_id(duplicate["id_number"])),
    ]
    assert mask_id(bad_id) == bad_id[:6] + "********" + bad_id[-4:]
    assert errors[2][3] == "区划代码 330482999999 不存在。"
    assert errors[2][4] == "Unknown region code: 330482999999."
    assert errors[5][4] == "The same value as row 5 of this file."
    assert all(re.search("[\u4e00-\u9fff]", row[3]) and row[4].isascii() for row in errors[1:])  # zh, en
    assert "5" in errors[5][3]
    for row in rows:
        assert not any(row["id_number"] in cell for cell in every_cell)
    assert not any("138000012345" in cell for cell in every_cell)
    assert dict(summary) == {"rows": 6, "errors": 5, "error_rows": 5}


def test_the_report_of_a_clean_file_has_only_its_header(net, tmp_path):
    path, _rows = clean_file(tmp_path, net)
    report = tmp_path / "report.xlsx"
    assert run_import(path, "--user", "town_staff", "--report", report)[0] == 0
    errors, summary, _cells = read_report(report)
    assert len(errors) == 1 and dict(summary)["errors"] == 0


# --- privacy -------------------------------------------------------------------------------------------


def every_cell(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (a model's table name)
        return [str(value) for row in cursor.fetchall() for value in row]


def test_no_column_holds_a_plaintext_id_or_phone(net, tmp_path):
    path, rows = clean_file(tmp_path, net)
    assert run_import(path, "--commit", "--user", "town_staff")[0] == 0
    stored = every_cell(Veteran._meta.db_table) + every_cell(AuditEntry._meta.db_table)
    stored += every_cell(VeteranCategory._meta.db_table)
    assert len(stored) > 3 * 30
    for row in rows:
        assert not any(row["id_number"] in cell for cell in stored)
        assert not any(row["id_number"][:14] in cell for cell in stored)  # region and birth date together
    assert not any("13800001234" in cell for cell in stored)
    for veteran, row in zip(Veteran.objects.order_by("pk"), rows, strict=True):
        assert decrypt(veteran.id_number_enc) == row["id_number"]


def test_the_same_id_encrypts_differently_every_time(net, tmp_path):
    path, rows = clean_file(tmp_path, net, count=1)
    assert run_import(path, "--commit", "--user", "town_staff")[0] == 0
    first = Veteran.objects.get()
    assert run_import(path, "--commit", "--user", "town_staff", "--on-duplicate", "update")[0] == 0
    again = Veteran.objects.get()
    assert again.id_number_enc != first.id_number_enc
    assert decrypt(again.id_number_enc) == decrypt(first.id_number_enc) == rows[0]["id_number"]
    assert again.phone_enc != first.phone_enc and decrypt(again.phone_enc) == "13800001234"
    assert again.id_hash == first.id_hash  # the look-up hash is what stays the same


# --- the template --------------------------------------------------------------------------------------


def test_the_template_has_the_headers_a_text_id_column_and_drop_downs(tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(REGISTER, path)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers == [c.header for c in COLUMNS]
    id_column = headers.index("身份证号") + 1
    assert sheet.cell(row=2, column=id_column).number_format == "@"
    assert sheet.cell(row=5001, column=id_column).number_format == "@"
    letter = get_column_letter(headers.index("退役方式") + 1)
    lists = [v for v in sheet.data_validations.dataValidation if f"{letter}2:{letter}5001" in str(v.sqref)]
    assert len(lists) == 1 and lists[0].type == "list"
    choices = book["选项"]
    assert [choices.cell(row=i, column=headers.index("退役方式") + 1).value for i in range(1, 6)] == [
        zh for _v, _en, zh in c.DISCHARGE_TYPES
    ]
    assert lists[0].formula1 == f"'选项'!${letter}$1:${letter}${len(c.DISCHARGE_TYPES)}"
    assert "必填" in sheet.cell(row=1, column=1).comment.text


def test_a_filled_in_template_imports(net, tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(REGISTER, path)
    assert validate(path, REGISTER, actor=net.users["town_staff"]).total == 0
    book = load_workbook(path)
    sheet = book.worksheets[0]
    row = valid_row(net.village, gender="男", branch="海军")
    for index, column in enumerate(COLUMNS, start=1):
        if column.field in row:
            sheet.cell(row=2, column=index, value=row[column.field])
    book.save(path)
    code, out, _err = run_import(path, "--commit", "--user", "town_staff")
    assert code == 0, out
    assert Veteran.objects.get().branch == "navy"


def test_the_report_writes_no_formula_even_when_a_message_starts_with_the_value(tmp_path):
    result = ImportResult("veteran", total=1)
    result.errors = [RowError(2, "备注", "=1+1", "=1+1 不对", "=1+1 is wrong", "invalid")]
    write_report(result, tmp_path / "report.xlsx")
    sheet = load_workbook(tmp_path / "report.xlsx")["错误报告"]
    assert [cell.value for cell in sheet[2]] == [2, "备注", "'=1+1", "'=1+1 不对", "'=1+1 is wrong"]
    assert {cell.data_type for cell in sheet[2]} == {"n", "s"}


def test_a_missing_column_is_reported_once_at_row_one(net, tmp_path):
    from core.imports import validate
    from veterans.imports import REGISTER
    from veterans.tests.factories import valid_row, write_xlsx

    rows = [valid_row(net.village) for _ in range(3)]
    headers = ["姓名", "所属区划代码", "入伍时间", "退役时间", "退役方式"]
    path = write_xlsx(tmp_path / "no-id.xlsx", rows, headers)
    result = validate(path, REGISTER, actor=net.users["town_staff"])
    assert [(e.row, e.column, e.code) for e in result.errors] == [(1, "身份证号", "missing_column")]


def test_a_name_with_a_backslash_keeps_its_pieces_and_is_found_by_them(net, tmp_path):
    # The pieces go to PostgreSQL in COPY's text format, where a backslash is an escape.
    row = valid_row(net.village, name="王\\五")
    assert import_file(
        write_xlsx(tmp_path / "v.xlsx", [row]), REGISTER, actor=net.users["town_staff"], write=True
    ).committed
    veteran = Veteran.objects.get()
    assert set(VeteranNameGram.objects.filter(veteran=veteran).values_list("gram", flat=True)) == {
        "王", "\\", "五", "王\\", "\\五"
    }  # fmt: skip
    assert list(Veteran.objects.filter(search_q("\\五"))) == [veteran]


def test_records_and_name_pieces_taking_turns_are_all_written(net, tmp_path, monkeypatch):
    # Every 7 records the statement in flight changes (records, then pieces, then records …): none is lost.
    monkeypatch.setattr(NewVeterans, "TURN", 7)
    rows = _people(net, 30)
    for n, row in enumerate(rows):
        row["name"] = "张三丽王五"[n % 3 : n % 3 + 2 + n % 2]
    rows[3]["categories"] = "残疾军人"
    path = write_xlsx(tmp_path / "v.xlsx", rows, [*REQUIRED_HEADERS, "优抚对象类别"])
    assert import_file(path, REGISTER, actor=net.users["town_staff"], write=True).committed
    assert Veteran.objects.count() == 30 and VeteranCategory.objects.count() == 1
    for veteran in Veteran.objects.all():
        pieces = set(VeteranNameGram.objects.filter(veteran=veteran).values_list("gram", flat=True))
        assert pieces == pieces_of(veteran.name)


def test_a_file_with_tags_imports_while_its_rows_stream(net, tmp_path, monkeypatch):
    # Every 3 records the loader in flight changes, so most rows are checked while a COPY holds the
    # connection (on PostgreSQL): the tags are read once, before the rows, not by each row's check.
    monkeypatch.setattr(NewVeterans, "TURN", 3)
    rows = _people(net, 10)
    for n, row in enumerate(rows):
        row["tags"] = "困难；空巢" if n % 2 else "key_person"
    path = write_xlsx(tmp_path / "v.xlsx", rows, [*REQUIRED_HEADERS, "标签"])

    result = import_file(path, REGISTER, actor=net.users["town_staff"], write=True)

    assert result.committed, result.errors
    tagged = [tuple(sorted(t.code for t in v.tags.all())) for v in Veteran.objects.prefetch_related("tags")]
    assert sorted(tagged) == sorted([("empty_nest", "hardship")] * 5 + [("key_person",)] * 5)


def test_an_unknown_tag_is_an_error_at_its_cell(net, tmp_path):
    row = valid_row(net.village, tags="困难；没有这个标签")
    path = write_xlsx(tmp_path / "v.xlsx", [row], [*REQUIRED_HEADERS, "标签"])

    assert where(rejected(net, path)) == [(2, "标签", "bad_choice")]


def test_a_row_check_that_queries_while_rows_stream_is_refused(net, tmp_path, monkeypatch):
    import dataclasses

    from core.db import StreamBusy
    from veterans.models import Tag

    monkeypatch.setattr(NewVeterans, "TURN", 3)

    def querying_clean(raw, context):
        Tag.objects.count()  # what clean() must not do: the writer may be streaming on the connection
        return REGISTER.clean(raw, context)

    path = write_xlsx(tmp_path / "v.xlsx", _people(net, 10), REQUIRED_HEADERS)
    register = dataclasses.replace(REGISTER, clean=querying_clean)

    with pytest.raises(StreamBusy, match=r"clean\(\) must not query"):
        import_file(path, register, actor=net.users["town_staff"], write=True)
    assert not Veteran.objects.exists() and not imports().exists()
