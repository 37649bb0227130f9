"""Uploading a register file through the pages: check, show the errors, confirm, write.

Tests run background tasks at once (ImmediateBackend), so a job is finished when the upload returns.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from accounts.testing import Network
from audit.models import AuditEntry
from core.models import ImportJob
from veterans.imports import COLUMNS
from veterans.models import Veteran
from veterans.services import veteran_as_input
from veterans.tests.factories import register, valid_row

REQUIRED = ["name", "id_number", "region_code", "enlisted_on", "discharged_on", "discharge_type"]
HEADER_OF = {c.field: c.header for c in COLUMNS}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def import_dir(settings: Any, tmp_path: Path) -> Path:
    """Uploads and reports go to a directory of the test's own."""
    settings.IMPORT_DIR = tmp_path / "imports"
    return settings.IMPORT_DIR


def xlsx(rows: list[dict[str, Any]], fields: list[str] = REQUIRED, name: str = "退役军人.xlsx") -> SimpleUploadedFile:
    """An upload with the Chinese headers of ``fields``; every value a text cell, as the template asks."""
    book = Workbook()
    sheet = book.active
    sheet.append([HEADER_OF[f] for f in fields])
    for number, row in enumerate(rows, start=2):
        for index, field in enumerate(fields, start=1):
            if row.get(field) is not None:
                sheet.cell(row=number, column=index, value=str(row[field])).data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def upload(client: Client, file: SimpleUploadedFile, on_duplicate: str = "error") -> Any:
    return client.post("/imports/new/veteran/", {"file": file, "on_duplicate": on_duplicate})


def bad_checksum(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def masked(number: str) -> str:
    return number[:6] + "*" * 8 + number[-4:]


@pytest.fixture
def job(net: Network) -> ImportJob:
    """A valid upload by the 当湖 town user, waiting for confirmation."""
    upload(net.client("town_staff"), xlsx([valid_row(net.village, name="甲"), valid_row(net.grid, name="乙")]))
    return ImportJob.objects.get()


def job_urls(pk: Any) -> dict[str, tuple[str, str]]:
    return {
        "new": ("get", "/imports/new/veteran/"),
        "template": ("get", "/imports/template/veteran.xlsx"),
        "job": ("get", f"/imports/{pk}/"),
        "commit": ("post", f"/imports/{pk}/commit/"),
        "report": ("get", f"/imports/{pk}/report.xlsx"),
    }


# --- who may use the pages ---------------------------------------------------------------------


@pytest.mark.parametrize("page", ["new", "template", "job", "commit", "report"])
def test_it_sends_an_anonymous_visitor_to_sign_in(net: Network, page: str) -> None:
    method, url = job_urls(uuid.uuid4())[page]

    response = getattr(Client(), method)(url)

    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=/imports/")


@pytest.mark.parametrize("page", ["new", "template"])
@pytest.mark.parametrize("role", ["village_staff", "grid_leader", "auditor", "liaison", "employer", "veteran"])
def test_it_refuses_a_role_that_may_not_import(net: Network, page: str, role: str) -> None:
    method, url = job_urls(uuid.uuid4())[page]

    assert getattr(net.client(role), method)(url).status_code == 403


@pytest.mark.parametrize("role", ["village_staff", "auditor"])
def test_it_refuses_an_upload_from_a_role_that_may_not_import(net: Network, role: str) -> None:
    response = upload(net.client(role), xlsx([valid_row(net.village)]))

    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_an_unknown_register_is_404(net: Network) -> None:
    client = net.client("city_admin")

    assert client.get("/imports/new/nobody/").status_code == 404
    assert client.get("/imports/template/nobody.xlsx").status_code == 404


@pytest.mark.parametrize("page", ["job", "commit", "report"])
@pytest.mark.parametrize("role", ["other_town_staff", "city_admin"])
def test_a_user_cannot_see_another_users_import_job(net: Network, job: ImportJob, page: str, role: str) -> None:
    method, url = job_urls(job.pk)[page]

    assert getattr(net.client(role), method)(url).status_code == 404
    job.refresh_from_db()
    assert job.status == "valid" and not Veteran.objects.exists()


@pytest.mark.parametrize(
    ("page", "method"), [("new", "put"), ("template", "post"), ("job", "post"), ("commit", "get"), ("report", "post")]
)
def test_it_rejects_the_wrong_method(net: Network, job: ImportJob, page: str, method: str) -> None:
    url = job_urls(job.pk)[page][1]

    assert getattr(net.client("town_staff"), method)(url).status_code == 405


# --- the template ------------------------------------------------------------------------------


def test_the_template_has_every_column_with_the_required_ones_marked(net: Network) -> None:
    response = net.client("town_staff").get("/imports/template/veteran.xlsx")

    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="veteran-template.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers == [c.header for c in COLUMNS]
    required = {cell.value for cell in sheet[1] if cell.comment and cell.comment.text.startswith("必填")}
    assert required == {HEADER_OF[f] for f in REQUIRED}


# --- a clean upload ----------------------------------------------------------------------------


def test_a_clean_upload_waits_for_confirmation_then_writes(net: Network, import_dir: Path) -> None:
    client = net.client("town_staff")
    rows = [valid_row(net.village, name="甲"), valid_row(net.grid, name="乙")]

    response = upload(client, xlsx(rows))

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/imports/{job.pk}/"
    assert (job.status, job.total_rows, job.error_count, job.actor.username) == ("valid", 2, 0, "town_staff")
    assert Path(job.stored_path).parent == import_dir and Path(job.stored_path).exists()
    assert not Veteran.objects.exists()
    page = client.get(response.url).content.decode()
    assert 'data-status="valid"' in page and f'action="/imports/{job.pk}/commit/"' in page

    confirmed = client.post(f"/imports/{job.pk}/commit/")

    assert confirmed.status_code == 302 and confirmed.url == f"/imports/{job.pk}/"
    job.refresh_from_db()
    assert job.status == "committed", job.message
    assert job.counts["created"] == 2
    assert set(Veteran.objects.values_list("name", "region_code")) == {("甲", net.village.code), ("乙", net.grid.code)}
    assert {veteran_as_input(v)["id_number"] for v in Veteran.objects.all()} == {r["id_number"] for r in rows}
    assert not Path(job.stored_path).exists()
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert 'data-status="committed"' in page and "/commit/" not in page
    entry = AuditEntry.objects.get(action="veteran.import")
    assert entry.after["created"] == 2 and entry.after["file"] == "退役军人.xlsx" and entry.after["job"] == str(job.pk)


def test_a_job_is_committed_once(net: Network, job: ImportJob) -> None:
    client = net.client("town_staff")
    client.post(f"/imports/{job.pk}/commit/")

    assert client.post(f"/imports/{job.pk}/commit/").status_code == 404
    assert Veteran.objects.count() == 2


def test_the_job_page_answers_htmx_with_the_status_fragment(net: Network, job: ImportJob) -> None:
    response = net.client("town_staff").get(f"/imports/{job.pk}/", HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert page.startswith('<div id="import-status"') and "<html" not in page


def test_the_upload_page_lists_my_recent_jobs_only(net: Network, job: ImportJob) -> None:
    mine = net.client("town_staff").get("/imports/new/veteran/").content.decode()
    theirs = net.client("other_town_staff").get("/imports/new/veteran/").content.decode()

    assert f"/imports/{job.pk}/" in mine and f"/imports/{job.pk}/" not in theirs


def test_a_csv_in_gb18030_is_read_too(net: Network) -> None:
    row = valid_row(net.village, name="丙")
    text = ",".join(HEADER_OF[f] for f in REQUIRED) + "\r\n" + ",".join(str(row[f]) for f in REQUIRED) + "\r\n"
    file = SimpleUploadedFile("名单.csv", text.encode("gb18030"), content_type="text/csv")

    upload(net.client("town_staff"), file)

    assert ImportJob.objects.get().status == "valid"


# --- an upload with errors ---------------------------------------------------------------------


@pytest.fixture
def bad_job(net: Network) -> tuple[ImportJob, str]:
    good = valid_row(net.village, name="好人")
    bad = valid_row(
        net.village,
        name="错人",
        enlisted_on="2001-01-01",
        discharged_on="2000-01-01",
        discharge_type="开除",
        region_code=net.other_village.code,
    )
    bad["id_number"] = bad_checksum(bad["id_number"])
    upload(net.client("town_staff"), xlsx([good, bad]))
    return ImportJob.objects.get(), bad["id_number"]


def test_an_upload_with_errors_shows_them_in_place_and_writes_nothing(
    net: Network, bad_job: tuple[ImportJob, str]
) -> None:
    job, _number = bad_job

    assert (job.status, job.total_rows, job.error_rows) == ("invalid", 2, 1)
    found = {(e["row"], e["column"], e["code"]) for e in job.errors}
    assert found == {
        (3, "身份证号", "id_checksum"),
        (3, "所属区划代码", "unknown_region"),
        (3, "退役时间", "discharge_before_enlistment"),
        (3, "退役方式", "bad_choice"),
    }
    page = net.client("town_staff").get(f"/imports/{job.pk}/").content.decode()
    assert 'id="import-errors"' in page and "/commit/" not in page
    assert "<td>3</td><td>退役方式</td><td><code>开除</code></td>" in page
    assert all(e["message"] in page for e in job.errors)
    assert not Veteran.objects.exists()
    assert not AuditEntry.objects.filter(action="veteran.import").exists()


def test_the_id_number_in_an_error_is_masked(net: Network, bad_job: tuple[ImportJob, str]) -> None:
    job, number = bad_job

    [error] = [e for e in job.errors if e["column"] == "身份证号"]
    assert error["value"] == masked(number)
    assert number not in json.dumps(job.errors, ensure_ascii=False)
    assert number not in net.client("town_staff").get(f"/imports/{job.pk}/").content.decode()


def test_the_error_report_can_be_downloaded(net: Network, bad_job: tuple[ImportJob, str]) -> None:
    job, number = bad_job

    response = net.client("town_staff").get(f"/imports/{job.pk}/report.xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="import-errors-{job.pk}.xlsx"'
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0].iter_rows(values_only=True)
    )
    assert rows[0][0] == "行号 Row" and len(rows) == 1 + len(job.errors)
    assert (3, "身份证号", masked(number)) in {r[:3] for r in rows[1:]}
    assert number not in str(rows)


def test_an_invalid_job_cannot_be_committed(net: Network, bad_job: tuple[ImportJob, str]) -> None:
    job, _number = bad_job

    assert net.client("town_staff").post(f"/imports/{job.pk}/commit/").status_code == 404
    assert not Veteran.objects.exists()


def test_the_stored_upload_is_deleted_once_the_job_is_invalid(net: Network, bad_job: tuple[ImportJob, str]) -> None:
    job, _number = bad_job

    assert job.stored_path and not Path(job.stored_path).exists()
    assert Path(job.report_path).exists()


def test_a_missing_required_column_is_reported_on_row_1(net: Network) -> None:
    upload(net.client("town_staff"), xlsx([valid_row(net.village)], fields=REQUIRED[:-1]))

    job = ImportJob.objects.get()
    assert job.status == "invalid"
    assert (1, "退役方式", "missing_column") in {(e["row"], e["column"], e["code"]) for e in job.errors}


def test_a_person_already_registered_is_an_error_unless_skipped_or_updated(net: Network) -> None:
    actor = net.users["town_staff"]
    known = register(actor, net.village, name="旧名")
    row = valid_row(net.village, name="新名", id_number=veteran_as_input(known)["id_number"])
    row |= {"enlisted_on": known.enlisted_on.isoformat(), "discharged_on": known.discharged_on.isoformat()}
    client = net.client("town_staff")

    upload(client, xlsx([row]), "error")
    upload(client, xlsx([row]), "skip")
    upload(client, xlsx([row]), "update")

    error, skip, update = ImportJob.objects.order_by("created_at")
    assert error.status == "invalid" and [e["code"] for e in error.errors] == ["duplicate"]
    assert (error.errors[0]["row"], error.errors[0]["column"]) == (2, "身份证号")
    for job, count in [(skip, "skipped"), (update, "updated")]:
        assert job.status == "valid"
        client.post(f"/imports/{job.pk}/commit/")
        job.refresh_from_db()
        assert job.status == "committed" and job.counts[count] == 1
    known.refresh_from_db()
    assert known.name == "新名" and Veteran.objects.count() == 1


# --- files that are refused or unreadable ------------------------------------------------------


def test_a_text_file_is_refused_at_the_file_field(net: Network, import_dir: Path) -> None:
    response = upload(net.client("town_staff"), SimpleUploadedFile("名单.txt", "姓名\n张三\n".encode()))

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["file"]] == ["bad_file_type"]
    assert not ImportJob.objects.exists()
    assert not import_dir.exists() or not any(import_dir.iterdir())


def test_a_file_over_the_size_limit_is_refused_at_the_file_field(net: Network, settings: Any) -> None:
    settings.MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("大.xlsx", b"\0" * (1024 * 1024 + 1), content_type=XLSX)

    response = upload(net.client("town_staff"), big)

    assert [e.code for e in response.context["form"].errors.as_data()["file"]] == ["too_large"]
    assert not ImportJob.objects.exists()


def test_a_file_at_the_size_limit_is_accepted(net: Network, settings: Any) -> None:
    settings.MAX_UPLOAD_MB = 1
    exact = SimpleUploadedFile("刚好.csv", (b"a" * 1023 + b"\n") * 1024, content_type="text/csv")

    response = upload(net.client("town_staff"), exact)

    assert response.status_code == 302
    assert ImportJob.objects.get().status == "invalid"  # accepted, then found to lack the required columns


def test_a_file_that_is_no_spreadsheet_is_refused_at_the_file_field(net: Network, import_dir: Path) -> None:
    response = upload(net.client("town_staff"), SimpleUploadedFile("坏.xlsx", b"this is not a spreadsheet",
                                                                   content_type=XLSX))  # fmt: skip

    assert response.status_code == 200
    [error] = response.context["form"].errors.as_data()["file"]
    assert error.code == "unreadable" and "文件无法读取" in error.message and "cannot be read" in error.message
    assert "文件无法读取" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not any(import_dir.iterdir())  # the upload holds ID numbers: no job, no file


def test_an_unreadable_spreadsheet_fails_with_a_message_and_is_deleted(net: Network) -> None:
    """A valid zip whose sheet is no XML passes the upload's check, and the job fails with a message."""
    buffer = io.BytesIO(xlsx([valid_row(net.village)]).read())
    broken = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            target.writestr(member, b"<worksheet><sheetData><row" if member.filename.endswith("sheet1.xml") else data)
    upload(net.client("town_staff"), SimpleUploadedFile("坏.xlsx", broken.getvalue(), content_type=XLSX))

    job = ImportJob.objects.get()
    assert job.status == "failed" and "文件无法读取" in job.message
    assert not Path(job.stored_path).exists()
    assert job.message in net.client("town_staff").get(f"/imports/{job.pk}/").content.decode()
