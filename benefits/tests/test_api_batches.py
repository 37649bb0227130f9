"""The batches API end to end: generate, maker-checker, lines, the bank file, the return file, the scope."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from accounts.roles import Role
from accounts.testing import TEST_PASSWORD, Network, UserFactory
from benefits import bank
from benefits.models import Batch, BatchState, LineOutcome
from benefits.tests.helpers import entitlement, standard
from core.crypto import decrypt
from regions.models import Level
from regions.testing import RegionFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/benefit-batches"


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture
def roll(net: Network) -> list[Any]:
    standard("disability", "2000.00", grade=6, cause="war")
    return [entitlement(net, since="2026-11-01"), entitlement(net, since="2026-11-01", beneficiary_name="李四"),
            entitlement(net, since="2026-11-01", confirmed_year=2025)]  # fmt: skip


def generated(net: Network) -> dict[str, Any]:
    response = post(net.api_client("city_staff"), BASE, {"period": "2026-11"})
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_generate_check_approve_bank_file_and_return_file(net: Network, roll: list[Any]) -> None:
    maker, checker = net.api_client("city_staff"), net.api_client("city_admin")
    body = generated(net)
    assert (body["added"], body["held"], body["total"]) == (2, 1, "4000.00")
    case_id = body["batch"]["case_id"]
    assert body["batch"]["state"] == "draft"
    assert [(h["reason"], h["count"]) for h in body["batch"]["held"]] == [("unconfirmed", 1)]
    assert body["batch"]["programs"][0]["program"] == "disability" and body["batch"]["programs"][0]["count"] == 2

    # the maker checks; the maker may not approve too (maker-checker, from the engine)
    checked = post(maker, f"{BASE}/{case_id}/check")
    assert checked.status_code == 200, checked.content
    assert checked.json()["state"] == "checked" and checked.json()["line_count"] == 2
    assert checked.json()["checked_by"] is not None and checked.json()["open_steps"] == ["approve"]
    refused = post(maker, f"{BASE}/{case_id}/approve")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "same_actor"
    assert Batch.objects.get(case_id=case_id).state == BatchState.CHECKED
    # before its approval the batch has no bank file
    early = maker.get(f"{BASE}/{case_id}/bank-file")
    assert early.status_code == 400 and early.json()["error"]["code"] == "not_approved"
    approved = post(checker, f"{BASE}/{case_id}/approve")
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved" and approved.json()["approved_by"] is not None

    # the lines: masked accounts only
    lines = maker.get(f"{BASE}/{case_id}/lines").json()["items"]
    assert len(lines) == 3
    full = {decrypt(e.account_enc) for e in roll}
    assert all(line["account"].startswith("****") for line in lines)
    assert not any(number in str(lines) for number in full)
    held = maker.get(f"{BASE}/{case_id}/lines", {"held": "true"}).json()["items"]
    assert [line["held_reason"] for line in held] == ["unconfirmed"]
    assert len(maker.get(f"{BASE}/{case_id}/lines", {"held": "false", "kind": "regular"}).json()["items"]) == 2
    assert maker.get(f"{BASE}/{case_id}/lines", {"kind": "nonsense"}).status_code == 400
    page = maker.get(f"{BASE}/{case_id}/lines", {"limit": 2}).json()
    rest = maker.get(f"{BASE}/{case_id}/lines", {"limit": 2, "cursor": page["next"]}).json()
    assert len(page["items"]) == 2 and len(rest["items"]) == 1 and rest["next"] is None

    # the bank file: the full accounts, not stored
    file = maker.get(f"{BASE}/{case_id}/bank-file", {"format": "csv"})
    assert file.status_code == 200 and file["Cache-Control"] == "no-store"
    assert "attachment" in file["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(file.content.decode("gb18030"))))
    assert {r[3] for r in rows[2:]} == {decrypt(e.account_enc) for e in roll[:2]}
    xlsx = maker.get(f"{BASE}/{case_id}/bank-file")
    assert xlsx.status_code == 200 and xlsx["Content-Type"] == bank.XLSX
    assert load_workbook(io.BytesIO(xlsx.content)).active["A1"].value == "批次号"
    assert maker.get(f"{BASE}/{case_id}/bank-file", {"format": "pdf"}).status_code == 400
    assert maker.get(f"{BASE}").json()["items"][0]["state"] == "exported"

    # the return file, one failed line; the same file again changes nothing
    batch = Batch.objects.get(case_id=case_id)
    failed = lines[0]["reference"]
    content = bank.return_file_for(batch, {failed: "账号不存在"})
    sent = maker.post(f"{BASE}/{case_id}/return-file", {"file": SimpleUploadedFile("回盘.xlsx", content)})
    assert sent.status_code == 200, sent.content
    body = sent.json()
    assert body["changed"] and body["return_file"]["failed_count"] == 1 and body["batch"]["state"] == "reconciled"
    again = maker.post(f"{BASE}/{case_id}/return-file", {"file": SimpleUploadedFile("回盘.xlsx", content)})
    assert again.status_code == 200 and again.json()["changed"] is False
    assert LineOutcome.objects.count() == 2
    shown = maker.get(f"{BASE}/{case_id}/lines", {"held": "false"}).json()["items"]
    assert {(x["reference"], x["outcome"]) for x in shown} == {(failed, "failed"), (lines[1]["reference"], "paid")}
    detail = maker.get(f"{BASE}/{case_id}").json()
    assert len(detail["returns"]) == 1 and detail["state"] == "reconciled"


def test_a_refused_return_file_answers_400_with_the_row(net: Network, roll: list[Any]) -> None:
    case_id = generated(net)["batch"]["case_id"]
    post(net.api_client("city_staff"), f"{BASE}/{case_id}/check")
    post(net.api_client("city_admin"), f"{BASE}/{case_id}/approve")
    maker = net.api_client("city_staff")
    maker.get(f"{BASE}/{case_id}/bank-file")
    missing = maker.post(f"{BASE}/{case_id}/return-file", {})
    assert missing.status_code == 400 and missing.json()["error"]["fields"][0]["field"] == "file"
    junk = maker.post(f"{BASE}/{case_id}/return-file", {"file": SimpleUploadedFile("回盘.xlsx", b"PK\x03\x04junk")})
    assert junk.status_code == 400 and junk.json()["error"]["fields"][0]["code"] == "unreadable"
    csv_rows = [["批次号", "FF2099000001", "发放月份", "2026-11", "总笔数", "2", "总金额", "4000.00"],
                list(bank.RETURN_HEADER)]  # fmt: skip
    buffer = io.StringIO()
    csv.writer(buffer).writerows(csv_rows)
    other = maker.post(f"{BASE}/{case_id}/return-file",
                       {"file": SimpleUploadedFile("回盘.csv", buffer.getvalue().encode("gb18030"))})  # fmt: skip
    assert other.status_code == 400
    error = other.json()["error"]
    assert error["fields"][0]["code"] == "other_batch" and "FF2099000001" in error["fields"][0]["message_en"]
    assert "FF2099000001" in error["fields"][0]["message"] and "批次" in error["fields"][0]["message"]
    assert LineOutcome.objects.count() == 0


def test_taking_a_line_out_of_a_draft_batch(net: Network, roll: list[Any]) -> None:
    case_id = generated(net)["batch"]["case_id"]
    staff = net.api_client("city_staff")
    line = staff.get(f"{BASE}/{case_id}/lines", {"held": "false"}).json()["items"][0]
    reversed_ = post(staff, f"/api/v1/benefit-lines/{line['id']}/reverse", {"reason": "重复发放"})
    assert reversed_.status_code == 200, reversed_.content
    assert reversed_.json()["reverses_id"] == line["id"] and reversed_.json()["amount"] == "-2000.00"
    detail = staff.get(f"{BASE}/{case_id}").json()
    assert detail["lines_now"] == 1 and detail["total_now"] == "2000.00"
    again = post(staff, f"/api/v1/benefit-lines/{line['id']}/reverse", {"reason": "重复发放"})
    assert again.status_code in (400, 409)
    assert post(staff, "/api/v1/benefit-lines/999999/reverse", {"reason": "x"}).status_code == 404


def test_the_scope_town_staff_and_another_city_see_no_batch(net: Network, roll: list[Any]) -> None:
    case_id = generated(net)["batch"]["case_id"]
    town = net.api_client("town_staff")
    assert town.get(BASE).status_code == 200 and town.get(BASE).json()["items"] == []
    assert town.get(f"{BASE}/{case_id}").status_code == 404
    assert town.get(f"{BASE}/{case_id}/lines").status_code == 404
    assert post(town, f"{BASE}/{case_id}/check").status_code == 403  # no benefits.manage
    assert town.get(f"{BASE}/{case_id}/bank-file").status_code == 403
    assert post(town, BASE, {"period": "2026-11"}).status_code == 403
    haining = RegionFactory(code="330481000000", name="海宁市", level=Level.CITY)
    UserFactory(username="haining_staff", role=Role.CITY_STAFF, scope_region=haining)
    token = Client().post("/api/v1/auth/token", {"username": "haining_staff", "password": TEST_PASSWORD},
                          content_type="application/json").json()["token"]  # fmt: skip
    other = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert other.get(BASE).json()["items"] == []
    for url in (f"{BASE}/{case_id}", f"{BASE}/{case_id}/lines", f"{BASE}/{case_id}/bank-file"):
        assert other.get(url).status_code == 404, url
    assert post(other, f"{BASE}/{case_id}/check").status_code == 404
    assert post(other, f"{BASE}/{case_id}/return-file").status_code == 404
    # the city's own staff and the auditor see it; the auditor may not touch it
    assert net.api_client("auditor").get(f"{BASE}/{case_id}").status_code == 200
    assert post(net.api_client("auditor"), f"{BASE}/{case_id}/check").status_code == 403


def test_generate_refuses_a_malformed_or_future_month(net: Network, roll: list[Any]) -> None:
    staff = net.api_client("city_staff")
    bad = post(staff, BASE, {"period": "11/2026"})
    assert bad.status_code == 400 and bad.json()["error"]["fields"][0]["field"] == "period"
    future = post(staff, BASE, {"period": "2099-01"})
    assert future.status_code == 400 and future.json()["error"]["fields"][0]["code"] == "future"
    assert staff.get(BASE, {"period": "junk"}).status_code == 400
