from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_home_sends_anonymous_users_to_sign_in():
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [
        "city_admin",
        "city_staff",
        "town_staff",
        "village_staff",
        "grid_leader",
        "liaison",
        "auditor",
        "employer",
        "veteran",
    ],
)
def test_every_role_has_a_home_page(net, role):
    response = net.client(role).get("/")
    assert response.status_code == 200
    assert response.context["role_label"]


@pytest.mark.django_db
def test_the_town_home_counts_only_its_own_town(net):
    counts = net.client("town_staff").get("/").context["counts"]
    assert counts["villages"] == 1 and counts["grids"] == 1
    city_counts = net.client("city_staff").get("/").context["counts"]
    assert city_counts["villages"] == 2 and city_counts["towns"] == 2


@pytest.mark.django_db
def test_home_rejects_post(net):
    assert net.client("town_staff").post("/").status_code == 405


def test_a_grid_leaders_home_puts_their_work_first_as_tiles(net):
    page = net.client("grid_leader").get("/").content.decode()
    workspace = page.split('id="workspace"')[1].split("</nav>")[0]
    assert 'href="/care/mine/"' in workspace and 'href="/points/"' in workspace
    assert 'href="/"' not in workspace  # not the home page itself
    assert 'id="workspace"' not in net.client("town_staff").get("/").content.decode()
