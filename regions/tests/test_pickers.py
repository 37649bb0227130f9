"""The region picker: its endpoint answers from the user's scope only, with each region's path; the forms
that take a region take it by name (the script's choice, the select without script, or typed words)."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.testing import Network
from regions.models import Level
from veterans.tests.factories import register

pytestmark = pytest.mark.django_db


def pick(net: Network, role: str, **params: str) -> Any:
    return net.client(role).get("/regions/pick/", params)


def values(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["value"] for item in response.json()["items"]]


def test_it_finds_a_village_by_name_with_its_path_from_the_users_region(net: Network) -> None:
    town = pick(net, "town_staff", q="东湖").json()["items"]
    assert [i["label"] for i in town] == ["当湖街道 › 东湖村", "当湖街道 › 东湖村 › 东湖村老兵壹家"]
    assert town[0]["value"] == net.village.code and net.village.code in town[0]["detail"]
    city = pick(net, "city_staff", q="东湖村").json()["items"]
    assert city[0]["label"] == "平湖市 › 当湖街道 › 东湖村"


def test_a_town_user_cannot_pick_another_towns_region(net: Network) -> None:
    assert values(pick(net, "town_staff", q="海湾")) == []
    assert values(pick(net, "town_staff", q="330482100")) == []
    assert values(pick(net, "town_staff", q="乍浦")) == []
    assert net.other_village.code in values(pick(net, "other_town_staff", q="海湾"))


@pytest.mark.parametrize("q", ["donghu", "DongHuCun", "dhc"])
def test_it_finds_by_pinyin_and_initials(net: Network, q: str) -> None:
    assert values(pick(net, "town_staff", q=q))[0] == net.village.code


def test_initials_shared_by_several_names_find_each(net: Network) -> None:
    assert values(pick(net, "town_staff", q="dh")) == [net.danghu.code, net.village.code, net.grid.code]


def test_pinyin_finds_towns_before_villages_and_only_in_scope(net: Network) -> None:
    assert values(pick(net, "city_staff", q="d"))[:2] == [net.danghu.code, net.village.code]
    assert values(pick(net, "town_staff", q="zhapu")) == []
    assert values(pick(net, "city_staff", q="zhapu")) == [net.zhapu.code]


def test_it_finds_by_the_start_of_the_code_and_by_level(net: Network) -> None:
    assert values(pick(net, "city_staff", q="330482001001")) == [net.village.code, net.grid.code]
    assert values(pick(net, "city_staff", q="东湖", levels="grid")) == [net.grid.code]


def test_with_nothing_typed_it_lists_the_users_region_and_what_is_under_it(net: Network) -> None:
    assert values(pick(net, "town_staff")) == [net.danghu.code, net.village.code]


@pytest.mark.parametrize(
    "params",
    [{"q": "东" * 41}, {"q": "东\u0001"}, {"levels": "county"}, {"levels": ","}, {"q": "x", "levels": "town,<b>"}],
)
def test_malformed_input_is_refused_with_a_message(net: Network, params: dict[str, str]) -> None:
    response = pick(net, "town_staff", **params)
    assert response.status_code == 400
    body = response.json()
    assert body["items"] == [] and " / " in body["error"]


@pytest.mark.parametrize("q", ["❶፩٢", "%", "_", "' OR 1=1 --", "１２３", "🙂"])
def test_odd_words_find_nothing_and_never_fail(net: Network, q: str) -> None:
    assert values(pick(net, "town_staff", q=q)) == []


def test_who_may_ask(net: Network) -> None:
    from django.test import Client

    assert Client().get("/regions/pick/?q=东湖").status_code == 302
    assert pick(net, "liaison", q="东湖").status_code == 403
    assert net.client("town_staff").post("/regions/pick/", {"q": "东湖"}).status_code == 405


# --- the fields ---------------------------------------------------------------------------------------------------


def test_the_registry_filter_is_a_select_of_the_scope_without_script(net: Network) -> None:
    page = net.client("town_staff").get("/veterans/").content.decode()
    assert 'data-picker-url="/regions/pick/"' in page
    assert f'<option value="{net.village.code}">当湖街道 › 东湖村</option>' in page
    assert net.other_village.code not in page


def test_the_registry_filters_by_a_picked_region_or_by_its_name_typed(net: Network) -> None:
    actor = net.users["city_staff"]
    register(actor, net.village, name="东湖人")
    register(actor, net.other_village, name="海湾人")
    client = net.client("city_staff")
    picked = client.get("/veterans/", {"region": net.other_village.code}).content.decode()
    assert "海湾人" in picked and "东湖人" not in picked
    typed = client.get("/veterans/", {"region": "", "region__q": "东湖村"})
    assert "东湖人" in typed.content.decode() and "海湾人" not in typed.content.decode()
    # the export and the next page carry the code the words were found to mean
    assert typed.context["query"] == f"region={net.village.code}"


def test_words_that_match_no_region_or_several_are_refused_at_the_field(net: Network) -> None:
    client = net.client("city_staff")
    none = client.get("/veterans/", {"region__q": "不存在的村"})
    assert none.status_code == 200 and "您辖区内没有与" in none.content.decode()
    several = client.get("/veterans/", {"region__q": "老兵壹家"}).content.decode()
    assert "有多个与" in several


def test_a_town_user_cannot_file_a_veteran_in_another_towns_village_by_typing_its_name(net: Network) -> None:
    client = net.client("town_staff")
    response = client.post("/veterans/new/", {"region_code__q": "海湾社区", "name": "王五"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "region_code" in form.errors


def test_the_parent_of_a_region_is_picked_by_name(net: Network) -> None:
    client = net.client("city_admin")
    form = client.get(f"/regions/{net.village.code}/edit/").content.decode()
    assert f'<option value="{net.danghu.code}" selected>平湖市 › 当湖街道</option>' in form
    kept = client.post(f"/regions/{net.village.code}/edit/", {"name": "东湖社区", "parent_code": net.danghu.code})
    assert kept.status_code == 302
    net.village.refresh_from_db()
    assert net.village.name == "东湖社区" and net.village.parent_id == net.danghu.pk
    unknown = client.post(f"/regions/{net.village.code}/edit/", {"name": "东湖村", "parent_code__q": "无此镇"})
    assert unknown.status_code == 200 and "parent_code" in unknown.context["form"].errors


def test_a_polyphonic_name_is_found_by_each_of_its_readings(net: Network) -> None:
    from regions.testing import RegionFactory

    changchun = RegionFactory(code="330482001002", name="长春村", level=Level.VILLAGE, parent=net.danghu)
    for q in ("changchun", "zhangchun", "cc", "zc"):
        assert changchun.code in values(pick(net, "town_staff", q=q)), q


def test_a_place_is_read_as_a_whole_first() -> None:
    from core.pinyin import place_readings

    assert place_readings("乍浦镇")[0] == ("zhapuzhen", "zpz")
