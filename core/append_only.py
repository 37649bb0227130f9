"""The database's half of an append-only table: triggers that refuse UPDATE and DELETE.

A migration applies ``AppendOnly("modelname")`` after creating the table. On
PostgreSQL one function backs a row trigger (UPDATE, DELETE) and a statement
trigger (TRUNCATE); on SQLite two triggers ``RAISE(ABORT, …)``. Either way a
refused statement raises ``django.db.IntegrityError``, and the operation is
reversible. Every trigger's name starts with ``append_only_``, which is how
``append_only_lifted`` finds them (it lifts ``core.bulk_reference``'s ``bulk_ref_``
ones too: emptying a database deletes referenced rows before their referencers).

SQLite drops a table's triggers when Django's schema editor rebuilds the table
(most ``AlterField`` and ``RemoveField``): a migration that does so must apply
``AppendOnly`` again after it. ``core/tests/test_ledger.py`` checks that every
append-only model's table has its triggers, so a lost one fails the suite.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.backends.utils import truncate_name
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import StateApps

from core.bulk_reference import PREFIX as BULK_PREFIX

PREFIX = "append_only_"


def _name(connection: BaseDatabaseWrapper, table: str, suffix: str = "") -> str:
    # The prefix survives truncation (a long name loses its tail to a hash), so the lift can find it.
    return truncate_name(f"{PREFIX}{table}{suffix}", connection.ops.max_name_length())


def install_sql(connection: BaseDatabaseWrapper, table: str) -> list[str]:
    """The statements that make ``table`` refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL)."""
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        function = quote(_name(connection, table))
        return [
            f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation', HINT = 'A correction is a reversing entry.';
END;
$$""",
            f"CREATE TRIGGER {quote(_name(connection, table))} BEFORE UPDATE OR DELETE ON {quote(table)} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER {quote(_name(connection, table, '_truncate'))} BEFORE TRUNCATE ON {quote(table)} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    if connection.vendor == "sqlite":
        literal = table.replace("'", "''")
        return [
            f"CREATE TRIGGER {quote(_name(connection, table, f'_{op.lower()}'))} BEFORE {op} ON {quote(table)} "
            f"BEGIN SELECT RAISE(ABORT, '{literal} is append-only: {op} refused'); END"
            for op in ("UPDATE", "DELETE")
        ]
    raise NotSupportedError(f"append-only tables are built for PostgreSQL and SQLite, not {connection.vendor}")


def remove_sql(connection: BaseDatabaseWrapper, table: str) -> list[str]:
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {quote(_name(connection, table))} ON {quote(table)}",
            f"DROP TRIGGER IF EXISTS {quote(_name(connection, table, '_truncate'))} ON {quote(table)}",
            f"DROP FUNCTION IF EXISTS {quote(_name(connection, table))}()",
        ]
    if connection.vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {quote(_name(connection, table, f'_{op}'))}" for op in ("update", "delete")]
    raise NotSupportedError(f"append-only tables are built for PostgreSQL and SQLite, not {connection.vendor}")


class AppendOnly(Operation):
    """Make a model's table refuse UPDATE and DELETE at the database; backwards, drop the triggers."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # triggers are not part of Django's model state

    def _apply(self, sql: Any, app_label: str, schema_editor: BaseDatabaseSchemaEditor, apps: StateApps) -> None:
        model = apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            for statement in sql(schema_editor.connection, model._meta.db_table):
                schema_editor.execute(statement, params=None)

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        self._apply(install_sql, app_label, schema_editor, to_state.apps)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        self._apply(remove_sql, app_label, schema_editor, from_state.apps)

    def describe(self) -> str:
        return f"Refuse UPDATE and DELETE on {self.model_name} at the database"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_append_only"


def append_only_triggers(table: str, using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """The names of the append-only triggers on ``table`` that the database holds (enabled or not)."""
    found = _triggers(connections[using])
    return {t.name for t in found if t.table == table and t.name.startswith(PREFIX)}


class _Trigger(NamedTuple):
    name: str
    table: str
    sql: str  # SQLite's statement that created it; empty on PostgreSQL, where a trigger can be disabled


def _triggers(connection: BaseDatabaseWrapper) -> list[_Trigger]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, c.relname, '' FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND (starts_with(t.tgname, %s) OR starts_with(t.tgname, %s)) "
                "AND pg_table_is_visible(c.oid)",
                [PREFIX, BULK_PREFIX],
            )
        else:
            cursor.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND (substr(name, 1, %s) = %s OR substr(name, 1, %s) = %s)",
                [len(PREFIX), PREFIX, len(BULK_PREFIX), BULK_PREFIX],
            )
        return [_Trigger(*row) for row in cursor.fetchall()]


@contextmanager
def append_only_lifted(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Every append-only trigger (and every bulk reference's) lifted for the block, and put back at its end, in
    one transaction.

    For emptying a whole database (``flush``, which Django's test cases run after a transactional test)
    and for tests that play a database administrator; never for the application. If the block raises,
    the rollback puts the triggers back.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    with transaction.atomic(using=using):
        triggers = _triggers(connection)
        with connection.cursor() as cursor:
            for trigger in triggers:
                if connection.vendor == "postgresql":
                    cursor.execute(f"ALTER TABLE {quote(trigger.table)} DISABLE TRIGGER {quote(trigger.name)}")
                else:  # SQLite cannot disable a trigger: drop it and create it again from its statement
                    cursor.execute(f"DROP TRIGGER {quote(trigger.name)}")
        yield
        with connection.cursor() as cursor:
            for trigger in triggers:
                if connection.vendor == "postgresql":
                    cursor.execute(f"ALTER TABLE {quote(trigger.table)} ENABLE TRIGGER {quote(trigger.name)}")
                else:
                    cursor.execute(trigger.sql)
