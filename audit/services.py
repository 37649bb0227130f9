"""The audit writer. Every service calls ``audit_record`` inside its own transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from audit.models import GENESIS_HASH, AuditChainHead, AuditEntry
from core.context import current_batch_id, current_client_ip, current_request_id


def to_json_safe(value: Any) -> Any:
    """Decimals, dates and UUIDs become strings, so the stored JSON hashes the same after a round trip."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of ``obj`` as JSON-safe values (foreign keys by their id)."""
    data: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        data[name] = getattr(obj, attname)
    return to_json_safe(data)


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    region_code: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry to the chain. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic()")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH}
    )
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    entry = AuditEntry(
        seq=head.last_seq + 1,
        created_at=timezone.now(),
        actor_id=actor.pk if authenticated else None,
        actor_username=actor.get_username() if authenticated else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:200],
        region_code=region_code,
        before=to_json_safe(before),
        after=to_json_safe(after),
        reason=reason,
        request_id=current_request_id(),
        batch_id=current_batch_id(),
        client_ip=current_client_ip(),
        prev_hash=head.last_hash,
    )
    entry.hash = entry.compute_hash()
    entry.save(force_insert=True)
    AuditChainHead.objects.filter(id=1).update(last_seq=entry.seq, last_hash=entry.hash)
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    bad_seq: int | None = None
    problem: str = ""


def audit_verify(chunk_size: int = 5000) -> VerifyResult:
    """Walk the chain in order; the first entry whose hash or link is wrong is reported."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"missing entry (found #{entry.seq} next)")
        if entry.prev_hash != expected_prev:
            return VerifyResult(False, checked, entry.seq, "link to the previous entry is broken")
        if entry.compute_hash() != entry.hash:
            return VerifyResult(False, checked, entry.seq, "content does not match its hash")
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    last_seq = head.last_seq if head else 0
    last_hash = head.last_hash if head else GENESIS_HASH
    if last_seq != checked or last_hash != expected_prev:
        return VerifyResult(False, checked, checked + 1, f"log ends early: the head records #{last_seq}")
    return VerifyResult(True, checked)
