"""Crafted spreadsheets neither kill the process nor eat its memory or time; formula cells are refused.

Each file is built here, byte by byte where it matters (a few KB). A file is refused at the upload
(ValidationError at its file field, no job, no file kept) when its zip or its declared dimension
gives it away; otherwise the child process that reads it refuses it or dies, and the job fails with
a message. Whatever the file, this process goes on (the next test runs in it).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.testing import Network
from audit.models import AuditEntry
from core import periodic
from core.import_jobs import import_job_create
from core.imports import REGISTERS, UnreadableFile, read_table
from core.models import ImportJob
from core.sheets import TOO_LARGE
from core.tests.test_imports import CRITERIA
from regions.models import StarCriterion

pytestmark = pytest.mark.django_db

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


@pytest.fixture(autouse=True)
def criteria_register(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> None:
    monkeypatch.setitem(REGISTERS, CRITERIA.name, CRITERIA)
    settings.IMPORT_DIR = tmp_path / "imports"
    StarCriterion.objects.all().delete()


def cell(ref: str, value: str = "", formula: str | None = None) -> str:
    """One cell's XML: an inline string, or a formula (with its cached value when ``value`` is given)."""
    if formula is not None:
        return f'<c r="{ref}"><f>{formula}</f>' + (f"<v>{value}</v>" if value else "") + "</c>"
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


HEADER = f'<row r="1">{cell("A1", "代码")}{cell("B1", "名称")}{cell("C1", "满分")}</row>'


def sheet(rows: str = "", dimension: str | None = None, padding: int = 0) -> bytes:
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{head}'
            f"<sheetData>{HEADER}{rows}</sheetData>{' ' * padding}</worksheet>").encode()  # fmt: skip


def xlsx(sheet_xml: bytes) -> bytes:
    """The smallest xlsx the reader takes: the parts it needs and one sheet (about 1 KB zipped)."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
        f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
        '<sheet name="标准" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE_RELS}"><Relationship '
        f'Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, text in parts.items():
            book.writestr(name, text.encode())
        book.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def upload(net: Network, content: bytes, name: str = "标准.xlsx") -> ImportJob:
    return import_job_create(actor=net.users["city_admin"], register=CRITERIA,
                             upload=SimpleUploadedFile(name, content), on_duplicate="error")  # fmt: skip


def refused_at_upload(net: Network, content: bytes, name: str = "标准.xlsx") -> str:
    with pytest.raises(ValidationError) as refused:
        upload(net, content, name)
    [error] = refused.value.error_dict["file"]
    assert error.code == "unreadable"
    assert not ImportJob.objects.exists()
    # the refusal is audited, with the file's fingerprint and the reason, though no job is kept
    entry = AuditEntry.objects.get(action="import.refuse")
    assert entry.actor_id == net.users["city_admin"].pk
    assert entry.after["sha256"] == hashlib.sha256(content).hexdigest() and entry.after["size"] == len(content)
    assert entry.after["reason"] == str(error.message)
    return str(error.message)


def failed_job(net: Network, content: bytes, name: str = "标准.xlsx") -> ImportJob:
    job = upload(net, content, name)
    job.refresh_from_db()  # the test queue has run the check
    assert job.status == "failed" and job.message
    assert not Path(job.stored_path).exists()  # a failed upload's file is deleted at once
    return job


def no_upload_kept(settings: Any) -> bool:
    return not settings.IMPORT_DIR.exists() or not any(settings.IMPORT_DIR.iterdir())


# --- refused at the upload ---------------------------------------------------------------------


def test_a_tiny_file_with_one_cell_at_xfd1048576_is_refused_at_the_upload(net: Network, settings: Any) -> None:
    content = xlsx(sheet(f'<row r="1048576">{cell("XFD1048576", "1")}</row>', dimension="A1:XFD1048576"))
    assert len(content) < 2048

    message = refused_at_upload(net, content)

    assert message.startswith("文件无法读取：") and "200,000" in message and " / The file cannot be read: " in message
    assert no_upload_kept(settings)


def test_a_declared_dimension_past_the_row_cap_is_refused_at_the_upload(net: Network, settings: Any) -> None:
    message = refused_at_upload(net, xlsx(sheet(dimension="A1:Z1048576")))

    assert "200,000" in message and no_upload_kept(settings)


def test_a_declared_dimension_past_the_column_cap_is_refused_at_the_upload(net: Network, settings: Any) -> None:
    settings.MAX_IMPORT_COLUMNS = 10

    message = refused_at_upload(net, xlsx(sheet(dimension="A1:Z3")))

    assert "10 列" in message and "column Z" in message and no_upload_kept(settings)


def test_a_zip_bomb_member_is_refused_at_the_upload(net: Network, settings: Any) -> None:
    content = xlsx(sheet(padding=20 * 1024 * 1024))  # 20 MB of blanks, a few KB zipped
    assert len(content) < 64 * 1024

    assert "压缩比异常" in refused_at_upload(net, content) and no_upload_kept(settings)


def test_a_member_past_the_unpacked_cap_is_refused_at_the_upload(net: Network, settings: Any) -> None:
    settings.MAX_IMPORT_UNPACKED_MB = 1
    filler = "".join(f'<row r="{n}">{cell(f"A{n}", str(n * 7919 % 10007))}</row>' for n in range(2, 30000))

    assert "1 MB" in refused_at_upload(net, xlsx(sheet(filler)))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"this is not a spreadsheet at all", id="text-renamed-xlsx"),
        pytest.param(xlsx(sheet())[:700], id="truncated-zip"),
        pytest.param(b"PK\x03\x04" + b"\0" * 100, id="a-zip-header-only"),
    ],
)
def test_a_file_that_is_no_valid_xlsx_zip_is_refused_at_the_upload(net: Network, settings: Any, content: bytes) -> None:
    message = refused_at_upload(net, content)

    assert "不是有效的 xlsx/ods 文件" in message and "not a valid xlsx/ods file" in message
    assert no_upload_kept(settings)


def test_the_upload_page_shows_the_refusal_at_the_file_field(net: Network, settings: Any) -> None:
    content = xlsx(sheet(f'<row r="1048576">{cell("XFD1048576", "1")}</row>', dimension="A1:XFD1048576"))

    response = net.client("town_staff").post(
        "/imports/new/veteran/", {"file": SimpleUploadedFile("名单.xlsx", content), "on_duplicate": "error"}
    )

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["file"]] == ["unreadable"]
    assert "文件无法读取" in response.content.decode()
    assert not ImportJob.objects.exists() and no_upload_kept(settings)


# --- refused while it is read (a dimension can lie) ------------------------------------------------------


def test_rows_past_the_cap_are_refused_while_read_even_when_the_dimension_says_less(
    net: Network, settings: Any
) -> None:
    settings.MAX_IMPORT_ROWS = 50
    rows = "".join(f'<row r="{n}">{cell(f"A{n}", f"c{n}")}{cell(f"B{n}", "x")}{cell(f"C{n}", "5")}</row>'
                   for n in range(2, 60))  # fmt: skip

    job = failed_job(net, xlsx(sheet(rows, dimension="A1:C2")))

    assert job.message.startswith("文件无法读取：超过 50 行") and "more than 50 rows" in job.message


def test_a_cell_at_xfd1048576_without_a_dimension_fails_its_job_with_a_message(net: Network) -> None:
    job = failed_job(net, xlsx(sheet(f'<row r="1048576">{cell("XFD1048576", "1")}</row>')))

    assert job.message.startswith("文件无法读取：超过 200,000 行") and "The file cannot be read" in job.message


def test_a_cell_past_the_column_cap_is_refused_while_read(net: Network, settings: Any) -> None:
    settings.MAX_IMPORT_COLUMNS = 5

    job = failed_job(net, xlsx(sheet(f'<row r="2">{cell("A2", "a")}{cell("H2", "x")}</row>')))

    assert "超过 5 列" in job.message and "column H" in job.message


def test_cells_that_give_no_reference_are_counted_by_their_order(net: Network, settings: Any) -> None:
    settings.MAX_IMPORT_COLUMNS = 5
    bare = '<c t="inlineStr"><is><t>x</t></is></c>' * 8

    job = failed_job(net, xlsx(sheet(f"<row>{bare}</row>")))

    assert "超过 5 列" in job.message and "column F" in job.message


def test_a_csv_past_the_row_cap_is_refused_while_read(net: Network, settings: Any) -> None:
    settings.MAX_IMPORT_ROWS = 10
    content = "\n".join(["代码,名称,满分", *(f"c{n},名{n},5" for n in range(20))]).encode()

    assert "超过 10 行" in failed_job(net, content, "标准.csv").message


def test_a_sheet_that_is_no_xml_fails_its_job_with_a_message(net: Network) -> None:
    job = failed_job(net, xlsx(b"<worksheet><sheetData><row"))

    assert "文件无法读取" in job.message


# --- the child process dies, this one does not ----------------------------------------------------------


def test_a_file_past_the_memory_limit_kills_only_the_reader(net: Network, settings: Any) -> None:
    """With the caps lifted, a 1 KB file declaring A1:Z1048576 makes the reader allocate about 1 GB."""
    settings.MAX_IMPORT_ROWS, settings.IMPORT_READ_MEMORY_MB = 10**7, 300
    content = xlsx(sheet(f'<row r="1048576">{cell("Z1048576", "1")}</row>', dimension="A1:Z1048576"))

    job = failed_job(net, content)

    assert job.message == TOO_LARGE == "文件过大或格式异常，无法读取 / The file is too large or malformed to be read."
    assert upload(net, xlsx(sheet(f'<row r="2">{cell("A2", "a")}{cell("B2", "甲")}{cell("C2", "5")}</row>')))


def test_a_reader_past_the_time_limit_is_killed_and_the_job_fails(net: Network, settings: Any) -> None:
    settings.IMPORT_READ_SECONDS = 0.001

    job = failed_job(net, xlsx(sheet(f'<row r="2">{cell("A2", "a")}{cell("B2", "甲")}{cell("C2", "5")}</row>')))

    assert job.message.startswith("文件过大或格式异常，无法读取") and "0.001 s" in job.message
    settings.IMPORT_READ_SECONDS = 300
    ok = upload(net, xlsx(sheet(f'<row r="2">{cell("A2", "a")}{cell("B2", "甲")}{cell("C2", "5")}</row>')))
    ok.refresh_from_db()
    assert ok.status == "valid"


# --- formula cells ---------------------------------------------------------------------------------------


def formula_errors(job: ImportJob) -> list[tuple[int, str, str, str]]:
    return [(e["row"], e["column"], e["message"], e["message_en"]) for e in job.errors if e["code"] == "formula_cell"]


def test_a_formula_cell_is_refused_at_its_row_and_column_with_or_without_a_cached_value(net: Network) -> None:
    rows = (f'<row r="2">{cell("A2", "a")}{cell("B2", "甲")}{cell("C2", "20", formula="10+10")}</row>'
            f'<row r="3">{cell("A3", "b")}{cell("B3", "乙", formula="UPPER(B2)")}{cell("C3", "5")}</row>'
            f'<row r="4">{cell("A4", "c")}{cell("B4", "丙")}{cell("C4", "5")}{cell("D4", "1", formula="1")}</row>'
            f'<row r="5">{cell("A5", "d")}{cell("B5", "丁")}{cell("C5", "0")}</row>'
            )  # fmt: skip

    job = upload(net, xlsx(sheet(rows)))

    job.refresh_from_db()
    assert job.status == "invalid"
    assert formula_errors(job) == [
        (
            2,
            "满分",
            "第 2 行 C 列是公式，请粘贴为数值后重新上传。",
            "Row 2 column C holds a formula; paste values and upload again.",
        ),
        (
            3,
            "名称",
            "第 3 行 B 列是公式，请粘贴为数值后重新上传。",
            "Row 3 column B holds a formula; paste values and upload again.",
        ),
    ]  # fmt: skip  (column D is no column of the register: its formula is not read)
    assert [(e["row"], e["code"]) for e in job.errors if e["code"] != "formula_cell"] == [(5, "bad_score")]
    assert not StarCriterion.objects.exists()


def test_a_formula_written_by_openpyxl_and_a_shared_one_are_refused(net: Network, tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["代码", "名称", "满分"])
    book.active.append(["a", "甲", "=2*10"])
    book.save(tmp_path / "f.xlsx")
    shared = (f'<row r="2">{cell("A2", "a")}{cell("B2", "甲")}<c r="C2"><f t="shared" ref="C2:C3" si="0">1+1</f>'
              f'<v>2</v></c></row><row r="3">{cell("A3", "b")}{cell("B3", "乙")}<c r="C3"><f t="shared" si="0"/>'
              f"<v>2</v></c></row>")  # fmt: skip
    (tmp_path / "s.xlsx").write_bytes(xlsx(sheet(shared)))

    assert [(e.row, e.column) for e in read_table(tmp_path / "f.xlsx", CRITERIA).formula_errors] == [(2, "满分")]
    assert [(e.row, e.column) for e in read_table(tmp_path / "s.xlsx", CRITERIA).formula_errors] == [
        (2, "满分"), (3, "满分")]  # fmt: skip


def test_text_that_starts_with_equals_is_no_formula_cell(net: Network, tmp_path: Path) -> None:
    (tmp_path / "t.xlsx").write_bytes(xlsx(sheet(f'<row r="2">{cell("A2", "a")}{cell("B2", "=甲")}'
                                                 f"{cell('C2', '5')}</row>")))  # fmt: skip

    table = read_table(tmp_path / "t.xlsx", CRITERIA)

    assert table.formula_errors == [] and next(table.rows())[1]["name"] == "=甲"  # the register refuses it as before


MANIFEST = (
    '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.'
    'opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods(path: Path, *rows: str) -> Path:
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    content = (f'<?xml version="1.0"?><office:document-content xmlns:office="{office}" xmlns:table="{table}" '
               f'xmlns:text="{text}" office:version="1.2"><office:body><office:spreadsheet><table:table '
               f'table:name="S"><table:table-row>{ods_cell("代码")}{ods_cell("名称")}{ods_cell("满分")}</table:table-row>'
               + "".join(rows) + "</table:table></office:spreadsheet></office:body></office:document-content>"
               )  # fmt: skip
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("META-INF/manifest.xml", MANIFEST)
        book.writestr("content.xml", content)
    return path


def ods_cell(value: str = "", formula: str = "", repeat: int = 1) -> str:
    attributes = f' table:formula="of:={formula}"' if formula else ""
    attributes += f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if not value:
        return f"<table:table-cell{attributes}/>"
    return f'<table:table-cell office:value-type="string"{attributes}><text:p>{value}</text:p></table:table-cell>'


def test_a_formula_cell_in_an_ods_file_is_refused(tmp_path: Path) -> None:
    path = ods(tmp_path / "f.ods",
               f'<table:table-row table:number-rows-repeated="2">{ods_cell("a")}{ods_cell("甲")}</table:table-row>',
               f"<table:table-row>{ods_cell('b')}{ods_cell('乙', '1')}{ods_cell('5')}</table:table-row>",
               f'<table:table-row table:number-rows-repeated="1048000">{ods_cell(repeat=1024)}</table:table-row>'
               )  # fmt: skip

    errors = read_table(path, CRITERIA).formula_errors

    assert [(e.row, e.column) for e in errors] == [(4, "名称")]  # the blank rows repeated to the end are no data


def test_an_ods_value_past_the_column_cap_is_refused(tmp_path: Path, settings: Any) -> None:
    settings.MAX_IMPORT_COLUMNS = 50
    path = ods(
        tmp_path / "w.ods", f"<table:table-row>{ods_cell('a')}{ods_cell(repeat=60)}{ods_cell('x')}</table:table-row>"
    )

    with pytest.raises(UnreadableFile) as refused:
        read_table(path, CRITERIA)

    assert "超过 50 列" in refused.value.message


# --- unconfirmed uploads: the periodic purge ----------------------------------------------------------------


def test_the_purge_of_unconfirmed_uploads_is_a_periodic_job_that_deletes_a_stale_upload(
    net: Network, settings: Any
) -> None:
    import datetime as dt

    job = upload(net, xlsx(sheet(f'<row r="2">{cell("A2", "a")}{cell("B2", "甲")}{cell("C2", "5")}</row>')))
    job.refresh_from_db()
    assert job.status == "valid" and Path(job.stored_path).exists()
    ImportJob.objects.filter(pk=job.pk).update(updated_at=job.updated_at - dt.timedelta(hours=25))
    [entry] = [p for p in periodic.registered() if p.name == "purge_uploads"]
    assert entry.every() == settings.IMPORT_PURGE_SECONDS == 3600

    entry.task.enqueue()  # what the worker does; the test queue runs it at once

    job.refresh_from_db()
    assert job.status == "failed" and "24" in job.message and not Path(job.stored_path).exists()


def test_a_fresh_upload_is_kept_by_the_purge(net: Network) -> None:
    job = upload(net, xlsx(sheet(f'<row r="2">{cell("A2", "a")}{cell("B2", "甲")}{cell("C2", "5")}</row>')))

    periodic.PERIODIC["purge_uploads"].task.enqueue()

    job.refresh_from_db()
    assert job.status == "valid" and Path(job.stored_path).exists()


@pytest.mark.parametrize("stuck", ["queued", "validating", "committing"])
def test_an_upload_stuck_for_a_day_is_deleted_too(net: Network, stuck: str) -> None:
    import datetime as dt

    job = upload(net, xlsx(sheet(f'<row r="2">{cell("A2", "a")}{cell("B2", "甲")}{cell("C2", "5")}</row>')))
    job.refresh_from_db()
    # as if the worker had died while it held the job
    ImportJob.objects.filter(pk=job.pk).update(status=stuck, updated_at=job.updated_at - dt.timedelta(hours=25))

    periodic.PERIODIC["purge_uploads"].task.enqueue()

    job.refresh_from_db()
    assert job.status == "failed" and "请重新上传" in job.message and not Path(job.stored_path).exists()
    assert AuditEntry.objects.get(action="import.expire").after["was"] == stuck


def test_an_error_report_is_deleted_after_a_day(net: Network) -> None:
    import datetime as dt

    job = upload(net, xlsx(sheet(f'<row r="2">{cell("A2", "")}{cell("B2", "甲")}{cell("C2", "x")}</row>')))
    job.refresh_from_db()
    assert job.status == "invalid" and Path(job.report_path).exists()
    report = Path(job.report_path)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=job.updated_at - dt.timedelta(hours=25))

    periodic.PERIODIC["purge_uploads"].task.enqueue()

    job.refresh_from_db()
    assert job.report_path == "" and not report.exists()


def test_an_unexpected_failure_tells_staff_what_to_do_not_the_exception(net: Network, monkeypatch: Any) -> None:
    import core.import_jobs

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise KeyError("330482198010281517")

    monkeypatch.setattr(core.import_jobs, "import_file", broken)
    job = upload(net, xlsx(sheet(f'<row r="2">{cell("A2", "a")}{cell("B2", "甲")}{cell("C2", "5")}</row>')))
    job.refresh_from_db()
    assert job.status == "failed" and "KeyError" not in job.message and "330482198010281517" not in job.message
    assert "请重试" in job.message and " / " in job.message
