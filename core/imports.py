"""The import pipeline every register uses: read a file, validate each row, report, commit all or nothing.

A register (veterans now; employers, entitlements and points later) declares
its columns and four functions; the pipeline does the rest:

- ``read_table`` reads xlsx/xls/ods with python-calamine (fast) and CSV in
  UTF-8 or GB18030, and maps the Chinese headers to field names;
- ``validate`` cleans every row, finds duplicates inside the file and against
  the database, and collects every error with its Excel row number, header,
  value and message in Chinese and English;
- ``commit`` writes nothing unless every row is clean, inside one transaction;
- ``write_report`` and ``write_template`` produce the xlsx files people download.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.errors import error_items, invalid, render

ON_DUPLICATE = ("error", "skip", "update")
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}


class UnreadableFile(Exception):
    """The file cannot be read as a table at all (exit code 2)."""


@dataclass(frozen=True)
class Column:
    header: str  # the Chinese header in the file, e.g. 姓名
    field: str  # the input key the register's clean() reads
    required: bool = False
    choices: tuple[str, ...] = ()  # offered as a drop-down in the template
    as_text: bool = False  # the template formats the column as text (ID numbers, codes)
    width: int = 14
    example: str = ""
    sensitive: bool = False  # errors show the value masked (ID numbers, phones)


@dataclass
class RowError:
    row: int  # as Excel numbers it: the header is row 1
    column: str
    value: str
    message: str
    message_en: str
    code: str = "invalid"


@dataclass
class Register:
    """What a register declares to be importable."""

    name: str
    title: Any
    columns: list[Column]
    #: (actor) -> a context for the other functions (scope, catalogs)
    prepare: Callable[[Any], Any]
    #: (raw row dict, context) -> clean row; raises ValidationError naming fields
    clean: Callable[[dict[str, Any], Any], Any]
    #: clean row -> the key that must be unique in a file and in the register
    key: Callable[[Any], str]
    #: (keys, context) -> {key: True if the actor may update that record, False if it is out of scope}
    existing: Callable[[list[str], Any], dict[str, bool]]
    #: (actor, clean rows, existing, on_duplicate, context, progress) -> counts; inside a transaction
    write: Callable[..., dict[str, int]]
    #: the capability a user needs to import into this register
    capability: str = ""
    duplicate_message: Any = None  # default: "This value is already registered."

    def header_map(self) -> dict[str, Column]:
        return {c.header: c for c in self.columns}


@dataclass
class ImportResult:
    register: str
    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: list[tuple[int, Any]] = field(default_factory=list)
    existing: dict[str, bool] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_csv(path: Path) -> list[list[Any]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise UnreadableFile("encoding")
    return list(csv.reader(io.StringIO(text)))


def _read_excel(path: Path) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for every kind of broken file
        raise UnreadableFile(str(exc)) from exc


def read_table(
    path: Path, register: Register
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]], list[RowError], int]:
    """Headers, the rows as {field: raw value} with their Excel row numbers, header errors, and the row count."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _read_csv(path)
    elif suffix in EXCEL_SUFFIXES:
        table = _read_excel(path)
    else:
        raise UnreadableFile(suffix)
    if not table:
        raise UnreadableFile("empty")
    headers = [str(h).strip() if h is not None else "" for h in table[0]]
    known = register.header_map()
    positions = {known[h].field: i for i, h in enumerate(headers) if h in known}
    header_errors = [
        RowError(1, column.header, "", render(invalid(None, _("The required column %(value)s is missing."),
                                                      code="missing_column", value=column.header), "zh-hans"),
                 render(invalid(None, _("The required column %(value)s is missing."), code="missing_column",
                                value=column.header), "en"), "missing_column")
        for column in register.columns
        if column.required and column.field not in positions
    ]  # fmt: skip

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, cells in enumerate(table[1:], start=2):
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            yield number, {f: cells[i] if i < len(cells) else None for f, i in positions.items()}

    return headers, rows(), header_errors, len(table) - 1


def _shown(value: Any, column: Column | None = None) -> str:
    if value is None:
        return ""
    if column is not None and column.sensitive:
        from core.validators import mask_id, mask_phone, normalise

        text = normalise(value)
        # ID-like: the first 6 and the last 4; a phone as Veteran.phone_masked shows it
        return mask_id(text) if len(text) >= 15 else mask_phone(text)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)[:200]


def validate(path: Path, register: Register, *, actor: Any, on_duplicate: str = "error",
             progress: Callable[[int, int], None] | None = None) -> ImportResult:  # fmt: skip
    """Validate every row; nothing is written. ``progress(done, expected)`` is called every 1,000 rows."""
    if on_duplicate not in ON_DUPLICATE:
        raise ValueError(on_duplicate)
    context = register.prepare(actor)
    result = ImportResult(register.name)
    _headers, rows, header_errors, expected = read_table(path, register)
    result.errors.extend(header_errors)
    # A missing column is said once, at row 1, not again on every row.
    missing = {c.field for c in register.columns if any(e.column == c.header for e in header_errors)}
    by_field = {c.field: c for c in register.columns}
    first_row_of: dict[str, int] = {}
    for number, raw in rows:
        result.total += 1
        try:
            clean = register.clean(raw, context)
        except ValidationError as exc:
            for item in error_items(exc):
                if item["field"] in missing:
                    continue
                column = by_field.get(item["field"] or "")
                value = _shown(raw.get(item["field"] or ""), column)
                result.errors.append(RowError(number, column.header if column else "", value,
                                              item["message"], item["message_en"], item["code"]))  # fmt: skip
            continue
        key = register.key(clean)
        if key in first_row_of:
            duplicate = invalid(None, _("The same value as row %(value)s of this file."), code="duplicate_in_file",
                                value=first_row_of[key])  # fmt: skip
            result.errors.append(_key_error(number, register, raw, duplicate))
            continue
        first_row_of[key] = number
        result.rows.append((number, clean))
        if progress and result.total % 1000 == 0:
            progress(result.total, expected)
    # first_row_of holds the accepted rows' keys in their order: each key is computed once.
    result.existing = register.existing(list(first_row_of), context)
    for key, number in first_row_of.items():
        in_scope = result.existing.get(key)
        if in_scope is None:
            continue
        if on_duplicate == "error":
            message = register.duplicate_message or _("This value is already registered.")
            result.errors.append(_key_error(number, register, None, invalid(None, message, code="duplicate")))
        elif on_duplicate == "update" and not in_scope:
            message = _("This person is registered in a region outside your scope; ask that region to update it.")
            result.errors.append(_key_error(number, register, None, invalid(None, message, code="out_of_scope")))
    result.errors.sort(key=lambda e: (e.row, e.column))
    result.counts = {"rows": result.total, "errors": len(result.errors), "error_rows": result.error_rows}
    return result


def _key_error(number: int, register: Register, raw: dict[str, Any] | None, error: ValidationError) -> RowError:
    key_column = next((c for c in register.columns if c.required and c.as_text), register.columns[0])
    value = _shown(raw.get(key_column.field), key_column) if raw else ""
    return RowError(number, key_column.header, value, render(error, "zh-hans"), render(error, "en"),
                    error.code or "duplicate")  # fmt: skip


def commit(
    result: ImportResult,
    register: Register,
    *,
    actor: Any,
    on_duplicate: str = "error",
    source: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Write every clean row in one transaction, audited as one batch; refuse when any row had an error."""
    from audit.services import audit_record
    from core.context import batch, current_batch_id

    if result.errors:
        raise ValueError("an import with errors is never committed")
    with batch(current_batch_id() or None) as batch_id, transaction.atomic():
        context = register.prepare(actor)
        counts = register.write(actor, result.rows, result.existing, on_duplicate, context, progress)
        result.counts.update(counts)
        scope = getattr(actor, "scope_region", None)
        audit_record(actor=actor, action=f"{register.name}.import", object_type="import", object_id=batch_id,
                     object_repr=str((source or {}).get("file", "")), region_code=scope.code if scope else "",
                     after={**counts, "on_duplicate": on_duplicate, **(source or {})})  # fmt: skip
    result.committed = True
    return result


def write_report(result: ImportResult, target: Path | io.BytesIO) -> None:
    """The error report: one line an error, with the row number as Excel shows it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "错误报告"
    sheet.append(["行号 Row", "列 Column", "值 Value", "错误 Error", "Error (English)"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for error in result.errors:
        # a message can start with the value ("=1+1 is not in the list"): openpyxl would store it as a formula
        sheet.append([error.row, error.column, *map(neutralise, (error.value, error.message, error.message_en))])
    for letter, width in zip("ABCDE", (10, 16, 24, 60, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    summary = book.create_sheet("汇总 Summary")
    for name, value in result.counts.items():
        summary.append([name, value])
    book.save(target)


def neutralise(value: Any) -> Any:
    """A text that a spreadsheet could take for a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def write_template(register: Register, target: Path | io.BytesIO) -> None:
    """A template: Chinese headers, required ones marked, drop-downs for enumerations, text columns as text."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = str(register.title)[:31]
    lists = book.create_sheet("选项")
    required_fill = PatternFill("solid", fgColor="FDE2E1")
    for index, column in enumerate(register.columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        note = "必填 required" if column.required else "选填 optional"
        if column.example:
            note += f"\n例 e.g. {column.example}"
        cell.comment = Comment(note, "老兵e家")
        if column.required:
            cell.fill = required_fill
        sheet.column_dimensions[letter].width = column.width
        if column.as_text:
            for row in range(2, 5002):
                sheet.cell(row=row, column=index).number_format = "@"
        if column.choices:
            for i, choice in enumerate(column.choices, start=1):
                lists.cell(row=i, column=index, value=choice)
            validation = DataValidation(
                type="list", formula1=f"'选项'!${letter}$1:${letter}${len(column.choices)}", allow_blank=True,
                showErrorMessage=True, errorTitle="不在列表中", error="请从下拉列表中选择。",
            )  # fmt: skip
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}5001")
    sheet.freeze_panes = "A2"
    lists.sheet_state = "hidden"
    book.save(target)


#: Every importable register by name; each app adds its own in AppConfig.ready().
REGISTERS: dict[str, Register] = {}


def register_import(register: Register) -> Register:
    REGISTERS[register.name] = register
    return register
