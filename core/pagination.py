"""Keyset pagination: a page is "the next N after this key", steady at any depth.

The key is one unique field, or several fields ending in a unique one
(``("birth_date", "id")``); the cursor is the last row's key, encoded.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import operator
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, is_dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.db import is_postgresql
from core.errors import invalid
from core.ids import MAX_ID
from core.prepared import Compiled, compile_query, fetch_prepared

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
        if any(isinstance(v, int) and not -MAX_ID - 1 <= v <= MAX_ID for v in parsed):
            raise _bad_cursor()  # no 64-bit column holds it: the driver would overflow
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


#: How far a list's total is counted: past it the page says "more than" (a province's 1.5 million records
#: would cost a full index scan on every page).
COUNT_CAP = 200_000


def count_up_to(queryset: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows the query has, counted no further than ``cap``, and whether there are more.

    A keyset list counts nothing to page, so its total is this one bounded query:
    ``SELECT COUNT(*) FROM (SELECT id … LIMIT cap + 1)``.
    """
    n = queryset.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


@dataclass
class _Page:
    compiled: Compiled
    asked: int = 0  # how often it ran: prepared on PostgreSQL once it is asked again
    literal: str = ""  # the SQL with its values written in, for the prepared statement


#: Compiled page queries by selector and arguments; bounded, the oldest out first.
_STATEMENTS: OrderedDict[Hashable, _Page] = OrderedDict()
MAX_STATEMENTS = 512

#: A user's columns that change without changing what any query of theirs reads.
_NOT_KEYED = frozenset({"password", "last_login"})
_PLAIN = frozenset({str, int, float, bool, type(None), dt.date})
_COLUMNS: dict[Any, Callable[[Any], tuple[Any, ...]]] = {}


def _columns(meta: Any) -> Callable[[Any], tuple[Any, ...]]:
    """A getter of a model's keyed columns, built once per model."""
    getter = _COLUMNS.get(meta)
    if getter is None:
        names = [f.attname for f in meta.concrete_fields if f.name not in _NOT_KEYED]
        getter = _COLUMNS[meta] = operator.attrgetter(*names)
    return getter


def _keyed(value: Any) -> Hashable:
    """A value as part of a statement's key: a model instance (the user) by every column it has, a
    dataclass (the filters) by its fields, a list as a tuple."""
    if type(value) in _PLAIN:
        return value
    if is_dataclass(value):
        return type(value).__qualname__, tuple(v if type(v) in _PLAIN else _keyed(v) for v in vars(value).values())
    meta = getattr(value, "_meta", None)
    if meta is not None:
        # the scope's prefix comes from the user's region, not from a column of its own
        return meta.label, _columns(meta)(value), getattr(value, "scope_prefix", None)
    if isinstance(value, (list, tuple)):
        return tuple(map(_keyed, value))
    if not getattr(value, "is_authenticated", True):
        return "anonymous"
    hash(value)  # anything else must be a value: a TypeError here says the selector cannot be kept
    return value


def statement_key(selector: Callable[..., QuerySet[Any]], arguments: dict[str, Any]) -> Hashable:
    """What the query a selector builds from these arguments depends on: the selector itself, each
    argument (the user by all its columns, so that a change of role, scope, standing or department is a
    new statement), and the field key (a search looks up keyed hashes)."""
    return (selector, settings.FIELD_ENCRYPTION_KEY, *[(name, _keyed(arguments[name])) for name in sorted(arguments)])


def keyset_values_page(
    selector: Callable[..., QuerySet[Any]],
    *,
    arguments: dict[str, Any],
    values: Sequence[str],
    key: str | Sequence[str],
    cursor: str | None,
    limit: int,
    descending: bool = False,
    using: str = DEFAULT_DB_ALIAS,
) -> tuple[list[dict[str, Any]], str | None]:
    """``keyset_page`` of ``selector(**arguments).values(*values)``, for a busy endpoint asked again and again.

    Building and compiling the query cost the API's list more than running it, so the compiled
    statement is kept, keyed by the selector and everything it is given (``statement_key``): the
    selector must read nothing else (pass the day in, say, if it filters by age). Only the SQL text
    and its parameters are kept, never rows: every call asks the database.
    """
    _check_limit(limit)
    keys = [key] if isinstance(key, str) else list(key)
    connection = connections[using]
    # id(connection): a compiled statement is kept with the connection (thread) it was compiled for.
    cache_key = (id(connection), statement_key(selector, arguments), tuple(values), tuple(keys), cursor, limit,
                 descending)  # fmt: skip
    page = _STATEMENTS.get(cache_key)
    if page is None:
        queryset = selector(**arguments).values(*values).using(using)
        page = _Page(compile_query(_page_query(queryset, keys, cursor, limit, descending)))
        _STATEMENTS[cache_key] = page
        while len(_STATEMENTS) > MAX_STATEMENTS:
            _STATEMENTS.popitem(last=False)
    statement = page.compiled
    if statement.empty:
        return [], None
    page.asked += 1
    if page.asked > 1 and using == DEFAULT_DB_ALIAS and is_postgresql(connection):
        # With its values written in, a page asked again is planned once per connection, not each time:
        # planning it cost the server more than running it. (A value bound as a parameter would get a
        # generic plan, which cannot use a LIKE prefix.) Pages asked once are not prepared.
        if not page.literal:
            page.literal = connection.ops.compose_sql(statement.sql, statement.params)  # type: ignore[attr-defined]
        fetched = fetch_prepared(page.literal, None)
    else:
        with connection.cursor() as db_cursor:
            db_cursor.execute(statement.sql, statement.params)
            fetched = db_cursor.fetchall()
    names = statement.names
    fetched = statement.convert(fetched, using)
    return _page_result([dict(zip(names, row, strict=True)) for row in fetched], keys, limit)
