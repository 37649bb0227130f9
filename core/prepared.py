"""Prepared statements for the few fixed queries every API request runs.

PostgreSQL plans a query each time it receives its text; for the short
look-ups behind every request (the token, a page's categories and tags)
planning costs more than running. On PostgreSQL, ``prepared_cursor()`` gives a
cursor that binds parameters on the server and prepares each statement once
per connection (psycopg keeps the names and re-prepares on a new connection);
elsewhere it is the ordinary cursor.

Django turns psycopg's automatic preparation off so that connection poolers
keep working; this leaves it off for every other query. Only statements sent
through this cursor are prepared, so use it for fixed text whose parameters do
not change the best plan (equality on a key, a list of ids), never for a LIKE
pattern or a search.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import InterfaceError, OperationalError, connection

#: psycopg prepares a statement after this many executions; this keeps it from preparing any by itself.
_NEVER_BY_ITSELF = 2**31 - 1


def _preparing_cursor_class() -> type:
    import psycopg

    class PreparingCursor(psycopg.Cursor):
        def execute(
            self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
        ) -> Any:
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


_cursor_class: type | None = None


@contextmanager
def prepared_cursor() -> Iterator[Any]:
    if connection.vendor != "postgresql" or connection.queries_logged:
        # While queries are logged (DEBUG, a test counting them), the ordinary cursor: the log shows its text.
        with connection.cursor() as cursor:
            yield cursor
        return
    global _cursor_class
    if _cursor_class is None:
        _cursor_class = _preparing_cursor_class()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = _NEVER_BY_ITSELF
    cursor = _cursor_class(raw)
    with connection.make_cursor(cursor) as wrapped:
        yield wrapped


def fetch_prepared(sql: str, params: Any, *, one: bool = False) -> Any:
    """The rows (or the first row) of a fixed query, prepared on PostgreSQL.

    When this is a request's first query it also stands for Django's health check (CONN_HEALTH_CHECKS,
    a ``SELECT 1`` before a kept connection is reused): if the connection died since the last request,
    the query fails, the connection is replaced and the query asked once more, as the check would have
    done; if it answers, the connection is known good and the check is not sent. One round trip less
    on every API request.
    """
    db: Any = connection  # the health check's two flags are Django's, not in its type stubs
    for attempt in (1, 2):
        checking = db.health_check_enabled and not db.health_check_done and not db.in_atomic_block
        try:
            with prepared_cursor() as cursor:
                cursor.execute(sql, params)
                found = cursor.fetchone() if one else cursor.fetchall()
        except (OperationalError, InterfaceError):
            if not checking or attempt == 2:
                raise
            connection.close()
            continue
        if checking:
            db.health_check_done = True
        return found
    raise AssertionError("unreachable")  # pragma: no cover
