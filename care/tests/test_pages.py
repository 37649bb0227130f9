"""The care pages: a grid leader's people and a visit in three taps on a phone, the staff's lists, a need raised,
the frequencies and a contact person named."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import Network
from audit.models import AuditEntry
from care.models import ContactFrequency, Need, Visit, VisitPhoto
from care.tests.helpers import log, photo, seeded
from veterans.tests.factories import register as register_veteran

pytestmark = pytest.mark.django_db


def _with_phone(net: Network, region: Any, phone: str = "13805730001") -> Any:
    return register_veteran(net.users["city_staff"], region, phone=phone)


def test_my_people_are_cards_with_one_tap_to_call_and_the_showing_is_audited(net: Network) -> None:
    veteran = _with_phone(net, net.grid)
    response = net.client("grid_leader").get("/care/mine/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="tel:13805730001"' in page
    assert f"/care/visits/new/?veteran={veteran.pk}" in page
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="care.phone_shown")
    assert entry.after["veterans"] == [veteran.pk]


def test_a_phone_is_shown_only_for_a_person_of_the_users_area(net: Network) -> None:
    from care.services import phones_shown

    mine, moved = (
        _with_phone(net, net.grid),
        _with_phone(net, net.other_grid, "13805730002"),
    )  # a list made before a move
    shown = phones_shown(actor=net.users["grid_leader"], veterans=[mine, moved])
    assert shown == {mine.pk: "13805730001"}
    assert AuditEntry.objects.get(action="care.phone_shown").after["veterans"] == [mine.pk]


def test_my_people_lists_no_one_elses(net: Network) -> None:
    _with_phone(net, net.other_grid)
    page = net.client("grid_leader").get("/care/mine/").content.decode()
    assert "tel:" not in page
    assert not AuditEntry.objects.filter(action="care.phone_shown").exists()


def test_a_visit_in_three_taps_with_a_photo_and_a_need(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    client = net.client("grid_leader")
    form = client.get(f"/care/visits/new/?veteran={veteran.pk}")
    assert form.status_code == 200
    page = form.content.decode()
    assert 'accept="image/*"' in page and 'capture="environment"' in page
    once = form.context["form"].initial["once"]
    body = {"once": once, "veteran": veteran.pk, "mode": "home", "visited_on": timezone.localdate().isoformat(),
            "note": "", "photo": photo(), "need_category": "medical", "need_description": "需要陪诊"}  # fmt: skip
    done = client.post("/care/visits/new/", body)
    assert done.status_code == 302 and done["Location"] == "/care/mine/"
    visit = Visit.objects.get()
    assert VisitPhoto.objects.filter(visit=visit).count() == 1
    assert Need.objects.get().visit == visit
    body["photo"] = photo()
    again = client.post("/care/visits/new/", body)  # the page sent twice
    assert again.status_code == 302 and Visit.objects.count() == 1


def test_a_visit_form_refuses_at_the_field(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    body = {"once": "x1", "veteran": veteran.pk, "mode": "home", "visited_on": tomorrow}
    response = net.client("grid_leader").post("/care/visits/new/", body)
    assert response.status_code == 400
    assert response.context["form"].errors["visited_on"]


def test_a_visit_for_someone_out_of_scope_is_refused(net: Network) -> None:
    elsewhere = register_veteran(net.users["city_staff"], net.other_grid)
    body = {"once": "x2", "veteran": elsewhere.pk, "mode": "home", "visited_on": timezone.localdate().isoformat()}
    response = net.client("grid_leader").post("/care/visits/new/", body)
    assert response.status_code == 400 and not Visit.objects.exists()


def test_the_visits_list_and_a_photo(net: Network, django_capture_on_commit_callbacks: Any) -> None:
    staff = net.users["city_staff"]
    with django_capture_on_commit_callbacks(execute=True):  # the photo reaches its folder on commit
        visit = log(staff, register_veteran(staff, net.grid), photos=[photo()])
    client = net.client("town_staff")
    page = client.get("/care/visits/")
    assert page.status_code == 200 and visit.veteran.name in page.content.decode()
    shown = client.get(f"/care/photos/{visit.photos.get().pk}/")
    assert shown.status_code == 200
    assert AuditEntry.objects.filter(action="care.photo_open").exists()
    assert net.client("other_town_staff").get(f"/care/photos/{visit.photos.get().pk}/").status_code == 404


def test_a_need_raised_on_its_page_and_handled(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.village)
    client = net.client("village_staff")
    form = client.get(f"/care/needs/new/?veteran={veteran.pk}")
    once = form.context["form"].initial["once"]
    done = client.post("/care/needs/new/", {"once": once, "veteran": veteran.pk, "category": "legal",
                                            "description": "邻里纠纷需要法律援助"})  # fmt: skip
    need = Need.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/care/needs/{need.case_id}/"
    assert net.client("town_staff").get(f"/care/needs/{need.case_id}/").status_code == 200
    listed = client.get("/care/needs/?category=legal").content.decode()
    assert need.case.number in listed


def test_the_overdue_list_and_the_coverage(net: Network) -> None:
    staff = net.users["city_staff"]
    never = register_veteran(staff, net.grid, name="李四")
    seen = register_veteran(staff, net.grid, name="王五")
    log(staff, seen)
    client = net.client("town_staff")
    overdue = client.get("/care/overdue/").content.decode()
    assert never.name in overdue and seen.name not in overdue
    home = client.get("/care/")
    assert home.status_code == 200 and home.context["total"]["rate"] == 50


def test_an_administrator_changes_a_frequency(net: Network) -> None:
    seeded()
    rule = ContactFrequency.objects.get(code="everyone")
    client = net.client("city_admin")
    assert client.post("/care/frequencies/", {"rule": rule.pk, "months": 6}).status_code == 302
    assert ContactFrequency.objects.get(pk=rule.pk).months == 6
    assert AuditEntry.objects.filter(action="care.frequency_set").exists()
    assert client.post("/care/frequencies/", {"rule": rule.pk, "months": 99}).status_code == 400
    assert net.client("town_staff").get("/care/frequencies/").status_code == 403


def test_station_staff_name_a_contact_person(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    client = net.client("town_staff")
    assert client.get(f"/care/people/{veteran.pk}/contact/").status_code == 200
    saved = client.post(f"/care/people/{veteran.pk}/contact/", {"user": net.users["village_staff"].pk})
    assert saved.status_code == 302
    assert veteran.care_assignment.user == net.users["village_staff"]
