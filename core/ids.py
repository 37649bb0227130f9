"""Record ids in URLs, query strings and bodies: a whole number the database can hold, or "not found".

SQLite (and a PostgreSQL ``bigint``) keeps a 64-bit signed integer; a larger number in a look-up makes the
driver raise (``OverflowError``, a 500) instead of finding nothing. Every id the project reads goes through
one of these:

- pages: the ``<id:pk>`` path converter (registered by ``core.apps``), which matches at most 19 digits and
  refuses a number above :data:`MAX_ID`, so the URL resolves to nothing (404);
- the API: :data:`Id` (and :data:`Count` for a bounded non-id number) in path, query and body annotations;
  a path id out of range answers 404, a query or body one 400 at its field (``core.api``).

``core/tests/test_junk_params.py`` checks that no URL pattern uses Django's unbounded ``int`` converter and
that every integer the OpenAPI document accepts has a maximum.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

#: The largest id a 64-bit signed integer column holds.
MAX_ID = 2**63 - 1

#: A record's id in the API: 1 … MAX_ID.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class IdConverter:
    """``<id:pk>``: a record's id in a page URL (Django's ``int`` has no upper bound)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)  # the pattern does not match: 404
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)


#: Any other whole number the API reads (a year, a count, a grade): what a 64-bit column holds, so that a
#: service's own range check (with its message) sees it and the database never gets a number it cannot keep.
Int64 = Annotated[int, Field(ge=-(2**63), le=MAX_ID)]


def parse_id(value: object) -> int | None:
    """A record's id from a form or query value, or None when it is none (not digits, 0, beyond MAX_ID)."""
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()) or len(value) > 19:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None
