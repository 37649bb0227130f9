"""Keyset pagination: a page is "the next N after this key", steady at any depth.

The key is one unique field, or several fields ending in a unique one
(``("birth_date", "id")``); the cursor is the last row's key, encoded.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.errors import invalid

MAX_LIMIT = 500


def _bad_cursor() -> ValidationError:
    return invalid("cursor", _("The cursor is not valid; start again from the first page."), code="bad_cursor")


def encode_cursor(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.b64decode(padded.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise _bad_cursor() from exc


def _after(queryset: QuerySet[Any], keys: Sequence[str], raw: str, descending: bool) -> QuerySet[Any]:
    fields = [queryset.model._meta.get_field(k) for k in keys]
    try:
        values = json.loads(raw) if len(keys) > 1 else [raw]
        if not isinstance(values, list) or len(values) != len(keys):
            raise _bad_cursor()
        parsed = [f.to_python(v) for f, v in zip(fields, values, strict=True)]
    except (ValidationError, ValueError, TypeError) as exc:
        raise _bad_cursor() from exc
    op = "lt" if descending else "gt"
    condition = Q()
    for i, key in enumerate(keys):
        step = Q(**{f"{key}__{op}": parsed[i]})
        for j in range(i):
            step &= Q(**{keys[j]: parsed[j]})
        condition |= step
    return queryset.filter(condition)


def keyset_page(
    queryset: QuerySet[Any],
    *,
    key: str | Sequence[str],
    cursor: str | None,
    limit: int,
    descending: bool = False,
) -> tuple[Sequence[Any], str | None]:
    """Rows after ``cursor`` in key order, and the cursor of the next page (None on the last)."""
    if limit < 1 or limit > MAX_LIMIT:
        raise invalid("limit", _("The limit must be between 1 and %(max)d."), code="bad_limit", max=MAX_LIMIT)
    keys = [key] if isinstance(key, str) else list(key)
    ordered = queryset.order_by(*[f"-{k}" if descending else k for k in keys])
    if cursor:
        ordered = _after(ordered, keys, decode_cursor(cursor), descending)
    rows = list(ordered[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = [rows[-1][k] if isinstance(rows[-1], dict) else getattr(rows[-1], k) for k in keys]
    return rows, encode_cursor(last[0] if len(keys) == 1 else last)
