"""The official division table the demo loads: the file is the documented one, and its names read right."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

from regions.divisions import DIVISIONS_FILE, divisions, divisions_under, is_community, short_name
from regions.models import Level


def test_the_division_file_is_the_one_its_readme_names() -> None:
    readme = (Path(DIVISIONS_FILE).parent / "README.md").read_text(encoding="utf-8")
    documented = re.search(r"sha256\s+`([0-9a-f]{64})`", readme)
    assert documented, "the README states the file's checksum"
    assert hashlib.sha256(DIVISIONS_FILE.read_bytes()).hexdigest() == documented.group(1)
    assert "国家统计局" in readme and "2023" in readme


def test_it_holds_zhejiangs_five_levels_each_under_its_parent() -> None:
    table = divisions()
    assert Counter(d.level for d in table) == {
        Level.PROVINCE: 1, Level.PREFECTURE: 11, Level.CITY: 90, Level.TOWN: 1387, Level.VILLAGE: 25547
    }  # fmt: skip
    codes = {d.code for d in table}
    assert all(d.parent_code in codes for d in table if d.level != Level.PROVINCE)
    assert all(len(d.code) == 12 and d.code.startswith("33") for d in table)


def test_pinghu_has_its_nine_official_towns() -> None:
    towns = {d.name: d.code for d in divisions_under("330482") if d.level == Level.TOWN}
    assert towns == {
        "当湖街道": "330482001000", "钟埭街道": "330482002000", "曹桥街道": "330482003000",
        "乍浦镇": "330482101000", "新埭镇": "330482102000", "新仓镇": "330482103000",
        "广陈镇": "330482106000", "林埭镇": "330482107000", "独山港镇": "330482108000",
    }  # fmt: skip


def test_a_village_reads_by_its_everyday_name() -> None:
    assert short_name("水洞埭社区居委会") == "水洞埭社区"
    assert short_name("龙湫社区居民委员会") == "龙湫社区"
    assert short_name("三北村村民委员会") == "三北村"
    assert short_name("白石村民委员会") == "白石村"
    assert short_name("横村村村委会") == "横村村"
    assert short_name("邓家居委会") == "邓家社区"
    assert short_name("山阴街社区") == "山阴街社区"


def test_communities_and_villages_are_told_apart_by_their_number() -> None:
    assert is_community("330482001001") and is_community("330482103400")
    assert not is_community("330482001201") and not is_community("330482102399")
