"""Audit writer: chained entries per second, against a plain insert of the same row, and verify speed."""

from __future__ import annotations

import time

from django.db import connection, transaction

from audit.services import audit_record, audit_verify

N = 3000


def run() -> None:
    payload = {"name": "东湖村", "level": "village", "code": "330482001001", "amount": "1234.56"}
    started = time.perf_counter()
    for i in range(N):
        with transaction.atomic():
            audit_record(
                actor=None,
                action="bench.write",
                object_type="bench",
                object_id=str(i),
                region_code="330482001001",
                before=payload,
                after=payload,
            )
    chained = N / (time.perf_counter() - started)

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE plain_log"
            " (LIKE audit_auditentry INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES)"
        )
    started = time.perf_counter()
    for i in range(N):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO plain_log (seq, created_at, action, object_type, object_id, object_repr,"
                " region_code, before, after, reason, request_id, batch_id, client_ip, prev_hash, hash,"
                " actor_username) VALUES (%s, now(), 'bench.write', 'bench', %s, '', '330482001001',"
                " '{}', '{}', '', '', '', '', '', %s, '')",
                [i, str(i), str(i)],
            )
    plain = N / (time.perf_counter() - started)

    started = time.perf_counter()
    result = audit_verify()
    verify = result.checked / (time.perf_counter() - started)
    assert result.ok
    print(f"   chained audit_record, one transaction each: {chained:,.0f} entries/s")
    print(f"   baseline plain INSERT, one transaction each: {plain:,.0f} rows/s  (ratio {chained / plain:.2f})")
    print(f"   audit_verify: {verify:,.0f} entries/s over {result.checked:,} entries")
