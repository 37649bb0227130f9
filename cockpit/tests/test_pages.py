"""The cockpit's pages: the figures of a seeded set by area, the drill-down links, the refusals (a bad area or
period, another town's), the breakdown's xlsx and the big screen."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.testing import Network
from cockpit import kit, views
from cockpit.selectors import Row

pytestmark = pytest.mark.django_db


def card(html: str, key: str) -> str:
    found = re.search(rf'<article class="cockpit-card" id="card-{re.escape(key.replace(".", ""))}">(.*?)</article>',
                      html, re.S)  # fmt: skip
    assert found, f"no card for {key}"
    return found.group(1)


def charts(response: Any) -> dict[str, Any]:
    found = re.search(r'<script id="cockpit-charts" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)  # fmt: skip
    assert found
    return dict(json.loads(found.group(1)))


def test_the_city_sees_every_indicator_with_its_towns_one_level_down(seeded: Network) -> None:
    response = seeded.client("city_staff").get("/cockpit/")
    assert response.status_code == 200
    html = response.content.decode()
    living = card(html, "veterans.living")
    assert re.search(r'<p class="cockpit-headline"><b>4</b>', living)
    # a line a town, the town's name opening its own cockpit, the count opening the registry's list
    assert f'href="/cockpit/?region={seeded.danghu.code}&amp;period=' in living
    assert re.search(r'class="records">3</a>', living) and re.search(r'class="records">1</a>', living)
    assert f"region={seeded.danghu.code}&amp;status=living" in living
    for indicator in kit.declared():  # every declared indicator has its card, under its group
        assert f'id="card-{indicator.key.replace(".", "")}"' in html
        assert f"<h2>{indicator.group}</h2>" in html
    spec = charts(response)
    bars = next(s for s in spec.values() if s["labels"] == ["当湖街道", "乍浦镇"])
    assert bars["kind"] == "bar" and bars["values"][:2] == ["3", "1"]
    assert bars["links"][0].startswith(f"/cockpit/?region={seeded.danghu.code}")
    assert "数据截至" in html and timezone.localtime().strftime("%Y-%m-%d") in html
    assert "<script>" not in html and ' style="' not in html
    assert "/static/js/vendor/echarts.min.js" in html and "/static/js/cockpit.js" in html


def test_a_town_s_cockpit_starts_at_the_town_with_the_way_back_up(seeded: Network) -> None:
    html = seeded.client("city_staff").get(f"/cockpit/?region={seeded.danghu.code}").content.decode()
    assert '<span aria-current="page">当湖街道</span>' in html
    assert f'<a href="/cockpit/?region={seeded.city.code}&amp;period=' in html  # the breadcrumb to the city
    assert re.search(r'<p class="cockpit-headline"><b>3</b>', card(html, "veterans.living"))


def test_a_town_user_s_root_is_their_town_and_another_town_is_refused(seeded: Network) -> None:
    client = seeded.client("town_staff")
    html = client.get("/cockpit/").content.decode()
    assert '<span aria-current="page">当湖街道</span>' in html and "平湖市" not in html.split("<h1>")[1][:200]
    assert re.search(r'<p class="cockpit-headline"><b>3</b>', card(html, "veterans.living"))
    refused = client.get(f"/cockpit/?region={seeded.zhapu.code}")
    assert refused.status_code == 400
    assert "您的辖区内没有这个区划代码。" in refused.content.decode()
    assert client.get(f"/cockpit/veterans.living/?region={seeded.zhapu.code}").status_code == 400
    assert client.get(f"/cockpit/veterans.living/xlsx/?region={seeded.zhapu.code}").status_code == 400
    assert client.get(f"/cockpit/screen/?region={seeded.zhapu.code}").status_code == 400


@pytest.mark.parametrize("query", ["region=999", "period=2026-13", "period=26", "region=%00"])
def test_a_bad_area_or_period_is_refused_with_its_reason(seeded: Network, query: str) -> None:
    response = seeded.client("city_staff").get(f"/cockpit/?{query}")
    assert response.status_code == 400
    if "%00" not in query:  # a NUL is refused before any page (core's middleware)
        assert re.search(r'<p class="errors" role="alert">[^<]+</p>', response.content.decode())


def test_a_bad_period_is_said_in_chinese(seeded: Network) -> None:
    response = seeded.client("city_staff").get("/cockpit/?period=2026-13")
    assert response.status_code == 400
    assert "统计期" in response.content.decode()


def test_the_indicator_page_breaks_it_down_each_way(seeded: Network) -> None:
    client = seeded.client("city_staff")
    by_area = client.get("/cockpit/veterans.living/")
    assert by_area.status_code == 200
    spec = charts(by_area)
    assert spec["chart-main"]["labels"] == ["当湖街道", "乍浦镇"]
    hexes = spec["chart-map"]
    assert [f["properties"]["name"] for f in hexes["geo"]["features"]] == [seeded.danghu.code, seeded.zhapu.code]
    assert [d["value"] for d in hexes["data"]] == ["3", "1"] and hexes["data"][0]["link"]
    by_gender = client.get("/cockpit/veterans.living/?by=gender")
    assert by_gender.status_code == 200 and charts(by_gender)["chart-main"]["kind"] == "pie"
    assert "chart-map" not in charts(by_gender)
    assert client.get("/cockpit/veterans.arrivals/?by=period").status_code == 200
    bad = client.get("/cockpit/veterans.living/?by=nonsense")
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()
    assert client.get("/cockpit/no.such.thing/").status_code == 404


def sheet_rows(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    return [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def test_the_download_is_the_breakdown_as_xlsx(seeded: Network) -> None:
    response = seeded.client("city_staff").get("/cockpit/veterans.living/xlsx/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(response.content)
    assert rows[1][0] == "范围"
    body = {r[0]: r[1] for r in rows[2:]}
    assert body["当湖街道"] == 3 and body["乍浦镇"] == 1 and body["合计"] == 4
    by_branch = sheet_rows(seeded.client("city_staff").get("/cockpit/veterans.living/xlsx/?by=branch").content)
    assert sum(r[1] for r in by_branch[2:-1]) == 4


def test_money_is_shown_in_wan_yuan_to_four_decimals_and_downloaded_to_the_fen() -> None:
    money = kit.Indicator(key="test.paid", group="g", name="paid", source=lambda: None,  # type: ignore[arg-type,return-value]
                          measures=(kit.Measure("amount", "amount", None, money=True),))  # fmt: skip
    # the unit is the msgid "10,000 yuan" (万元)
    assert views.headline(money, {"amount": Decimal("22167824.00")}) == ("2216.7824", _("10,000 yuan"))
    assert views.chart_value(money, {"amount": Decimal("1234.56")}) == "0.1235"


def test_the_big_screen_shows_the_headlines_and_the_map(seeded: Network) -> None:
    response = seeded.client("city_staff").get("/cockpit/screen/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta http-equiv="refresh"' in html and 'class="cockpit-screen"' in html
    assert 'class="nav"' not in html  # no navigation on the wall
    assert "chart-map" in charts(response)


def test_the_cockpit_refuses_who_may_not_see_it(seeded: Network) -> None:
    assert seeded.client("veteran").get("/cockpit/").status_code == 403
    anonymous = seeded.client("veteran")
    anonymous.logout()
    assert anonymous.get("/cockpit/").status_code == 302
    assert seeded.client("city_staff").post("/cockpit/").status_code == 405


def test_the_hex_map_lays_out_every_area_once() -> None:
    indicator = kit.INDICATORS["veterans.living"]
    area = type("Area", (), {"code": "330482000000"})()
    rows = [Row(f"33048210{i:04d}", f"镇{i}", {"count": Decimal(i)}, indicator, deeper=True) for i in range(10)]
    made = views.hex_map(indicator, area, rows, lambda r: f"/x/{r.key}")  # type: ignore[arg-type]
    assert made is not None
    centres = {tuple(f["geometry"]["coordinates"][0][0]) for f in made["geo"]["features"]}
    assert len(made["geo"]["features"]) == 10 and len(centres) == 10
    assert made["data"][3] == {"name": rows[3].key, "label": "镇3", "value": "3", "link": f"/x/{rows[3].key}"}


def test_the_page_s_queries_do_not_grow_with_the_areas_under_it(seeded: Network) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from regions.models import Level
    from regions.testing import RegionFactory

    client = seeded.client("city_staff")
    client.get("/cockpit/")  # the session and the user, once
    with CaptureQueriesContext(connection) as few:
        client.get("/cockpit/")
    for n in range(5):
        RegionFactory(code=f"33048210{n + 1}000", name=f"新镇{n}", level=Level.TOWN, parent=seeded.city)
    with CaptureQueriesContext(connection) as more:
        assert client.get("/cockpit/").status_code == 200
    assert len(more) == len(few) <= 8 + 5 * len(kit.declared())


def test_the_charts_library_is_served_from_the_project_s_static_files(client: Any) -> None:
    response = client.get("/static/js/vendor/echarts.min.js")
    assert response.status_code == 200
    assert client.get("/static/js/cockpit.js").status_code == 200


def test_only_a_dotted_key_is_taken_for_an_indicator() -> None:
    from django.urls import Resolver404, resolve

    assert resolve("/cockpit/veterans.living/").func is views.indicator
    assert resolve("/cockpit/screen/").func is views.screen
    try:
        found = resolve("/cockpit/report/").func  # the cockpit's other pages keep their plain names
    except Resolver404:
        found = None
    assert found is not views.indicator


def test_a_rank_table_puts_the_highest_first_and_numbers_them() -> None:
    indicator = kit.INDICATORS["veterans.quality"]  # a rate: an area with nothing to rate goes last
    rows = [Row("a", "甲", {"complete": Decimal(1), "count": Decimal(4)}, indicator),
            Row("b", "乙", {}, indicator),
            Row("c", "丙", {"complete": Decimal(3), "count": Decimal(4)}, indicator)]  # fmt: skip
    made = views.table(indicator, views.ranked(rows), "region", lambda r: "", rank=True)
    assert [(line.rank, line.label, line.cells[-1].text) for line in made.lines] == [
        (1, "丙", "75.0"), (2, "甲", "25.0"), (3, "乙", "—")
    ]  # fmt: skip
