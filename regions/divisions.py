"""Zhejiang's official statistical division codes (统计用区划代码, National Bureau of Statistics, 2023).

The table is ``regions/data/zhejiang_divisions_2023.csv`` (see the README beside it for its source):
the province, its 11 cities, 90 counties, 1,387 towns and streets and 25,547 villages and
communities, each with its 12-digit code, official name, level and parent. Grids are not in it: they
are the platform's own subdivision of a village.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from regions.models import Level

DIVISIONS_FILE = Path(__file__).resolve().parent / "data" / "zhejiang_divisions_2023.csv"

#: The file's level names, as the platform's levels (a county-level city such as 平湖市 is a "city" here).
FILE_LEVELS: dict[str, str] = {
    "province": Level.PROVINCE,
    "city": Level.PREFECTURE,
    "county": Level.CITY,
    "town": Level.TOWN,
    "village": Level.VILLAGE,
}

#: Official suffixes of a committee's name, and what the short name keeps of them:
#: 水洞埭社区居委会 → 水洞埭社区, 邓家居委会 → 邓家社区, 三北村村民委员会 → 三北村, 横村村村委会 → 横村村.
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
    ("村村民委员会", "村"),
    ("村民委员会", "村"),
    ("村村委会", "村"),
    ("村委会", "村"),
)


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str  # a regions.models.Level value
    parent_code: str  # "" for the province


@functools.cache
def divisions() -> tuple[Division, ...]:
    """Every division in the file, parents before their children (the file's order)."""
    with DIVISIONS_FILE.open(encoding="utf-8", newline="") as f:
        return tuple(
            Division(row["code"], row["name"], FILE_LEVELS[row["level"]], row["parent_code"])
            for row in csv.DictReader(f)
        )


def divisions_under(prefix: str) -> list[Division]:
    """The divisions whose code starts with ``prefix`` (330482: 平湖市, its towns and villages)."""
    return [d for d in divisions() if d.code.startswith(prefix)]


def short_name(name: str) -> str:
    """A village's everyday name, without the committee: 水洞埭社区居委会 → 水洞埭社区."""
    for suffix, keep in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + keep
    return name


def is_community(code: str) -> bool:
    """A residents' committee (社区, numbered 001-199) or a unit like one (400-499), not a village (200-399)."""
    return code[9] != "2" and code[9] != "3"
