"""The audit page's button verifies the chain and its anchors, for those with the audit capability, and is audited."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import Client

from audit.models import AuditEntry
from audit.services import audit_anchor_head, audit_record
from core.append_only import append_only_lifted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def anchor_file(tmp_path, settings):
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.log"
    return settings.AUDIT_ANCHOR_FILE


def _write(region_code: str, n: int = 3) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_record(actor=None, action="region.update", object_type="t", object_id=str(i), region_code=region_code)


def _tamper(sql: str, params: list[object]) -> None:
    with append_only_lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("role", ["auditor", "city_admin"])
def test_the_audit_page_offers_the_button_instead_of_a_command(net, role):
    page = net.client(role).get("/audit/").content.decode()
    assert 'action="/audit/verify/"' in page and "校验审计链" in page
    assert "manage.py" not in page


def test_an_intact_chain_is_reported_and_the_check_is_recorded(net):
    _write(net.danghu.code)
    response = net.client("auditor").post("/audit/verify/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "完整" in html and "verify-ok" in html
    entry = AuditEntry.objects.filter(action="audit.verify").get()
    assert entry.actor_username == "auditor" and entry.after["ok"] is True and entry.after["checked"] >= 3


def test_the_first_broken_entry_is_named(net):
    _write(net.danghu.code)
    seq = AuditEntry.objects.order_by("seq")[1].seq
    _tamper("UPDATE audit_auditentry SET reason = %s WHERE seq = %s", ["x", seq])
    html = net.client("auditor").post("/audit/verify/").content.decode()
    assert "verify-failed" in html and f"#{seq}" in html
    assert AuditEntry.objects.get(action="audit.verify").after["bad_seq"] == seq


def test_a_head_behind_its_anchor_is_reported(net):
    _write(net.danghu.code)
    audit_anchor_head()
    last = AuditEntry.objects.order_by("-seq").first()
    _tamper("DELETE FROM audit_auditentry WHERE seq = %s", [last.seq])
    previous = AuditEntry.objects.get(seq=last.seq - 1)
    _tamper("UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s", [previous.seq, previous.hash])
    html = net.client("auditor").post("/audit/verify/").content.decode()
    assert "verify-failed" in html and f"#{last.seq}" in html and "锚点" in html


@pytest.mark.parametrize("role", ["town_staff", "city_staff", "liaison", "grid_leader"])
def test_other_roles_may_not_verify(net, role):
    assert net.client(role).post("/audit/verify/").status_code == 403
    assert not AuditEntry.objects.filter(action="audit.verify").exists()


def test_it_rejects_get(net):
    assert net.client("auditor").get("/audit/verify/").status_code == 405


def test_it_needs_the_csrf_token(net):
    client = Client(enforce_csrf_checks=True)
    client.force_login(net.users["auditor"])
    assert client.post("/audit/verify/").status_code == 403
    assert not AuditEntry.objects.filter(action="audit.verify").exists()


def test_anonymous_is_sent_to_sign_in():
    response = Client().post("/audit/verify/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
