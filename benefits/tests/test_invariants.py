"""The invariants of the payments, proven against the database itself.

- At most one line that may be paid per entitlement, month and purpose (a constraint), and at most one
  paid: whether a batch is generated twice, by two processes at once, or by a process killed midway.
- A batch's total is the sum of its lines; the maker cannot approve their own batch; every state change
  is audited; lines and outcomes are append-only.

The races and the crash run ``manage.py disbursement_generate`` as real processes on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from accounts.testing import Network
from audit.models import AuditEntry
from benefits.batches import Result, line_totals, payable_lines, record_return
from benefits.generation import generate_batch
from benefits.models import Batch, Entitlement, LineOutcome, PaymentLine
from benefits.tests.helpers import entitlement, standard
from core.ledger import AppendOnlyError
from core.testing_db import raw_connection, server_only
from workflow.models import Task
from workflow.services import act

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 40


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def generator(name: str, period: str = "2026-11") -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "laobing.settings_test",
           "PGAPPNAME": name}  # fmt: skip
    command = [sys.executable, "manage.py", "disbursement_generate", "--period", period, "--user", "city_staff"]
    # the project's own command, with arguments of the test's own
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603


def waiting(names: list[str], timeout: float = 60) -> None:
    """Until every named process's backend is waiting on a lock (so it is inside its transaction)."""
    with raw_connection() as watcher:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = watcher.execute(
                "SELECT application_name FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND application_name = ANY(%s)",
                [names],
            ).fetchall()
            if len(rows) == len(names):
                return
            time.sleep(0.05)
    raise AssertionError(f"{names} never waited on a lock")


def gone(name: str, timeout: float = 60) -> None:
    with raw_connection() as watcher:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not watcher.execute("SELECT 1 FROM pg_stat_activity WHERE application_name = %s", [name]).fetchall():
                return
            time.sleep(0.05)
    raise AssertionError(f"{name}'s backend is still there")


def hold_the_audit_chain() -> psycopg.Connection:
    """Take the audit chain's head row: every write that audits waits here, inside its transaction."""
    holder = raw_connection(autocommit=False)
    holder.execute("SELECT * FROM audit_auditchainhead WHERE id = 1 FOR UPDATE")
    return holder


def people(net: Network) -> list[Entitlement]:
    standard("disability", "2000.00", grade=6, cause="war")
    return [entitlement(net, since="2026-11-01") for _ in range(PEOPLE)]


def one_payable_line_each(entitlements: list[Entitlement]) -> None:
    counts = [
        PaymentLine.objects.filter(entitlement=e, period=dt.date(2026, 11, 1), held_reason="").count()
        for e in entitlements
    ]
    assert counts == [1] * len(entitlements)


# --- the constraints themselves (both databases) -------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_refuses_a_second_payable_line_for_a_slot(net: Network) -> None:
    e = people(net)[0]
    batch = generate_batch(actor=net.users["city_staff"], period="2026-11", today=dt.date(2026, 11, 20)).batch
    line = batch.lines.get(entitlement=e)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            batch=batch, entitlement=e, period=line.period, kind="regular", amount=line.amount,
            reference="another-reference", region_code=e.region_code, program=e.program,
        )  # fmt: skip
    # a held line takes no slot
    PaymentLine.objects.create(batch=batch, entitlement=e, period=line.period, kind="regular", amount=line.amount,
                               held_reason="suspended", region_code=e.region_code, program=e.program)  # fmt: skip


@pytest.mark.django_db
def test_the_database_refuses_a_second_paid_outcome_for_a_slot(net: Network) -> None:
    people(net)
    batch = generate_batch(actor=net.users["city_staff"], period="2026-11", today=dt.date(2026, 11, 20)).batch
    paid = approved_and_sent(net, batch)
    outcome = LineOutcome.objects.filter(line__batch=batch).first()
    assert paid and outcome is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        LineOutcome.objects.create(
            line=outcome.line, outcome="paid", return_file=outcome.return_file, entitlement=outcome.entitlement,
            period=outcome.period, purpose=outcome.purpose,
        )  # fmt: skip


@pytest.mark.django_db
def test_lines_and_outcomes_are_never_changed_or_deleted(net: Network) -> None:
    people(net)
    batch = generate_batch(actor=net.users["city_staff"], period="2026-11", today=dt.date(2026, 11, 20)).batch
    approved_and_sent(net, batch)
    line = batch.lines.first()
    with pytest.raises(AppendOnlyError):
        batch.lines.update(amount=Decimal("1.00"))
    with pytest.raises(AppendOnlyError):
        line.delete()
    for table in ("benefits_paymentline", "benefits_lineoutcome"):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET id = id")  # noqa: S608  (the tables are named above)
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608


def approved_and_sent(net: Network, batch: Batch, *, return_file: bool = True) -> int:
    act(actor=net.users["city_staff"], task=batch.case.tasks.get(status=Task.Status.OPEN), action="checked")
    act(actor=net.users["city_admin"], task=batch.case.tasks.get(status=Task.Status.OPEN), action="approve")
    batch, lines = payable_lines(actor=net.users["city_staff"], batch=batch)
    if not return_file:
        return 0
    results = [Result(line.reference, line.amount, True, row=i) for i, line in enumerate(lines, start=3)]
    record_return(actor=net.users["city_staff"], batch=batch, name="回盘.csv", sha256="x" * 64, results=results,
                  count=len(results), total=sum((r.amount for r in results), Decimal("0.00")))  # fmt: skip
    return len(results)


@pytest.mark.django_db
def test_the_same_return_file_twice_changes_nothing(net: Network) -> None:
    people(net)
    batch = generate_batch(actor=net.users["city_staff"], period="2026-11", today=dt.date(2026, 11, 20)).batch
    approved_and_sent(net, batch)
    before = LineOutcome.objects.count()
    results = [Result(line.reference, line.amount, True) for line in batch.lines.all()]
    _file, changed = record_return(actor=net.users["city_staff"], batch=batch, name="again.csv", sha256="x" * 64,
                                   results=results, count=len(results),
                                   total=sum((r.amount for r in results), Decimal("0.00")))  # fmt: skip
    assert not changed and LineOutcome.objects.count() == before == PEOPLE


@pytest.mark.django_db
def test_the_batch_total_is_the_sum_of_its_lines_and_checked_at_every_step(net: Network) -> None:
    people(net)
    batch = generate_batch(actor=net.users["city_staff"], period="2026-11", today=dt.date(2026, 11, 20)).batch
    act(actor=net.users["city_staff"], task=batch.case.tasks.get(status=Task.Status.OPEN), action="checked")
    batch.refresh_from_db()
    lines = list(batch.lines.all())
    assert batch.total == sum(line.amount for line in lines) == Decimal("2000.00") * PEOPLE
    assert isinstance(batch.total, Decimal) and batch.line_count == len(lines)
    assert line_totals(batch).total == batch.total


@pytest.mark.django_db
def test_the_maker_cannot_approve_their_own_batch(net: Network) -> None:
    people(net)
    batch = generate_batch(actor=net.users["city_staff"], period="2026-11", today=dt.date(2026, 11, 20)).batch
    act(actor=net.users["city_staff"], task=batch.case.tasks.get(status=Task.Status.OPEN), action="checked")
    with pytest.raises(ValidationError) as exc:
        act(actor=net.users["city_staff"], task=batch.case.tasks.get(status=Task.Status.OPEN), action="approve")
    assert exc.value.error_list[0].code == "same_actor"
    batch.refresh_from_db()
    assert batch.state == "checked" and batch.approved_by is None


@pytest.mark.django_db
def test_every_state_change_is_audited(net: Network) -> None:
    people(net)
    batch = generate_batch(actor=net.users["city_staff"], period="2026-11", today=dt.date(2026, 11, 20)).batch
    approved_and_sent(net, batch)
    batch.refresh_from_db()
    assert batch.state == "reconciled"
    actions = list(
        AuditEntry.objects.filter(object_id__in=[str(batch.pk), str(batch.case_id)]).values_list("action", flat=True)
    )
    for action in ("payment_batch.open", "benefits.batch_generate", "payment_batch.checked",
                   "payment_batch.approve", "benefits.batch_export", "benefits.return_import"):  # fmt: skip
        assert action in actions, action


# --- processes: two at once, one killed ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_generators_at_once_write_each_line_once(net: Network) -> None:
    server_only()
    entitlements = people(net)
    holder = hold_the_audit_chain()
    try:
        first, second = generator("generator-one"), generator("generator-two")
        waiting(["generator-one", "generator-two"])
    finally:
        holder.rollback()
        holder.close()
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    assert Batch.objects.count() == 1
    one_payable_line_each(entitlements)
    added = sorted(int(out.split("+")[1].split()[0]) for out, _err in outputs)
    assert added == [0, PEOPLE]


@pytest.mark.django_db(transaction=True)
def test_a_generator_killed_midway_leaves_nothing_of_its_work(net: Network) -> None:
    server_only()
    standard("disability", "2000.00", grade=6, cause="war")
    # The batch exists (an earlier run found nobody); this run writes its lines, then waits to audit.
    generate_batch(actor=net.users["city_staff"], period="2026-11", today=dt.date(2026, 11, 20))
    entitlements = [entitlement(net, since="2026-10-01") for _ in range(PEOPLE)]
    holder = hold_the_audit_chain()
    try:
        victim = generator("generator-victim")
        waiting(["generator-victim"])
        with raw_connection() as watcher:  # it is midway: its transaction has written, and waits
            xid = watcher.execute(
                "SELECT backend_xid FROM pg_stat_activity WHERE application_name = 'generator-victim'"
            ).fetchone()
            assert xid is not None and xid[0] is not None
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
    finally:
        holder.rollback()
        holder.close()
    gone("generator-victim")
    assert victim.returncode == -signal.SIGKILL
    assert PaymentLine.objects.count() == 0
    assert not Entitlement.objects.filter(settled_through__isnull=False).exists()
    # and a run afterwards does the whole work once
    survivor = generator("generator-after")
    _out, err = survivor.communicate(timeout=120)
    assert survivor.returncode == 0, err
    assert PaymentLine.objects.filter(held_reason="").count() == 2 * PEOPLE  # October back-paid, November
    one_payable_line_each(entitlements)


def test_settings_name_the_confirmation_deadline() -> None:
    month, day = settings.BENEFITS_CONFIRMATION_DEADLINE
    assert dt.date(2026, month, day)
