from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from core.validators import build_id_number
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
