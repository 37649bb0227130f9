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
