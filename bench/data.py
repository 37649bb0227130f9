"""Files the benchmarks read, generated once into bench/out/."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from django.utils import timezone

from veterans import choices as c
from veterans.imports import COLUMNS

OUT = Path(__file__).resolve().parent / "out"


def veterans_xlsx(rows: int, places: list[str]) -> Path:
    """A valid import file of ``rows`` synthetic veterans in the given village/grid codes (which exist).

    Written by XlsxWriter, which keeps text in one shared table as Excel and WPS do when they save a
    sheet: openpyxl writes every cell's text inline, a file half again as large to parse as the ones
    people upload (and than the one MEASURED.md's reading figures come from)."""
    import xlsxwriter

    from regions.models import Region
    from veterans.demo import _person
    from veterans.demo import places as demo_places

    # Named by the codes too: a file written for another network (an older demo's codes) is not reused.
    digest = hashlib.sha256(",".join(places).encode()).hexdigest()[:8]
    path = OUT / f"veterans-{rows}-shared-{digest}.xlsx"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    rng = random.Random(7)
    today = timezone.localdate()
    used: set[str] = set()
    by_code = Region.objects.in_bulk(places, field_name="code")
    regions = demo_places(by_code[code] for code in places)
    tables = {
        "discharge_type": c.DISCHARGE_TYPES, "branch": c.BRANCHES, "political_status": c.POLITICAL_STATUSES,
        "education": c.EDUCATION, "employment_status": c.EMPLOYMENT, "placement": c.PLACEMENTS,
    }  # fmt: skip
    zh = {name: {v: z for v, _e, z in table} for name, table in tables.items()}
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("退役军人")
    headers = ["姓名", "身份证号", "所属区划代码", "入伍时间", "退役时间", "退役方式", "性别", "民族", "联系电话",
               "军种", "政治面貌", "入党时间", "文化程度"]  # fmt: skip
    assert set(headers) <= {col.header for col in COLUMNS}
    sheet.write_row(0, 0, headers)
    for index in range(rows):
        d = _person(rng, index, regions, used, today)
        v = d.values
        joined = v["party_joined_on"].isoformat() if v["party_joined_on"] else None
        sheet.write_row(index + 1, 0, [
            d.name, d.id_number.value, d.region.code, d.enlisted_on.strftime("%Y-%m"),
            d.discharged_on.strftime("%Y-%m"), zh["discharge_type"][d.discharge_type],
            "男" if d.id_number.gender == "M" else "女", v["ethnicity"], d.phone, zh["branch"][v["branch"]],
            zh["political_status"][v["political_status"]], joined, zh["education"][v["education"]],
        ])  # fmt: skip
    book.close()
    return path
