from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from audit.models import AuditChainHead, AuditEntry
from audit.services import audit_record, audit_verify
from core.append_only import append_only_lifted, append_only_triggers
from core.context import batch
from core.ledger import AppendOnlyError


def _write(n: int, actor=None) -> list[AuditEntry]:
    entries = []
    for i in range(n):
        with transaction.atomic():
            entries.append(
                audit_record(
                    actor=actor,
                    action="test.write",
                    object_type="t",
                    object_id=str(i),
                    region_code="330482001000",
                    after={"i": i, "amount": "12.30"},
                )
            )
    return entries


def _tamper(sql: str, params: list[object]) -> None:
    """Change the table behind the application's back, as a database administrator could."""
    with append_only_lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_write_outside_a_transaction():
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="test.write")
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_it_chains_each_entry_to_the_previous_one():
    first, second, third = _write(3)
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (3, third.hash)


@pytest.mark.django_db
def test_it_records_the_actor_batch_and_json_safe_values(net):
    with batch("batch-42"), transaction.atomic():
        entry = audit_record(
            actor=net.users["city_admin"],
            action="test.write",
            obj=net.danghu,
            region_code=net.danghu.code,
            before={"n": 1},
            after={"n": 2},
        )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor_username == "city_admin"
    assert entry.batch_id == "batch-42"
    assert entry.object_type == "regions.region" and entry.object_id == str(net.danghu.pk)
    assert entry.compute_hash() == entry.hash  # the stored JSON hashes the same after the round trip


@pytest.mark.django_db
def test_verify_passes_on_an_intact_log(capsys):
    _write(5)
    assert audit_verify().ok
    call_command("audit_verify")
    assert "5" in capsys.readouterr().out


@pytest.mark.django_db
def test_verify_names_the_first_altered_entry():
    entries = _write(4)
    _tamper("UPDATE audit_auditentry SET after = %s WHERE seq = %s", ['{"i": 99}', entries[1].seq])
    result = audit_verify()
    assert not result.ok and result.bad_seq == 2
    with pytest.raises(CommandError, match="#2"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_verify_catches_a_rewritten_hash_by_the_broken_link():
    entries = _write(3)
    _tamper("UPDATE audit_auditentry SET reason = %s, hash = %s WHERE seq = %s", ["x", "f" * 64, 2])
    assert audit_verify().bad_seq == 2
    assert entries[2].prev_hash != "f" * 64


@pytest.mark.django_db
def test_verify_catches_a_removed_entry():
    _write(4)
    _tamper("DELETE FROM audit_auditentry WHERE seq = %s", [2])
    result = audit_verify()
    assert not result.ok and result.bad_seq == 2


@pytest.mark.django_db
def test_verify_catches_the_newest_entries_removed():
    _write(4)
    _tamper("DELETE FROM audit_auditentry WHERE seq >= %s", [3])
    result = audit_verify()
    assert not result.ok and result.bad_seq == 3


@pytest.mark.django_db
def test_the_application_never_updates_or_deletes_an_entry():
    (entry,) = _write(1)
    entry.reason = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().reason == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditentry SET reason = 'x'", "DELETE FROM audit_auditentry"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_update_or_delete_an_entry(sql):
    _write(1)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEntry.objects.get().reason == ""


@pytest.mark.django_db
def test_postgresql_refuses_to_truncate_the_log():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    _write(1)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db
def test_the_chain_head_stays_updatable():
    _write(2)
    assert AuditChainHead.objects.get().last_seq == 2


def _migrate_to_the_newest() -> None:
    """Leave the database as the other tests expect it."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_migrating_back_before_0003_removes_the_shared_triggers_and_forward_restores_them():
    try:
        MigrationExecutor(connection).migrate([("audit", "0002_append_only_trigger")])
        assert append_only_triggers("audit_auditentry") == set()
        MigrationExecutor(connection).migrate([("audit", "0003_auditentry_append_only")])
        assert append_only_triggers("audit_auditentry")
        _migrate_to_the_newest()  # the writer needs the head as the newest migration leaves it
        assert append_only_triggers("audit_auditentry")
        _write(1)
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditentry SET reason = 'x'")
    finally:
        _migrate_to_the_newest()


@pytest.mark.django_db(transaction=True)
def test_before_0003_postgresql_still_has_the_hand_written_trigger():
    if connection.vendor != "postgresql":
        pytest.skip("0002 installs its trigger on PostgreSQL only")
    try:
        MigrationExecutor(connection).migrate([("audit", "0002_append_only_trigger")])
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_entry_append_only'")
            assert cursor.fetchone() == (1,)
    finally:
        _migrate_to_the_newest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_entry_append_only'")
        assert cursor.fetchone() == (0,)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections need a server database")
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            _write(10)
        except BaseException as exc:  # report any failure to the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert AuditEntry.objects.count() == 40
    assert audit_verify().ok
