"""An export, an import and page reads at the same time, on SQLite (a file, as in production) and PostgreSQL.

Nothing may fail: every read answers 200, a write may answer 503 "busy" only, and is then sent again, as a
user would; and nothing is lost: the import writes every row, the export's file holds the rows it counted.
Threads stand for the users, each with its own connection; the tasks run in the request that queues them
(the test settings), outside any transaction, as the worker runs them.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from accounts.testing import build_network
from core.models import ExportJob, ImportJob
from core.testing_db import on_a_file
from veterans.models import Veteran
from veterans.tests.factories import register, valid_row, write_csv

EXISTING, IMPORTED = 60, 300


def until_not_busy(send: Callable[[], Any], tries: int = 40) -> Any:
    """A write, sent again after its Retry-After while the database answers 503 busy."""
    for _ in range(tries):
        response = send()
        if response.status_code != 503:
            return response
        assert response["Retry-After"]
        time.sleep(0.1)  # the test does not wait the 5 s a person would
    raise AssertionError("busy for too long")


def test_an_export_an_import_and_reads_at_once_lose_and_fail_nothing(
    transactional_db: None, tmp_path: Path, settings: Any
) -> None:
    settings.IMPORT_DIR, settings.EXPORT_DIR = tmp_path / "imports", tmp_path / "exports"
    net = build_network()
    staff = net.users["town_staff"]
    first = register(staff, net.village, name="原有")
    for _ in range(EXISTING - 1):
        register(staff, net.village)
    upload = write_csv(tmp_path / "upload.csv", [valid_row(net.grid, name="新增") for _ in range(IMPORTED)])
    clients = {name: net.client("town_staff") for name in ("importer", "exporter", "reader1", "reader2")}
    api = net.api_client("town_staff")
    failures: list[str] = []
    done = threading.Event()
    results: dict[str, Any] = {}

    def user(name: str, work: Callable[[], None]) -> threading.Thread:
        def run() -> None:
            try:
                work()
            except BaseException as exc:  # reported below, with the thread's name
                failures.append(f"{name}: {type(exc).__name__}: {exc}")
            finally:
                connections.close_all()

        return threading.Thread(target=run, name=name)

    def importer() -> None:
        client = clients["importer"]
        with upload.open("rb") as handle:
            file = SimpleUploadedFile("upload.csv", handle.read(), content_type="text/csv")
        response = until_not_busy(lambda: client.post("/imports/new/veteran/", {"file": file, "on_duplicate": "error"}))
        assert response.status_code == 302, response.status_code
        job = ImportJob.objects.get()
        assert job.status == "valid", (job.status, job.message, job.errors[:3])
        confirmed = until_not_busy(lambda: client.post(f"/imports/{job.pk}/commit/"))
        assert confirmed.status_code == 302, confirmed.status_code
        job.refresh_from_db()
        results["import"] = job

    def exporter() -> None:
        client = clients["exporter"]
        for fmt in ("csv", "xlsx"):
            started = until_not_busy(lambda fmt=fmt: client.post(f"/exports/new/veteran.{fmt}"))
            assert started.status_code == 302, started.status_code
            job = ExportJob.objects.filter(format=fmt).get()
            assert job.status == "done", (job.status, job.message)
            file = until_not_busy(lambda job=job: client.get(f"/exports/{job.pk}/file"))  # audited: a write
            assert file.status_code == 200, file.status_code
            results[fmt] = (job, file.getvalue())

    def reader(name: str) -> Callable[[], None]:
        def read() -> None:
            client, count = clients[name], 0
            while not done.is_set() or count < 3:
                for url in ("/veterans/", f"/veterans/{first.pk}/", "/veterans/?q=新增"):
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)
                assert api.get("/api/v1/veterans").status_code == 200
                count += 1
                time.sleep(0.05)  # a person reads; and the machine's cores are for the writers too
            results[name] = count

        return read

    with on_a_file(tmp_path / "db.sqlite3", busy_timeout=2.0):
        readers = [user(n, reader(n)) for n in ("reader1", "reader2")]
        writers = [user("importer", importer), user("exporter", exporter)]
        for thread in readers + writers:
            thread.start()
        for thread in writers:
            thread.join(50)
        done.set()
        for thread in readers:
            thread.join(20)
        assert not failures, failures
        assert Veteran.objects.count() == EXISTING + IMPORTED

    job = results["import"]
    assert job.status == "committed" and job.counts["created"] == IMPORTED, (job.status, job.message)
    csv_job, content = results["csv"]
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]
    assert len(rows) == csv_job.total_rows and EXISTING <= len(rows) <= EXISTING + IMPORTED
    xlsx_job, content = results["xlsx"]
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows(min_row=2)) == xlsx_job.total_rows
    assert EXISTING <= xlsx_job.total_rows <= EXISTING + IMPORTED
    assert results["reader1"] >= 3 and results["reader2"] >= 3
    assert connection.vendor in ("sqlite", "postgresql")
