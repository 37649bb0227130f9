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

``Statement`` is a query built by the ORM once and run many times with new
values (``core.db.Param``): compiled once per database, prepared on
PostgreSQL, its rows converted as the ORM would. Callers never ask which
database they are on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connection, connections
from django.db.models import QuerySet

from core.db import Slot, is_postgresql

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
    if not is_postgresql(connection) or connection.queries_logged:
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


@dataclass
class Compiled:
    """A queryset's SQL and parameters (some of them ``Slot``\\ s), its columns and their converters."""

    sql: str
    params: tuple[Any, ...]
    names: list[str]
    converters: list[tuple[int, tuple[list[Any], Any]]]  # the fetched values the ORM would convert (SQLite's dates)
    empty: bool = False  # the query can have no rows (visible_to() of a user without scope): nothing is asked

    def convert(self, rows: list[Any], using: str = DEFAULT_DB_ALIAS) -> list[Any]:
        if not self.converters:
            return rows
        db = connections[using]
        converted = []
        for row in map(list, rows):
            for pos, (functions, expression) in self.converters:
                value = row[pos]
                for function in functions:
                    value = function(value, expression, db)
                row[pos] = value
            converted.append(row)
        return converted


def compile_query(queryset: QuerySet[Any]) -> Compiled:
    """The SQL the ORM would send for ``queryset``, with what it takes to read the rows back."""
    query = queryset.query
    compiler = query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return Compiled("", (), [], [], empty=True)
    names = list(query.selected) if query.selected else [*query.extra_select, *query.values_select,
                                                           *query.annotation_select]  # fmt: skip
    converters = compiler.get_converters([s[0] for s in compiler.select[0 : compiler.col_count]])
    return Compiled(sql, tuple(params), names, list(converters.items()))


class Statement:
    """A fixed query written with the ORM, compiled once and run with new values each time.

    ``build`` returns the queryset, with a ``core.db.Param`` wherever a value changes from run to run
    (``any_of("veteran_id", Param("ids"))``, ``filter(key_hash=Param("key"))``); ``rows(ids=[…])``
    fills them in. Compiling the query cost more than running a short one, and on PostgreSQL the
    statement is prepared (``fetch_prepared``): planned once per connection. The same rules apply:
    fixed text whose values do not change the best plan.
    """

    def __init__(self, build: Callable[[], QuerySet[Any]]) -> None:
        self.build = build
        self._compiled: dict[str, Compiled] = {}

    def compiled(self, using: str = DEFAULT_DB_ALIAS) -> Compiled:
        found = self._compiled.get(using)
        if found is None:
            found = self._compiled[using] = compile_query(self.build().using(using))
        return found

    def rows(self, **values: Any) -> list[Any]:
        compiled = self.compiled()
        if compiled.empty:
            return []
        params = [p.fill(values) if type(p) is Slot else p for p in compiled.params]
        return compiled.convert(fetch_prepared(compiled.sql, params))

    def row(self, **values: Any) -> Any:
        """The first row, or None."""
        compiled = self.compiled()
        if compiled.empty:
            return None
        params = [p.fill(values) if type(p) is Slot else p for p in compiled.params]
        found = fetch_prepared(compiled.sql, params, one=True)
        return None if found is None else compiled.convert([found])[0]
