"""Parsing the values people type or Excel stores: dates, enumerations, text.

Each parser raises a field error built with ``core.errors.invalid`` so that a
form, the API and an import row all report the same message at the same field.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import invalid
from core.validators import normalise

FORMULA_STARTS = ("=", "+", "-", "@")
# A time after the day (2001-09-01 08:00:00, as some systems export dates) is allowed and ignored.
_DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T\s]*\d{1,2}:\d{2}(?::\d{2})?)?$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


class Memo:
    """The results of pure cell parsers by value, for one import.

    A file of 100,000 people holds a few hundred distinct dates, region codes and list terms: each is
    parsed once. Results are kept by function, field (the first argument after the value) and value, so
    a function must be called with the same options for one field within one import. Only results are
    kept: a value that fails is checked again, and its error built afresh.
    """

    def __init__(self, limit: int = 200_000) -> None:
        self.seen: dict[tuple[Any, ...], Any] = {}
        self.limit = limit

    def __call__(self, func: Callable[..., Any], value: Any, *args: Any, **kwargs: Any) -> Any:
        key = (func, args[:1], type(value), value)  # the type too: 1, 1.0 and True are equal keys
        try:
            return self.seen[key]
        except KeyError:
            pass
        except TypeError:  # a list (categories given through the API): not kept
            return func(value, *args, **kwargs)
        result = self.seen[key] = func(value, *args, **kwargs)
        if len(self.seen) > self.limit:
            self.seen.clear()
        return result


def direct(func: Callable[..., Any], value: Any, *args: Any, **kwargs: Any) -> Any:
    """``Memo``'s signature, without keeping anything (a form or an API call cleans one record)."""
    return func(value, *args, **kwargs)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any, field: str, *, max_length: int, required: bool = False) -> str:
    if is_blank(value):
        if required:
            raise invalid(field, _("This value is required."), code="required")
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = str(value).strip()
    if result.startswith(FORMULA_STARTS):
        raise invalid(field, _("A value may not start with = + - or @ (it could run as a formula)."), code="formula")
    if len(result) > max_length:
        raise invalid(field, _("At most %(max)d characters (this has %(n)d)."), code="too_long",
                      max=max_length, n=len(result))  # fmt: skip
    return result


def date_value(
    value: Any, field: str, *, required: bool = False, allow_month: bool = False, today: dt.date | None = None
) -> tuple[dt.date | None, str]:
    """A date and its precision ("day" or "month") from a date cell or text such as 2001年9月1日 or 2001.09."""
    if is_blank(value):
        if required:
            raise invalid(field, _("This value is required."), code="required")
        return None, "day"
    result: dt.date | None = None
    precision = "day"
    if isinstance(value, dt.datetime):
        result = value.date()
    elif isinstance(value, dt.date):
        result = value
    elif isinstance(value, float) and not value.is_integer():
        # A date cell reaches us as a date; a fraction is 2001.09 typed into a number cell, and 2001.1
        # cannot tell January from October, so the person retypes it as text.
        raise invalid(field, _("%(value)s was stored as a number; format the column as text and enter the date again."),
                      code="bad_date", value=str(value))  # fmt: skip
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and 3000 <= value < 100000:
        result = _EXCEL_EPOCH + dt.timedelta(days=int(value))  # an Excel serial day number (after 1908)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        # A small whole number is a year (2001) or a typo, not a day number from 1900-1908.
        raise invalid(field, _("%(value)s was stored as a number; format the column as text and enter the date again."),
                      code="bad_date", value=str(value))  # fmt: skip
    else:
        raw = normalise(value)
        if raw.startswith(FORMULA_STARTS):
            raise invalid(
                field, _("A value may not start with = + - or @ (it could run as a formula)."), code="formula"
            )
        match = _DAY.match(raw)
        month = _MONTH.match(raw) if match is None else None
        try:
            if match:
                result = dt.date(int(match[1]), int(match[2]), int(match[3]))
            elif month and allow_month:
                result, precision = dt.date(int(month[1]), int(month[2]), 1), "month"
        except ValueError:
            result = None
        if result is None:
            formats = "2001-09-01, 2001/9/1, 2001.9.1, 2001年9月1日"
            if allow_month:
                formats += ", 2001-09, 2001.09, 2001年9月"
            raise invalid(field, _("%(value)s is not a date; write it as %(formats)s."), code="bad_date",
                          value=str(value), formats=formats)  # fmt: skip
    if result > (today or timezone.localdate()):
        raise invalid(field, _("The date %(value)s is in the future."), code="future_date", value=result)
    if result.year < 1900:
        raise invalid(field, _("The date %(value)s is too early."), code="bad_date", value=result)
    return result, precision


@functools.lru_cache(maxsize=64)
def _lookup(rows: tuple[tuple[str, str, str], ...]) -> dict[str, str]:
    """Chinese term, code and English label (spaces out, as normalise() takes them out of the input) → code."""
    found: dict[str, str] = {}
    for code, english, chinese in rows:
        found[normalise(english).lower()] = code
        found[code] = code
        found[chinese] = code
    return found


#: The look-up of each enumeration table by the table's identity, kept with the table itself (so that
#: its id is never reused): hashing a whole table on every cell cost an import a fifth of its time.
_LOOKUPS: dict[int, tuple[object, dict[str, str]]] = {}


def _lookup_of(table: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    kept = _LOOKUPS.get(id(table))
    if kept is not None and kept[0] is table and isinstance(table, (list, tuple)):
        return kept[1]
    lookup = _lookup(tuple(table))
    if isinstance(table, (list, tuple)):  # a generator cannot be kept: it would be used up
        _LOOKUPS[id(table)] = (table, lookup)
    return lookup


def enum_value(value: Any, field: str, table: Iterable[tuple[str, str, str]], *, required: bool = False) -> str:
    """An enumeration given by its Chinese term, its English label or its code."""
    if is_blank(value):
        if required:
            raise invalid(field, _("This value is required."), code="required")
        return ""
    raw = normalise(value)
    if raw.startswith(FORMULA_STARTS):
        raise invalid(field, _("A value may not start with = + - or @ (it could run as a formula)."), code="formula")
    lookup = _lookup_of(table)
    found = lookup.get(raw) or lookup.get(raw.lower())
    if found:
        return found
    rows = list(table)
    allowed = "、".join(chinese for _code, _en, chinese in rows)
    raise invalid(field, _("%(value)s is not in the list; use one of: %(allowed)s."), code="bad_choice",
                  value=raw, allowed=allowed)  # fmt: skip
