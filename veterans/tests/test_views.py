"""The registry's pages, through Django's test client."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.testing import Network
from audit import actions as audit_actions
from audit.models import AuditEntry
from core.validators import build_id_number
from veterans import timeline as timeline_module
from veterans.models import Tag, Veteran, VeteranCategory
from veterans.selectors import SORTS
from veterans.services import EXPORT_HEADERS, veteran_as_input
from veterans.tests.factories import id_number_born, register, register_born, valid_row, years_before

TODAY = timezone.localdate()

#: Each page: its method and its address, with {pk} for a veteran the town user may see.
PAGES = {
    "list": ("get", "/veterans/"),
    "detail": ("get", "/veterans/{pk}/"),
    "create": ("get", "/veterans/new/"),
    "edit": ("get", "/veterans/{pk}/edit/"),
    "reveal": ("post", "/veterans/{pk}/reveal-id/"),
    "deceased": ("get", "/veterans/{pk}/deceased/"),
    "family_add": ("get", "/veterans/{pk}/family/new/"),
    "export_xlsx": ("post", "/exports/new/veteran.xlsx"),
    "export_csv": ("post", "/exports/new/veteran.csv"),
    "quality": ("get", "/veterans/quality/"),
}
VIEW_PAGES = {"list", "detail", "quality"}
MANAGE_PAGES = {"create", "edit", "deceased", "family_add"}
EXPORT_PAGES = {"export_xlsx", "export_csv"}
#: Methods each page refuses.
WRONG_METHODS = [
    ("list", "post"),
    ("detail", "post"),
    ("create", "delete"),
    ("edit", "put"),
    ("reveal", "get"),
    ("deceased", "delete"),
    ("family_add", "put"),
    ("export_xlsx", "get"),
    ("export_csv", "get"),
    ("quality", "post"),
]
REASON = "核对身份信息"


@pytest.fixture
def vet(net: Network) -> Veteran:
    """A veteran who lives in the grid: the town, the village and the grid leader all see him."""
    return register(net.users["town_staff"], net.grid, name="张三丽", phone="13800005678")


@pytest.fixture
def other_vet(net: Network) -> Veteran:
    """A veteran in 乍浦, out of the 当湖 users' scope."""
    return register(net.users["other_town_staff"], net.other_village, name="海上人")


def open_page(client: Client, page: str, pk: int, data: dict[str, Any] | None = None) -> Any:
    method, url = PAGES[page]
    return getattr(client, method)(url.format(pk=pk), data or {})


def page_row(region: Any, **overrides: Any) -> dict[str, Any]:
    """A valid row as the form posts it: enumerations by their codes."""
    return valid_row(region, discharge_type="discharged") | overrides


def names(response: Any) -> list[str]:
    return [v.name for v in response.context["rows"]]


def field_codes(response: Any, field: str) -> list[str]:
    return [e.code for e in response.context["form"].errors.as_data().get(field, [])]


def full_id(veteran: Veteran) -> str:
    return veteran_as_input(veteran)["id_number"]


def audit_text(entry: AuditEntry) -> str:
    return json.dumps([entry.before, entry.after, entry.reason], ensure_ascii=False)


def form_data(veteran: Veteran, **changes: Any) -> dict[str, Any]:
    """What the edit page posts when the user changes ``changes`` and leaves the numbers empty."""
    data = {k: v for k, v in veteran_as_input(veteran).items() if v is not None}
    data.update(id_number="", phone="", birth_date="")
    return data | changes


# --- who may use each page -------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_it_sends_an_anonymous_visitor_to_sign_in(net: Network, vet: Veteran, page: str) -> None:
    response = open_page(Client(), page, vet.pk)

    assert response.status_code == 302
    assert response.url.startswith(("/accounts/login/?next=/veterans/", "/accounts/login/?next=/exports/"))


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["liaison", "employer", "veteran"])
def test_it_refuses_a_role_that_does_not_see_the_registry(net: Network, vet: Veteran, page: str, role: str) -> None:
    assert open_page(net.client(role), page, vet.pk, {"reason": REASON}).status_code == 403


@pytest.mark.parametrize("role", ["grid_leader", "auditor", "village_staff", "town_staff", "city_staff"])
@pytest.mark.parametrize("page", sorted(VIEW_PAGES))
def test_every_registry_role_may_view(net: Network, vet: Veteran, page: str, role: str) -> None:
    assert open_page(net.client(role), page, vet.pk).status_code == 200


@pytest.mark.parametrize("role", ["grid_leader", "auditor"])
@pytest.mark.parametrize("page", sorted(MANAGE_PAGES | {"reveal"}))
def test_it_refuses_a_viewer_who_may_not_change(net: Network, vet: Veteran, page: str, role: str) -> None:
    assert open_page(net.client(role), page, vet.pk, {"reason": REASON}).status_code == 403


@pytest.mark.parametrize("role", ["grid_leader", "auditor"])
def test_it_refuses_a_viewer_who_posts_a_new_record(net: Network, role: str) -> None:
    response = net.client(role).post("/veterans/new/", page_row(net.grid))

    assert response.status_code == 403
    assert not Veteran.objects.exists()


@pytest.mark.parametrize("page", sorted(MANAGE_PAGES))
def test_a_village_user_may_create_and_edit(net: Network, vet: Veteran, page: str) -> None:
    assert open_page(net.client("village_staff"), page, vet.pk).status_code == 200


@pytest.mark.parametrize("page", sorted(EXPORT_PAGES | {"reveal"}))
def test_a_village_user_may_neither_reveal_nor_export(net: Network, vet: Veteran, page: str) -> None:
    response = open_page(net.client("village_staff"), page, vet.pk, {"reason": REASON})

    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action__in=["veteran.reveal_id", "veteran.export"]).exists()


@pytest.mark.parametrize("page", sorted(EXPORT_PAGES))
def test_an_auditor_may_export(net: Network, vet: Veteran, page: str) -> None:
    response = open_page(net.client("auditor"), page, vet.pk)
    assert response.status_code == 302 and response["Location"].startswith("/exports/")


@pytest.mark.parametrize("page", ["detail", "edit", "reveal", "deceased", "family_add"])
def test_it_hides_a_veteran_of_another_town(net: Network, other_vet: Veteran, page: str) -> None:
    response = open_page(net.client("town_staff"), page, other_vet.pk, {"reason": REASON})

    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="veteran.reveal_id").exists()


def test_it_hides_a_village_veteran_from_a_grid_leader(net: Network) -> None:
    in_village = register(net.users["town_staff"], net.village)

    assert net.client("grid_leader").get(f"/veterans/{in_village.pk}/").status_code == 404


def test_it_refuses_to_edit_or_bury_a_veteran_of_another_town(net: Network, other_vet: Veteran) -> None:
    client = net.client("town_staff")

    edit = client.post(f"/veterans/{other_vet.pk}/edit/", form_data(other_vet, name="改名"))
    death = client.post(f"/veterans/{other_vet.pk}/deceased/", {"deceased_on": TODAY.isoformat()})

    assert (edit.status_code, death.status_code) == (404, 404)
    other_vet.refresh_from_db()
    assert (other_vet.name, other_vet.status) == ("海上人", "living")


@pytest.mark.parametrize(("page", "method"), WRONG_METHODS)
def test_it_rejects_the_wrong_method(net: Network, vet: Veteran, page: str, method: str) -> None:
    url = PAGES[page][1].format(pk=vet.pk)

    assert getattr(net.client("city_admin"), method)(url).status_code == 405


# --- the list: scope ---------------------------------------------------------------------------


def test_a_town_user_never_sees_the_other_towns_veterans(net: Network, vet: Veteran, other_vet: Veteran) -> None:
    town = net.client("town_staff")

    assert names(town.get("/veterans/")) == ["张三丽"]
    assert names(town.get("/veterans/", {"q": "海上人"})) == []
    assert names(town.get("/veterans/", {"region": net.zhapu.code})) == []
    assert set(names(net.client("city_staff").get("/veterans/"))) == {"张三丽", "海上人"}
    assert names(net.client("other_town_staff").get("/veterans/")) == ["海上人"]


def test_a_grid_leader_sees_only_the_grid(net: Network, vet: Veteran) -> None:
    register(net.users["town_staff"], net.village, name="村里人")

    assert names(net.client("grid_leader").get("/veterans/")) == ["张三丽"]
    assert set(names(net.client("village_staff").get("/veterans/"))) == {"张三丽", "村里人"}


# --- the list: filters -------------------------------------------------------------------------


def test_it_filters_by_region_code_prefix(net: Network) -> None:
    city = net.users["city_staff"]
    register(city, net.grid, name="网格人")
    register(city, net.village, name="村里人")
    register(city, net.other_village, name="海边人")
    client = net.client("city_staff")

    assert set(names(client.get("/veterans/", {"region": net.danghu.code}))) == {"村里人", "网格人"}
    assert names(client.get("/veterans/", {"region": net.grid.code})) == ["网格人"]
    assert names(client.get("/veterans/", {"region": net.zhapu.code})) == ["海边人"]


def test_it_filters_by_open_category(net: Network) -> None:
    actor = net.users["town_staff"]
    register(actor, net.village, name="伤残者", categories=["残疾军人"], disability_grade="6", disability_cause="因战")
    ended = register(actor, net.village, name="曾经伤残", categories=["disabled_soldier"])
    VeteranCategory.objects.filter(veteran=ended).update(end_date=TODAY)
    register(actor, net.village, name="无类别")

    response = net.client("town_staff").get("/veterans/", {"category": "disabled_soldier"})

    assert names(response) == ["伤残者"]


def test_it_filters_by_discharge_type_branch_and_status(net: Network) -> None:
    actor = net.users["town_staff"]
    register(actor, net.village, name="转业海军", discharge_type="转业", branch="海军")
    register(actor, net.village, name="退伍陆军", discharge_type="退伍", branch="陆军")
    gone = register(actor, net.village, name="已故者", discharge_type="退伍", branch="海军")
    Veteran.objects.filter(pk=gone.pk).update(status="deceased", deceased_on=TODAY)
    client = net.client("town_staff")

    assert names(client.get("/veterans/", {"discharge_type": "transferred"})) == ["转业海军"]
    assert set(names(client.get("/veterans/", {"branch": "navy"}))) == {"已故者", "转业海军"}
    assert names(client.get("/veterans/", {"status": "deceased"})) == ["已故者"]
    assert set(names(client.get("/veterans/", {"status": "living"}))) == {"退伍陆军", "转业海军"}


def test_it_filters_by_tag(net: Network) -> None:
    actor = net.users["town_staff"]
    hardship = register(actor, net.village, name="困难户")
    hardship.tags.set([Tag.objects.get(code="hardship"), Tag.objects.get(code="living_alone")])
    register(actor, net.village, name="普通人")

    response = net.client("town_staff").get("/veterans/", {"tag": "hardship"})

    assert names(response) == ["困难户"]


def test_it_filters_by_age_with_the_birthday_counted(net: Network) -> None:
    actor = net.users["town_staff"]
    register_born(actor, net.village, years_before(TODAY, 60), name="今天六十")
    register_born(actor, net.village, years_before(TODAY, 60) + dt.timedelta(days=1), name="明天六十")
    register_born(actor, net.village, years_before(TODAY, 75), name="七十五岁")
    register_born(actor, net.village, years_before(TODAY, 40), name="四十岁")
    client = net.client("town_staff")

    assert set(names(client.get("/veterans/", {"age_min": 60}))) == {"七十五岁", "今天六十"}
    assert set(names(client.get("/veterans/", {"age_max": 59}))) == {"四十岁", "明天六十"}
    assert set(names(client.get("/veterans/", {"age_min": 50, "age_max": 60}))) == {"今天六十", "明天六十"}


def test_it_filters_by_party_membership_and_party_age(net: Network) -> None:
    actor = net.users["town_staff"]
    born = years_before(TODAY, 80)
    register_born(
        actor,
        net.village,
        born,
        name="老党员",
        political_status="中共党员",
        party_joined_on=years_before(TODAY, 55).isoformat(),
    )
    register_born(
        actor,
        net.village,
        born,
        name="新党员",
        political_status="中共党员",
        party_joined_on=years_before(TODAY, 10).isoformat(),
    )
    register_born(actor, net.village, born, name="群众甲", political_status="群众")
    client = net.client("town_staff")

    assert set(names(client.get("/veterans/", {"party_member": "true"}))) == {"新党员", "老党员"}
    assert names(client.get("/veterans/", {"party_member": "false"})) == ["群众甲"]
    assert names(client.get("/veterans/", {"party_age_min": 50})) == ["老党员"]
    assert set(names(client.get("/veterans/", {"party_age_min": 10}))) == {"新党员", "老党员"}


def test_a_malformed_filter_is_shown_at_its_field_and_the_others_still_apply(net: Network) -> None:
    register(net.users["city_staff"], net.village, name="当湖人")
    register(net.users["city_staff"], net.other_village, name="乍浦人")

    response = net.client("city_staff").get("/veterans/", {"region": net.zhapu.code, "age_min": "很老"})

    assert response.status_code == 200
    assert "age_min" in response.context["form"].errors
    assert names(response) == ["乍浦人"]


# --- the list: search --------------------------------------------------------------------------


@pytest.fixture
def searchable(net: Network) -> dict[str, Veteran]:
    actor = net.users["town_staff"]
    return {
        "zsl": register(actor, net.village, name="张三丽", phone="13800005678"),
        "ww": register(actor, net.village, name="王五", phone="13900001111"),
        "lsm": register(actor, net.village, name="李三木"),
    }


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("丽", ["张三丽"]),
        ("三丽", ["张三丽"]),
        ("三", ["张三丽", "李三木"]),
        ("zhangsanli", ["张三丽"]),
        ("ZhangSan", ["张三丽"]),
        ("zsl", ["张三丽"]),
        ("ls", ["李三木"]),
        ("wang", ["王五"]),
        ("5678", ["张三丽"]),
        ("赵", []),
    ],
)
def test_it_searches_by_name_pinyin_initials_and_phone(
    net: Network, searchable: dict[str, Veteran], q: str, found: list[str]
) -> None:
    assert sorted(names(net.client("town_staff").get("/veterans/", {"q": q}))) == sorted(found)


@pytest.mark.parametrize("digits", [4, 5, 6, 18])
def test_it_searches_by_the_last_digits_of_the_id_number(
    net: Network, searchable: dict[str, Veteran], digits: int
) -> None:
    wanted = searchable["ww"]
    tail = full_id(wanted)[-digits:]
    assert all(not full_id(v).endswith(tail) for v in searchable.values() if v != wanted)

    assert names(net.client("town_staff").get("/veterans/", {"q": tail})) == ["王五"], tail


@pytest.mark.parametrize("length", [4, 5, 6])
def test_it_finds_an_id_number_ending_in_x_by_its_last_characters(net: Network, length: int) -> None:
    born = dt.date(1968, 2, 3)
    number = next(n for s in range(1, 1000, 2) if (n := build_id_number("330481", born, s)).endswith("X"))
    register_born(net.users["town_staff"], net.village, born, name="尾号X", id_number=number)
    register(net.users["town_staff"], net.village, name="别人")
    client = net.client("town_staff")

    assert names(client.get("/veterans/", {"q": number[-length:]})) == ["尾号X"]
    assert names(client.get("/veterans/", {"q": number[-length:].lower()})) == ["尾号X"]


def test_a_three_digit_number_finds_nobody(net: Network, searchable: dict[str, Veteran]) -> None:
    assert names(net.client("town_staff").get("/veterans/", {"q": full_id(searchable["ww"])[-3:]})) == []


# --- the list: sorting and pages --------------------------------------------------------------


def test_it_sorts_by_each_option(net: Network) -> None:
    actor = net.users["town_staff"]
    zhang = register_born(actor, net.village, dt.date(1980, 5, 1), name="张", discharged_on="2003-01-01")
    li = register_born(actor, net.village, dt.date(1970, 5, 1), name="李", discharged_on="2010-01-01")
    an = register_born(actor, net.village, dt.date(1990, 5, 1), name="安", discharged_on="2012-12")
    client = net.client("town_staff")

    def order(sort: str) -> list[int]:
        return [v.pk for v in client.get("/veterans/", {"sort": sort}).context["rows"]]

    assert order("-id") == [an.pk, li.pk, zhang.pk]
    assert order("name") == [an.pk, li.pk, zhang.pk]  # an, li, zhang
    assert order("birth_date") == [li.pk, zhang.pk, an.pk]
    assert order("discharged_on") == [zhang.pk, li.pk, an.pk]


@pytest.mark.parametrize("sort", ["-id", "name", "birth_date"])
def test_it_pages_by_key_without_repeating_a_row(net: Network, sort: str) -> None:
    actor = net.users["town_staff"]
    everyone = {register(actor, net.village, name=f"老兵{i:02d}").pk for i in range(53)}
    client = net.client("town_staff")

    first = client.get("/veterans/", {"sort": sort})
    cursor = first.context["next_cursor"]
    second = client.get("/veterans/", {"sort": sort, "cursor": cursor})

    page1, page2 = [v.pk for v in first.context["rows"]], [v.pk for v in second.context["rows"]]
    assert (len(page1), len(page2)) == (50, 3)
    assert set(page1).isdisjoint(page2)
    assert set(page1) | set(page2) == everyone
    keys = [f"-{k}" if sort == "-id" else k for k in SORTS[sort]]
    assert page1 + page2 == list(Veteran.objects.order_by(*keys).values_list("pk", flat=True))
    assert second.context["next_cursor"] is None
    assert f"sort={sort}&amp;cursor={cursor}" in first.content.decode()


def test_the_next_page_keeps_the_filters(net: Network) -> None:
    actor = net.users["town_staff"]
    for i in range(51):
        register(actor, net.village, name=f"村民{i:02d}", branch="空军")
    register(actor, net.village, name="陆军人", branch="陆军")
    client = net.client("town_staff")

    first = client.get("/veterans/", {"branch": "air_force"})
    second = client.get("/veterans/", {"branch": "air_force", "cursor": first.context["next_cursor"]})

    assert "branch=air_force&amp;cursor=" in first.content.decode()
    assert len(second.context["rows"]) == 1 and "陆军人" not in names(second)


def test_a_broken_cursor_is_reported_not_a_crash(net: Network, vet: Veteran) -> None:
    response = net.client("town_staff").get("/veterans/", {"cursor": "!!!not-a-cursor"})

    assert response.status_code == 200
    assert response.context["rows"] == [] and response.context["error"]


def test_the_list_runs_a_fixed_number_of_queries(net: Network, django_assert_max_num_queries: Any) -> None:
    actor = net.users["town_staff"]
    for i in range(30):
        v = register(actor, net.village, name=f"老兵{i}", categories=["在乡复员军人"])
        v.tags.set([Tag.objects.get(code="hardship")])
    client = net.client("town_staff")
    client.get("/veterans/")  # the session is warm

    # session, user, tags for the filter form, the user's region, the rows, the total; the region picker's
    # select of the scope (its levels, its regions); saving the session takes three
    with django_assert_max_num_queries(12):
        response = client.get("/veterans/", {"category": "demobilised_rural", "tag": "hardship", "sort": "name"})
    assert len(response.context["rows"]) == 30


# --- masking -----------------------------------------------------------------------------------


def test_the_list_and_the_detail_show_the_numbers_masked_only(net: Network, vet: Veteran) -> None:
    client = net.client("town_staff")
    number = full_id(vet)
    masked = number[:6] + "*" * 8 + number[-4:]

    for url in ("/veterans/", f"/veterans/{vet.pk}/", f"/veterans/{vet.pk}/edit/"):
        page = client.get(url).content.decode()
        assert number not in page and "13800005678" not in page, url
    assert masked in client.get("/veterans/").content.decode()
    detail = client.get(f"/veterans/{vet.pk}/").content.decode()
    assert masked in detail and "138****5678" in detail


# --- registering and editing -------------------------------------------------------------------


def test_it_registers_a_veteran_and_audits_without_the_plain_number(net: Network) -> None:
    row = page_row(net.village, name="李四", phone="13800001234")

    response = net.client("village_staff").post("/veterans/new/", row)

    veteran = Veteran.objects.get()
    assert response.status_code == 302 and response.url == f"/veterans/{veteran.pk}/"
    entry = AuditEntry.objects.get(action="veteran.create")
    assert entry.object_id == str(veteran.pk) and entry.actor_username == "village_staff"
    assert row["id_number"] not in audit_text(entry) and "13800001234" not in audit_text(entry)
    assert entry.after["id_number_masked"] == veteran.id_number_masked


def test_it_shows_each_error_at_its_field_and_writes_nothing(net: Network) -> None:
    row = page_row(net.village, region_code=net.other_village.code, discharged_on="1900-01-01", phone="12345")
    row["id_number"] = row["id_number"][:-1] + ("0" if row["id_number"][-1] != "0" else "1")

    response = net.client("town_staff").post("/veterans/new/", row)

    assert response.status_code == 200
    assert field_codes(response, "id_number") == ["id_checksum"]
    assert field_codes(response, "region_code") == ["unknown_region"]
    assert field_codes(response, "phone") == ["bad_phone"]
    assert field_codes(response, "discharged_on") == ["discharge_before_enlistment"]
    assert 'class="field has-error"' in response.content.decode()
    assert not Veteran.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="veteran.").exists()


def test_a_refused_form_is_shown_again_without_the_full_id_number_and_phone(net: Network) -> None:
    row = page_row(net.village, region_code=net.other_village.code, phone="13800001234")

    response = net.client("town_staff").post("/veterans/new/", row)

    html = response.content.decode()
    assert field_codes(response, "region_code") == ["unknown_region"]
    assert row["id_number"] not in html and row["id_number"][-6:] not in html
    assert "13800001234" not in html
    assert html.count("为保护隐私不再显示，请重新输入") >= 2  # at the ID number and the phone
    assert f'value="{row["name"]}"' in html  # the other fields keep what was typed
    assert not Veteran.objects.exists()


def test_a_refused_edit_is_shown_again_without_the_new_numbers(net: Network, vet: Veteran) -> None:
    new_id = page_row(net.village, name="另一人")["id_number"]
    data = form_data(vet, id_number=new_id, phone="13900005678", region_code=net.other_village.code)

    response = net.client("town_staff").post(f"/veterans/{vet.pk}/edit/", data)

    html = response.content.decode()
    assert field_codes(response, "region_code") == ["unknown_region"]
    assert new_id not in html and "13900005678" not in html and full_id(vet) not in html
    assert "为保护隐私不再显示，请重新输入" in html


def test_a_refused_family_member_is_shown_again_without_the_numbers(net: Network, vet: Veteran) -> None:
    other = page_row(net.village, name="家属")["id_number"]
    data = {"relation": "", "name": "王芳", "id_number": other, "phone": "13700001111"}

    response = net.client("town_staff").post(f"/veterans/{vet.pk}/family/new/", data)

    html = response.content.decode()
    assert response.status_code in (200, 400) and "王芳" in html
    assert other not in html and "13700001111" not in html


def test_it_refuses_an_id_number_already_registered(net: Network, vet: Veteran) -> None:
    response = net.client("town_staff").post("/veterans/new/", page_row(net.village, id_number=full_id(vet)))

    assert field_codes(response, "id_number") == ["duplicate"]
    assert Veteran.objects.count() == 1


def test_a_form_field_left_out_is_an_error_at_that_field(net: Network) -> None:
    row = page_row(net.village)
    del row["discharge_type"]

    response = net.client("town_staff").post("/veterans/new/", row)

    assert field_codes(response, "discharge_type") == ["required"]
    assert not Veteran.objects.exists()


def test_editing_with_the_numbers_left_empty_keeps_them(net: Network, vet: Veteran) -> None:
    number, old_hash = full_id(vet), vet.id_hash

    response = net.client("town_staff").post(f"/veterans/{vet.pk}/edit/", form_data(vet, name="张三力"))

    assert response.status_code == 302
    vet.refresh_from_db()
    assert vet.name == "张三力" and vet.name_initials == "zsl"
    assert (full_id(vet), vet.id_hash, vet.phone_masked) == (number, old_hash, "138****5678")
    entry = AuditEntry.objects.get(action="veteran.update")
    assert entry.before["name"] == "张三丽" and entry.after["name"] == "张三力"
    assert "id_number_masked" not in entry.after


def test_editing_the_id_number_audits_it_masked(net: Network, vet: Veteran) -> None:
    old = full_id(vet)
    new = id_number_born(vet.birth_date)

    net.client("town_staff").post(f"/veterans/{vet.pk}/edit/", form_data(vet, id_number=new))

    vet.refresh_from_db()
    assert full_id(vet) == new
    entry = AuditEntry.objects.get(action="veteran.update")
    assert old not in audit_text(entry) and new not in audit_text(entry)
    assert entry.before["id_number_masked"] == old[:6] + "********" + old[-4:]
    assert entry.after["id_number_masked"] == new[:6] + "********" + new[-4:]


def test_an_edit_with_errors_changes_nothing(net: Network, vet: Veteran) -> None:
    response = net.client("town_staff").post(
        f"/veterans/{vet.pk}/edit/", form_data(vet, name="改名", enlisted_on="1800-01-01")
    )

    assert response.status_code == 200 and field_codes(response, "enlisted_on") == ["bad_date"]
    vet.refresh_from_db()
    assert vet.name == "张三丽"
    assert not AuditEntry.objects.filter(action="veteran.update").exists()


def test_changing_categories_ends_the_old_period_and_opens_a_new_one(net: Network) -> None:
    actor = net.users["town_staff"]
    veteran = register(actor, net.village, categories=["残疾军人"], disability_grade="5", disability_cause="因公")
    started = veteran.discharged_on

    response = net.client("town_staff").post(
        f"/veterans/{veteran.pk}/edit/",
        form_data(veteran, categories=["war_or_test_veteran"], disability_grade="", disability_cause=""),
    )

    assert response.status_code == 302
    periods = {c.category: c for c in veteran.categories.all()}
    assert (periods["disabled_soldier"].start_date, periods["disabled_soldier"].end_date) == (started, TODAY)
    assert (periods["war_or_test_veteran"].start_date, periods["war_or_test_veteran"].end_date) == (TODAY, None)
    entry = AuditEntry.objects.get(action="veteran.update")
    assert (entry.before["categories"], entry.after["categories"]) == (["disabled_soldier"], ["war_or_test_veteran"])


def test_a_village_user_cannot_place_a_veteran_outside_the_village(net: Network) -> None:
    response = net.client("village_staff").post("/veterans/new/", page_row(net.other_grid))

    assert field_codes(response, "region_code") == ["unknown_region"]
    assert not Veteran.objects.exists()


# --- revealing the ID number -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "code"), [("", "required"), ("看看", "reason_required"), ("  看  ", "reason_required")]
)
def test_revealing_needs_a_reason_of_at_least_4_characters(net: Network, vet: Veteran, reason: str, code: str) -> None:
    response = net.client("town_staff").post(f"/veterans/{vet.pk}/reveal-id/", {"reason": reason})

    assert response.status_code == 200
    assert field_codes(response, "reason") == [code]
    assert full_id(vet) not in response.content.decode()
    assert not AuditEntry.objects.filter(action="veteran.reveal_id").exists()


def test_revealing_shows_the_full_number_and_audits_the_reason(net: Network, vet: Veteran) -> None:
    response = net.client("town_staff").post(f"/veterans/{vet.pk}/reveal-id/", {"reason": REASON})

    assert response.status_code == 200
    assert full_id(vet) in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert "base.html" in [t.name for t in response.templates]
    entry = AuditEntry.objects.get(action="veteran.reveal_id")
    assert (entry.reason, entry.object_id, entry.actor_username) == (REASON, str(vet.pk), "town_staff")
    assert full_id(vet) not in audit_text(entry)


def test_an_htmx_reveal_gets_the_fragment(net: Network, vet: Veteran) -> None:
    response = net.client("city_staff").post(
        f"/veterans/{vet.pk}/reveal-id/", {"reason": REASON}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert page.startswith('<div id="reveal-box">') and "<html" not in page
    assert f'<code id="full-id">{full_id(vet)}</code>' in page
    assert response["Cache-Control"] == "no-store"


def test_an_htmx_reveal_without_a_reason_gets_the_form_again(net: Network, vet: Veteran) -> None:
    response = net.client("town_staff").post(f"/veterans/{vet.pk}/reveal-id/", {"reason": ""}, HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert page.startswith('<div id="reveal-box">') and 'name="reason"' in page
    assert full_id(vet) not in page


# --- recording a death -------------------------------------------------------------------------


def test_recording_a_death_ends_the_open_categories_on_that_day(net: Network) -> None:
    veteran = register(net.users["town_staff"], net.village, categories=["在乡复员军人", "参战参试退役人员"])
    closed = VeteranCategory.objects.get(veteran=veteran, category="demobilised_rural")
    closed.end_date = veteran.discharged_on + dt.timedelta(days=10)
    closed.save()
    died = TODAY - dt.timedelta(days=3)

    response = net.client("town_staff").post(
        f"/veterans/{veteran.pk}/deceased/", {"deceased_on": died.isoformat(), "reason": "村委会告知"}
    )

    assert response.status_code == 302
    veteran.refresh_from_db()
    assert (veteran.status, veteran.deceased_on) == ("deceased", died)
    ends = dict(veteran.categories.values_list("category", "end_date"))
    assert ends == {"demobilised_rural": closed.end_date, "war_or_test_veteran": died}
    entry = AuditEntry.objects.get(action="veteran.mark_deceased")
    assert entry.reason == "村委会告知" and entry.after == {"status": "deceased", "deceased_on": died.isoformat()}


def test_a_death_cannot_be_recorded_twice(net: Network, vet: Veteran) -> None:
    client = net.client("town_staff")
    client.post(f"/veterans/{vet.pk}/deceased/", {"deceased_on": "2020-01-01"})

    again = client.post(f"/veterans/{vet.pk}/deceased/", {"deceased_on": "2021-01-01"})

    assert again.status_code == 200 and field_codes(again, "deceased_on") == ["already_deceased"]
    vet.refresh_from_db()
    assert vet.deceased_on == dt.date(2020, 1, 1)
    assert AuditEntry.objects.filter(action="veteran.mark_deceased").count() == 1


@pytest.mark.parametrize("when", ["tomorrow", "before_birth"])
def test_an_impossible_date_of_death_is_refused(net: Network, vet: Veteran, when: str) -> None:
    died = TODAY + dt.timedelta(days=1) if when == "tomorrow" else vet.birth_date - dt.timedelta(days=1)

    response = net.client("town_staff").post(f"/veterans/{vet.pk}/deceased/", {"deceased_on": died.isoformat()})

    assert field_codes(response, "deceased_on") == ["bad_date"]
    vet.refresh_from_db()
    assert vet.status == "living" and vet.deceased_on is None


def test_a_death_recorded_late_is_not_a_crash_when_a_category_began_after_it(net: Network, vet: Veteran) -> None:
    # A category added by an edit starts today; the death, learned of late, was last month.
    VeteranCategory.objects.create(veteran=vet, category="martyr_family", start_date=TODAY)
    died = TODAY - dt.timedelta(days=30)

    response = net.client("town_staff").post(f"/veterans/{vet.pk}/deceased/", {"deceased_on": died.isoformat()})

    assert response.status_code == 302
    period = vet.categories.get()
    assert period.end_date == TODAY  # it never ran; the data-quality page lists it
    problems = net.client("town_staff").get("/veterans/quality/").context["conflicts"]
    assert [(c["veteran"].pk, c["problem"]) for c in problems] == [(vet.pk, "after_death")]


def test_the_detail_offers_no_death_button_once_deceased(net: Network, vet: Veteran) -> None:
    client = net.client("town_staff")
    assert f"/veterans/{vet.pk}/deceased/" in client.get(f"/veterans/{vet.pk}/").content.decode()

    client.post(f"/veterans/{vet.pk}/deceased/", {"deceased_on": "2020-01-01"})

    assert f"/veterans/{vet.pk}/deceased/" not in client.get(f"/veterans/{vet.pk}/").content.decode()


# --- export ------------------------------------------------------------------------------------


def read_xlsx(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


READERS = {"xlsx": read_xlsx, "csv": read_csv}


def export(client: Client, fmt: str, query: dict[str, str] | None = None) -> Any:
    """Press the list's export button (its query string the list's filters), follow the job, download."""
    started = client.post(f"/exports/new/veteran.{fmt}?{urlencode(query or {})}")
    assert started.status_code == 302
    job_page = client.get(started["Location"])
    assert job_page.status_code == 200 and 'data-status="done"' in job_page.content.decode()
    return client.get(started["Location"] + "file")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_export_holds_masked_numbers_only(net: Network, vet: Veteran, other_vet: Veteran, fmt: str) -> None:
    response = export(net.client("town_staff"), fmt)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith("attachment;") and f".{fmt}" in response["Content-Disposition"]
    rows = READERS[fmt](response.getvalue())
    assert rows[0] == EXPORT_HEADERS
    assert len(rows) == 2  # the other town's veteran is not there
    row = dict(zip(EXPORT_HEADERS, rows[1], strict=True))
    assert row["姓名"] == "张三丽" and row["身份证号"] == vet.id_number_masked
    assert row["联系电话"] == "138****5678"
    assert full_id(vet) not in str(rows) and "13800005678" not in str(rows)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_export_honours_the_filters_and_is_audited(net: Network, fmt: str) -> None:
    actor = net.users["city_staff"]
    register(actor, net.village, name="当湖退伍", discharge_type="退伍")
    register(actor, net.other_village, name="乍浦退伍", discharge_type="退伍")
    register(actor, net.other_village, name="乍浦转业", discharge_type="转业")

    response = export(net.client("city_staff"), fmt, {"region": net.zhapu.code, "discharge_type": "discharged"})

    rows = READERS[fmt](response.getvalue())
    assert [r[0] for r in rows[1:]] == ["乍浦退伍"]
    entry = AuditEntry.objects.get(action="veteran.export")
    assert entry.after == {
        "format": fmt,
        "rows": 1,
        "filters": {"region": net.zhapu.code, "discharge_type": "discharged"},
    }
    assert entry.actor_username == "city_staff" and entry.region_code == net.city.code


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_export_neutralises_a_formula(net: Network, vet: Veteran, fmt: str) -> None:
    Veteran.objects.filter(pk=vet.pk).update(name='=HYPERLINK("http://evil.example","点我")')

    rows = READERS[fmt](export(net.client("town_staff"), fmt).getvalue())

    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","点我")'
    assert all(not str(cell).startswith(("=", "+", "-", "@")) for row in rows for cell in row if cell is not None)


def test_the_export_lists_the_open_categories_by_their_labels(net: Network) -> None:
    veteran = register(net.users["town_staff"], net.village, categories=["残疾军人", "参战参试退役人员", "烈士遗属"])
    VeteranCategory.objects.filter(veteran=veteran, category="martyr_family").update(end_date=TODAY)

    rows = read_csv(export(net.client("town_staff"), "csv").getvalue())

    with translation.override("zh-hans"):
        labels = [
            str(VeteranCategory(category=c).get_category_display()) for c in ("disabled_soldier", "war_or_test_veteran")
        ]
    assert rows[1][EXPORT_HEADERS.index("优抚对象类别")] == "；".join(labels)


# --- the timeline ------------------------------------------------------------------------------


def test_the_detail_shows_service_events_and_record_changes(net: Network, vet: Veteran) -> None:
    client = net.client("town_staff")
    client.post(f"/veterans/{vet.pk}/edit/", form_data(vet, address="东湖路1号"))

    response = client.get(f"/veterans/{vet.pk}/")

    items = response.context["timeline"]
    events = {(i.kind, i.when) for i in items}
    assert ("registry", vet.enlisted_on) in events and ("registry", vet.discharged_on) in events
    changes = [i for i in items if i.kind == "audit"]
    titles = audit_actions.LABELS
    assert [str(i.title) for i in changes] == [str(titles["veteran.update"]), str(titles["veteran.create"])]
    assert "地址" in changes[0].detail and "town_staff" in changes[0].detail
    assert [i.when for i in items] == sorted((i.when for i in items), reverse=True)
    assert str(titles["veteran.update"]) in response.content.decode()


def test_a_reveal_appears_on_the_timeline_with_its_reason(net: Network, vet: Veteran) -> None:
    client = net.client("town_staff")
    client.post(f"/veterans/{vet.pk}/reveal-id/", {"reason": REASON})

    [item] = [i for i in client.get(f"/veterans/{vet.pk}/").context["timeline"] if REASON in i.detail]

    assert str(item.title) == str(audit_actions.LABELS["veteran.reveal_id"])
    assert full_id(vet) not in item.detail


def test_a_registered_provider_appears_on_the_page(net: Network, vet: Veteran) -> None:
    def petitions(veteran: Any, user: Any) -> list[timeline_module.TimelineItem]:
        return [
            timeline_module.TimelineItem(
                dt.date(2024, 3, 5), "petitions", "来访登记：住房困难", user.username, url=f"/petitions/{veteran.pk}/"
            )
        ]

    timeline_module.register(petitions)
    try:
        page = net.client("town_staff").get(f"/veterans/{vet.pk}/").content.decode()
    finally:
        timeline_module._providers.remove(petitions)

    assert f'<a href="/petitions/{vet.pk}/">来访登记：住房困难</a>' in page
    assert "来访登记" not in net.client("town_staff").get(f"/veterans/{vet.pk}/").content.decode()


# --- data quality ------------------------------------------------------------------------------


def test_the_quality_page_finds_duplicates_gaps_and_overlaps(net: Network) -> None:
    actor = net.users["town_staff"]
    born = dt.date(1975, 6, 1)
    twin_a = register_born(
        actor,
        net.village,
        born,
        name="重名人",
        phone="13800001111",
        address="东湖路",
        branch="陆军",
        ethnicity="汉族",
        political_status="群众",
        education="本科",
    )
    twin_b = register_born(actor, net.grid, born, name="重名人")
    register_born(actor, net.village, dt.date(1976, 6, 1), name="重名人")  # another birth date: not a duplicate
    VeteranCategory.objects.create(
        veteran=twin_a, category="disabled_soldier", start_date=dt.date(2001, 1, 1), end_date=dt.date(2005, 1, 1)
    )
    VeteranCategory.objects.create(veteran=twin_a, category="disabled_soldier", start_date=dt.date(2004, 1, 1))
    VeteranCategory.objects.create(
        veteran=twin_b, category="disabled_soldier", start_date=dt.date(2001, 1, 1), end_date=dt.date(2003, 1, 1)
    )
    VeteranCategory.objects.create(veteran=twin_b, category="disabled_soldier", start_date=dt.date(2003, 1, 2))

    response = net.client("town_staff").get("/veterans/quality/")

    [group] = response.context["duplicates"]
    assert (group["name"], group["birth_date"]) == ("重名人", born)
    assert {p.pk for p in group["people"]} == {twin_a.pk, twin_b.pk}
    missing = {m["field"]: m["count"] for m in response.context["missing"]}
    assert missing == {"phone_enc": 2, "address": 2, "branch": 2, "ethnicity": 2, "political_status": 2, "education": 2}
    assert [(c["veteran"].pk, c["problem"]) for c in response.context["conflicts"]] == [(twin_a.pk, "overlap")]
    page = response.content.decode()
    assert twin_a.id_number_masked in page and full_id(twin_a) not in page


def test_the_quality_page_is_scoped(net: Network) -> None:
    actor = net.users["other_town_staff"]
    born = dt.date(1975, 6, 1)
    register_born(actor, net.other_village, born, name="重名人")
    lonely = register_born(actor, net.other_village, born, name="重名人")
    VeteranCategory.objects.create(veteran=lonely, category="martyr_family", start_date=dt.date(2001, 1, 1))
    VeteranCategory.objects.create(veteran=lonely, category="martyr_family", start_date=dt.date(2002, 1, 1))

    town = net.client("town_staff").get("/veterans/quality/").context
    city = net.client("city_staff").get("/veterans/quality/").context

    assert (town["duplicates"], town["conflicts"]) == ([], [])
    assert all(m["count"] == 0 for m in town["missing"])
    assert len(city["duplicates"]) == 1 and len(city["conflicts"]) == 1
    assert {m["field"]: m["count"] for m in city["missing"]}["address"] == 2


def test_the_list_export_buttons_post_its_filters_to_an_export_job(net: Network, vet: Veteran) -> None:
    page = net.client("town_staff").get("/veterans/", {"status": "living"}).content.decode()

    assert 'method="post" action="/exports/new/veteran.xlsx?status=living"' in page
    assert 'action="/exports/new/veteran.csv?status=living"' in page
    assert "/exports/new/" not in net.client("village_staff").get("/veterans/").content.decode()
