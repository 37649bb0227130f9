"""The entitlement roll and the death list through the import pipeline, from real xlsx files."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from accounts.roles import Role
from accounts.testing import Network, UserFactory
from audit.models import AuditEntry
from benefits.batches import Result, payable_lines, record_return
from benefits.generation import generate_batch
from benefits.imports import DEATHS, ROLL, death_summary
from benefits.models import Entitlement, EntitlementStatus, Overpayment
from benefits.tests.helpers import entitlement, new_account, standard
from core.crypto import decrypt
from core.imports import Column, RowError, import_file, write_template
from core.validators import build_id_number
from veterans.models import Veteran
from veterans.services import family_member_add
from veterans.tests.factories import id_number, register
from workflow.models import Task
from workflow.services import act

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def write(path: Path, columns: list[Column], rows: list[dict[str, Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append([c.header for c in columns])
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            value = row.get(column.field)
            if value is None:
                continue
            cell = sheet.cell(row=number, column=index, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
    book.save(path)
    return path


def roll_row(veteran: Veteran, **overrides: Any) -> dict[str, Any]:
    row = {
        "id_number": decrypt(veteran.id_number_enc), "program": "残疾抚恤金", "grade": "6", "cause": "因战",
        "from_month": "2026-01", "bank_name": "平湖农商银行", "account": new_account(),
    }  # fmt: skip
    row.update(overrides)
    return {k: v for k, v in row.items() if v is not None}


def where(errors: list[RowError]) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.code) for e in errors]


def roll(net: Network, path: Path, user: str = "town_staff") -> Any:
    return import_file(path, ROLL, actor=net.users[user], write=True, source={"file": path.name})


def wrong_check_digit(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last == "X" else str((int(last) + 1) % 10))


# --- the roll -----------------------------------------------------------------------------------------------------


def test_a_roll_is_imported_with_its_beneficiaries_amounts_and_legacy_ids(net: Network, tmp_path: Path) -> None:
    standard("disability", "2000.00", grade=6, cause="war")
    actor = net.users["city_staff"]
    soldier, widower = register(actor, net.village), register(actor, net.village)
    spouse_id = id_number(dt.date(1950, 3, 3), male=False)
    family_member_add(actor=actor, veteran=widower, raw={"relation": "配偶", "name": "李四", "id_number": spouse_id})
    legacy = wrong_check_digit(id_number(dt.date(1948, 1, 1)))
    path = write(tmp_path / "roll.xlsx", ROLL.columns, [
        roll_row(soldier, amount="2000.00"),
        roll_row(soldier, program="护理费", cause=None, grade="一级", amount=1800, to_month="2030-12"),
        roll_row(widower, program="定期抚恤金", grade=None, cause="烈士遗属", beneficiary_id=spouse_id),
        roll_row(widower, program="定期抚恤金", grade=None, cause="烈士遗属", beneficiary_id=legacy,
                 beneficiary_name="王五", confirmed_year=2025),
    ])  # fmt: skip
    result = roll(net, path)
    assert result.ok, where(result.errors)
    assert result.committed and result.counts["created"] == 4 and result.counts["held"] == 2
    rows = list(Entitlement.objects.order_by("id"))
    own, nursing, spouse, outsider = rows
    assert (own.program.code, own.grade, own.cause, own.agreed_amount) == ("disability", 6, "war", None)
    assert own.beneficiary_id_hash == soldier.id_hash and own.family_member is None
    assert (nursing.grade, nursing.agreed_amount, nursing.to_month) == (1, Decimal("1800.00"), dt.date(2030, 12, 1))
    assert spouse.family_member is not None and spouse.beneficiary_name == "李四" and spouse.id_valid
    assert decrypt(spouse.beneficiary_id_enc) == spouse_id
    assert (outsider.beneficiary_name, outsider.id_valid, outsider.confirmed_year) == ("王五", False, 2025)
    assert all(e.region_code == net.village.code and e.import_batch for e in rows)
    assert AuditEntry.objects.filter(action="benefit_roll.import").count() == 1


@pytest.mark.parametrize(
    ("overrides", "column", "code"),
    [
        ({"id_number": "330482199001011239"}, "身份证号", "id_checksum"),
        ({"program": "养老金"}, "项目", "bad_choice"),
        ({"grade": None}, "残疾等级", "grade"),
        ({"grade": "十一"}, "残疾等级", "grade"),
        ({"cause": "因故"}, "残疾性质/抚恤类别", "bad_choice"),
        ({"cause": "烈士遗属"}, "残疾性质/抚恤类别", "cause"),
        ({"from_month": "2026-13"}, "起始月份", "bad_date"),
        ({"to_month": "2025-12"}, "终止月份", "order"),
        ({"bank_name": None}, "开户银行", "required"),
        ({"account": 6217000000000000.0}, "银行账号", "account_as_number"),
        ({"account": "62170000"}, "银行账号", "account_shape"),
        ({"amount": "-5"}, "月发放金额", "amount"),
        ({"amount": "12.345"}, "月发放金额", "amount"),
        ({"confirmed_year": "1999"}, "年度确认年份", "year"),
        ({"beneficiary_id": "33048219"}, "领取人身份证号", "id_shape"),
        ({"beneficiary_name": "别人"}, "领取人姓名", "name_differs"),
    ],
)
def test_each_bad_value_is_refused_at_its_row_and_nothing_is_written(
    net: Network, tmp_path: Path, overrides: dict[str, Any], column: str, code: str
) -> None:
    actor = net.users["city_staff"]
    good, bad = register(actor, net.village), register(actor, net.village)
    row = roll_row(bad)
    row.update(overrides)
    path = write(
        tmp_path / "roll.xlsx", ROLL.columns, [roll_row(good), {k: v for k, v in row.items() if v is not None}]
    )
    result = roll(net, path)
    assert where(result.errors) == [(3, column, code)]
    assert CHINESE.search(result.errors[0].message) and result.errors[0].message_en
    assert not result.committed and Entitlement.objects.count() == 0


def test_a_person_unknown_or_outside_the_importers_scope_is_refused(net: Network, tmp_path: Path) -> None:
    actor = net.users["city_staff"]
    elsewhere = register(actor, net.other_village)
    unknown = build_id_number("330482", dt.date(1960, 1, 1), 11)
    path = write(tmp_path / "roll.xlsx", ROLL.columns, [roll_row(elsewhere), roll_row(elsewhere, id_number=unknown)])
    result = roll(net, path, "town_staff")
    assert where(result.errors) == [(2, "身份证号", "out_of_scope"), (3, "身份证号", "unknown")]
    assert "范围" in result.errors[0].message or CHINESE.search(result.errors[0].message)
    assert roll(net, path, "city_staff").errors[0].code == "unknown"  # the city sees the first


def test_a_deceased_veteran_is_no_beneficiary_but_his_widow_is(net: Network, tmp_path: Path) -> None:
    actor = net.users["city_staff"]
    veteran = register(actor, net.village)
    Veteran.objects.filter(pk=veteran.pk).update(status="deceased", deceased_on=dt.date(2020, 1, 1))
    widow = id_number(dt.date(1950, 3, 3), male=False)
    path = write(tmp_path / "roll.xlsx", ROLL.columns, [
        roll_row(veteran),
        roll_row(veteran, program="定期抚恤金", grade=None, cause="病故军人遗属", beneficiary_id=widow,
                 beneficiary_name="李四"),
    ])  # fmt: skip
    assert where(roll(net, path).errors) == [(2, "身份证号", "deceased")]


def test_a_family_program_needs_a_family_member(net: Network, tmp_path: Path) -> None:
    veteran = register(net.users["city_staff"], net.village)
    path = write(tmp_path / "roll.xlsx", ROLL.columns, [roll_row(veteran, program="定期抚恤金", grade=None,
                                                                 cause="病故军人遗属")])  # fmt: skip
    assert where(roll(net, path).errors) == [(2, "领取人身份证号", "family_required")]


def test_the_same_beneficiary_and_program_twice_is_refused(net: Network, tmp_path: Path) -> None:
    actor = net.users["city_staff"]
    veteran, drawing = register(actor, net.village), register(actor, net.village)
    entitlement(net, veteran=drawing)
    path = write(tmp_path / "roll.xlsx", ROLL.columns, [roll_row(veteran), roll_row(veteran), roll_row(drawing)])
    result = roll(net, path)
    assert where(result.errors) == [(3, "项目", "duplicate_in_file"), (4, "项目", "duplicate")]
    assert Entitlement.objects.count() == 1


def test_a_garbage_id_and_a_number_cell_are_row_errors(net: Network, tmp_path: Path) -> None:
    veteran = register(net.users["city_staff"], net.village)
    path = write(tmp_path / "roll.xlsx", ROLL.columns, [
        roll_row(veteran, id_number="不知道"), roll_row(veteran, id_number=330482199001011234),
        roll_row(veteran, beneficiary_id="33048219500303002X1"),
    ])  # fmt: skip
    result = roll(net, path)
    assert where(result.errors) == [(2, "身份证号", "id_shape"), (3, "身份证号", "id_as_number"),
                                    (4, "领取人身份证号", "id_shape")]  # fmt: skip
    assert "*" in result.errors[0].value or result.errors[0].value == "不知道"


def test_a_missing_column_is_said_once(net: Network, tmp_path: Path) -> None:
    veteran = register(net.users["city_staff"], net.village)
    columns = [c for c in ROLL.columns if c.field != "account"]
    result = roll(net, write(tmp_path / "roll.xlsx", columns, [roll_row(veteran)]))
    assert where(result.errors) == [(1, "银行账号", "missing_column")]


def test_the_templates_download(net: Network) -> None:
    for register_ in (ROLL, DEATHS):
        buffer = io.BytesIO()
        write_template(register_, buffer)
        headers = [c.value for c in load_workbook(io.BytesIO(buffer.getvalue())).active[1]]
        assert headers == [c.header for c in register_.columns]
        response = net.client("town_staff").get(reverse("imports:template", args=[register_.name]))
        assert response.status_code == 200
    assert net.client("village_staff").get(reverse("imports:template", args=["death_list"])).status_code == 403


# --- the death list -----------------------------------------------------------------------------------------------

TODAY = dt.date(2026, 11, 20)


def paid_batch(net: Network, period: str = "2026-11") -> Any:
    """The month's batch generated, checked, approved by a second person, sent to the bank and paid."""
    maker = net.users["city_staff"]
    checker = UserFactory(username="checker", role=Role.CITY_STAFF, scope_region=net.city)
    batch = generate_batch(actor=maker, period=period, today=TODAY).batch
    for who, action in ((maker, "checked"), (checker, "approve")):
        task = Task.objects.get(case=batch.case, status=Task.Status.OPEN)
        act(actor=who, task=task, action=action)
    batch, lines = payable_lines(actor=maker, batch=batch)
    lines = list(lines)
    results = [Result(line.reference, line.amount, True, "", n) for n, line in enumerate(lines, start=2)]
    record_return(actor=maker, batch=batch, name="return.xlsx", sha256="a" * 64, results=results,
                  count=len(results), total=sum((r.amount for r in results), Decimal("0.00")))  # fmt: skip
    return batch


def deaths(net: Network, path: Path, user: str = "city_staff") -> Any:
    return import_file(path, DEATHS, actor=net.users[user], write=True, source={"file": path.name})


def death_row(number: str, died_on: Any = "2026-10-15", **overrides: Any) -> dict[str, Any]:
    return {"name": "张三", "id_number": number, "died_on": died_on, "source": "公安", **overrides}


def test_a_death_list_ends_entitlements_and_finds_the_overpayment_once(net: Network, tmp_path: Path) -> None:
    standard("disability", "2000.00", grade=6, cause="war")
    dead = entitlement(net, since="2026-10-01")
    alive = entitlement(net, since="2026-10-01")
    batch = paid_batch(net)
    assert batch.lines.filter(entitlement=dead).count() == 2  # October (back-pay) and November, both paid
    stranger = build_id_number("330482", dt.date(1955, 5, 5), 21)
    path = write(tmp_path / "deaths.xlsx", DEATHS.columns, [
        death_row(decrypt(dead.beneficiary_id_enc)), death_row(stranger, source="民政"),
    ])  # fmt: skip
    result = deaths(net, path)
    assert result.ok and result.committed, where(result.errors)
    counts = result.counts
    assert (counts["matched"], counts["not_beneficiary"], counts["ended"], counts["overpayments"]) == (1, 1, 1, 1)
    assert counts["overpaid_fen"] == 200000
    assert "1 matched" in death_summary(counts) or "2000.00" in death_summary(counts)
    dead.refresh_from_db()
    assert (dead.status, dead.to_month, dead.died_on) == (EntitlementStatus.ENDED, dt.date(2026, 10, 1),
                                                         dt.date(2026, 10, 15))  # fmt: skip
    overpayment = Overpayment.objects.get()
    assert (overpayment.entitlement_id, overpayment.amount, overpayment.line.period) == (
        dead.pk,
        Decimal("2000.00"),
        dt.date(2026, 11, 1),
    )
    alive.refresh_from_db()
    assert alive.status == EntitlementStatus.ACTIVE
    # the registry records the veteran deceased (the city staff may change the registry)
    assert Veteran.objects.get(pk=dead.veteran_id).deceased_on == dt.date(2026, 10, 15)
    # the same list again: nothing more
    again = deaths(net, path)
    assert again.committed and (again.counts["ended"], again.counts["overpayments"]) == (0, 0)
    assert Overpayment.objects.count() == 1
    assert AuditEntry.objects.filter(action="death_list.import").count() == 2


def test_without_veterans_manage_only_the_entitlements_end(net: Network, tmp_path: Path, monkeypatch) -> None:
    dead = entitlement(net, since="2026-10-01")
    user = net.users["town_staff"]
    monkeypatch.setattr(type(user), "can", lambda self, cap: cap != "veterans.manage")
    result = deaths(net, write(tmp_path / "d.xlsx", DEATHS.columns, [death_row(decrypt(dead.beneficiary_id_enc))]),
                    "town_staff")  # fmt: skip
    assert result.committed and result.counts["ended"] == 1 and result.counts["veterans_deceased"] == 0
    assert Veteran.objects.get(pk=dead.veteran_id).deceased_on is None


def test_a_death_outside_the_importers_scope_is_not_matched(net: Network, tmp_path: Path) -> None:
    dead = entitlement(net, net.other_village, since="2026-10-01")
    result = deaths(net, write(tmp_path / "d.xlsx", DEATHS.columns, [death_row(decrypt(dead.beneficiary_id_enc))]),
                    "town_staff")  # fmt: skip
    assert result.committed and result.counts["not_beneficiary"] == 1
    dead.refresh_from_db()
    assert dead.status == EntitlementStatus.ACTIVE


def test_bad_death_rows_are_refused_and_nothing_ends(net: Network, tmp_path: Path) -> None:
    dead = entitlement(net, since="2026-10-01")
    number = decrypt(dead.beneficiary_id_enc)
    born = Veteran.objects.get(pk=dead.veteran_id).birth_date
    future = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    path = write(tmp_path / "d.xlsx", DEATHS.columns, [
        death_row(number),
        death_row(build_id_number("330482", dt.date(1950, 1, 1), 31), died_on=future),
        death_row(build_id_number("330482", born, 41), died_on=(born - dt.timedelta(days=1)).isoformat()),
        death_row("12345"),
        death_row(build_id_number("330482", dt.date(1950, 1, 1), 51), source="街道"),
        death_row(number),
        death_row(build_id_number("330482", dt.date(1950, 1, 1), 61), died_on="昨天"),
    ])  # fmt: skip
    result = deaths(net, path)
    assert where(result.errors) == [
        (3, "死亡日期", "future_date"), (4, "死亡日期", "before_birth"), (5, "身份证号", "id_shape"),
        (6, "来源", "bad_choice"), (7, "身份证号", "duplicate_in_file"), (8, "死亡日期", "bad_date"),
    ]  # fmt: skip
    assert all(CHINESE.search(e.message) for e in result.errors)
    assert not result.committed
    dead.refresh_from_db()
    assert dead.status == EntitlementStatus.ACTIVE and dead.died_on is None


def test_a_death_list_goes_through_the_upload_pages(net: Network, tmp_path: Path, settings: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.models import ImportJob

    settings.IMPORT_DIR = tmp_path / "imports"
    dead = entitlement(net, since="2026-10-01")
    path = write(tmp_path / "死亡名单.xlsx", DEATHS.columns, [death_row(decrypt(dead.beneficiary_id_enc))])
    client = net.client("town_staff")
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    response = client.post(reverse("imports:new", args=["death_list"]), {"file": upload, "on_duplicate": "error"})
    assert response.status_code == 302, response.content
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.VALID, job.errors
    assert client.post(reverse("imports:commit", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTED and job.counts["ended"] == 1
    dead.refresh_from_db()
    assert dead.status == EntitlementStatus.ENDED
