from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from core.models import ImportJob
from veterans.models import Veteran
from veterans.tests.factories import valid_row

HEADERS = ["姓名", "身份证号", "所属区划代码", "入伍时间", "退役时间", "退役方式"]


def xlsx(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "veterans.xlsx"
    return buffer


@pytest.mark.django_db
def test_upload_validate_confirm(net):
    client = net.client("town_staff")
    rows = [
        [r[k] for k in ("name", "id_number", "region_code", "enlisted_on", "discharged_on", "discharge_type")]
        for r in (valid_row(net.village), valid_row(net.village))
    ]
    response = client.post("/imports/new/veteran/", {"file": xlsx(rows), "on_duplicate": "error"})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "valid", (job.status, job.errors, job.message)
    page = client.get(response["Location"])
    assert b"import-state" in page.content
    client.post(f"/imports/{job.pk}/commit/")
    job.refresh_from_db()
    assert job.status == "committed", job.message
    assert Veteran.objects.count() == 2


@pytest.mark.django_db
def test_upload_with_errors(net):
    client = net.client("town_staff")
    bad = valid_row(net.village)
    rows = [
        [
            bad["name"],
            bad["id_number"][:-1] + ("0" if bad["id_number"][-1] != "0" else "1"),
            "330482100001",
            "2001-01-01",
            "2000-01-01",
            "开除",
        ]
    ]
    client.post("/imports/new/veteran/", {"file": xlsx(rows), "on_duplicate": "error"})
    job = ImportJob.objects.get()
    assert job.status == "invalid"
    codes = {e["code"] for e in job.errors}
    assert {"id_checksum", "unknown_region", "discharge_before_enlistment", "bad_choice"} <= codes
    assert client.get(f"/imports/{job.pk}/report.xlsx").status_code == 200
    assert Veteran.objects.count() == 0


@pytest.mark.django_db
def test_quality_page(net):
    import datetime as dt

    from veterans.models import VeteranCategory
    from veterans.tests.factories import register

    actor = net.users["town_staff"]
    a = register(
        actor, net.village, name="重名", id_number="330482198001010016", enlisted_on="1998-12", discharged_on="2000-12"
    )
    register(
        actor, net.village, name="重名", id_number="330482198001010032", enlisted_on="1998-12", discharged_on="2000-12"
    )
    VeteranCategory.objects.create(veteran=a, category="disabled_soldier", start_date=dt.date(2001, 1, 1))
    VeteranCategory.objects.create(veteran=a, category="disabled_soldier", start_date=dt.date(2005, 1, 1))
    page = net.client("town_staff").get("/veterans/quality/")
    assert page.status_code == 200
    assert len(page.context["duplicates"]) == 1
    assert [c["problem"] for c in page.context["conflicts"]] == ["overlap"]
    assert net.client("other_town_staff").get("/veterans/quality/").context["duplicates"] == []


@pytest.mark.django_db
def test_an_upload_never_confirmed_is_deleted_after_a_day(net, tmp_path, settings):
    import datetime as dt
    from pathlib import Path

    from core.import_jobs import purge_unconfirmed_uploads

    settings.IMPORT_DIR = tmp_path
    client = net.client("town_staff")
    row = valid_row(net.village)
    client.post(
        "/imports/new/veteran/",
        {
            "file": xlsx(
                [
                    [
                        row[k]
                        for k in ("name", "id_number", "region_code", "enlisted_on", "discharged_on", "discharge_type")
                    ]
                ]
            ),
            "on_duplicate": "error",
        },
    )
    job = ImportJob.objects.get()
    assert job.status == "valid" and Path(job.stored_path).exists()
    assert purge_unconfirmed_uploads() == 0
    ImportJob.objects.filter(pk=job.pk).update(updated_at=job.updated_at - dt.timedelta(hours=25))
    assert purge_unconfirmed_uploads() == 1
    job.refresh_from_db()
    assert job.status == "failed" and not Path(job.stored_path).exists()
