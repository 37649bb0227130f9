"""Reading an uploaded table without letting a crafted file take the process with it.

A spreadsheet is a zip of XML: a 2 KB file can declare one cell at XFD1048576 or a sheet of
A1:Z1048576, and the reader then allocates hundreds of GB and aborts the whole process (no
exception handler can catch that). So a file is read in two steps:

- ``precheck`` (cheap, at the upload): an xlsx/xlsm/ods must be a valid zip, no member may declare
  more than ``Limits.total_bytes`` uncompressed (nor all of them together), none may be compressed
  more than ``Limits.ratio`` times, and an xlsx sheet's declared ``<dimension>`` must stay within
  ``Limits.rows`` and ``Limits.columns``;
- ``read_isolated``: a child process (spawned, so it shares nothing with the caller and touches no
  database) checks every member's checksum, streams the first sheet's XML, stopping at the first
  row or column past the limits (a dimension can lie) and noting every formula cell, then reads
  the cells, all under a memory limit (``RLIMIT_AS``) and a wall-clock limit. A file that still
  gets through kills only the child, and the caller is told the file is too large or malformed.

This module imports nothing from Django: the child imports it alone.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import pickle
import posixpath
import re
import subprocess
import sys
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

ZIP_SUFFIXES = {".xlsx", ".xlsm", ".ods"}
#: Formula cells recorded at most (each is one error in the report); the import fails anyway.
MAX_FORMULAS = 10_000
log = logging.getLogger(__name__)
TOO_LARGE = "文件过大或格式异常，无法读取 / The file is too large or malformed to be read."


@dataclass(frozen=True)
class Limits:
    rows: int = 200_000  # data rows, after the header row
    columns: int = 200
    total_bytes: int = 200 * 1024 * 1024  # uncompressed: each member, and all of them together
    ratio: int = 200  # uncompressed / compressed, for a member over a megabyte
    memory_bytes: int = 1536 * 1024 * 1024  # the child's address space
    seconds: float = 300.0  # the child's wall-clock time


class Refused(Exception):
    """The file is refused before or while it is read; ``message`` says why, in Chinese and English."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def refused(zh: str, en: str) -> Refused:
    return Refused(f"文件无法读取：{zh} / The file cannot be read: {en}")


def _not_spreadsheet() -> Refused:
    return refused("不是有效的 xlsx/ods 文件（可能已损坏或只是改了扩展名）",
                   "it is not a valid xlsx/ods file (it may be damaged, or only renamed)")  # fmt: skip


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_REF = re.compile(r"\$?([A-Za-z]{1,7})\$?([0-9]{1,12})")


def _cell(ref: str) -> tuple[int, int]:
    """'C7' → (row 7, column index 2)."""
    match = _REF.fullmatch(ref.strip())
    if match is None:
        raise _not_spreadsheet()
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)), column - 1


def _check_extent(row: int, column: int, limits: Limits) -> None:
    if row > limits.rows + 1:
        raise refused(f"超过 {limits.rows:,} 行的上限，请拆分后分批上传",
                      f"it has more than {limits.rows:,} rows; split it and upload the parts")  # fmt: skip
    if column >= limits.columns:
        raise refused(f"超过 {limits.columns} 列的上限（到了 {column_letter(column)} 列）",
                      f"it has more than {limits.columns} columns (up to column {column_letter(column)})")  # fmt: skip


def _check_dimension(ref: str | None, limits: Limits) -> None:
    if ref:
        row, column = _cell(ref.rpartition(":")[2])
        _check_extent(row, column, limits)


# --- the zip ----------------------------------------------------------------------------------


def _open_zip(source: str | Path | IO[bytes]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise _not_spreadsheet() from exc


def _check_members(book: zipfile.ZipFile, limits: Limits) -> None:
    members = book.infolist()
    if len(members) > 10_000:
        raise _not_spreadsheet()
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > limits.total_bytes or total > limits.total_bytes:
            raise refused(f"解压后超过 {limits.total_bytes // (1024 * 1024)} MB 的上限",
                          f"it unpacks to more than {limits.total_bytes // (1024 * 1024)} MB")  # fmt: skip
        if member.file_size > 1024 * 1024 and member.file_size > limits.ratio * max(member.compress_size, 1):
            raise refused("压缩比异常（疑似压缩炸弹）", "its compression ratio is abnormal (a zip bomb?)")


def _read_member(book: zipfile.ZipFile, name: str, cap: int = 10 * 1024 * 1024) -> bytes:
    try:
        with book.open(name) as handle:
            return handle.read(cap)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise _not_spreadsheet() from exc


def _parse(data: bytes | IO[bytes], start: Any, chunk: int = 1 << 20) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    try:
        if isinstance(data, bytes):
            parser.Parse(data, True)
            return
        while block := data.read(chunk):
            parser.Parse(block, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _not_spreadsheet() from exc


def _first_sheet(book: zipfile.ZipFile) -> str:
    """The zip member of the workbook's first sheet, the one the reader reads."""
    first: list[str] = []

    def on_sheet(name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(" ")[2] == "sheet" and not first:
            first.extend(v for k, v in attrs.items() if k.endswith(" id"))

    _parse(_read_member(book, "xl/workbook.xml"), on_sheet)
    targets: dict[str, str] = {}

    def on_relation(name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(" ")[2] == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    _parse(_read_member(book, "xl/_rels/workbook.xml.rels"), on_relation)
    target = targets.get(first[0], "") if first else ""
    if not target:
        raise _not_spreadsheet()
    member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if member not in book.namelist():
        raise _not_spreadsheet()
    return member


def _declared_dimension(book: zipfile.ZipFile, member: str, limits: Limits) -> None:
    """The sheet's ``<dimension ref=...>``, from its first 64 KB (it comes before the cells)."""
    head = _read_member(book, member, 64 * 1024)
    match = re.search(rb"<(?:\w+:)?dimension\b[^>]*\bref=\"([^\"]*)\"", head)
    if match:
        _check_dimension(match.group(1).decode("ascii", "replace"), limits)


def precheck(source: str | Path | IO[bytes], suffix: str, limits: Limits) -> None:
    """Refuse (``Refused``) a spreadsheet whose zip or declared size is not one to read; cheap enough for a page."""
    suffix = suffix.lower()
    if suffix not in ZIP_SUFFIXES:
        return
    with _open_zip(source) as book:
        _check_members(book, limits)
        names = set(book.namelist())
        if suffix == ".ods":
            if "content.xml" not in names:
                raise _not_spreadsheet()
            return
        _declared_dimension(book, _first_sheet(book), limits)


# --- the full scan (in the child) ----------------------------------------------------------------


_BARE_CELL = re.compile(rb"<c[>/]")
_FORMULA = re.compile(rb"<f[ >/]")


def _quick_scan_xlsx(book: zipfile.ZipFile, member: str, limits: Limits) -> bool | None:
    """The sheet at C speed: refused past the caps; whether it holds a formula. None when the XML parser must
    follow it instead (a prefixed namespace, or a cell with no reference, whose place is its order).

    Only the references long enough to pass a cap are looked at (six digits of row for 200,000 rows, two
    letters of column for 200 columns): a sheet of 100,000 rows is scanned in a fraction of a second."""
    digits, letters = len(str(limits.rows + 2)), len(column_letter(limits.columns))
    long_ref = re.compile(rb' r="([A-Za-z]{%d,7}[0-9]{1,12}|[A-Za-z]{0,7}[0-9]{%d,12})"' % (letters, digits))
    formulas, rows, carry, first = False, 0, b"", True
    try:
        with book.open(member) as handle:
            while block := handle.read(4 << 20):
                data = carry + block
                if first and b"<worksheet" not in data[:4096]:
                    return None  # a prefixed namespace (<x:worksheet>): the parser reads it
                first = False
                cut = data.rfind(b">") + 1
                part, carry = data[:cut], data[cut:]
                tags = part.count(b"<row")
                rows += tags
                _check_extent(rows, 0, limits)
                if part.count(b' r="') < part.count(b"<c ") + tags or _BARE_CELL.search(part):
                    return None
                for ref in long_ref.findall(part):
                    _check_extent(*_cell(ref.decode() if ref[:1].isalpha() else f"A{ref.decode()}"), limits)
                formulas = formulas or _FORMULA.search(part) is not None
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise _not_spreadsheet() from exc
    return formulas


def _scan_xlsx(book: zipfile.ZipFile, member: str, limits: Limits) -> list[tuple[int, int]]:
    """Stream the sheet: stop at a row or column past the limits; each formula cell as (row, column index)."""
    formulas: list[tuple[int, int]] = []
    where = {"row": 0, "column": -1}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if local == "c":
            ref = attrs.get("r")
            if ref:
                where["row"], where["column"] = _cell(ref)
            else:
                where["column"] += 1
            _check_extent(where["row"], where["column"], limits)
        elif local == "row":
            number = attrs.get("r")
            where["row"] = int(number) if number and number.isdigit() else where["row"] + 1
            where["column"] = -1
            _check_extent(where["row"], 0, limits)
        elif local == "f":
            if len(formulas) < MAX_FORMULAS:
                formulas.append((where["row"], where["column"]))
        elif local == "dimension":
            _check_dimension(attrs.get("ref"), limits)

    try:
        with book.open(member) as handle:
            _parse(handle, start)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise _not_spreadsheet() from exc
    return formulas


_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _scan_ods(book: zipfile.ZipFile, limits: Limits) -> list[tuple[int, int]]:
    """The first table's formula cells (``table:formula``), rows and columns counted with their repeats;
    refused at a value past the caps."""
    formulas: list[tuple[int, int]] = []
    where = {"tables": 0, "row": 0, "column": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        uri, _, local = name.rpartition(" ")
        if uri != _ODS_TABLE:
            return
        if local == "table":
            where["tables"] += 1
        if where["tables"] != 1:
            return
        if local == "table-row":
            repeat = attrs.get(f"{_ODS_TABLE} number-rows-repeated", "1")
            where["row"] += int(repeat) if repeat.isdigit() else 1
            where["column"] = 0
        elif local in ("table-cell", "covered-table-cell"):
            if f"{_ODS_TABLE} formula" in attrs and len(formulas) < MAX_FORMULAS:
                formulas.append((where["row"], where["column"]))  # a repeated row's formulas: its last copy
            repeat = attrs.get(f"{_ODS_TABLE} number-columns-repeated", "1")
            count = int(repeat) if repeat.isdigit() else 1
            if f"{_ODS_OFFICE} value-type" in attrs:  # blank cells and rows repeated to the sheet's end are no data
                _check_extent(where["row"], where["column"] + count - 1, limits)
            where["column"] += count

    try:
        with book.open("content.xml") as handle:
            _parse(handle, start)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise _not_spreadsheet() from exc
    return formulas


def _check_zip(path: Path, suffix: str, limits: Limits) -> list[tuple[int, int]]:
    precheck(path, suffix, limits)
    with _open_zip(path) as book:
        scanned = "content.xml" if suffix == ".ods" else _first_sheet(book)
        # every other member is read through at its declared size (a lie fails its checksum); the scan reads the sheet
        try:
            for member in book.infolist():
                if member.filename != scanned:
                    with book.open(member) as handle:
                        while handle.read(4 << 20):
                            pass
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise _not_spreadsheet() from exc
        if suffix == ".ods":
            return _scan_ods(book, limits)
        if _quick_scan_xlsx(book, scanned, limits) is False:
            return []
        return _scan_xlsx(book, scanned, limits)  # where the formulas are, or the cells that give no reference


def _read_csv(path: Path, limits: Limits) -> list[list[Any]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise refused("无法识别文字编码", "its text encoding is not UTF-8 or GB18030")
    del raw
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text)):
            rows.append(row)
            _check_extent(len(rows), len(row) - 1, limits)
    except csv.Error as exc:
        raise refused("不是有效的 CSV 文件", f"it is not a valid CSV file ({exc})") from exc
    return rows


def _read_excel(path: Path) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except BaseException as exc:  # calamine raises its own error types (and panics) for broken files
        raise refused("表格内容已损坏", "its content is damaged") from exc


def read(path: Path, limits: Limits) -> tuple[list[list[Any]], list[tuple[int, int]]]:
    """The first sheet's cells (every row, from A1) and its formula cells, in this process."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, limits), []
    formulas = _check_zip(path, suffix, limits) if suffix in ZIP_SUFFIXES else []
    cells = _read_excel(path)
    if cells:  # what the reader found, whatever the XML said
        _check_extent(len(cells), max(len(row) for row in cells[:1000]) - 1, limits)
    return cells, formulas


# --- the child process ---------------------------------------------------------------------------
# A subprocess of this interpreter runs ``python -m core.sheets``: no multiprocessing start method
# re-imports the caller's main module (a worker, gunicorn, pytest), and nothing of the caller is shared.


def _child(arguments: list[str]) -> None:
    """``python -m core.sheets PATH LIMITS-JSON``: the outcome, pickled, on stdout."""
    path, limits = Path(arguments[0]), Limits(**json.loads(arguments[1]))
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    except (ImportError, ValueError, OSError):  # pragma: no cover - a platform without it keeps the time limit
        pass
    try:
        outcome: tuple[Any, ...] = ("ok", *read(path, limits))
    except Refused as exc:
        outcome = ("refused", exc.message)
    except MemoryError:
        outcome = ("refused", TOO_LARGE)
    except OSError as exc:
        outcome = ("missing", f"{type(exc).__name__}: {exc}")
    except Exception:  # whatever else a broken file makes the readers raise
        outcome = ("refused", refused("表格内容已损坏", "its content is damaged").message)
    sys.stdout.buffer.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


def read_isolated(path: Path, limits: Limits) -> tuple[list[list[Any]], list[tuple[int, int]]]:
    """``read`` in a child process under the memory and time limits; ``Refused`` when the child refuses or dies.

    A missing or unreadable path raises FileNotFoundError / PermissionError, as reading it here would."""
    path.open("rb").close()  # the error reading it here would give
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
           "RUST_BACKTRACE": "0"}  # fmt: skip
    command = [sys.executable, "-m", "core.sheets", str(path.resolve()), json.dumps(asdict(limits))]
    try:
        done = subprocess.run(command, capture_output=True, timeout=limits.seconds, cwd=root, env=env, check=False)  # noqa: S603
    except subprocess.TimeoutExpired as exc:  # run() has killed the child
        raise Refused(
            f"文件过大或格式异常，无法读取（超过 {limits.seconds:g} 秒） / "
            f"The file is too large or malformed to be read (it took over {limits.seconds:g} s)."
        ) from exc
    if done.returncode != 0 or not done.stdout:  # the child died: out of memory, or aborted
        log.warning("the sheet reader ended with %s: %s", done.returncode, done.stderr[-500:].decode(errors="replace"))
        raise Refused(TOO_LARGE)
    outcome = pickle.loads(done.stdout)  # noqa: S301 - our own child's answer
    if outcome[0] == "refused":
        raise Refused(outcome[1])
    if outcome[0] == "missing":
        raise FileNotFoundError(outcome[1])
    return outcome[1], outcome[2]


if __name__ == "__main__":
    _child(sys.argv[1:])
