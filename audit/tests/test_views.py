from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from audit.models import AuditEntry
from audit.services import audit_record


def _entry(region_code: str, action: str = "test.write") -> AuditEntry:
    with transaction.atomic():
        return audit_record(actor=None, action=action, object_type="t", object_id="1", region_code=region_code)


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(net):
    response = Client().get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["town_staff", "city_staff", "liaison", "veteran", "employer", "grid_leader"])
def test_other_roles_may_not_read_the_log(net, role):
    assert net.client(role).get("/audit/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["auditor", "city_admin"])
def test_auditors_and_city_admins_browse_and_filter(net, role):
    _entry(net.danghu.code, "region.create")
    _entry(net.zhapu.code, "station.update")
    client = net.client(role)
    page = client.get("/audit/")
    assert page.status_code == 200
    assert b'title="region.create"' in page.content and b'title="station.update"' in page.content
    filtered = client.get("/audit/", {"action": "station."})
    assert b'title="station.update"' in filtered.content and b'title="region.create"' not in filtered.content


@pytest.mark.django_db
def test_an_entry_outside_the_scope_is_not_found(net):
    inside = _entry(net.danghu.code)
    outside = _entry("330483001000")
    client = net.client("auditor")
    assert client.get(f"/audit/{inside.seq}/").status_code == 200
    assert client.get(f"/audit/{outside.seq}/").status_code == 404
    assert f">{outside.seq}<".encode() not in client.get("/audit/").content


@pytest.mark.django_db
def test_it_rejects_post(net):
    assert net.client("auditor").post("/audit/").status_code == 405


@pytest.mark.django_db
def test_a_bad_cursor_is_reported_not_crashed(net):
    response = net.client("auditor").get("/audit/", {"cursor": "!!!"})
    assert response.status_code == 200
    assert response.context["error"]


@pytest.mark.django_db
def test_the_api_pages_the_log_newest_first(net):
    for _ in range(5):
        _entry(net.danghu.code)
    api = net.api_client("auditor")
    first = api.get("/api/v1/audit", {"limit": 3}).json()
    seqs = [item["seq"] for item in first["items"]]
    assert seqs == sorted(seqs, reverse=True) and len(seqs) == 3
    rest = api.get("/api/v1/audit", {"limit": 3, "cursor": first["next"]}).json()
    assert not set(seqs) & {item["seq"] for item in rest["items"]}


@pytest.mark.django_db
def test_the_api_refuses_other_roles(net):
    _entry(net.danghu.code)
    response = net.api_client("town_staff").get("/api/v1/audit")
    assert response.status_code == 403
    assert "items" not in response.json()
