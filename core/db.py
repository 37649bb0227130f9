"""Where PostgreSQL and SQLite differ, in one place.

Domain modules never ask which database they run on and never write a table's
name in SQL: they call these helpers, which take the names from the model's
``_meta``.

- ``Loader`` and ``copy_into`` write many rows: on PostgreSQL through COPY (no
  SQL to compile per row), left open while the caller goes on; elsewhere in
  bulk INSERTs. While a loader is open, any other query on its connection is
  refused with ``StreamBusy`` (on PostgreSQL it would break the stream; on
  SQLite it is refused too, so that a test on either database finds it).
- ``reserve_ids`` takes the primary keys of rows about to be written (COPY
  cannot return them).
- ``any_of(field, values)`` is ``field IN values`` as one parameter: an array
  on PostgreSQL (``= ANY(%s)``), a JSON list on SQLite. With thousands of
  placeholders the driver spent longer splitting the query text than the
  server took to answer; and with one parameter a statement can be compiled
  once and prepared (``core.prepared.Statement``, ``Param``).
- ``analyze`` and ``empty`` refresh a table's statistics and empty it.
- ``PostgreSQLOnly`` is a migration's SQL that only PostgreSQL has a form of (a
  trigger function, say); elsewhere the step does nothing.
"""

from __future__ import annotations

import contextlib
import json
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, migrations, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression
from django.db.models.lookups import In, Lookup


def is_postgresql(connection: BaseDatabaseWrapper | None = None) -> bool:
    """For core's own helpers only: a domain module asks for what it needs, not for the database."""
    return (connection or connections[DEFAULT_DB_ALIAS]).vendor == "postgresql"


def table(model: type[models.Model], connection: BaseDatabaseWrapper | None = None) -> str:
    """The model's table name, quoted."""
    return (connection or connections[DEFAULT_DB_ALIAS]).ops.quote_name(model._meta.db_table)


def _fields(model: type[models.Model], columns: Sequence[str]) -> list[models.Field[Any, Any]]:
    return [model._meta.get_field(name) for name in columns]  # type: ignore[misc]  # concrete fields only


def copy_statement(model: type[models.Model], columns: Sequence[str], connection: BaseDatabaseWrapper) -> str:
    """``COPY "table" ("a", "b") FROM STDIN`` for these fields (names or attnames) of the model."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(f.column)) for f in _fields(model, columns))
    return f"COPY {table(model, connection)} ({names}) FROM STDIN"


def reserve_ids(model: type[models.Model], count: int, *, using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """``count`` primary keys for new rows of ``model``, taken now: no other row will get them.

    PostgreSQL takes them from the key's sequence; SQLite moves the table's AUTOINCREMENT mark past
    them (its transaction holds the write lock from BEGIN: see settings).
    """
    if count <= 0:
        return []
    connection = connections[using]
    pk = model._meta.pk
    assert pk is not None and pk.column is not None
    if is_postgresql(connection):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table(model, connection), pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
    name = model._meta.db_table
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(pk.column)}) FROM {table(model, connection)}")  # noqa: S608  # names from _meta
        high = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [name])
        mark = cursor.fetchone()
        start = max(high, mark[0] if mark else 0) + 1
        if mark:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + count - 1, name])
        else:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [name, start + count - 1])
    return list(range(start, start + count))


class StreamBusy(RuntimeError):
    """A query was sent while a loader held the connection."""


class _Hold:
    """The loaders open on one connection, and the execute wrapper that refuses every other query
    until the last is closed (Django's ``execute_wrapper``, held open across calls)."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        self.loaders: list[Loader] = []
        self.writing = False  # a loader's own bulk insert (off PostgreSQL) is let through

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if self.writing:
            return execute(sql, params, many, context)
        tables = ", ".join(loader.model._meta.db_table for loader in self.loaders)
        raise StreamBusy(
            f"A query was sent while rows are being loaded into {tables}: nothing else may use the connection "
            "until the loader is closed. An import's clean() must not query the database (read what it needs "
            f"in the register's prepare()). The query: {str(sql)[:200]}"
        )


_HOLDS: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Hold] = weakref.WeakKeyDictionary()


class Loader:
    """Rows into one model's table, written while the caller goes on.

    ``write(items)`` takes items that ``as_rows`` turns into tuples of the ``columns``' values (by
    default the items are those tuples), as Python values the driver takes: text, numbers, dates,
    None; with ``prepare`` each value goes through its field's ``get_db_prep_save`` first (JSON, say).

    On PostgreSQL the first write opens a COPY, which stays open until ``close()``: the server files
    rows while the caller prepares the next. ``as_text``, when given, formats a whole write at once in
    COPY's text format (faster than the driver row by row); ``queued`` sends from a thread of the
    driver's own, so that formatting never waits on the socket. Elsewhere rows are kept and inserted
    ``batch`` at a time. Either way the loader holds the connection from the first write to ``close()``:
    any other query then raises ``StreamBusy`` (PostgreSQL could not run it, and a test on SQLite
    finds it too).
    """

    def __init__(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        *,
        as_rows: Callable[[Any], Iterable[Sequence[Any]]] | None = None,
        as_text: Callable[[Any], bytes] | None = None,
        prepare: bool = False,
        queued: bool = False,
        batch: int = 2000,
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        self.model, self.columns = model, list(columns)
        self.fields = _fields(model, self.columns)
        self.as_rows, self.as_text, self.prepare = as_rows, as_text, prepare
        self.queued, self.batch = queued, batch
        self.connection = connections[using]
        self.streaming = is_postgresql(self.connection)
        self.kept: list[Sequence[Any]] = []
        self._hold: _Hold | None = None
        self._stack: contextlib.ExitStack | None = None
        self._copy: Any = None

    @property
    def open(self) -> bool:
        return self._hold is not None

    def __enter__(self) -> Loader:
        return self

    def __exit__(self, kind: Any, error: BaseException | None, trace: Any) -> None:
        if error is None:
            self.close()
        else:
            self._end(error)

    def write(self, items: Any) -> None:
        if self._hold is None:
            self._open()
        if not self.streaming:
            self.kept.extend(self.as_rows(items) if self.as_rows else items)
            if len(self.kept) >= self.batch:
                self._flush()
        elif self.as_text is not None and not self.prepare:
            self._copy.write(self.as_text(items))
        else:
            for row in self._rows(items):
                self._copy.write_row(row)

    def close(self) -> None:
        """Write what is kept and end the COPY: once this returns, the database has every row."""
        if self._hold is None:
            return
        try:
            self._flush()
        except BaseException as exc:
            self._end(exc)
            raise
        self._end(None)

    def _rows(self, items: Any) -> Iterable[Sequence[Any]]:
        rows = self.as_rows(items) if self.as_rows else items
        if not self.prepare:
            return rows
        connection = self.connection
        return ([f.get_db_prep_save(v, connection) for f, v in zip(self.fields, row, strict=True)] for row in rows)

    def _open(self) -> None:
        hold = _HOLDS.get(self.connection)
        if hold is None:
            hold = _HOLDS[self.connection] = _Hold(self.connection)
            self.connection.execute_wrappers.append(hold)
        elif self.streaming:
            raise StreamBusy(
                f"A COPY into {hold.loaders[0].model._meta.db_table} holds the connection: close it first."
            )
        hold.loaders.append(self)
        self._hold = hold
        if not self.streaming:
            return
        self._stack = contextlib.ExitStack()
        try:
            raw = self._stack.enter_context(self.connection.cursor()).cursor
            options: dict[str, Any] = {}
            if self.queued:
                from psycopg.copy import QueuedLibpqWriter

                options["writer"] = QueuedLibpqWriter(raw)
            statement = copy_statement(self.model, self.columns, self.connection)
            self._copy = self._stack.enter_context(raw.copy(statement, **options))
        except BaseException as exc:
            self._end(exc)
            raise

    def _end(self, error: BaseException | None) -> None:
        """End the COPY (failing it when there was an ``error``) and let go of the connection."""
        stack, self._stack, self._copy, self.kept = self._stack, None, None, []
        try:
            if stack is not None:
                if error is None:
                    stack.close()
                else:
                    stack.__exit__(type(error), error, error.__traceback__)
        finally:
            hold, self._hold = self._hold, None
            if hold is not None:
                hold.loaders.remove(self)
                if not hold.loaders:
                    self.connection.execute_wrappers.remove(hold)
                    del _HOLDS[self.connection]

    def _flush(self) -> None:
        rows, self.kept = self.kept, []
        if not rows or self._hold is None:
            return
        attnames = [f.attname for f in self.fields]
        model, rows_of = self.model, self.model._base_manager.using(self.connection.alias)
        objects = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
        size = max(1, min(self.batch, self.connection.ops.bulk_batch_size(self.fields, objects)))
        self._hold.writing = True
        try:
            for start in range(0, len(objects), size):
                # bulk_create's own insert, raw: the values as given, as COPY writes them (no auto_now or
                # other pre_save), and no primary keys read back
                batch = objects[start : start + size]
                rows_of._insert(batch, fields=self.fields, raw=True, using=rows_of.db)  # type: ignore[attr-defined]
        finally:
            self._hold.writing = False


def copy_into(
    model: type[models.Model],
    columns: Sequence[str],
    items: Any,
    *,
    as_rows: Callable[[Any], Iterable[Sequence[Any]]] | None = None,
    as_text: Callable[[Any], bytes] | None = None,
    prepare: bool = False,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Write these rows at once: one COPY on PostgreSQL, bulk INSERTs elsewhere (see ``Loader``)."""
    with Loader(model, columns, as_rows=as_rows, as_text=as_text, prepare=prepare, using=using) as loader:
        loader.write(items)


def analyze(model: type[models.Model], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Refresh the planner's statistics of the model's table after a bulk load (SQLite keeps none)."""
    connection = connections[using]
    if is_postgresql(connection):
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table(model, connection)}")


def empty(model: type[models.Model], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Delete every row of a table that no other refers to: TRUNCATE on PostgreSQL."""
    connection = connections[using]
    if is_postgresql(connection):
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                # Rows written earlier in the transaction leave their (deferred) key checks pending, which
                # TRUNCATE refuses to skip: they are run now instead of at commit.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {table(model, connection)}")
            if connection.in_atomic_block:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        model._base_manager.using(using).all().delete()


class PostgreSQLOnly(migrations.RunSQL):
    """``RunSQL`` that runs on PostgreSQL and is a no-op elsewhere (give ``sql`` as a list to send each
    string whole, dollar-quoted bodies included)."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if is_postgresql(schema_editor.connection):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if is_postgresql(schema_editor.connection):
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self) -> str:
        return "Raw SQL operation on PostgreSQL"


# --- one parameter for a list of values -----------------------------------------------------------


class Param(Expression):
    """A value given each time a compiled statement runs (``core.prepared.Statement``), by name.

    ``output_field`` says how the database takes the value (a date on SQLite is text); without it the
    value goes to the driver as it is.
    """

    def __init__(self, name: str, output_field: models.Field[Any, Any] | None = None) -> None:
        super().__init__(output_field=output_field)
        self.name, self.value_field = name, output_field

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        field = self.value_field
        if field is None:
            return "%s", [Slot(self.name)]
        return "%s", [Slot(self.name, lambda value: field.get_db_prep_value(value, connection))]


class Slot:
    """Where a ``Param``'s value goes among a compiled statement's parameters, and how it is converted."""

    def __init__(self, name: str, convert: Callable[[Any], Any] | None = None) -> None:
        self.name, self.convert = name, convert

    def fill(self, values: dict[str, Any]) -> Any:
        value = values[self.name]
        return self.convert(value) if self.convert else value


def _array_text(values: Iterable[Any]) -> str:
    """Values as a PostgreSQL array's text; ids (the usual case) without quoting."""
    values = list(values)
    if all(type(v) is int for v in values):
        return "{" + ",".join(map(str, values)) + "}"
    items = []
    for value in values:
        if value is None:
            items.append("NULL")
        else:
            items.append('"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(items) + "}"


class AnyOf(Lookup):
    """``lhs IN (values)`` with the values as one parameter; ``any_of`` builds it."""

    lookup_name = "any_of"  # not registered: built by any_of()
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        return self.rhs if isinstance(self.rhs, Param) else list(self.rhs)

    def _values(self, connection: BaseDatabaseWrapper) -> list[Any]:
        field = self.lhs.output_field
        return [v if v is None or type(v) in (int, str) else field.get_db_prep_value(v, connection) for v in self.rhs]

    def as_postgresql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        lhs, params = self.process_lhs(compiler, connection)
        array = f"{self.lhs.output_field.db_type(connection)}[]"
        if isinstance(self.rhs, Param):
            value: Any = Slot(self.rhs.name, _array_text)
        else:
            value = _array_text(self._values(connection))
        return f"{lhs} = ANY(%s::{array})", [*params, value]

    def as_sqlite(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        lhs, params = self.process_lhs(compiler, connection)
        if isinstance(self.rhs, Param):
            value: Any = Slot(self.rhs.name, lambda values: json.dumps(list(values), default=str))
        else:
            value = json.dumps(self._values(connection), default=str)
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*params, value]  # noqa: S608  # lhs: a compiled column

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        if isinstance(self.rhs, Param):
            raise NotImplementedError(f"a list parameter on {connection.vendor}")
        lhs, params = self.process_lhs(compiler, connection)
        values = self._values(connection)
        if not values:
            return "1 = 0", params
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*params, *values]


def any_of(field: str, values: Iterable[Any] | Param) -> AnyOf:
    """``filter(any_of("id_hash", hashes))``: the field's value is one of these, sent as one parameter."""
    return AnyOf(models.F(field), values)


class InQuery(In):
    """``lhs IN (subquery)``, which PostgreSQL gets as ``lhs = ANY(ARRAY(subquery))``: the subquery then
    runs once, before the scan, and its result is a value an index can look up, so an OR of it with
    indexed conditions stays a BitmapOr of index scans (an IN (subquery) in an OR is a filter checked
    row by row over the whole scope)."""

    def as_postgresql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def in_query(field: str, queryset: models.QuerySet[Any]) -> InQuery:
    """``Q(in_query("id", pieces.values("veteran_id")))``: the field's value is one the query selects."""
    return InQuery(models.F(field), queryset.query)


# --- a database too busy to take a write ------------------------------------------------------------------

#: What a page or the API tells a user whose write could not get the database in time (503).
BUSY_MESSAGE = ("系统繁忙，请稍后重试", "The system is busy; please try again shortly.")
#: Seconds a client is asked to wait before trying again (``Retry-After``).
RETRY_AFTER_SECONDS = 5
#: PostgreSQL's answers when a lock or a serialisable snapshot could not be had in time: lock_not_available,
#: serialization_failure, deadlock_detected, query_canceled (a statement or lock timeout).
_PG_BUSY = {"55P03", "40001", "40P01", "57014"}


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "try again later" (another writer held the lock), not a fault."""
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc).lower()
    if "database is locked" in text or "database is busy" in text or "database table is locked" in text:
        return True
    return getattr(exc.__cause__, "sqlstate", None) in _PG_BUSY


@contextlib.contextmanager
def brief_wait(seconds: float, *, using: str = DEFAULT_DB_ALIAS) -> Any:
    """Wait at most ``seconds`` for SQLite's write lock inside the block (a write that may be skipped,
    such as refreshing a session's expiry on a page read); elsewhere row locks do not queue behind a
    long write, and nothing changes."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    raw: Any = connection.connection
    before = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(before)}")
