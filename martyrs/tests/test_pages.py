"""The martyrs' pages: the list and a martyr's page (待核实 for what is not known, the demo mark), a family
member's 一人一档 page with care's visits and needs and its audit entry, the record's form, the responsible
person's cards, the facility's forms, and the way in from a person's page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.testing import Network
from audit.models import AuditEntry
from care.tests.helpers import log, raise_need
from martyrs.models import MartyrFamily, Remembrance, Upkeep
from martyrs.services import MartyrInput, martyr_create
from martyrs.tests.helpers import TODAY, family, martyr, memorial

pytestmark = pytest.mark.django_db


def test_the_list_searches_and_marks_demo_data(net: Network) -> None:
    staff = net.users["town_staff"]
    martyr(staff, net.village, name="张烈")
    martyr_create(actor=staff, data=MartyrInput(name="李真", region=net.village.code))
    client = net.client("village_staff")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/martyrs/").content.decode()
    assert "张烈" in page and "李真" in page and "示例数据（虚构）" in page
    assert len(queries) <= 8
    assert "张烈" not in client.get("/martyrs/?q=李").content.decode()
    assert "张烈" not in client.get("/martyrs/?synthetic=no").content.decode()
    assert "张烈" not in net.client("other_town_staff").get("/martyrs/").content.decode()
    assert net.client("grid_leader").get("/martyrs/").status_code == 403


def test_a_martyrs_page_shows_what_is_not_known_as_to_be_verified(net: Network) -> None:
    hero = martyr_create(actor=net.users["town_staff"], data=MartyrInput(name="施奇", region=net.village.code,
                                                                        gender="F", native_place="平湖"))  # fmt: skip
    page = net.client("town_staff").get(f"/martyrs/{hero.pk}/").content.decode()
    assert "施奇" in page and "平湖" in page and "女" in page
    assert page.count("待核实") >= 5 and "示例数据（虚构）" not in page
    assert net.client("other_town_staff").get(f"/martyrs/{hero.pk}/").status_code == 404


def test_a_martyr_is_registered_on_the_form(net: Network) -> None:
    client = net.client("town_staff")
    bad = client.post("/martyrs/new/", {"name": "王英", "region": net.village.code, "born": "1950",
                                        "sacrificed": "1949"})  # fmt: skip
    assert bad.status_code == 400 and "牺牲日期早于出生日期" in bad.content.decode()
    made = client.post("/martyrs/new/", {"name": "王英", "region": net.village.code, "born": "1922"})
    assert made.status_code == 302
    assert net.client("village_staff").get("/martyrs/new/").status_code == 403


def test_the_family_page_shows_cares_visits_and_needs_and_is_audited(net: Network) -> None:
    staff = net.users["town_staff"]
    linked = family(staff, net.grid, responsible=net.users["village_staff"])
    visit = log(net.users["village_staff"], linked.veteran)
    need = raise_need(staff, linked.veteran)
    client = net.client("village_staff")
    response = client.get(f"/martyrs/families/{linked.pk}/")
    page = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert visit.note in page and need.case.number in page
    assert f"/care/visits/new/?veteran={linked.veteran_id}" in page
    assert f"/care/needs/new/?veteran={linked.veteran_id}" in page
    assert "13905731234" not in page and "139****1234" in page
    entry = AuditEntry.objects.filter(action="martyrs.record_view").latest("id")
    assert entry.actor_id == net.users["village_staff"].pk and entry.object_id == str(linked.pk)
    assert net.client("other_town_staff").get(f"/martyrs/families/{linked.pk}/").status_code == 404


def test_the_responsible_person_updates_the_record_on_its_form(net: Network) -> None:
    linked = family(net.users["town_staff"], net.grid, responsible=net.users["village_staff"])
    client = net.client("village_staff")
    form = {"once": "k-1", "living": "独居", "schooling": "", "employment": "退休", "benefits": "抚恤金按月发放",
            "note": ""}  # fmt: skip
    assert client.post(f"/martyrs/families/{linked.pk}/record/", form).status_code == 302
    assert client.post(f"/martyrs/families/{linked.pk}/record/", form).status_code == 302  # a double tap
    fresh = MartyrFamily.objects.get(pk=linked.pk)
    assert (fresh.living, fresh.employment) == ("独居", "退休")
    assert fresh.changes.filter(changed_by=net.users["village_staff"]).count() == 1
    page = client.get(f"/martyrs/families/{linked.pk}/").content.decode()
    assert "生活状况" in page and "living" not in page.split("<main", 1)[1].split("</form>")[-1]
    other = family(net.users["town_staff"], net.grid)
    refused = client.post(f"/martyrs/families/{other.pk}/record/", form | {"once": "k-2"})
    assert refused.status_code == 400 and "对接人" in refused.content.decode()


def test_my_families_are_cards_with_phones_shown_and_audited(net: Network) -> None:
    linked = family(net.users["town_staff"], net.grid, responsible=net.users["village_staff"])
    response = net.client("village_staff").get("/martyrs/mine/")
    page = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert 'class="people-cards"' in page and "tel:13905731234" in page
    assert f"/care/visits/new/?veteran={linked.veteran_id}" in page
    entry = AuditEntry.objects.get(action="martyrs.phone_shown")
    assert entry.after == {"veterans": [linked.veteran_id]}
    assert "tel:" not in net.client("town_staff").get("/martyrs/mine/").content.decode()


def test_a_persons_page_leads_to_their_record(net: Network) -> None:
    linked = family(net.users["town_staff"], net.grid)
    client = net.client("town_staff")
    person = client.get(f"/veterans/{linked.veteran_id}/").content.decode()
    assert f"/martyrs/for-person/?veteran={linked.veteran_id}" in person
    response = client.get(f"/martyrs/for-person/?veteran={linked.veteran_id}")
    assert response.status_code == 302 and response["Location"] == f"/martyrs/families/{linked.pk}/"
    assert client.get("/martyrs/for-person/?veteran=abc").status_code == 200
    assert "烈属登记" in person and linked.martyr.name in person  # the timeline, on the person's page


def test_the_facility_page_takes_upkeep_and_remembrance_once(net: Network) -> None:
    place = memorial(net.users["town_staff"], net.village, name="烈士纪念碑")
    client = net.client("town_staff")
    upkeep = {"once": "u-1", "done_on": TODAY.isoformat(), "work": "碑体清洗", "cost": "1500.00", "done_by": "园林所"}
    assert client.post(f"/martyrs/memorials/{place.pk}/upkeep/", upkeep).status_code == 302
    assert client.post(f"/martyrs/memorials/{place.pk}/upkeep/", upkeep).status_code == 302
    assert Upkeep.objects.count() == 1
    bad = client.post(f"/martyrs/memorials/{place.pk}/upkeep/", upkeep | {"once": "u-2", "cost": "1.005"})
    assert bad.status_code == 400
    visit = {"once": "q-1", "visited_on": TODAY.isoformat(), "group": "中心小学", "people": "40", "note": ""}
    assert client.post(f"/martyrs/memorials/{place.pk}/remembrances/", visit).status_code == 302
    assert client.post(f"/martyrs/memorials/{place.pk}/remembrances/", visit).status_code == 302
    assert Remembrance.objects.count() == 1
    row = Upkeep.objects.get()
    assert client.post(f"/martyrs/upkeep/{row.pk}/reverse/", {"reason": "录错"}).status_code == 302
    page = client.get(f"/martyrs/memorials/{place.pk}/").content.decode()
    assert "碑体清洗" in page and "中心小学" in page and "-1500.00" in page
    assert net.client("village_staff").post(f"/martyrs/memorials/{place.pk}/upkeep/", upkeep).status_code == 403
    assert net.client("other_town_staff").get(f"/martyrs/memorials/{place.pk}/").status_code == 404


def test_the_facilities_list_is_read_in_a_few_queries(net: Network) -> None:
    for n in range(5):
        memorial(net.users["town_staff"], net.village, name=f"纪念碑{n}", condition="repair" if n % 2 else "good")
    client = net.client("village_staff")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/martyrs/memorials/?condition=repair").content.decode()
    assert page.count('id="memorial-') == 2 and "需修缮" in page
    assert len(queries) <= 8


def test_the_figures_page_shows_the_area(net: Network) -> None:
    family(net.users["town_staff"], net.grid, responsible=net.users["village_staff"])
    page = net.client("town_staff").get("/martyrs/figures/").content.decode()
    assert "东湖村" in page and "已指定对接人" in page
    assert net.client("town_staff").get(f"/martyrs/figures/?region={net.other_village.code}").status_code == 400
