"""Exports run as jobs: started from the list (page or API), watched, downloaded by whoever asked, audited,
deleted after a day."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import Network
from audit.models import AuditEntry
from core.export_jobs import EXPORT_TTL, export_job_start, purge_exports
from core.exports import EXPORTS, chunks, write_table
from core.models import ExportJob
from core.periodic import registered
from veterans.exports import EXPORT
from veterans.models import Veteran
from veterans.tests.factories import register


@pytest.fixture
def job(net: Network) -> ExportJob:
    for name in ("张一", "张二", "张三"):
        register(net.users["town_staff"], net.village, name=name)
    return export_job_start(actor=net.users["town_staff"], export=EXPORT, fmt="csv", filters={})


def test_the_list_starts_a_job_and_its_page_shows_the_download(net: Network, job: ExportJob) -> None:
    client = net.client("town_staff")
    started = client.post("/exports/new/veteran.xlsx?status=living")
    new = ExportJob.objects.exclude(pk=job.pk).get()
    assert started.status_code == 302 and started["Location"] == f"/exports/{new.pk}/"
    assert (new.format, new.filters, new.status, new.total_rows) == ("xlsx", {"status": "living"}, "done", 3)

    page = client.get(f"/exports/{new.pk}/").content.decode()
    assert f"/exports/{new.pk}/file" in page and "hx-get" not in page  # finished: no more polling


def test_a_running_job_polls_with_its_progress(net: Network, job: ExportJob) -> None:
    ExportJob.objects.filter(pk=job.pk).update(status="running", processed_rows=1, total_rows=4)
    client = net.client("town_staff")

    partial = client.get(f"/exports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()

    assert partial.startswith('<div id="export-status" hx-get=') and 'value="25"' in partial
    assert client.get(f"/exports/{job.pk}/file").status_code == 404  # not yet


def test_only_whoever_asked_may_download_and_every_download_is_audited(net: Network, job: ExportJob) -> None:
    assert AuditEntry.objects.filter(action="veteran.export").count() == 1
    for other in ("city_admin", "other_town_staff", "auditor"):
        assert net.client(other).get(f"/exports/{job.pk}/file").status_code in (403, 404)
    assert not AuditEntry.objects.filter(action="export.download").exists()

    client = net.client("town_staff")
    first, second = client.get(f"/exports/{job.pk}/file"), client.get(f"/exports/{job.pk}/file")

    assert (first.status_code, second.status_code) == (200, 200)
    assert first["Cache-Control"] == "no-store" and "veterans-" in first["Content-Disposition"]
    assert first.getvalue().decode("utf-8-sig").count("\n") == 4
    downloads = AuditEntry.objects.filter(action="export.download")
    assert downloads.count() == 2 and downloads.first().after == {"register": "veteran", "format": "csv", "rows": 3}


def test_a_file_is_deleted_a_day_after_by_a_periodic_job(net: Network, job: ExportJob) -> None:
    assert "purge_exports" in {p.name for p in registered()}
    path = Path(job.file_path)
    assert path.exists()
    assert purge_exports() == 0  # fresh

    assert purge_exports(now=timezone.now() + EXPORT_TTL + dt.timedelta(minutes=1)) == 1

    job.refresh_from_db()
    assert job.status == "expired" and not path.exists()
    assert net.client("town_staff").get(f"/exports/{job.pk}/file").status_code == 404


def test_a_job_that_fails_says_so_and_keeps_no_file(net: Network, monkeypatch: Any) -> None:
    def broken(_chunk: Any) -> Any:
        raise RuntimeError("boom")
        yield  # pragma: no cover

    register(net.users["town_staff"], net.village)
    monkeypatch.setitem(EXPORTS, "veteran", replace(EXPORT, rows=broken))
    job = export_job_start(actor=net.users["town_staff"], export=EXPORTS["veteran"], fmt="csv", filters={})

    assert job.status == "failed" and "导出失败" in job.message and not job.file_path
    assert not list(Path(job.file_path or "/nonexistent").parent.glob(f"{job.pk}.*"))
    assert not AuditEntry.objects.filter(action="veteran.export").exists()


def test_the_api_starts_polls_and_downloads(net: Network) -> None:
    register(net.users["town_staff"], net.village, name="张一")
    api = net.api_client("town_staff")

    started = api.post("/api/v1/exports/new/veteran", {"format": "xlsx", "filters": {"q": "张"}},
                       content_type="application/json")  # fmt: skip
    assert started.status_code == 202
    body = started.json()
    assert (body["register_name"], body["filters"], body["status"]) == ("veteran", {"q": "张"}, "done")

    polled = api.get(f"/api/v1/exports/{body['id']}").json()
    assert polled["download"] == f"/api/v1/exports/{body['id']}/file" and polled["percent"] == 100
    file = api.get(polled["download"])
    assert file.status_code == 200 and file.getvalue()[:2] == b"PK"
    assert net.api_client("other_town_staff").get(f"/api/v1/exports/{body['id']}").status_code == 404


def test_the_api_refuses_a_malformed_filter(net: Network) -> None:
    response = net.api_client("town_staff").post("/api/v1/exports/new/veteran", {"filters": {"age_min": "old"}},
                                                 content_type="application/json")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "age_min"
    assert not ExportJob.objects.exists()


def test_chunks_cover_every_row_once(net: Network) -> None:
    for _ in range(7):
        register(net.users["town_staff"], net.village)
    seen = [v.pk for chunk in chunks(Veteran.objects.all(), size=3) for v in chunk]
    assert seen == sorted(Veteran.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_table_is_written_a_row_at_a_time_with_formulas_neutralised(tmp_path: Path, fmt: str) -> None:
    done: list[int] = []
    rows = ([f"=cmd{i}", i, None] for i in range(5))

    written = write_table(tmp_path / f"t.{fmt}", fmt, ["a", "b", "c"], rows, progress=done.append, every=2)

    assert written == 5 and done == [2, 4]
    if fmt == "csv":
        text = (tmp_path / "t.csv").read_text(encoding="utf-8-sig")
        assert "'=cmd0" in text and "\n=cmd" not in text
    else:
        from openpyxl import load_workbook

        cells = [c for row in load_workbook(tmp_path / "t.xlsx").active.iter_rows(values_only=True) for c in row]
        assert "'=cmd4" in cells and not any(str(c).startswith("=") for c in cells)


def test_a_searched_id_number_is_used_in_full_but_kept_and_shown_masked(net: Network) -> None:
    from core.crypto import decrypt

    register(net.users["town_staff"], net.village, name="张一")
    wanted = register(net.users["town_staff"], net.village, name="李二")
    full = decrypt(wanted.id_number_enc)
    api = net.api_client("town_staff")

    body = api.post("/api/v1/exports/new/veteran", {"format": "csv", "filters": {"q": full}},
                    content_type="application/json").json()  # fmt: skip

    assert body["total_rows"] == 1  # the job searched by the full number
    job = ExportJob.objects.get(pk=body["id"])
    for shown in (
        body["filters"]["q"],
        job.filters["q"],
        AuditEntry.objects.get(action="veteran.export").after["filters"]["q"],
    ):
        assert shown != full and shown.startswith(full[:6]) and "*" in shown
    assert full not in str(api.get(f"/api/v1/exports/{body['id']}").json())


def test_a_job_run_twice_is_written_once(net: Network, job: ExportJob) -> None:
    from core.export_jobs import run_export

    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.QUEUED)  # as if the task came again
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)  # … while a first run holds it
    assert run_export.call(str(job.pk)) == "running"
    assert AuditEntry.objects.filter(action="veteran.export").count() == 1


def test_a_failure_tells_staff_what_to_do_not_the_exception(net: Network, monkeypatch: Any) -> None:
    def broken(_chunk: Any) -> Any:
        raise KeyError("id_number_enc")
        yield  # pragma: no cover

    register(net.users["town_staff"], net.village)
    monkeypatch.setitem(EXPORTS, "veteran", replace(EXPORT, rows=broken))
    job = export_job_start(actor=net.users["town_staff"], export=EXPORTS["veteran"], fmt="csv", filters={})

    assert "KeyError" not in job.message and "id_number_enc" not in job.message
    assert "请重试" in job.message and " / " in job.message


def test_a_job_is_named_in_the_bureaus_words_and_seen_by_its_requester_only(net: Network, job: ExportJob) -> None:
    assert str(job) == "退役军人（csv）"
    assert list(ExportJob.objects.visible_to(net.users["town_staff"])) == [job]
    assert not ExportJob.objects.visible_to(net.users["city_admin"]).exists()  # a wider scope is no owner
