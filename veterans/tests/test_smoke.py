from __future__ import annotations

import pytest

from veterans.models import Veteran
from veterans.tests.factories import register, valid_row


@pytest.mark.django_db
def test_a_town_user_registers_a_veteran_through_the_page(net):
    client = net.client("town_staff")
    row = valid_row(
        net.village,
        name="李四",
        phone="13800001234",
        categories=["disabled_soldier"],
        disability_grade="5",
        disability_cause="war",
    )
    row["discharge_type"] = "discharged"
    response = client.post("/veterans/new/", row)
    assert response.status_code == 302, response.context["form"].errors
    veteran = Veteran.objects.get(name="李四")
    assert veteran.name_initials == "ls"
    page = client.get(f"/veterans/{veteran.pk}/").content.decode()
    assert row["id_number"] not in page and veteran.id_number_masked in page
    assert client.get("/veterans/", {"q": "ls"}).content.decode().count("李四") >= 1
    assert "李四" in client.get("/veterans/", {"q": row["id_number"][-6:]}).content.decode()
    assert "李四" in client.get("/veterans/", {"q": "1234"}).content.decode()


@pytest.mark.django_db
def test_register_helper(net):
    v = register(net.users["town_staff"], net.village)
    assert v.region_code == net.village.code
