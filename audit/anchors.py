"""Anchors: the chain's head, written outside the database where its administrator cannot roll it back.

The worker appends one line (``audit.tasks.anchor_audit_head``, every ``AUDIT_ANCHOR_SECONDS``) to
``AUDIT_ANCHOR_FILE``, opened with ``O_APPEND`` and never rewritten, and logs the same line to
``laobing.audit.anchor`` (syslog when ``AUDIT_ANCHOR_SYSLOG`` is set). A line is JSON,
``{"seq": …, "hash": …, "at": …, "mac": …}``, signed with a key derived from ``AUDIT_KEY``:
``audit_verify`` then requires every anchored entry to be there unchanged and the head not behind the newest
anchor, and reports a line whose signature is wrong.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from audit import chain

logger = logging.getLogger("laobing.audit.anchor")


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str


@dataclass(frozen=True)
class Anchors:
    valid: list[Anchor] = field(default_factory=list)
    #: line numbers (from 1) that are not a well-formed line signed with this installation's key
    forged: list[int] = field(default_factory=list)

    @property
    def latest(self) -> Anchor | None:
        return max(self.valid, key=lambda a: a.seq, default=None)


def _signed(seq: int, hash_: str, at: str) -> str:
    return f"{seq} {hash_} {at}"


def anchor_file() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def append_anchor(seq: int, hash_: str) -> Anchor:
    """Append one signed line for this head; the file is only ever opened for appending."""
    anchor = Anchor(seq, hash_, timezone.localtime().isoformat(timespec="seconds"))
    mac = chain.anchor_mac(_signed(anchor.seq, anchor.hash, anchor.at))
    line = json.dumps({"seq": anchor.seq, "hash": anchor.hash, "at": anchor.at, "mac": mac}, separators=(",", ":"))
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    logger.info("audit anchor %s", line)
    return anchor


def _parse(text: str) -> Anchor | None:
    try:
        data = json.loads(text)
        seq, hash_, at, mac = int(data["seq"]), str(data["hash"]), str(data["at"]), str(data["mac"])
    except (ValueError, TypeError, KeyError):
        return None
    if isinstance(data.get("seq"), bool) or not chain.same(mac, chain.anchor_mac(_signed(seq, hash_, at))):
        return None
    return Anchor(seq, hash_, at)


def read_anchors() -> Anchors:
    """Every line of the anchor file: the signed ones, and the numbers of those that are not."""
    path = anchor_file()
    if not path.exists():
        return Anchors()
    anchors = Anchors()
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            anchor = _parse(text)
            if anchor is None:
                anchors.forged.append(number)
            else:
                anchors.valid.append(anchor)
    return anchors
