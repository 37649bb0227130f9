"""The bureau's own words on the pages: no mistranslation, no raw code, no English left in front of staff."""

from __future__ import annotations

import re

import pytest

from accounts.testing import Network

pytestmark = pytest.mark.django_db


def headers(html: str) -> list[str]:
    return re.findall(r"<th[^>]*>([^<]*)</th>", html)


def test_a_regions_parent_is_its_higher_division_not_parents(net: Network) -> None:
    html = net.client("city_admin").get("/regions/?q=东湖").content.decode()
    assert headers(html)[:4] == ["代码", "名称", "级别", "上级区划"]
    assert "父母" not in html


def test_a_person_has_a_full_name_and_a_place_has_a_name(net: Network) -> None:
    admin = net.client("city_admin")
    assert "姓名" in headers(admin.get("/veterans/").content.decode())
    assert "姓名" in headers(admin.get("/accounts/users/").content.decode())
    region = admin.get(f"/regions/{net.danghu.code}/").content.decode()
    assert "名称" in headers(region) and "姓名" not in headers(region)
    edit = admin.get(f"/regions/{net.village.code}/edit/").content.decode()
    assert re.search(r"<label[^>]*>名称", edit) and "姓名" not in edit


RAW_FIELD_CODE = re.compile(r"\b(name|id_number|birth_date|hukou_region|discharged_on|discharge_type|deceased_on)\b")


def test_the_templates_list_the_person_data_in_the_bureaus_words(net: Network) -> None:
    html = net.client("city_admin").get("/life-cases/templates/").content.decode()
    body = html[html.index("<main") :]
    cells = re.findall(r'<td class="muted">([^<]*)</td>', body)
    assert cells and any("姓名" in c and "身份证号（完整）" in c for c in cells), cells
    assert not any(RAW_FIELD_CODE.search(c) for c in cells), cells


def test_the_star_rating_criteria_are_in_chinese(net: Network) -> None:
    from regions.models import StarCriterion

    assert sorted(StarCriterion.objects.values_list("name", flat=True)) == sorted(
        ["党建领航", "服务同心", "保障固基", "尊崇强军"]
    )
    form = net.client("city_admin").get(f"/regions/{net.danghu.code}/rate/").content.decode()
    assert "党建领航" in form and "Party building" not in form and "Services in one heart" not in form
