"""Audit entries in the bureau's words for the tables staff read: the kind of object and the region by name.

An entry keeps its object's type as ``app.model`` and its region as a code; the tables show the model's
own name (``accounts.user`` → 用户) and the region's name (330482001000 → 当湖街道), with the code as a
tooltip. Region names come from a namer the regions app registers when Django starts (audit cannot
import regions: regions writes audit entries).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.apps import apps

#: codes -> {code: name}, one query for a whole table
RegionNamer = Callable[[Iterable[str]], dict[str, str]]
_namers: list[RegionNamer] = []


def region_namer(function: RegionNamer) -> RegionNamer:
    _namers.append(function)
    return function


def object_kind(object_type: str) -> str:
    """The model's verbose name for ``app.model``; the code itself when no model has it."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name)


def described(entries: Sequence[Any]) -> Sequence[Any]:
    """Set ``object_kind`` and ``region_name`` on each entry of a table (one query for the regions)."""
    codes = {e.region_code for e in entries if e.region_code}
    names: dict[str, str] = {}
    for namer in _namers:
        names |= namer(codes)
    for entry in entries:
        entry.object_kind = object_kind(entry.object_type)
        entry.region_name = names.get(entry.region_code, entry.region_code)
    return entries
