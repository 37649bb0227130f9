from __future__ import annotations

import pytest

from veterans.tests.factories import register, valid_row


@pytest.mark.django_db
def test_api_round_trip(net):
    api = net.api_client("town_staff")
    row = valid_row(net.village, name="赵六")
    response = api.post("/api/v1/veterans", row, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id_number_masked"] == row["id_number"][:6] + "********" + row["id_number"][-4:]
    vid = body["id"]
    listed = api.get("/api/v1/veterans", {"q": "zl"}).json()
    assert [i["id"] for i in listed["items"]] == [vid]
    patched = api.patch(f"/api/v1/veterans/{vid}", {"phone": "13912345678"}, content_type="application/json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["phone_masked"] == "139****5678"
    revealed = api.post(
        f"/api/v1/veterans/{vid}/reveal-id", {"reason": "核对身份信息"}, content_type="application/json"
    )
    assert revealed.json() == {"id_number": row["id_number"]}
    other = register(net.users["other_town_staff"], net.other_village)
    assert api.get(f"/api/v1/veterans/{other.pk}").status_code == 404
    bad = api.post(
        "/api/v1/veterans", valid_row(net.village, id_number="330482199001011235"), content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"][0]["field"] == "id_number"


@pytest.mark.django_db
def test_family_members_through_pages_and_api(net):
    import datetime as dt

    from core.validators import build_id_number

    veteran = register(net.users["town_staff"], net.village)
    client = net.client("town_staff")
    spouse_id = build_id_number("330482", dt.date(1975, 5, 5), 24)
    response = client.post(
        f"/veterans/{veteran.pk}/family/new/",
        {"relation": "spouse", "name": "王芳", "id_number": spouse_id, "is_military_family": "on"},
    )
    assert response.status_code == 302
    page = client.get(f"/veterans/{veteran.pk}/").content.decode()
    assert "王芳" in page and spouse_id not in page and spouse_id[:6] in page
    bad = client.post(f"/veterans/{veteran.pk}/family/new/", {"relation": "spouse", "name": "=X", "id_number": "123"})
    assert set(bad.context["form"].errors) == {"name", "id_number"}
    api = net.api_client("town_staff")
    members = api.get(f"/api/v1/veterans/{veteran.pk}/family").json()
    assert [m["name"] for m in members] == ["王芳"]
    assert api.delete(f"/api/v1/veterans/{veteran.pk}/family/{members[0]['id']}").status_code == 204
    assert api.get(f"/api/v1/veterans/{veteran.pk}/family").json() == []
