"""The audit writer. Every service calls ``audit_record`` inside its own transaction."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audit import chain
from audit.anchors import Anchor, Anchors, append_anchor, read_anchors
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
        id=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH, "keyed_from": 1, "keyed_mac": chain.keyed_from_mac(1)}
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
    #: entries checked (the chain is sound up to this sequence number)
    checked: int
    #: the first entry that is wrong, missing or differs from its anchor
    bad_seq: int | None = None
    problem: str | Promise = ""
    #: the hash of the last entry checked (what an anchor records)
    head_hash: str = GENESIS_HASH
    #: anchors found in the anchor file and checked against the chain
    anchors: int = 0
    latest_anchor: Anchor | None = None
    #: anchor-file lines not signed with this installation's key
    forged_lines: list[int] = field(default_factory=list)


def _walk(head: AuditChainHead | None, anchored: dict[int, list[Anchor]], chunk_size: int) -> VerifyResult:
    """The entries up to the head's, in order: the first one whose hash, link or anchor is wrong."""
    last_seq = head.last_seq if head else 0
    keyed_from = head.keyed_from if head else 1
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    entries = AuditEntry.objects.filter(seq__lte=last_seq).order_by("seq")
    for entry in entries.iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            problem = _("missing entry (found #%(seq)s next)") % {"seq": entry.seq}
            return VerifyResult(False, checked, expected_seq, problem)
        if entry.prev_hash != expected_prev:
            return VerifyResult(False, checked, entry.seq, _("link to the previous entry is broken"))
        if not chain.same(entry.compute_hash(keyed=entry.seq >= keyed_from), entry.hash):
            return VerifyResult(False, checked, entry.seq, _("content does not match its hash"))
        for anchor in anchored.get(entry.seq, ()):
            if not chain.same(anchor.hash, entry.hash):
                return VerifyResult(
                    False, checked, entry.seq, _("differs from the anchor written at %(at)s") % {"at": anchor.at}
                )
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    last_hash = head.last_hash if head else GENESIS_HASH
    if last_seq != checked or last_hash != expected_prev:
        return VerifyResult(
            False, checked, checked + 1, _("log ends early: the head records #%(seq)s") % {"seq": last_seq}
        )
    return VerifyResult(True, checked, head_hash=expected_prev)


def audit_verify(chunk_size: int = 5000) -> VerifyResult:
    """Walk the chain in order and check it against the anchors written outside the database.

    The first entry whose hash or link is wrong, or which differs from an anchor, is reported; so is a head
    behind the newest anchor (newest entries removed and the head rolled back), and any anchor line that is
    not signed with this installation's key. Only entries up to the head read first are walked, so entries
    written meanwhile are left for the next run.
    """
    anchors = read_anchors()
    result = _verify(anchors, chunk_size)
    return replace(result, anchors=len(anchors.valid), latest_anchor=anchors.latest, forged_lines=anchors.forged)


def _verify(anchors: Anchors, chunk_size: int) -> VerifyResult:
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and not chain.same(head.keyed_mac, chain.keyed_from_mac(head.keyed_from)):
        return VerifyResult(False, 0, head.keyed_from, _("the head's mark of the first keyed entry was changed"))
    if head is None and AuditEntry.objects.exists():
        return VerifyResult(False, 0, 1, _("the chain head is missing"))
    anchored: dict[int, list[Anchor]] = {}
    for anchor in anchors.valid:
        anchored.setdefault(anchor.seq, []).append(anchor)
    walked = _walk(head, anchored, chunk_size)
    if not walked.ok:
        return walked
    latest = anchors.latest
    if latest is not None and latest.seq > walked.checked:
        problem = _("the log ends at #%(end)s, but the anchor written at %(at)s records #%(seq)s") % {
            "end": walked.checked,
            "at": latest.at,
            "seq": latest.seq,
        }
        return replace(walked, ok=False, bad_seq=walked.checked + 1, problem=problem)
    if anchors.forged:
        lines = ", ".join(str(n) for n in anchors.forged[:10])
        problem = _("anchor file lines not signed with this installation's key: %(lines)s") % {"lines": lines}
        return replace(walked, ok=False, problem=problem)
    return walked


logger = logging.getLogger("laobing.audit.anchor")


def audit_anchor_head() -> Anchor | None:
    """Append the head to the anchor file, once the chain up to it verifies; nothing when nothing is new.

    A chain that fails verification is not anchored: that would vouch for what an intruder left.
    """
    result = audit_verify()
    if not result.ok:
        logger.error("audit chain not anchored: #%s %s", result.bad_seq, result.problem)
        return None
    latest = result.latest_anchor
    if result.checked == 0 or (latest is not None and latest.seq == result.checked):
        return None
    return append_anchor(result.checked, result.head_hash)


def audit_verify_recorded(*, actor: Any) -> VerifyResult:
    """Verify the chain for someone who asked (the audit page), and record that they did and what it found.

    The walk reads the whole log, so it runs before the transaction that records it: a writer waiting for
    the chain head is held only for the one entry, not for the walk.
    """
    result = audit_verify()
    scope = getattr(actor, "scope_region", None)
    with transaction.atomic():
        _record_verification(actor, result, scope.code if scope is not None else "")
    return result


def _record_verification(actor: Any, result: VerifyResult, region_code: str) -> None:
    audit_record(
        actor=actor,
        action="audit.verify",
        object_type="audit.auditentry",
        region_code=region_code,
        after={
            "ok": result.ok,
            "checked": result.checked,
            "bad_seq": result.bad_seq,
            "anchors": result.anchors,
            "forged_lines": result.forged_lines[:10],
        },
        reason=str(result.problem),
    )
