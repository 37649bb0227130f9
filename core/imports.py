"""The import pipeline every register uses: read a file, validate each row, report, commit all or nothing.

A register (veterans now; employers, entitlements and points later) declares
its columns, its key and a few functions; the pipeline does the rest:

- ``read_table`` reads xlsx/xls/ods with python-calamine (fast) and CSV in
  UTF-8 or GB18030, in a child process under caps (core.sheets), and maps the
  Chinese headers to field names; a formula cell is an error at its row;
- ``import_file`` cleans every row, finds duplicates inside the file and
  against the database, and collects every error with its Excel row number,
  header, value and message in Chinese and English; with ``write`` it hands
  each clean row to the register's ``Writer`` in the same pass and commits
  only when no row had an error (``validate`` is the pass without writing);
- ``write_report`` and ``write_template`` produce the xlsx files people download.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from core.auditing import audit_record
from core.db import Loader, any_of
from core.errors import error_items, invalid, render
from core.parsing import is_blank
from core.permissions import require
from core.scoping import scope_prefix
from core.sheets import Limits, Refused, column_letter, precheck, read_isolated
from core.validators import normalise

ON_DUPLICATE = ("error", "skip", "update")
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}


class UnreadableFile(Exception):
    """The file cannot be read as a table at all (exit code 2); ``message`` says why, when known, in both languages."""

    def __init__(self, detail: str, message: str = "") -> None:
        super().__init__(detail)
        self.message = message or f"无法读取文件 / cannot read the file: {detail}"


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


class Writer(Protocol):
    """Writes one import's clean rows, inside its transaction, while the rest of the file is still checked."""

    def add(self, key: str, row: Any, in_scope: bool | None) -> None:
        """A clean row; ``in_scope`` is None for a new record, else whether the actor may update the one registered."""

    def close(self) -> None:
        """No more rows: end what is still streaming (also when the import is about to be rolled back)."""

    def finish(self) -> dict[str, int]:
        """Write what waits for the end; the counts (created, updated, skipped)."""
        return {}


@dataclass
class Register:
    """What a register declares to be importable.

    ``clean`` must not touch the database: while rows are cleaned the writer may be streaming into it
    (COPY on PostgreSQL; ``core.db.Loader`` refuses any other query meanwhile). Whatever the rows are
    checked against is read once, in ``prepare``.

    A register over one model needs little more than its columns and ``clean``: with ``model`` set and
    no ``writer``, ``ModelWriter`` writes the rows (``clean`` returns the model's field values), the
    key is the key field's text, and ``existing`` looks the keys up in the model's key field (for a
    scoped model, rows outside the actor's scope region are reported, never updated).
    """

    name: str
    title: Any
    columns: list[Column]
    #: (raw row dict, context) -> clean row; raises ValidationError naming fields
    clean: Callable[[dict[str, Any], Any], Any]
    #: the field whose value identifies a record (an ID number)
    key_field: str
    #: the model the default writer fills (a register with a writer of its own may leave it out)
    model: type[models.Model] | None = None
    #: (actor) -> a context for the other functions (scope, catalogs); by default the actor, once
    #: ``capability`` is checked
    prepare: Callable[[Any], Any] | None = None
    #: that field's raw value -> the key that must be unique in a file and in the register, or None when the
    #: value cannot be one (its row fails clean() anyway); read for the whole file before any row is written
    key: Callable[[Any], str | None] = field(default=lambda value: None if is_blank(value) else normalise(value))
    #: (keys, context) -> {key: True if the actor may update that record, False if it is out of scope}
    existing: Callable[[list[str], Any], dict[str, bool]] | None = None
    #: (actor, context, on_duplicate, the file's row count) -> the Writer of one import; by default a ModelWriter
    writer: Callable[[Any, Any, str, int], Writer] | None = None
    #: the capability a user needs to import into this register
    capability: str = ""
    duplicate_message: Any = None  # default: "This value is already registered."

    def header_map(self) -> dict[str, Column]:
        return {c.header: c for c in self.columns}

    def context(self, actor: Any) -> Any:
        if self.prepare is not None:
            return self.prepare(actor)
        if self.capability:
            require(actor, self.capability)
        return actor

    def find(self, keys: list[str], context: Any) -> dict[str, bool]:
        if self.existing is not None:
            return self.existing(keys, context)
        model = self._model()
        # A scoped model's row may be updated only from within its region (as visible_to() reads it).
        scope_field = getattr(model, "scope_field", None)
        prefix = scope_prefix(getattr(context, "actor", context))
        found: dict[str, bool] = {}
        for start in range(0, len(keys), 10000):
            registered = model._base_manager.filter(any_of(self.key_field, keys[start : start + 10000]))
            if scope_field is None:
                found.update((str(key), True) for key in registered.values_list(self.key_field, flat=True))
                continue
            for key, code in registered.values_list(self.key_field, scope_field):
                found[str(key)] = bool(prefix) and str(code).startswith(prefix)
        return found

    def new_writer(self, actor: Any, context: Any, on_duplicate: str, expected: int) -> Writer:
        if self.writer is not None:
            return self.writer(actor, context, on_duplicate, expected)
        return ModelWriter(self._model(), self.key_field, on_duplicate)

    def _model(self) -> type[models.Model]:
        if self.model is None:
            raise ImproperlyConfigured(f"the {self.name} register declares neither a model nor its own writer")
        return self.model


class ModelWriter:
    """The writer of a register that declares none: one model's rows, given as its field values.

    New rows go through a ``core.db.Loader`` as they are checked (on PostgreSQL a COPY left open);
    rows already registered are skipped or, with "update", changed in bulk at the end. There is no
    entry per row: the pipeline audits the import as one batch, with these counts.
    """

    def __init__(self, model: type[models.Model], key_field: str, on_duplicate: str) -> None:
        self.model, self.key_field, self.on_duplicate = model, key_field, on_duplicate
        self.fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
        self.loader = Loader(model, [f.attname for f in self.fields], prepare=True)
        self.created, self.skipped = 0, 0
        self.updates: dict[str, dict[str, Any]] = {}

    def add(self, key: str, row: dict[str, Any], in_scope: bool | None) -> None:
        if in_scope is None:
            instance = self.model(**row)
            self.loader.write([[f.pre_save(instance, True) for f in self.fields]])
            self.created += 1
        elif self.on_duplicate == "update":
            self.updates[key] = row
        else:
            self.skipped += 1

    def close(self) -> None:
        self.loader.close()

    def finish(self) -> dict[str, int]:
        self.close()
        if self.updates:
            self._update()
        return {"created": self.created, "updated": len(self.updates), "skipped": self.skipped}

    def _update(self) -> None:
        changed = {name for row in self.updates.values() for name in row}
        changed |= {f.name for f in self.fields if getattr(f, "auto_now", False)}
        records = []
        for key_start in range(0, len(self.updates), 10000):
            keys = list(self.updates)[key_start : key_start + 10000]
            for record in self.model._base_manager.filter(any_of(self.key_field, keys)):
                for name, value in self.updates[str(getattr(record, self.key_field))].items():
                    setattr(record, name, value)
                for f in self.fields:
                    if getattr(f, "auto_now", False):
                        f.pre_save(record, False)
                records.append(record)
        self.model._base_manager.bulk_update(records, sorted(changed), batch_size=2000)


@dataclass
class ImportResult:
    register: str
    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: list[tuple[int, Any]] = field(default_factory=list)  # the clean rows, when asked to keep them
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


def read_limits() -> Limits:
    """The caps on what an import reads, from the settings (README: "Import limits")."""
    from django.conf import settings

    return Limits(
        rows=settings.MAX_IMPORT_ROWS, columns=settings.MAX_IMPORT_COLUMNS,
        total_bytes=settings.MAX_IMPORT_UNPACKED_MB * 1024 * 1024, ratio=settings.MAX_IMPORT_COMPRESSION_RATIO,
        memory_bytes=settings.IMPORT_READ_MEMORY_MB * 1024 * 1024, seconds=float(settings.IMPORT_READ_SECONDS),
    )  # fmt: skip


def check_upload(source: Path | IO[bytes], name: str) -> None:
    """Refuse at the upload a spreadsheet that is no valid zip or declares more than the caps (ValidationError)."""
    try:
        precheck(source, Path(name).suffix, read_limits())
    except Refused as exc:
        raise ValidationError({"file": [ValidationError(exc.message, code="unreadable")]}) from exc
    finally:
        if not isinstance(source, Path):
            source.seek(0)


@dataclass
class Table:
    """A file's cells: the header row mapped to a register's fields, and its non-blank rows."""

    headers: list[str]
    header_errors: list[RowError]  # the required columns it lacks
    cells: list[list[Any]]  # every row after the header, as read
    positions: dict[str, int]  # field → column index
    kept: list[int]  # the indices in ``cells`` of the rows that are not blank
    formula_errors: list[RowError] = field(default_factory=list)  # each formula cell in a column read

    @property
    def expected(self) -> int:
        return len(self.cells)

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Each non-blank row as {field: raw value}, with its row number as Excel shows it, once: a row's
        cells are let go as it is handed out (a file of 100,000 rows takes hundreds of MB as Python lists)."""
        positions = self.positions.items()
        for index in self.kept:
            cells = self.cells[index]
            self.cells[index] = []
            yield index + 2, {f: cells[i] if i < len(cells) else None for f, i in positions}

    def values(self, name: str) -> list[Any]:
        """One field's raw value in each non-blank row (None when the file lacks the column)."""
        i = self.positions.get(name)
        if i is None:
            return [None] * len(self.kept)
        return [cells[i] if i < len(cells) else None for cells in map(self.cells.__getitem__, self.kept)]


def read_table(path: Path, register: Register) -> Table:
    """The file as a Table; header errors name the required columns it lacks, formula errors each formula cell.

    The file is read in a child process under the caps of ``read_limits`` (core.sheets): a crafted
    file is refused (UnreadableFile) and cannot take this process down."""
    suffix = path.suffix.lower()
    if suffix not in EXCEL_SUFFIXES | {".csv"}:
        raise UnreadableFile(suffix)
    try:
        table, formulas = read_isolated(path, read_limits())
    except Refused as exc:
        raise UnreadableFile(exc.message, exc.message) from exc
    if not table:
        raise UnreadableFile("empty", "文件无法读取：文件是空的 / The file cannot be read: it is empty")
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
    cells = table[1:]
    kept = [
        index
        for index, row in enumerate(cells)
        if not all(c is None or (isinstance(c, str) and not c.strip()) for c in row)
    ]
    return Table(
        headers, header_errors, cells, positions, kept, _formula_errors(formulas, headers, set(positions.values()))
    )


def _formula_errors(formulas: list[tuple[int, int]], headers: list[str], read: set[int]) -> list[RowError]:
    """A formula cell in a column the register reads is refused: its value is not what is seen (the cached
    result, or nothing when the file was never recalculated). Other columns are not read at all."""
    errors = []
    for row, index in formulas:
        if index not in read:
            continue
        error = invalid(None, _("Row %(row)s column %(column)s holds a formula; paste values and upload again."),
                        code="formula_cell", row=row, column=column_letter(index))  # fmt: skip
        header = headers[index] if index < len(headers) else column_letter(index)
        errors.append(RowError(row, header, "", render(error, "zh-hans"), render(error, "en"), "formula_cell"))
    return errors


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
             progress: Callable[[int, int], None] | None = None, keep_rows: bool = False) -> ImportResult:  # fmt: skip
    """Check every row; nothing is written. ``progress(done, expected)`` is called every 1,000 rows."""
    return import_file(path, register, actor=actor, on_duplicate=on_duplicate, progress=progress, keep_rows=keep_rows)


def import_file(
    path: Path,
    register: Register,
    *,
    actor: Any,
    on_duplicate: str = "error",
    write: bool = False,
    source: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    keep_rows: bool = False,
) -> ImportResult:
    """Check every row and, with ``write``, write them in the same pass: all or nothing.

    The keys of the whole file are looked up in the register first, in one query per 10,000. Then each
    row is cleaned and handed to the register's writer at once, so that the database files rows (and
    their index entries) on one core while this one checks the next. At the first error the writer is
    fed no more; the rest of the file is still checked, so that the report lists every error, and the
    transaction is rolled back: nothing is half-written. A clean import is audited as one batch.

    ``progress`` must not use the database when ``write`` is set (the writer may be streaming on it).
    """
    if on_duplicate not in ON_DUPLICATE:
        raise ValueError(on_duplicate)
    from core.context import batch, current_batch_id

    context = register.context(actor)
    result = ImportResult(register.name)
    table = read_table(path, register)
    result.errors.extend(table.header_errors + table.formula_errors)
    keys = list(map(register.key, table.values(register.key_field)))
    existing = register.find(list(dict.fromkeys(k for k in keys if k is not None)), context)
    with batch(current_batch_id() or None) as batch_id, transaction.atomic():
        writer = (
            register.new_writer(actor, context, on_duplicate, table.expected) if write and not result.errors else None
        )
        try:
            _check_rows(table, keys, existing, register, context, on_duplicate, result, writer, progress, keep_rows)
        finally:
            if writer is not None:
                writer.close()
        result.errors.sort(key=lambda e: (e.row, e.column))
        result.counts = {"rows": result.total, "errors": len(result.errors), "error_rows": result.error_rows}
        if writer is None or result.errors:
            transaction.set_rollback(True)
            return result
        counts = writer.finish()
        result.counts.update(counts)
        scope = getattr(actor, "scope_region", None)
        audit_record(actor=actor, action=f"{register.name}.import", object_type="import", object_id=batch_id,
                     object_repr=str((source or {}).get("file", "")), region_code=scope.code if scope else "",
                     after={**counts, "on_duplicate": on_duplicate, **(source or {})})  # fmt: skip
    result.committed = True
    return result


def _check_rows(
    table: Table,
    keys: list[str | None],
    existing: dict[str, bool],
    register: Register,
    context: Any,
    on_duplicate: str,
    result: ImportResult,
    writer: Writer | None,
    progress: Callable[[int, int], None] | None,
    keep_rows: bool,
) -> None:
    # A missing column is said once, at row 1, not again on every row.
    missing = {c.field for c in register.columns if any(e.column == c.header for e in table.header_errors)}
    by_field = {c.field: c for c in register.columns}
    first_row_of: dict[str, int] = {}
    errors = result.errors
    for (number, raw), key in zip(table.rows(), keys, strict=True):
        result.total += 1
        if progress and result.total % 1000 == 0:
            progress(result.total, table.expected)
        try:
            clean = register.clean(raw, context)
        except ValidationError as exc:
            for item in error_items(exc):
                if item["field"] in missing:
                    continue
                column = by_field.get(item["field"] or "")
                value = _shown(raw.get(item["field"] or ""), column)
                errors.append(RowError(number, column.header if column else "", value,
                                       item["message"], item["message_en"], item["code"]))  # fmt: skip
            continue
        assert key is not None, "a row whose key cannot be read must fail clean()"
        if key in first_row_of:
            duplicate = invalid(None, _("The same value as row %(value)s of this file."), code="duplicate_in_file",
                                value=first_row_of[key])  # fmt: skip
            errors.append(_key_error(number, register, raw, duplicate))
            continue
        first_row_of[key] = number
        in_scope = existing.get(key)
        if in_scope is not None and on_duplicate == "error":
            message = register.duplicate_message or _("This value is already registered.")
            errors.append(_key_error(number, register, None, invalid(None, message, code="duplicate")))
            continue
        if in_scope is False and on_duplicate == "update":
            message = _("This person is registered in a region outside your scope; ask that region to update it.")
            errors.append(_key_error(number, register, None, invalid(None, message, code="out_of_scope")))
            continue
        if keep_rows:
            result.rows.append((number, clean))
        if writer is not None and not errors:
            writer.add(key, clean, in_scope)


def _key_error(number: int, register: Register, raw: dict[str, Any] | None, error: ValidationError) -> RowError:
    key_column = next(c for c in register.columns if c.field == register.key_field)
    value = _shown(raw.get(key_column.field), key_column) if raw else ""
    return RowError(number, key_column.header, value, render(error, "zh-hans"), render(error, "en"),
                    error.code or "duplicate")  # fmt: skip


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
