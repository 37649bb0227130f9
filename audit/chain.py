"""The keys of the audit chain: HMAC-SHA256 under ``settings.AUDIT_KEY``, a key kept out of the database.

Entries written before the chain was keyed (sequence numbers below the head's ``keyed_from``) keep their plain
SHA-256 hashes: they were written that way and rehashing them would only bless whatever they hold now. The
first keyed entry's HMAC covers the last plain entry's hash (its ``prev_hash``), so from that first keyed write
on, a rewrite of the plain part breaks the chain as well. ``keyed_from`` itself is signed (``keyed_from_mac``)
so that nobody without the key can move it and pass keyed entries off as plain ones.

Two keys are derived from ``AUDIT_KEY``, one per purpose: one for the entries and the head's mark, one for the
anchor lines written outside the database (``audit.anchors``).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

_ENTRY = b"laobing audit chain v1"
_ANCHOR = b"laobing audit anchor v1"


def _key(purpose: bytes) -> bytes:
    return hmac.digest(settings.AUDIT_KEY.encode(), purpose, "sha256")


def entry_mac(prev_hash: str, payload: str) -> str:
    """A keyed entry's hash: HMAC-SHA256 of the previous hash and the entry's canonical JSON."""
    return hmac.new(_key(_ENTRY), (prev_hash + payload).encode(), hashlib.sha256).hexdigest()


def plain_hash(prev_hash: str, payload: str) -> str:
    """The hash of an entry written before the chain was keyed (plain SHA-256, no secret)."""
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def keyed_from_mac(keyed_from: int) -> str:
    """The signature of the first keyed sequence number, kept on the chain head."""
    return hmac.new(_key(_ENTRY), f"keyed-from:{keyed_from}".encode(), hashlib.sha256).hexdigest()


def anchor_mac(line: str) -> str:
    """The signature of one anchor line (its fields, without the signature)."""
    return hmac.new(_key(_ANCHOR), line.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
