"""The chain is keyed with AUDIT_KEY and anchored outside the database: what an intruder in the database can't hide."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import translation

from audit import chain
from audit.anchors import read_anchors
from audit.models import AuditChainHead, AuditEntry
from audit.services import audit_anchor_head, audit_record, audit_verify
from core import periodic
from core.append_only import append_only_lifted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def anchor_file(tmp_path, settings):
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.log"
    return settings.AUDIT_ANCHOR_FILE


def _write(n: int) -> list[AuditEntry]:
    written = []
    for i in range(n):
        with transaction.atomic():
            entry = audit_record(
                actor=None, action="veteran.reveal_id", object_type="t", object_id=str(i),
                region_code="330482001000", reason=f"核对身份 {i}",
            )  # fmt: skip
            written.append(entry)
    return written


def _sql(sql: str, params: list[object]) -> None:
    with append_only_lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _rewrite(from_seq: int, change: Callable[[AuditEntry], None], *, keyed: bool) -> None:
    """Change an entry and recompute every later hash and the head with raw SQL, as an intruder would."""
    prev = AuditEntry.objects.get(seq=from_seq - 1).hash if from_seq > 1 else "0" * 64
    for entry in AuditEntry.objects.filter(seq__gte=from_seq).order_by("seq"):
        if entry.seq == from_seq:
            change(entry)
        entry.prev_hash = prev
        entry.hash = entry.compute_hash(keyed=keyed)
        _sql(
            "UPDATE audit_auditentry SET reason = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [entry.reason, entry.prev_hash, entry.hash, entry.seq],
        )
        prev = entry.hash
    _sql("UPDATE audit_auditchainhead SET last_hash = %s WHERE id = 1", [prev])


def _roll_back_to(seq: int) -> None:
    """Delete the newest entries and move the head back, so that the chain itself looks whole."""
    _sql("DELETE FROM audit_auditentry WHERE seq > %s", [seq])
    last = AuditEntry.objects.get(seq=seq).hash
    _sql("UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s WHERE id = 1", [seq, last])


def _edit_reason(entry: AuditEntry) -> None:
    entry.reason = "例行检查"


# --- the key ---------------------------------------------------------------------------------------------------


def test_an_entry_is_hashed_with_the_key_not_plain_sha256():
    (entry,) = _write(1)
    assert entry.hash == entry.compute_hash(keyed=True) != entry.compute_hash(keyed=False)


def test_a_rewrite_recomputed_with_plain_sha256_is_caught():
    _write(6)
    _rewrite(2, _edit_reason, keyed=False)
    result = audit_verify()
    assert not result.ok and result.bad_seq == 2
    with pytest.raises(CommandError, match="#2"):
        call_command("audit_verify")


def test_moving_the_first_keyed_entry_to_pass_the_rewrite_off_as_plain_is_caught():
    _write(4)
    _rewrite(1, _edit_reason, keyed=False)
    _sql("UPDATE audit_auditchainhead SET keyed_from = %s WHERE id = 1", [5])
    result = audit_verify()
    with translation.override("en"):
        assert not result.ok and "first keyed entry" in str(result.problem)


def test_a_different_key_fails_every_keyed_entry(settings):
    _write(2)
    settings.AUDIT_KEY = "another-key-" + "x" * 40
    assert not audit_verify().ok


def _make_legacy(n: int) -> None:
    """Entries as an installation before the key wrote them, then the head marked as migration 0004 does."""
    _write(n)
    _rewrite(1, lambda entry: None, keyed=False)
    mark = [n + 1, chain.keyed_from_mac(n + 1)]
    _sql("UPDATE audit_auditchainhead SET keyed_from = %s, keyed_mac = %s WHERE id = 1", mark)


def test_entries_written_before_the_key_verify_by_the_old_rule_and_new_ones_by_the_key():
    _make_legacy(3)
    _write(2)
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.hash == e.compute_hash(keyed=False) for e in entries] == [True, True, True, False, False]
    assert audit_verify().ok


def test_a_rewrite_of_the_plain_part_is_caught_at_the_first_keyed_entry():
    _make_legacy(3)
    _write(2)
    _sql("UPDATE audit_auditentry SET reason = %s WHERE seq = %s", ["例行检查", 2])
    prev = AuditEntry.objects.get(seq=1).hash
    for entry in AuditEntry.objects.filter(seq__in=[2, 3]).order_by("seq"):
        entry.prev_hash = prev
        entry.hash = entry.compute_hash(keyed=False)
        _sql("UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, entry.hash, entry.seq])
        prev = entry.hash
    result = audit_verify()
    assert not result.ok and result.bad_seq == 4


@pytest.mark.django_db(transaction=True)
def test_migration_0004_marks_the_next_entry_as_the_first_keyed_one():
    from django.db.migrations.executor import MigrationExecutor

    _write(3)
    try:
        MigrationExecutor(connection).migrate([("audit", "0003_auditentry_append_only")])
        MigrationExecutor(connection).migrate([("audit", "0004_keyed_chain")])
        head = AuditChainHead.objects.get()
        assert head.keyed_from == 4 and head.keyed_mac == chain.keyed_from_mac(4)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


# --- the anchors -----------------------------------------------------------------------------------------------


def test_the_anchor_job_is_declared_with_its_interval(settings):
    settings.AUDIT_ANCHOR_SECONDS = 1800
    job = {p.name: p for p in periodic.registered()}["anchor_audit_head"]
    assert job.every() == 1800.0


def test_the_job_appends_the_head_once_per_change(anchor_file):
    _write(3)
    first = audit_anchor_head()
    assert first is not None and first.seq == 3
    assert audit_anchor_head() is None  # nothing new since
    _write(1)
    assert audit_anchor_head().seq == 4
    lines = [json.loads(line) for line in anchor_file.read_text().splitlines()]
    assert [line["seq"] for line in lines] == [3, 4]
    assert lines[1]["hash"] == AuditChainHead.objects.get().last_hash
    assert audit_verify().ok and audit_verify().anchors == 2


def test_the_anchor_task_runs_from_the_worker_queue(anchor_file):
    from audit.tasks import anchor_audit_head

    _write(2)
    result = anchor_audit_head.enqueue()
    assert result.return_value == {"seq": 2}
    assert len(anchor_file.read_text().splitlines()) == 1


def test_the_anchor_file_is_only_appended_to(anchor_file):
    anchor_file.write_text("earlier line kept\n")
    _write(1)
    audit_anchor_head()
    assert anchor_file.read_text().startswith("earlier line kept\n")


def test_an_intact_log_passes_against_its_anchors(capsys):
    _write(3)
    audit_anchor_head()
    _write(2)
    assert audit_verify().ok
    call_command("audit_verify")
    assert "5" in capsys.readouterr().out


def test_removing_the_newest_entries_and_rolling_the_head_back_is_caught():
    _write(5)
    audit_anchor_head()
    _roll_back_to(3)
    result = audit_verify()
    assert not result.ok and result.bad_seq == 4 and "#5" in str(result.problem)
    with pytest.raises(CommandError, match="#4"):
        call_command("audit_verify")


def test_an_anchored_entry_rewritten_even_with_the_key_is_caught():
    _write(4)
    audit_anchor_head()
    _rewrite(2, _edit_reason, keyed=True)  # an intruder who holds AUDIT_KEY but not the anchor file
    _write(1)
    with translation.override("en"):
        result = audit_verify()
    assert not result.ok and result.bad_seq == 4 and "anchor" in str(result.problem)


def test_an_edited_anchored_entry_is_caught():
    _write(3)
    audit_anchor_head()
    _sql("UPDATE audit_auditentry SET reason = %s WHERE seq = %s", ["例行检查", 2])
    assert audit_verify().bad_seq == 2


def test_a_forged_anchor_line_is_reported(anchor_file):
    _write(2)
    audit_anchor_head()
    with anchor_file.open("a") as f:
        f.write(json.dumps({"seq": 1, "hash": "f" * 64, "at": "2026-01-01T00:00:00+08:00", "mac": "0" * 64}) + "\n")
        f.write("not json\n")
    anchors = read_anchors()
    assert anchors.forged == [2, 3] and len(anchors.valid) == 1
    result = audit_verify()
    assert not result.ok and result.forged_lines == [2, 3] and "2, 3" in str(result.problem)


def test_a_chain_that_fails_is_not_anchored(anchor_file):
    _write(3)
    _sql("UPDATE audit_auditentry SET reason = %s WHERE seq = %s", ["x", 2])
    assert audit_anchor_head() is None
    assert not anchor_file.exists()


def test_each_anchor_is_logged_for_syslog_too(caplog):
    _write(2)
    with caplog.at_level("INFO", logger="laobing.audit.anchor"):
        anchor = audit_anchor_head()
    assert any(anchor.hash in record.getMessage() for record in caplog.records if record.name == "laobing.audit.anchor")


def test_the_anchor_file_is_created_private_to_the_service(anchor_file):
    _write(1)
    audit_anchor_head()
    assert anchor_file.stat().st_mode & 0o007 == 0
