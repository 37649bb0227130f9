from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from pathlib import Path
from typing import Any

from core.validators import build_id_number, check_digit
from regions.models import Region
from veterans.services import scope_regions, veteran_create
from veterans.validation import clean_veteran

_seq = itertools.count(1)


def valid_row(region: Region, **overrides: Any) -> dict[str, Any]:
    n = next(_seq)
    birth = dt.date(1970 + n % 30, 1 + n % 12, 1 + n % 28)
    # An odd 17th digit is a man, even a woman: the sequence decides.
    row = {
        "name": "张三丽",
        "id_number": build_id_number("330482", birth, 100 + n * 2 + 1),
        "region_code": region.code,
        "enlisted_on": f"{birth.year + 18}-09-01",
        "discharged_on": f"{birth.year + 22}-12",
        "discharge_type": "退伍",
    }
    row.update(overrides)
    return row


def register(actor: Any, region: Region, **overrides: Any) -> Any:
    data = clean_veteran(valid_row(region, **overrides), regions=scope_regions(actor))
    return veteran_create(actor=actor, data=data)


# --- people of a chosen age (veterans/tests/test_views.py and friends) -------------------------

_born_seq = itertools.count(1)


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def id_number_born(birth: dt.date, *, female: bool = False) -> str:
    """A valid ID number for someone born on ``birth``; another county's code, so never one valid_row makes."""
    sequence = (next(_born_seq) * 2) % 1000 + (0 if female else 1)
    return build_id_number("330481", birth, sequence)


def register_born(actor: Any, region: Region, birth: dt.date, **overrides: Any) -> Any:
    """A veteran born on ``birth`` who enlisted at 18 and was discharged at 22."""
    row = {
        "id_number": id_number_born(birth),
        "enlisted_on": years_before(birth, -18).isoformat(),
        "discharged_on": years_before(birth, -22).isoformat(),
    }
    return register(actor, region, **(row | overrides))


def id_number(birth: dt.date = dt.date(1980, 5, 17), *, male: bool = True, region: str = "330482") -> str:
    """A valid ID number for a man (odd 17th digit) or a woman (even)."""
    n = next(_seq)
    return build_id_number(region, birth, (n * 2 + (1 if male else 0)) % 1000)


def id_number_ending_in_x(birth: dt.date = dt.date(1975, 3, 8), region: str = "330482") -> str:
    """A valid ID number whose check digit is X."""
    return next(
        number for sequence in range(1000) if (number := build_id_number(region, birth, sequence)).endswith("X")
    )


def id_number_with_birth(birth: str, sequence: str = "123", region: str = "330482") -> str:
    """An ID number with a correct check digit around any eight digits where the birth date goes (e.g. 20011301)."""
    first17 = f"{region}{birth}{sequence}"
    return first17 + check_digit(first17)


def write_xlsx(path: Path, rows: list[dict[str, Any]], headers: list[str] | None = None) -> Path:
    """An xlsx file with the Chinese headers in row 1 and one row a dict {field: cell value}.

    Text stays text, even when it starts with = (openpyxl would otherwise store a formula);
    numbers and dates are written as number and date cells, as Excel would store them.
    """
    from openpyxl import Workbook

    from veterans.imports import COLUMNS

    headers = headers or [c.header for c in COLUMNS]
    field_of = {c.header: c.field for c in COLUMNS}
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for number, row in enumerate(rows, start=2):
        for index, header in enumerate(headers, start=1):
            value = row.get(field_of.get(header, header))
            if value is None:
                continue
            cell = sheet.cell(row=number, column=index, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
    book.save(path)
    return path


def write_csv(path: Path, rows: list[dict[str, Any]], *, encoding: str = "utf-8-sig") -> Path:
    from veterans.imports import COLUMNS

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.header for c in COLUMNS])
    for row in rows:
        writer.writerow(["" if row.get(c.field) is None else row[c.field] for c in COLUMNS])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
