"""Which regions an event makes stale, for which indicators: the marks the refresh takes (``cockpit.build``).

The cockpit hears every declared event (``core.events``) and reads the regions from its payload: the case's or
the subject's region (and the one it moved from), ``region_code``, ``regions``, or the ``rows`` of the sender's
model. An indicator is made stale by the events its ``watch`` names (``cockpit.kit``). Marks are written after
the write that caused the event has committed; a lost one (a process killed in between) is made good by the
daily full build.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from cockpit.kit import declared
from cockpit.models import Dirty
from core import events

CASE_EVENTS = ("case_opened", "case_moved", "case_closed")
SUBJECT_EVENTS = ("subject_created", "subject_changed")


def _label(model: Any) -> str:
    return f"model:{model._meta.label}" if isinstance(model, type) and issubclass(model, models.Model) else ""


def _codes(value: Any) -> set[str]:
    if not value:
        return set()
    if isinstance(value, str):
        return {value}
    return {str(v) for v in value if v}


def tokens_and_regions(name: str, sender: Any, payload: dict[str, Any]) -> tuple[set[str], set[str]]:
    """What the event is about (the tokens an indicator's ``watch`` names) and the regions it touched."""
    tokens = {name}
    regions: set[str] = set()
    if payload.get("process"):
        tokens.add(f"process:{payload['process']}")
    case = payload.get("case")
    if case is not None:
        regions |= _codes(getattr(case, "region_code", ""))
    subject = payload.get("subject")
    if subject is not None:
        tokens.add(_label(type(subject)))
        regions |= _codes(getattr(subject, "region_code", ""))
        before = (payload.get("changed") or {}).get("region_code")
        if before:
            regions |= _codes(before[0])
    if name not in CASE_EVENTS + SUBJECT_EVENTS:
        tokens.add(_label(sender))
    regions |= _codes(payload.get("region_code")) | _codes(payload.get("regions"))
    rows = payload.get("rows")
    if rows and isinstance(sender, type) and issubclass(sender, models.Model):
        field = "region_code" if any(f.name == "region_code" for f in sender._meta.fields) else None
        if field:
            regions |= set(sender._default_manager.filter(pk__in=list(rows)).values_list(field, flat=True))
    tokens.discard("")
    return tokens, regions


def mark(keys: Iterable[str], regions: Iterable[str]) -> int:
    rows = [Dirty(indicator=k, region_code=r) for k in sorted(set(keys)) for r in sorted(set(regions)) if r]
    Dirty.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def heard(name: str, sender: Any, **payload: Any) -> None:
    """Mark stale, for every indicator that watches it, the regions an event touched."""
    tokens, regions = tokens_and_regions(name, sender, payload)
    if not regions:
        return
    keys = [i.key for i in declared() if tokens & set(i.watch)]
    if keys:
        mark(keys, regions)


def listen() -> None:
    events.listen_all(heard)
