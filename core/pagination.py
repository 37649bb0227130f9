"""Keyset pagination: a page is "the next N after this key", steady at any depth."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.errors import invalid

T = TypeVar("T")

MAX_LIMIT = 500


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(str(value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.b64decode(padded.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise invalid(
            "cursor", _("The cursor is not valid; start again from the first page."), code="bad_cursor"
        ) from exc


def keyset_page(
    queryset: QuerySet[Any], *, key: str, cursor: str | None, limit: int, descending: bool = False
) -> tuple[Sequence[Any], str | None]:
    """Rows after ``cursor`` ordered by the unique field ``key``, and the cursor of the next page."""
    if limit < 1 or limit > MAX_LIMIT:
        raise invalid("limit", _("The limit must be between 1 and %(max)d."), code="bad_limit", max=MAX_LIMIT)
    ordered = queryset.order_by(f"-{key}" if descending else key)
    if cursor:
        field = queryset.model._meta.get_field(key)
        try:
            after = field.to_python(decode_cursor(cursor))
        except ValidationError as exc:
            raise invalid(
                "cursor", _("The cursor is not valid; start again from the first page."), code="bad_cursor"
            ) from exc
        ordered = ordered.filter(**{f"{key}__lt" if descending else f"{key}__gt": after})
    rows = list(ordered[: limit + 1])
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(getattr(rows[-1], key))
    return rows, None
