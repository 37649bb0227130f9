"""The bank's files: the batch file sent for payment (批量代发文件) and the return file it sends back (回盘文件).

The layout is the one county banks take for batch payments (docs/bank-file.md):

- row 1, the summary: 批次号, the case number, 发放月份, YYYY-MM, 总笔数, N, 总金额, 12345.67;
- row 2, the header: 序号, 业务参考号, 收款人姓名, 收款账号, 开户银行, 金额, 用途;
- one row per line to pay. A return file is the same with two more columns, 处理结果 and 失败原因.

The batch file carries the full account numbers (it is the bank's); ``batches.payable_lines`` checks the
batch's state, marks it sent the first time and audits every export. A return file is read in a child
process under caps (``core.sheets``): a crafted file cannot take the process with it. Every refusal names
its row, in Chinese and English, and nothing of a refused file is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from benefits import batches
from benefits.models import Batch, LineKind, PaymentLine, ReturnFile
from core.crypto import decrypt
from core.errors import invalid
from core.imports import neutralise
from core.sheets import Limits, Refused, column_letter, precheck, read_isolated

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=gb18030"

SUMMARY_LABELS = ("批次号", "发放月份", "总笔数", "总金额")
HEADER = ("序号", "业务参考号", "收款人姓名", "收款账号", "开户银行", "金额", "用途")
RETURN_HEADER = (*HEADER, "处理结果", "失败原因")
#: the words of 用途 for each kind of line
KIND_WORDS: dict[str, str] = {
    LineKind.REGULAR: "发放",
    LineKind.ARREARS: "补发",
    LineKind.ADJUSTMENT: "补差",
    LineKind.RESEND: "重发",
}
PAID_WORDS = {"成功", "s", "paid", "success", "y", "已支付", "支付成功"}
FAILED_WORDS = {"失败", "f", "failed", "fail", "n", "支付失败"}
#: refusals reported at most (a wholly wrong file would otherwise list every row)
MAX_ERRORS = 20


def purpose_of(line: PaymentLine) -> str:
    """用途: the program, the month paid for and what the line is (残疾抚恤金 2026-11 补发)."""
    return f"{line.program.name} {line.period:%Y-%m} {KIND_WORDS.get(line.kind, '')}".strip()


@dataclass(frozen=True)
class Row:
    number: int
    reference: str
    name: str
    account: str
    bank: str
    amount: Decimal
    purpose: str


def summary(batch: Batch, count: int, total: Decimal) -> list[Any]:
    return ["批次号", batch.case.number, "发放月份", f"{batch.period:%Y-%m}", "总笔数", count, "总金额", total]


def rows_of(lines: Iterable[PaymentLine]) -> Iterator[Row]:
    for number, line in enumerate(lines, start=1):
        entitlement = line.entitlement
        yield Row(number, line.reference or "", entitlement.beneficiary_name, decrypt(entitlement.account_enc),
                  entitlement.bank_name, line.amount, purpose_of(line))  # fmt: skip


def filename(batch: Batch, suffix: str) -> str:
    return f"{batch.case.number}-{batch.period:%Y%m}{suffix}"


def bank_file(*, actor: Any, batch: Batch, fmt: str) -> tuple[str, str, bytes]:
    """The batch's file for the bank, as (file name, content type, bytes); ``fmt`` is "xlsx" or "csv"."""
    if fmt not in ("xlsx", "csv"):
        raise invalid("format", _("The bank file is xlsx or csv."), code="bad_format")
    batch, lines = batches.payable_lines(actor=actor, batch=batch)
    rows = list(rows_of(lines.iterator(chunk_size=5000)))
    head = summary(batch, batch.line_count, batch.total)
    if fmt == "csv":
        return filename(batch, ".csv"), CSV, csv_bytes(head, HEADER, ([*_plain(r)] for r in rows))
    return filename(batch, ".xlsx"), XLSX, xlsx_bytes(head, HEADER, (list(_plain(r)) for r in rows))


def _plain(row: Row) -> tuple[Any, ...]:
    return (row.number, row.reference, row.name, row.account, row.bank, row.amount, row.purpose)


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def csv_bytes(head: list[Any], header: Iterable[str], rows: Iterable[list[Any]]) -> bytes:
    """The file as CSV in GB18030 with CRLF line ends; amounts as text with two decimals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_text(v) for v in head])
    writer.writerow(list(header))
    for row in rows:
        # a name or a bank that a spreadsheet would take for a formula (=, +, -, @) is written as text
        writer.writerow([_text(neutralise(v) if i in WORDS_COLUMNS else v) for i, v in enumerate(row)])
    return buffer.getvalue().encode("gb18030")


#: the columns kept as text cells, so that Excel keeps every digit (reference, account)
TEXT_COLUMNS = {1, 3}
#: the columns of words typed by people (the payee's name, the bank)
WORDS_COLUMNS = {2, 4}
AMOUNT_COLUMN = 5


def xlsx_bytes(head: list[Any], header: Iterable[str], rows: Iterable[list[Any]]) -> bytes:
    """The file as xlsx: amounts numeric with the format 0.00, references and accounts text cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("代发明细")
    for letter, width in zip("ABCDEFGHI", (8, 22, 14, 24, 20, 12, 30, 10, 24), strict=True):
        sheet.column_dimensions[letter].width = width

    def cell(value: Any, *, text: bool = False) -> Any:
        if isinstance(value, Decimal):
            made = WriteOnlyCell(sheet, value=value)
            made.number_format = "0.00"
            return made
        made = WriteOnlyCell(sheet, value=_text(value) if text else value)
        if text:
            made.data_type = "s"
            made.number_format = "@"
        return made

    sheet.append([cell(v, text=isinstance(v, str)) for v in head])
    sheet.append([cell(h) for h in header])
    for row in rows:  # every text a text cell: a name such as "=1+1" is never a formula
        sheet.append([cell(v, text=i in TEXT_COLUMNS or isinstance(v, str)) for i, v in enumerate(row)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the return file ----------------------------------------------------------------------------------------------


def return_file_for(batch: Batch, failures: Mapping[str, str] | None = None) -> bytes:
    """A return file (xlsx) as the bank would send it for this batch: every line paid but the references in
    ``failures``, failed with their reasons. The demo's and the tests' bank."""
    failures = failures or {}
    lines = batches.payable(batch).select_related("entitlement", "program").order_by("id")
    rows = []
    for row in rows_of(lines):
        reason = failures.get(row.reference)
        rows.append([*_plain(row), "成功" if reason is None else "失败", reason or ""])
    return xlsx_bytes(summary(batch, batch.line_count, batch.total), RETURN_HEADER, rows)


def row_error(row: int, message: Any, *, code: str, **params: Any) -> ValidationError:
    return ValidationError(message, code=code, params={"row": row, **params})


def refuse(errors: list[ValidationError]) -> ValidationError:
    return ValidationError({"file": errors[:MAX_ERRORS]})


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


def _amount(value: Any) -> Decimal | None:
    """A cell's amount in yuan, with at most two decimals; None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    text = repr(value) if isinstance(value, float) else str(value).strip().replace(",", "")
    if len(text) > 20:
        return None
    try:
        amount = Decimal(text)
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            return None
        return amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _count(value: Any) -> int | None:
    text = _cell_text(value)
    return int(text) if text.isdigit() and len(text) < 10 else None


def _suffix(name: str, content: bytes) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".csv"):
        return suffix
    return ".xlsx" if content[:4] == b"PK\x03\x04" else ".csv"


def read_cells(name: str, content: bytes) -> list[list[Any]]:
    """The first sheet's cells, read in a child process under the import caps; refused with why."""
    from core.imports import read_limits

    limits: Limits = read_limits()
    suffix = _suffix(name, content)
    try:
        precheck(io.BytesIO(content), suffix, limits)
        with tempfile.TemporaryDirectory(prefix="return-") as folder:
            path = Path(folder) / f"return{suffix}"
            path.write_bytes(content)
            cells, formulas = read_isolated(path, limits)
    except Refused as exc:
        raise ValidationError({"file": [ValidationError(exc.message, code="unreadable")]}) from exc
    if formulas:
        found, column = formulas[0]
        message = _("Row %(row)s column %(column)s holds a formula; paste values and upload again.")
        raise refuse([row_error(found, message, code="formula_cell", column=column_letter(column))])
    return cells


def _blank(row: list[Any]) -> bool:
    return all(_cell_text(c) == "" for c in row)


@dataclass(frozen=True)
class ReturnFileContent:
    number: str
    month: str
    count: int
    total: Decimal
    results: list[batches.Result]


def parse_return(cells: list[list[Any]], batch: Batch) -> ReturnFileContent:
    """The summary and the rows of a return file, checked; a ValidationError naming each bad row."""
    if not cells:
        raise invalid("file", _("The file is empty."), code="empty")
    head = [_cell_text(c) for c in cells[0]] + [""] * 8
    if tuple(head[0:8:2]) != SUMMARY_LABELS:
        raise refuse([row_error(1, _("Row %(row)s is not the summary row of the bank layout (批次号, 发放月份, 总笔数, "
                                     "总金额)."), code="bad_summary")])  # fmt: skip
    padded = [*cells[0], *[None] * 8]  # a CSV row ends where its last cell does
    number, month, count, total = head[1], head[3], _count(padded[5]), _amount(padded[7])
    expected = batch.case.number
    if number != expected:
        raise invalid("file", _("This file is batch %(file)s's, not %(batch)s's."), code="other_batch",
                      file=number or "?", batch=expected)  # fmt: skip
    if month != f"{batch.period:%Y-%m}":
        raise invalid("file", _("This file is for the month %(file)s, the batch is %(batch)s's."), code="other_month",
                      file=month or "?", batch=f"{batch.period:%Y-%m}")  # fmt: skip
    if count is None or total is None:
        raise refuse([row_error(1, _("Row %(row)s: the summary's 总笔数 or 总金额 is not a number."),
                                code="bad_summary")])  # fmt: skip
    header = tuple(_cell_text(c) for c in (cells[1] if len(cells) > 1 else []))
    while header and header[-1] == "":
        header = header[:-1]
    if header != RETURN_HEADER:
        raise refuse([row_error(2, _("Row %(row)s is not the header of a return file: it must be %(header)s."),
                                code="bad_header", header="、".join(RETURN_HEADER))])  # fmt: skip
    errors: list[ValidationError] = []
    results: list[batches.Result] = []
    for index, raw in enumerate(cells[2:], start=3):
        if _blank(raw):
            continue
        row = list(raw) + [None] * (len(RETURN_HEADER) - len(raw))
        reference, amount = _cell_text(row[1]), _amount(row[5])
        outcome, reason = _cell_text(row[7]).lower(), _cell_text(row[8])
        if not reference:
            errors.append(
                row_error(index, _("Row %(row)s: the 业务参考号 (reference) is missing."), code="no_reference")
            )
            continue
        if amount is None:
            message = _("Row %(row)s: the amount %(value)s is not an amount in yuan with at most two decimals.")
            errors.append(row_error(index, message, code="bad_amount", value=_cell_text(row[5])[:30]))
            continue
        if outcome in PAID_WORDS:
            paid = True
        elif outcome in FAILED_WORDS:
            paid = False
        else:
            errors.append(row_error(index, _("Row %(row)s: the 处理结果 %(value)s is neither 成功 nor 失败."),
                                    code="bad_outcome", value=_cell_text(row[7])[:30]))  # fmt: skip
            continue
        if not paid and not reason:
            errors.append(row_error(index, _("Row %(row)s: a failed line needs its 失败原因 (reason)."),
                                    code="reason_required"))  # fmt: skip
            continue
        results.append(batches.Result(reference, amount, paid, "" if paid else reason[:200], index))
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise refuse(errors)
    return ReturnFileContent(number, month, count, total, results)


def import_return_file(*, actor: Any, batch: Batch, name: str, content: bytes) -> tuple[ReturnFile, bool]:
    """Read the bank's return file and mark each line paid or failed (``batches.record_return``).

    Returns the return file and whether anything changed: the same file again changes nothing."""
    from core.permissions import require

    require(actor, "benefits.manage")
    parsed = parse_return(read_cells(name, content), batch)
    return batches.record_return(
        actor=actor,
        batch=batch,
        name=Path(name or "return").name,
        sha256=hashlib.sha256(content).hexdigest(),
        results=parsed.results,
        count=parsed.count,
        total=parsed.total,
    )
