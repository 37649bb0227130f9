"""A register's export: what it declares (``Export``) and how its file is written.

A module declares its export once (``register_export`` from its ``AppConfig.ready``): the capability,
the columns, how the filters of its list are cleaned, the scoped queryset they select and the rows of
one chunk of it. The export job (``core.export_jobs``) does the rest: it reads the queryset in chunks
by primary key (each a short query of its own, so no read holds the database for minutes and the
progress is written between them), and writes xlsx (openpyxl's write-only mode) or CSV straight to a
file. Every cell a spreadsheet could run as a formula is neutralised.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from core.imports import neutralise

FORMATS = ("xlsx", "csv")
CHUNK_ROWS = 2000
CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}


@dataclass(frozen=True)
class Export:
    #: the register's name, in URLs and on the job (``veteran``)
    name: str
    #: who may export it
    capability: str
    #: the sheet's title and the file's name (``veterans-20261201-0930.xlsx``)
    title: str
    file_stem: str
    headers: Sequence[str]
    #: the filters of a query (a page's query string, the API's ``filters``), as JSON-able values;
    #: ``strict`` refuses a malformed one (the API) rather than dropping it (the page shows it at its field)
    clean_filters: Callable[[Mapping[str, Any], bool], dict[str, Any]]
    #: the rows the actor may export under these filters (scoped)
    queryset: Callable[[Any, dict[str, Any]], QuerySet[Any]]
    #: the rows of the file for one chunk of that queryset (masked)
    rows: Callable[[QuerySet[Any]], Iterable[Sequence[Any]]]
    #: the audit entry of a finished export (its action and object type)
    audit_action: str
    object_type: str
    #: the query parameters the list's export button passes on (its filters), declared on the export page
    params: tuple[str, ...] = ()


EXPORTS: dict[str, Export] = {}


def register_export(export: Export) -> Export:
    EXPORTS[export.name] = export
    return export


def chunks(qs: QuerySet[Any], size: int = CHUNK_ROWS) -> Iterator[QuerySet[Any]]:
    """The queryset in chunks of ``size`` rows by primary key, each chunk a queryset of its own."""
    last = None
    while True:
        window = qs.order_by("pk") if last is None else qs.filter(pk__gt=last).order_by("pk")
        keys = list(window.values_list("pk", flat=True)[:size])
        if not keys:
            return
        bounds = {"pk__lte": keys[-1]} if last is None else {"pk__gt": last, "pk__lte": keys[-1]}
        yield qs.filter(**bounds).order_by("pk")
        last = keys[-1]


def write_table(
    path: Path,
    fmt: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "",
    progress: Callable[[int], None] | None = None,
    every: int = CHUNK_ROWS,
) -> int:
    """Write the rows to ``path`` as xlsx or CSV, a row at a time; returns how many were written."""
    count = 0

    def counted() -> Iterator[Sequence[Any]]:
        nonlocal count
        for row in rows:
            count += 1
            if progress is not None and count % every == 0:
                progress(count)
            yield row

    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet((title or "Sheet")[:31])
        sheet.append(list(headers))
        for row in counted():
            sheet.append([neutralise(v) for v in row])
        book.save(path)
    elif fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:  # the BOM lets Excel read UTF-8
            writer = csv.writer(handle)
            writer.writerow(headers)
            for row in counted():
                writer.writerow(["" if v is None else neutralise(str(v)) for v in row])
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return count
