"""Every workflow, petition and 一件事 page: anonymous, each role, another region, wrong method, English."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.testing import Network
from petitions.tests.helpers import open_task, register_petition

pytestmark = pytest.mark.django_db


def pages(net: Network) -> dict[str, str]:
    petition = register_petition(net)
    return {
        "inbox": "/tasks/",
        "unit inbox": "/tasks/?view=unit",
        "task": f"/tasks/{open_task(petition, 'accept').pk}/",
        "notifications": "/notifications/",
        "stats": "/workflow/stats/",
        "holidays": "/workflow/holidays/",
        "petitions": "/petitions/",
        "petition": f"/petitions/{petition.case_id}/",
        "new petition": "/petitions/new/",
        "life cases": "/life-cases/",
        "open a case": "/life-cases/new/",
        "templates": "/life-cases/templates/",
        "template": "/life-cases/templates/reporting/",
    }


def test_anonymous_users_are_sent_to_sign_in(net: Network) -> None:
    for name, url in pages(net).items():
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


def test_every_page_renders_in_chinese_and_english_for_the_city_admin(net: Network) -> None:
    client = net.client("city_admin")
    for name, url in pages(net).items():
        assert client.get(url).status_code == 200, name
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for name, url in pages(net).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert '<html lang="en">' in response.content.decode(), name


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("employer", {"notifications"}),
        ("veteran", {"notifications"}),
        ("liaison", {"inbox", "unit inbox", "notifications", "holidays"}),
        ("auditor", {"task", "notifications", "stats", "petitions", "petition", "life cases", "templates"}),
        ("other_town_staff", {"inbox", "unit inbox", "notifications", "stats", "holidays", "petitions", "new petition",
                              "life cases", "open a case", "templates"}),
    ],
)  # fmt: skip
def test_the_wrong_role_or_region_is_refused(net: Network, role: str, allowed: set[str]) -> None:
    client = net.client(role)
    for name, url in pages(net).items():
        status = client.get(url).status_code
        if name in allowed:
            assert status == 200, (name, status)
        else:
            assert status in (403, 404), (name, status)


def test_pages_that_only_show_refuse_other_methods(net: Network) -> None:
    client = net.client("city_admin")
    for url in ("/tasks/", "/workflow/stats/", "/petitions/", "/life-cases/"):
        assert client.post(url).status_code == 405, url
    for url in ("/tasks/bulk/", "/tasks/1/act/", "/tasks/1/claim/"):
        assert client.get(url).status_code == 405, url


@pytest.mark.parametrize("role", ["grid_leader", "liaison", "employer", "veteran"])
def test_a_role_without_the_process_capability_sees_nothing_of_its_cases(net: Network, role: str) -> None:
    """A grid leader has no petitions.view: the petition's case and tasks are as hidden as the petition page."""
    petition = register_petition(net, region_code=net.grid.code)
    task = open_task(petition, "accept")
    page, api = net.client(role), net.api_client(role)
    assert page.get(f"/petitions/{petition.case_id}/").status_code in (403, 404)
    assert page.get(f"/tasks/{task.pk}/").status_code == 404
    assert api.get(f"/api/v1/cases/{petition.case_id}").status_code == 404
    assert api.get(f"/api/v1/tasks/{task.pk}").status_code == 404
    assert api.get(f"/api/v1/petitions/{petition.case_id}").status_code in (403, 404)


def test_a_village_station_sees_the_petitions_of_its_village_but_not_of_another(net: Network) -> None:
    mine = register_petition(net, region_code=net.grid.code)
    other = register_petition(net, region_code=net.other_village.code)
    api = net.api_client("village_staff")
    assert api.get(f"/api/v1/cases/{mine.case_id}").status_code == 200
    assert api.get(f"/api/v1/tasks/{open_task(mine, 'accept').pk}").status_code == 200
    assert api.get(f"/api/v1/cases/{other.case_id}").status_code == 404
    assert api.get(f"/api/v1/tasks/{open_task(other, 'accept').pk}").status_code == 404
