"""The person picker: found by name, pinyin or ID tail within the user's scope, shown by name and masked ID,
stored as the record's id; the 一件事 and petition forms take a person through it. And the totals."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.testing import Network
from cases.models import LifeCase
from core.pagination import count_up_to
from veterans.models import Veteran
from veterans.tests.factories import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(net: Network) -> dict[str, Veteran]:
    actor = net.users["city_staff"]
    return {
        "mine": register(actor, net.village, name="张三丽"),
        "theirs": register(actor, net.other_village, name="张三风"),
    }


def pick(net: Network, role: str, q: str) -> Any:
    return net.client(role).get("/veterans/pick/", {"q": q})


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [int(item["value"]) for item in response.json()["items"]]


def test_it_finds_by_name_pinyin_initials_and_id_tail(net: Network, people: dict[str, Veteran]) -> None:
    mine = people["mine"]
    tail = mine.id_number_masked[-4:]
    for q in ("张三丽", "三丽", "zhangsanli", "zsl", tail):
        assert ids(pick(net, "town_staff", q)) == [mine.pk], q
    item = pick(net, "town_staff", "zsl").json()["items"][0]
    assert item["label"] == f"张三丽 · {mine.id_number_masked}" and item["detail"] == "东湖村"
    assert "*" in item["label"]  # the number is masked


def test_a_town_user_cannot_pick_another_towns_person(net: Network, people: dict[str, Veteran]) -> None:
    theirs = people["theirs"]
    assert ids(pick(net, "town_staff", "张三风")) == []
    assert ids(pick(net, "town_staff", theirs.id_number_masked[-4:])) == []
    assert ids(pick(net, "town_staff", "张三")) == [people["mine"].pk]
    assert sorted(ids(pick(net, "city_staff", "张三"))) == sorted(v.pk for v in people.values())


@pytest.mark.parametrize("q", ["", "❶፩٢٣", "%", "' OR 1=1 --", "330482", "9" * 18, "x" * 40])
def test_odd_words_find_nothing_and_never_fail(net: Network, people: dict[str, Veteran], q: str) -> None:
    assert ids(pick(net, "town_staff", q)) == []


@pytest.mark.parametrize("q", ["张" * 41, "张\u0001"])
def test_malformed_words_are_refused_with_a_message(net: Network, q: str) -> None:
    response = pick(net, "town_staff", q)
    assert response.status_code == 400 and " / " in response.json()["error"]


def test_who_may_ask(net: Network) -> None:
    assert Client().get("/veterans/pick/?q=zsl").status_code == 302
    assert pick(net, "liaison", "zsl").status_code == 403
    assert pick(net, "employer", "zsl").status_code == 403


# --- the forms ----------------------------------------------------------------------------------------------------


def test_the_petition_form_shows_the_prefilled_person_by_name_and_masked_id(
    net: Network, people: dict[str, Veteran]
) -> None:
    mine = people["mine"]
    page = net.client("town_staff").get(f"/petitions/new/?veteran={mine.pk}").content.decode()
    assert f'value="张三丽 · {mine.id_number_masked}"' in page
    assert f'type="hidden" name="veteran_id" value="{mine.pk}"' in page
    other = net.client("town_staff").get(f"/petitions/new/?veteran={people['theirs'].pk}").content.decode()
    assert "张三风" not in other


def test_the_case_form_opened_from_a_persons_page_shows_them_by_name(net: Network, people: dict[str, Veteran]) -> None:
    mine = people["mine"]
    page = net.client("town_staff").get(f"/life-cases/new/?veteran={mine.pk}").content.decode()
    assert f'value="张三丽 · {mine.id_number_masked}"' in page and "东湖村" in page
    for junk in ("abc", "-1", "18446744073709551616", "1" * 40):
        assert net.client("town_staff").get(f"/life-cases/new/?veteran={junk}").status_code == 200, junk


def test_a_case_is_opened_for_the_person_picked_or_named(net: Network, people: dict[str, Veteran]) -> None:
    client = net.client("town_staff")
    picked = client.post("/life-cases/new/", {"veteran_id": people["mine"].pk, "stage": "reporting"})
    assert picked.status_code == 302
    assert LifeCase.objects.get().case.veteran_id == people["mine"].pk


def test_without_script_the_typed_name_is_looked_up_in_the_scope(net: Network, people: dict[str, Veteran]) -> None:
    client = net.client("town_staff")
    named = client.post("/life-cases/new/", {"veteran_id": "", "veteran_id__q": "zsl", "stage": "reporting"})
    assert named.status_code == 302
    assert LifeCase.objects.get().case.veteran_id == people["mine"].pk
    theirs = client.post("/life-cases/new/", {"veteran_id__q": "张三风", "stage": "reporting"})
    assert theirs.status_code == 400 and "您辖区内没有与" in theirs.content.decode()


def test_several_matches_are_refused_at_the_field(net: Network, people: dict[str, Veteran]) -> None:
    response = net.client("city_staff").post("/life-cases/new/", {"veteran_id__q": "张三", "stage": "reporting"})
    assert response.status_code == 400 and "有多个与" in response.content.decode()


def test_another_towns_record_number_is_refused(net: Network, people: dict[str, Veteran]) -> None:
    client = net.client("town_staff")
    for value in (str(people["theirs"].pk), "18446744073709551616", "abc"):
        response = client.post("/life-cases/new/", {"veteran_id": value, "stage": "reporting"})
        assert response.status_code == 400, value
    assert not LifeCase.objects.exists()


# --- totals -------------------------------------------------------------------------------------------------------


def test_the_registry_shows_the_total_of_the_filtered_list(net: Network, people: dict[str, Veteran]) -> None:
    register(net.users["city_staff"], net.village, name="李四")
    city = net.client("city_staff")
    assert "共 3 人" in city.get("/veterans/").content.decode()
    assert "共 1 人" in city.get("/veterans/", {"q": "李四"}).content.decode()
    assert "共 2 人" in net.client("town_staff").get("/veterans/").content.decode()


def test_the_total_is_counted_no_further_than_its_cap(net: Network, people: dict[str, Veteran]) -> None:
    qs = Veteran.objects.all()
    assert count_up_to(qs, cap=1) == (1, True)
    assert count_up_to(qs, cap=2) == (2, False)


def test_the_home_page_shows_the_scopes_total(net: Network, people: dict[str, Veteran]) -> None:
    def total(role: str) -> str:
        page = net.client(role).get("/").content.decode()
        start = page.index('id="veteran-total"')
        return page[start : page.index("</b>", start)].rsplit(">", 1)[1]

    assert total("city_staff") == "2"
    assert total("town_staff") == "1"
    assert 'id="veteran-total"' not in net.client("liaison").get("/").content.decode()


def test_a_typed_id_number_is_not_written_back_into_a_refused_form(net: Network) -> None:
    typed = "330482198010281517"
    response = net.client("town_staff").post("/life-cases/new/", {"veteran_id__q": typed, "stage": "reporting"})
    assert response.status_code == 400  # refused: nobody has that number here
    page = response.content.decode()
    assert typed not in page and "198010281517" not in page
    assert response.context["form"].errors["veteran_id"]


def test_the_home_page_total_stops_counting_at_the_registrys_cap(
    net: Network, people: dict[str, Veteran], monkeypatch: pytest.MonkeyPatch
) -> None:
    import functools

    from veterans import selectors

    monkeypatch.setattr(selectors, "count_up_to", functools.partial(count_up_to, cap=1))
    page = net.client("city_staff").get("/").content.decode()
    assert "<b>&gt; 1</b>" in page and "在册退役军人（超过此数）" in page
