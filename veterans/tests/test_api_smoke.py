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
