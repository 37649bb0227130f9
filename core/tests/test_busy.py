"""SQLite as production runs it: WAL, and a write that cannot get the lock answers 503 "busy", never a 500.

The test database is copied to a file (``core.testing_db.on_a_file``) and another connection holds its
write lock, as a long import in the worker does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import IntegrityError, OperationalError, connection

from accounts.testing import Network, build_network
from core.db import is_busy
from core.testing_db import on_a_file, write_lock_held
from veterans.models import Veteran
from veterans.tests.factories import register


class PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        self.sqlstate = sqlstate


@pytest.mark.parametrize(("error", "busy"), [
    (OperationalError("database is locked"), True),
    (OperationalError("database is busy"), True),
    (OperationalError("no such table: veterans_veteran"), False),
    (IntegrityError("database is locked"), False),  # not an OperationalError: a fault, not a wait
])  # fmt: skip
def test_it_tells_a_busy_database_from_a_fault(error: Exception, busy: bool) -> None:
    assert is_busy(error) is busy


@pytest.mark.parametrize(("sqlstate", "busy"), [("55P03", True), ("40001", True), ("40P01", True), ("23505", False)])
def test_it_knows_postgresqls_lock_and_serialisation_timeouts(sqlstate: str, busy: bool) -> None:
    error = OperationalError("canceling statement due to lock timeout")
    error.__cause__ = PgError(sqlstate)
    assert is_busy(error) is busy


@pytest.fixture
def file_net(transactional_db: None, tmp_path: Path) -> Iterator[tuple[Network, Veteran, Path]]:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's file locking")
    net = build_network()
    vet = register(net.users["town_staff"], net.grid, name="张三丽")
    with on_a_file(tmp_path / "db.sqlite3") as path:
        assert path is not None
        yield net, vet, path


def test_the_file_database_runs_in_wal_mode_with_immediate_writes(file_net: tuple[Network, Veteran, Path]) -> None:
    _net, _vet, path = file_net
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.transaction_mode == "IMMEDIATE"  # type: ignore[attr-defined]
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # kept in the file


def test_a_page_write_answers_busy_while_another_holds_the_lock(file_net: tuple[Network, Veteran, Path]) -> None:
    net, vet, path = file_net
    client = net.client("town_staff")
    with write_lock_held(path):
        response = client.post(f"/veterans/{vet.pk}/family/new/", {"relation": "spouse", "name": "李四"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "系统繁忙，请稍后重试" in response.content.decode()
    assert "try again" in response.content.decode()
    assert not vet.family.exists()
    # once the lock is free, the same write goes through
    again = client.post(f"/veterans/{vet.pk}/family/new/", {"relation": "spouse", "name": "李四"})
    assert again.status_code == 302 and vet.family.count() == 1


def test_an_api_write_answers_busy_in_the_api_shape(file_net: tuple[Network, Veteran, Path]) -> None:
    net, vet, path = file_net
    client = net.api_client("town_staff")
    with write_lock_held(path):
        response = client.post(f"/api/v1/veterans/{vet.pk}/family", {"relation": "spouse", "name": "李四"},
                               content_type="application/json")  # fmt: skip
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("busy", "系统繁忙，请稍后重试")
    assert "try again" in error["message_en"]


def test_reads_go_on_while_a_write_holds_the_lock(file_net: tuple[Network, Veteran, Path]) -> None:
    net, vet, path = file_net
    page, api = net.client("town_staff"), net.api_client("town_staff")
    with write_lock_held(path):
        assert page.get("/veterans/").status_code == 200  # its session's refresh is skipped, not waited for
        assert page.get(f"/veterans/{vet.pk}/").status_code == 200
        assert api.get("/api/v1/veterans").status_code == 200


def test_a_public_page_with_a_session_cookie_leaves_the_session_alone(net: Network) -> None:
    """Django saves every session on every answer (SESSION_SAVE_EVERY_REQUEST), so a health check would
    wait for the write lock during an import: a read that never looked at its session does not save it."""
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    page = net.client("town_staff")  # signed in: the request carries a session cookie
    with CaptureQueriesContext(conn) as queries:
        assert page.get("/livez").status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
