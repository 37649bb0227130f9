"""A reference checked once per statement, for a table written by one ``INSERT … SELECT`` of millions of rows.

A foreign key checks each new row on its own, and locks the row it names (``SELECT … FOR KEY SHARE``): for a
quarterly ranking of a province, 1.5 million checks that each write a lock into a veteran's row, which costs
more than the statement that computes the ranking (bench/points_freeze.py). A model's field declared with
``db_constraint=False`` and this operation in its migration keeps the rule at the database, checked as a set:

- on PostgreSQL, a statement trigger after INSERT and one after UPDATE, each with the statement's new rows as a
  transition table, and one anti-join against the referenced table: a row naming nothing refused, the whole
  statement undone (``foreign_key_violation``);
- on SQLite, a row trigger before INSERT and before UPDATE of the column (SQLite has no statement triggers;
  its embedded scale does not need them).

The other half of a foreign key stays too: a row trigger on the referenced table refuses to delete a row (or
change its key) while a row names it. It looks the key up in the referencing table: fast where the column leads
one of its indexes (a ranking's rows), a scan where it does not (a veteran's, who is never deleted).

Either way a refused statement raises ``django.db.IntegrityError``. Every trigger's name starts with
``bulk_ref_``, and ``core.append_only.append_only_lifted`` lifts them with the append-only ones (to empty a
database). SQLite drops a table's triggers when the schema editor rebuilds the table: a later migration that
rebuilds either table applies the operation again.
"""

from __future__ import annotations

from typing import Any

from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import truncate_name
from django.db.migrations.operations.base import Operation

PREFIX = "bulk_ref_"


class _Reference:
    def __init__(self, connection: BaseDatabaseWrapper, model: Any, field_name: str) -> None:
        field = model._meta.get_field(field_name)
        quote = connection.ops.quote_name
        self.vendor = connection.vendor
        self.table, self.column = model._meta.db_table, field.column
        self.q_table, self.q_column = quote(self.table), quote(self.column)
        self.target = field.related_model._meta.db_table
        self.q_target = quote(self.target)
        self.q_key = quote(field.target_field.column)
        self.message = f"{self.table}.{self.column} names no row of {self.target}"
        self.held = f"a row of {self.target} named by {self.table}.{self.column} is kept"
        self._quote = quote
        self._max = connection.ops.max_name_length()

    def name(self, suffix: str) -> str:
        return self._quote(truncate_name(f"{PREFIX}{self.table}_{self.column}{suffix}", self._max))

    def install(self) -> list[str]:
        return self._referencing() + self._referenced()

    def _referenced(self) -> list[str]:
        held = self.held.replace("'", "''")
        named = f"EXISTS (SELECT 1 FROM {self.q_table} WHERE {self.q_column} = OLD.{self.q_key})"  # noqa: S608
        if self.vendor == "postgresql":
            function = self.name("_held")
            return [
                f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.{self.q_key} = OLD.{self.q_key} THEN
        RETURN NEW;
    END IF;
    IF {named} THEN
        RAISE EXCEPTION '{held}' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$""",
                f"CREATE TRIGGER {function} BEFORE DELETE OR UPDATE OF {self.q_key} ON {self.q_target} "
                f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            ]
        if self.vendor == "sqlite":
            return [
                f"CREATE TRIGGER {self.name('_held_delete')} BEFORE DELETE ON {self.q_target} WHEN {named} "
                f"BEGIN SELECT RAISE(ABORT, '{held}'); END",
                f"CREATE TRIGGER {self.name('_held_update')} BEFORE UPDATE OF {self.q_key} ON {self.q_target} "
                f"WHEN NEW.{self.q_key} <> OLD.{self.q_key} AND {named} BEGIN SELECT RAISE(ABORT, '{held}'); END",
            ]
        raise NotSupportedError(f"bulk references are built for PostgreSQL and SQLite, not {self.vendor}")

    def _referencing(self) -> list[str]:
        literal = self.message.replace("'", "''")
        if self.vendor == "postgresql":
            function = self.name("")
            return [
                f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n WHERE n.{self.q_column} IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM {self.q_target} t WHERE t.{self.q_key} = n.{self.q_column})) THEN
        RAISE EXCEPTION '{literal}' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END;
$$""",  # noqa: S608  (names quoted by the connection, from the model's meta; no value from outside)
                *(
                    f"CREATE TRIGGER {self.name('_' + op.lower())} AFTER {op} ON {self.q_table} "
                    f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
                    for op in ("INSERT", "UPDATE")
                ),
            ]
        if self.vendor == "sqlite":
            missing = f"NOT EXISTS (SELECT 1 FROM {self.q_target} WHERE {self.q_key} = NEW.{self.q_column})"  # noqa: S608
            return [
                f"CREATE TRIGGER {self.name('_' + op.split()[0].lower())} BEFORE {op} ON {self.q_table} "
                f"WHEN NEW.{self.q_column} IS NOT NULL AND {missing} BEGIN SELECT RAISE(ABORT, '{literal}'); END"
                for op in ("INSERT", f"UPDATE OF {self.q_column}")
            ]
        raise NotSupportedError(f"bulk references are built for PostgreSQL and SQLite, not {self.vendor}")

    def remove(self) -> list[str]:
        drops = [f"DROP TRIGGER IF EXISTS {self.name('_' + op)}" for op in ("insert", "update")]
        if self.vendor == "postgresql":
            return [
                *(f"{d} ON {self.q_table}" for d in drops),
                f"DROP TRIGGER IF EXISTS {self.name('_held')} ON {self.q_target}",
                f"DROP FUNCTION IF EXISTS {self.name('')}()",
                f"DROP FUNCTION IF EXISTS {self.name('_held')}()",
            ]
        held = [f"DROP TRIGGER IF EXISTS {self.name('_held_' + op)}" for op in ("delete", "update")]
        return drops + held


class BulkReference(Operation):
    """Check a ``db_constraint=False`` foreign key of a model once per statement at the database; backwards,
    drop the triggers."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, field_name: str) -> None:
        self.model_name = model_name
        self.field_name = field_name

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # triggers are not part of Django's model state

    def _apply(self, install: bool, app_label: str, schema_editor: Any, apps: Any) -> None:
        model = apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            reference = _Reference(schema_editor.connection, model, self.field_name)
            for statement in reference.install() if install else reference.remove():
                schema_editor.execute(statement, params=None)

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        self._apply(True, app_label, schema_editor, to_state.apps)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        self._apply(False, app_label, schema_editor, from_state.apps)

    def describe(self) -> str:
        return f"Check {self.model_name}.{self.field_name} once per statement at the database"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_{self.field_name}_bulk_reference"
