"""The one search box, and the name pieces that make a 1-2 character search fast at province scale.

A query is one of: a full ID number (its keyed hash); 4-6 digits (the keyed
hash of the ID's last digits, or of the phone's last 4); Latin letters (the
start of the full pinyin or of the initials); anything else, a fragment of
the name, found through ``VeteranNameGram`` (its first two characters) and,
when longer, checked against the name itself.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Exists, OuterRef, Q

from core.crypto import keyed_hash
from core.db import Loader, analyze, copy_into, empty, in_query
from core.validators import normalise
from veterans.models import Veteran, VeteranNameGram
from veterans.pinyin import KEY_MARK, pinyin_of, search_keys

_ID_TAIL = re.compile(r"[0-9]{3,5}[0-9Xx]")


def grams_of(name: str) -> set[str]:
    chars = [c for c in name if not c.isspace()]
    return set(chars) | {a + b for a, b in itertools.pairwise(chars)}


def pieces_of(name: str) -> set[str]:
    """What a name is written into VeteranNameGram as: its 1-2 character pieces, and the search keys of
    its other pinyin readings (veterans.pinyin.search_keys, ``~wzc`` for 王长春)."""
    return grams_of(name) | search_keys(name)


def sync_grams(veteran: Veteran) -> None:
    VeteranNameGram.objects.filter(veteran=veteran).delete()
    add_grams([veteran])


#: What a name piece is written with; a bulk load writes the pieces of (id, name) pairs.
GRAM_COLUMNS = ("veteran_id", "gram")


def gram_rows(veterans: Iterable[Any]) -> Iterator[tuple[int, str]]:
    """The pieces of these records' names (anything with ``pk`` and ``name``), as rows."""
    return ((v.pk, gram) for v in veterans for gram in pieces_of(v.name))


def grams_copy_text(veterans: Iterable[Any]) -> bytes:
    """The same rows at once in COPY's text format, not row by row through the driver (which cost more
    than the server's work): a piece holds no whitespace (grams_of leaves it out, a search key is Latin
    letters), so a backslash is all there is to escape."""
    text = "".join([f"{v.pk}\t{gram}\n" for v in veterans for gram in pieces_of(v.name)])
    return text.replace("\\", "\\\\").encode()


def gram_loader(**options: Any) -> Loader:
    """A loader of the pieces of (id, name) pairs."""
    return Loader(VeteranNameGram, GRAM_COLUMNS, as_rows=gram_rows, as_text=grams_copy_text, **options)


def add_grams(veterans: Iterable[Any]) -> None:
    copy_into(VeteranNameGram, GRAM_COLUMNS, veterans, as_rows=gram_rows, as_text=grams_copy_text)


def rebuild_grams(*, only_missing: bool = False, chunk: int = 50000) -> int:
    """Write the name pieces of every record (or of those that have none yet)."""
    qs = Veteran.objects.order_by("id").only("id", "name")
    if only_missing:
        # NOT EXISTS, not NOT IN: PostgreSQL turns the latter into a nested loop over millions of rows.
        qs = qs.filter(~Exists(VeteranNameGram.objects.filter(veteran_id=OuterRef("pk"))))
    else:
        empty(VeteranNameGram)
    done = 0
    last = 0
    while True:
        batch = list(qs.filter(id__gt=last)[:chunk])
        if not batch:
            break
        add_grams(batch)
        done += len(batch)
        last = batch[-1].pk
    if done:
        analyze(VeteranNameGram)
    return done


def reindex_names(
    veterans: type[Veteran] = Veteran, pieces: type[VeteranNameGram] = VeteranNameGram, *, chunk: int = 5000
) -> int:
    """Read every record's name again as veterans.pinyin now reads it: its pinyin and initials, and the
    search keys of its other readings (a data migration passes its models). Returns the records changed."""
    changed = 0
    last = 0
    while True:
        records = veterans.objects.filter(id__gt=last).order_by("id")
        batch = list(records.only("id", "name", "name_pinyin", "name_initials")[:chunk])
        if not batch:
            return changed
        last = batch[-1].pk
        moved = []
        for veteran in batch:
            reading = pinyin_of(veteran.name)
            if reading != (veteran.name_pinyin, veteran.name_initials):
                veteran.name_pinyin, veteran.name_initials = reading
                moved.append(veteran)
        veterans.objects.bulk_update(moved, ["name_pinyin", "name_initials"], batch_size=1000)
        ids = [v.pk for v in batch]
        pieces.objects.filter(veteran_id__in=ids, gram__startswith=KEY_MARK).delete()
        keys = [pieces(veteran_id=v.pk, gram=key) for v in batch for key in sorted(search_keys(v.name))]
        pieces.objects.bulk_create(keys, batch_size=2000)
        changed += len(moved) + sum(1 for v in batch if search_keys(v.name))


def id_lookup_hash(id_number: str) -> str:
    """The keyed hash an ID number is looked up by (the number itself is stored only encrypted)."""
    return keyed_hash(id_number, "id")


def search_q(q: str) -> Q | None:
    """The condition for one search box value (None: no condition)."""

    q = normalise(q)
    if not q:
        return None
    if len(q) == 18 and q[:17].isascii() and q[:17].isdigit():
        return Q(id_hash=id_lookup_hash(q.upper()))
    if _ID_TAIL.fullmatch(q):
        q = q.upper()
        condition = Q(**{f"id_tail{len(q)}_hash": keyed_hash(q, f"id_tail{len(q)}")})
        if len(q) == 4 and q.isdigit():
            condition |= Q(phone_tail4_hash=keyed_hash(q, "phone_tail4"))
        return condition
    if q.isascii() and q.isalpha():
        q = q.lower()
        # The record's own reading through its indexed columns; another reading (王长春 as wzc) through
        # the name's search keys, an exact match on the pieces' index.
        other_readings = VeteranNameGram.objects.filter(gram=KEY_MARK + q).values("veteran_id")
        return Q(name_initials__startswith=q) | Q(name_pinyin__startswith=q) | Q(in_query("id", other_readings))
    pieces = VeteranNameGram.objects.filter(gram=q[:2]).values("veteran_id")
    condition = Q(id__in=pieces)
    return condition & Q(name__contains=q) if len(q) > 2 else condition


def search_sql(region_prefix: str, q: str, limit: int) -> tuple[str, list[Any]]:
    """The list query of the API in plain SQL, for the benchmark's raw baseline."""
    qs = Veteran.objects.filter(region_code__startswith=region_prefix)
    condition = search_q(q)
    if condition is not None:
        qs = qs.filter(condition)
    sql, params = qs.order_by("-id").values("id", "name", "region_code")[:limit].query.sql_with_params()
    return sql, list(params)
