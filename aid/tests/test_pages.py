"""The hardship aid pages: the register of applications, the proposal form, one application with its steps,
the fund (a donation recorded, a row reversed), the ceremonies (pick, pay) and the figures."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.testing import Network
from aid.models import Application, Ceremony, Fund, FundEntry
from aid.tests.helpers import approved, donate, propose
from veterans.tests.factories import register as register_veteran

pytestmark = pytest.mark.django_db


def test_the_village_proposes_from_the_form_once(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    client = net.client("village_staff")
    form = client.get(f"/aid/applications/new/?veteran={veteran.pk}")
    assert form.status_code == 200
    body = {"once": "tok-1", "veteran": str(veteran.pk), "need": "living", "circumstances": "生活困难",
            "requested": "1500"}  # fmt: skip
    response = client.post("/aid/applications/new/", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.post("/aid/applications/new/", body).status_code == 302
    assert Application.objects.count() == 1


def test_a_bad_amount_is_shown_at_its_field(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    body = {"once": "tok-2", "veteran": str(veteran.pk), "need": "living", "circumstances": "困难", "requested": "-3"}
    response = net.client("village_staff").post("/aid/applications/new/", body)
    assert response.status_code == 400 and not Application.objects.exists()
    assert response.context["form"].errors["requested"]


def test_the_register_lists_the_areas_applications_in_few_queries(net: Network) -> None:
    for _n in range(3):
        propose(net)
    client = net.client("town_staff")
    client.get("/aid/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/aid/")
    assert response.status_code == 200 and len(response.context["rows"]) == 3
    propose(net)
    with CaptureQueriesContext(connection) as more:
        client.get("/aid/")
    assert len(more) == len(queries)


def test_the_application_page_shows_its_steps_to_the_town(net: Network) -> None:
    application = propose(net)
    response = net.client("town_staff").get(f"/aid/applications/{application.case_id}/")
    assert response.status_code == 200 and application.case.number in response.content.decode()
    assert net.client("other_town_staff").get(f"/aid/applications/{application.case_id}/").status_code == 404


def test_the_city_records_a_donation_and_reverses_it_on_the_fund_page(net: Network) -> None:
    client = net.client("city_staff")
    assert client.get("/aid/fund/").status_code == 200
    body = {"once": "d-1", "donor": "平湖市民营企业拥军协会", "donor_kind": "association", "amount": "8000",
            "received_on": timezone.localdate().isoformat()}  # fmt: skip
    assert client.post("/aid/fund/donations/", body).status_code == 302
    assert client.post("/aid/fund/donations/", body).status_code == 302  # the same form sent twice
    assert Fund.objects.get().balance == 8000 and FundEntry.objects.count() == 1
    bad = client.post("/aid/fund/donations/", {**body, "once": "d-2", "amount": "0"})
    assert bad.status_code == 400 and bad.context["donation_form"].errors["amount"]
    row = FundEntry.objects.get()
    assert client.post(f"/aid/fund/entries/{row.pk}/reverse/", {"reason": ""}).status_code == 400
    assert client.post(f"/aid/fund/entries/{row.pk}/reverse/", {"reason": "录错"}).status_code == 302
    assert Fund.objects.get().balance == 0
    assert net.client("town_staff").get("/aid/fund/").status_code == 403


def test_the_city_picks_approved_grants_and_pays_them_at_a_ceremony(net: Network) -> None:
    donate(net, "1000")
    one, two = approved(net, requested="600"), approved(net, requested="700")
    client = net.client("city_staff")
    page = client.get("/aid/ceremonies/")
    assert page.status_code == 200 and one.case.number in page.content.decode()
    body = {"once": "c-1", "name": "八一帮扶基金发放仪式", "held_on": timezone.localdate().isoformat(),
            "applications": [str(one.case_id), str(two.case_id)]}  # fmt: skip
    short = client.post("/aid/ceremonies/new/", body)
    assert short.status_code == 400 and "300.00" in short.content.decode() and not Ceremony.objects.exists()
    body["applications"] = [str(one.case_id)]
    done = client.post("/aid/ceremonies/new/", {**body, "once": "c-2"})
    assert done.status_code == 302
    ceremony = Ceremony.objects.get()
    assert client.get(f"/aid/ceremonies/{ceremony.pk}/").status_code == 200
    assert Fund.objects.get().balance == 400


def test_the_figures_page_opens_for_the_city_and_refuses_a_bad_year(net: Network) -> None:
    donate(net, "100")
    client = net.client("city_staff")
    assert client.get("/aid/figures/").status_code == 200
    assert client.get("/aid/figures/?year=abc").status_code == 400
    assert net.client("village_staff").get("/aid/figures/").status_code == 403


def test_the_veterans_timeline_shows_the_application_and_the_grant(net: Network) -> None:
    from aid.tests.helpers import hold
    from veterans.timeline import timeline as timeline_for

    donate(net, "1000")
    application = approved(net, requested="500")
    hold(net, application)
    items = [i for i in timeline_for(application.veteran, net.users["city_staff"]) if i.kind == "aid"]
    assert len(items) == 2
    assert not [i for i in timeline_for(application.veteran, net.users["other_town_staff"]) if i.kind == "aid"]
