"""Keyset pagination: a page is "the next N after this key", steady at any depth.

The key is one unique field, or several fields ending in a unique one
(``("birth_date", "id")``); the cursor is the last row's key, encoded.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.errors import invalid
from core.prepared import fetch_prepared

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


def _check_limit(limit: int) -> None:
    if limit < 1 or limit > MAX_LIMIT:
        raise invalid("limit", _("The limit must be between 1 and %(max)d."), code="bad_limit", max=MAX_LIMIT)


def _page_query(
    queryset: QuerySet[Any], keys: Sequence[str], cursor: str | None, limit: int, descending: bool
) -> QuerySet[Any]:
    ordered = queryset.order_by(*[f"-{k}" if descending else k for k in keys])
    if cursor:
        ordered = _after(ordered, keys, decode_cursor(cursor), descending)
    return ordered[: limit + 1]


def _page_result(rows: list[Any], keys: Sequence[str], limit: int) -> tuple[list[Any], str | None]:
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = [rows[-1][k] if isinstance(rows[-1], dict) else getattr(rows[-1], k) for k in keys]
    return rows, encode_cursor(last[0] if len(keys) == 1 else last)


def keyset_page(
    queryset: QuerySet[Any],
    *,
    key: str | Sequence[str],
    cursor: str | None,
    limit: int,
    descending: bool = False,
) -> tuple[Sequence[Any], str | None]:
    """Rows after ``cursor`` in key order, and the cursor of the next page (None on the last)."""
    _check_limit(limit)
    keys = [key] if isinstance(key, str) else list(key)
    return _page_result(list(_page_query(queryset, keys, cursor, limit, descending)), keys, limit)


@dataclass
class _Statement:
    sql: str
    params: tuple[Any, ...]
    names: list[str]
    compiler: Any
    converters: dict[int, Any]  # the fetched values the ORM would convert (SQLite's dates); often none
    empty: bool = False
    asked: int = 0  # how often it ran: prepared on PostgreSQL once it is asked again
    literal: str = ""  # the SQL with its values written in, for the prepared statement


#: Compiled page queries by the caller's statement key; bounded, the oldest out first.
_STATEMENTS: OrderedDict[Hashable, _Statement] = OrderedDict()
MAX_STATEMENTS = 512


def _compile(queryset: QuerySet[Any]) -> _Statement:
    query = queryset.query
    compiler = query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # e.g. visible_to() of a user without scope: nothing, without asking the database
        return _Statement("", (), [], None, {}, empty=True)
    names = list(query.selected) if query.selected else [*query.extra_select, *query.values_select,
                                                           *query.annotation_select]  # fmt: skip
    converters = compiler.get_converters([s[0] for s in compiler.select[0 : compiler.col_count]])
    return _Statement(sql, tuple(params), names, compiler, converters)


def keyset_values_page(
    build: Callable[[], QuerySet[Any]],
    *,
    statement_key: Hashable,
    key: str | Sequence[str],
    cursor: str | None,
    limit: int,
    descending: bool = False,
    using: str = DEFAULT_DB_ALIAS,
) -> tuple[list[dict[str, Any]], str | None]:
    """``keyset_page`` of a ``values()`` query that a busy endpoint asks for again and again.

    Building and compiling the query cost the API's list more than running it, so the compiled
    statement is kept under ``statement_key``: the caller promises that the same key always builds
    the same query (it holds every input ``build`` reads: the user's scope and role, the filters).
    Only the SQL text and its parameters are kept, never rows: every call asks the database.
    """
    _check_limit(limit)
    keys = [key] if isinstance(key, str) else list(key)
    connection = connections[using]
    # id(connection): a compiled statement is kept with the connection (thread) it was compiled for.
    cache_key = (id(connection), statement_key, tuple(keys), cursor, limit, descending)
    statement = _STATEMENTS.get(cache_key)
    if statement is None:
        statement = _compile(_page_query(build().using(using), keys, cursor, limit, descending))
        _STATEMENTS[cache_key] = statement
        while len(_STATEMENTS) > MAX_STATEMENTS:
            _STATEMENTS.popitem(last=False)
    if statement.empty:
        return [], None
    statement.asked += 1
    if statement.asked > 1 and using == DEFAULT_DB_ALIAS and connection.vendor == "postgresql":
        # With its values written in, a page asked again is planned once per connection, not each time:
        # planning it cost the server more than running it. (A value bound as a parameter would get a
        # generic plan, which cannot use a LIKE prefix.) Pages asked once are not prepared.
        if not statement.literal:
            statement.literal = connection.ops.compose_sql(statement.sql, statement.params)  # type: ignore[attr-defined]
        fetched = fetch_prepared(statement.literal, None)
    else:
        with connection.cursor() as db_cursor:
            db_cursor.execute(statement.sql, statement.params)
            fetched = db_cursor.fetchall()
    names = statement.names
    if statement.converters:
        fetched = list(statement.compiler.apply_converters(fetched, statement.converters))
    return _page_result([dict(zip(names, row, strict=True)) for row in fetched], keys, limit)
