"""Tests that need SQLite as it runs in production: a file (WAL, other connections, other threads).

pytest-django keeps SQLite's test database in memory, where another connection cannot take the write
lock the way a second process does. ``on_a_file`` copies the test database to a file and points the
default connection (and every thread's) at it for the block, with the production options (WAL,
IMMEDIATE, a busy timeout); on PostgreSQL it does nothing. Use it with ``transactional_db``: what the
test wrote before the block must be committed to be copied.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections


@contextlib.contextmanager
def on_a_file(path: Path, *, busy_timeout: float = 0.3) -> Iterator[Path | None]:
    """Run the block on a file copy of the test database; yields the file (None on PostgreSQL)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite":
        yield None
        return
    connection.ensure_connection()
    memory: Any = connection.connection
    target = sqlite3.connect(path)
    memory.backup(target)
    target.close()
    settings = connection.settings_dict
    saved_name, saved_options = settings["NAME"], dict(settings["OPTIONS"])
    connection.connection = None
    settings["NAME"] = str(path)
    settings["OPTIONS"]["timeout"] = busy_timeout
    try:
        yield path
    finally:
        connection.close()
        settings["NAME"] = saved_name
        settings["OPTIONS"].clear()
        settings["OPTIONS"].update(saved_options)
        connection.connection = memory


@contextlib.contextmanager
def write_lock_held(path: Path | None) -> Iterator[None]:
    """Another connection (as another process would) holds SQLite's write lock for the block."""
    if path is None:
        yield
        return
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def migrate_apps(targets: list[tuple[str, str]]) -> Any:
    """Migrate these apps to these migrations and every other app to its latest; the models as they then are."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    named = {app for app, _name in targets}
    if targets:
        # Back to the targets first: Django unapplies whatever depends on what goes (an app whose latest
        # migration needs a newer one of these), which a plan mixing both directions could not.
        executor.migrate(targets)
        executor = MigrationExecutor(connection)
    leaves = [leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] not in named]
    reachable = [leaf for leaf in leaves if not _needs_later(executor, leaf, targets)]
    executor.migrate(reachable + targets)
    state = MigrationExecutor(connection)._create_project_state(with_applied_migrations=True)  # type: ignore[attr-defined]  # the state of what is applied, as migrate itself builds it
    return state.apps


@contextlib.contextmanager
def migrated_back(targets: list[tuple[str, str]]) -> Iterator[Any]:
    """The old schema for the block, then every app at its latest migration whatever happened (later tests
    need it: restoring only the apps a test names would leave a newer migration of another app unapplied)."""
    try:
        yield migrate_apps(targets)
    finally:
        migrate_apps([])


def _needs_later(executor: Any, leaf: tuple[str, str], targets: list[tuple[str, str]]) -> bool:
    """Whether a migration depends on one of the targets' apps beyond its target (so it cannot be applied)."""
    graph = executor.loader.graph
    ancestors = graph.forwards_plan(leaf)
    for app, name in targets:
        allowed = set(graph.forwards_plan((app, name)))
        if any(node[0] == app and node not in allowed for node in ancestors):
            return True
    return False


# --- PostgreSQL: what two connections at once do ---------------------------------------------------------------


def server_only() -> None:
    """Skip the test on SQLite: it needs concurrent connections to a server database."""
    import pytest
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections need a server database")


def raw_connection(*, autocommit: bool = True) -> Any:
    """A psycopg connection of the test's own beside Django's, to the same database (autocommit: what it reads,
    pg_stat_activity say, is read afresh each time)."""
    import psycopg
    from django.db import connection

    db = connection.settings_dict
    return psycopg.connect(dbname=db["NAME"], user=db["USER"] or "postgres", host=db["HOST"] or "127.0.0.1",
                           port=db["PORT"] or 5432, autocommit=autocommit)  # fmt: skip


def queued_on_locks(count: int, timeout: float = 60) -> None:
    """Until ``count`` backends of this database wait on a lock (each inside its transaction, behind a row the
    test holds)."""
    import time

    with raw_connection() as watcher:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            ).fetchone()
            if row is not None and row[0] >= count:
                return
            time.sleep(0.05)
    raise AssertionError(f"{count} writers never queued on a lock together")


def race(hold: Callable[[Any], None], *writers: Callable[[], Any], commit: bool = False) -> list[Any]:
    """Run the writers at once, each in its own transaction on its own connection, behind what ``hold`` takes on a
    connection of the test's own (a row locked, a row inserted and not yet committed); once all of them wait on
    its locks, that connection lets go (rolled back, or committed with ``commit``). Each writer's result or
    exception, in order."""
    import threading

    from django.db import connection, transaction

    holder = raw_connection(autocommit=False)
    hold(holder)
    outcome: list[Any] = [None] * len(writers)

    def run(index: int) -> None:
        try:
            with transaction.atomic():
                outcome[index] = writers[index]()
        except BaseException as exc:  # reported to the main thread
            outcome[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(writers))]
    for thread in threads:
        thread.start()
    try:
        queued_on_locks(len(writers))
    finally:
        holder.commit() if commit else holder.rollback()
        holder.close()
    for thread in threads:
        thread.join(30)
    return outcome
