"""Inboxes, the task page, bulk actions, notifications, statistics and the holiday table through real HTTP."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.testing import Network
from audit.models import AuditEntry
from core.models import Notification
from petitions.tests.helpers import drive, open_task, register_petition
from workflow.models import Attachment, Holiday, Task

pytestmark = pytest.mark.django_db


def test_my_tasks_lists_what_i_may_do_with_its_colour(net: Network) -> None:
    late = register_petition(net, received_on="2026-11-01")  # due 11-16: overdue
    soon = register_petition(
        net, received_on=(timezone.localdate() - dt.timedelta(days=13)).isoformat(), petitioner_name="王五"
    )
    page = net.client("city_staff").get("/tasks/")
    html = page.content.decode()
    assert page.status_code == 200
    assert late.case.number in html and soon.case.number in html
    assert re.search(r'class="due-overdue">\s*<td>' + late.case.number, html)
    assert re.search(r'class="due-soon">\s*<td>' + soon.case.number, html)
    # the town has nothing to do yet
    assert late.case.number not in net.client("town_staff").get("/tasks/").content.decode()


def test_the_unit_inbox_shows_colleagues_tasks_and_my_tasks_does_not(net: Network) -> None:
    petition = register_petition(net)
    net.client("city_admin").post(f"/tasks/{open_task(petition, 'accept').pk}/claim/")
    assert open_task(petition, "accept").assignee == net.users["city_admin"]
    assert petition.case.number not in net.client("city_staff").get("/tasks/").content.decode()
    assert petition.case.number in net.client("city_staff").get("/tasks/?view=unit").content.decode()


def test_acting_from_the_case_page_and_errors_shown_at_the_field(net: Network) -> None:
    petition = drive(net, register_petition(net), until="assign")
    task = open_task(petition, "assign")
    client = net.client("city_staff")
    bad = client.post(f"/tasks/{task.pk}/act/", {"action": "assign", f"t{task.pk}-assign-unit": ""})
    assert bad.status_code == 400
    assert "必填" in bad.content.decode() or "required" in bad.content.decode()
    good = client.post(f"/tasks/{task.pk}/act/", {"action": "assign", f"t{task.pk}-assign-unit": net.danghu.code,
                                                   "next": f"/petitions/{petition.case_id}/"})  # fmt: skip
    assert good.status_code == 302 and good["Location"] == f"/petitions/{petition.case_id}/"
    assert open_task(petition, "investigate").unit_code == net.danghu.code


def test_a_refusal_by_role_is_shown_not_applied(net: Network) -> None:
    petition = register_petition(net)
    task = open_task(petition, "accept")
    # the town sees the case (it concerns one of its villages) but the step is the bureau's
    page = net.client("town_staff").post(f"/tasks/{task.pk}/act/", {"action": "accept"})
    assert page.status_code == 403  # the refusal page says whose step it is
    assert "平湖市 · 市局工作人员" in page.content.decode() or "City bureau staff" in page.content.decode()
    task.refresh_from_db()
    assert task.status == "open"


def test_the_task_page_is_scoped(net: Network) -> None:
    petition = register_petition(net)
    task = open_task(petition, "accept")
    assert net.client("city_staff").get(f"/tasks/{task.pk}/").status_code == 200
    assert net.client("other_town_staff").get(f"/tasks/{task.pk}/").status_code == 404
    assert net.client("liaison").get(f"/tasks/{task.pk}/").status_code == 404
    assert net.client("employer").get(f"/tasks/{task.pk}/").status_code == 404
    anonymous = net.client("city_staff")
    anonymous.logout()
    assert anonymous.get(f"/tasks/{task.pk}/").status_code == 302
    assert net.client("city_staff").get(f"/tasks/{task.pk}/act/").status_code == 405


def test_bulk_preview_then_all_or_nothing(net: Network) -> None:
    petitions = [drive(net, register_petition(net, petitioner_name=f"人{i}"), until="archive") for i in range(3)]
    tasks = [open_task(p, "archive") for p in petitions]
    client = net.client("city_staff")
    preview = client.post("/tasks/bulk/", {"tasks": [t.pk for t in tasks], "bulk_action": "archive"})
    assert (
        preview.status_code == 200
        and preview.content.decode().count("will be done") + preview.content.decode().count("将办理") == 3
    )
    assert all(t.status == "open" for t in Task.objects.filter(pk__in=[t.pk for t in tasks]))
    # someone else finishes one in between: the confirmed batch does nothing at all
    from workflow.services import act

    act(actor=net.users["city_admin"], task=tasks[0], action="archive")
    confirm = client.post("/tasks/bulk/", {"tasks": [t.pk for t in tasks[1:]] + [tasks[0].pk], "bulk_action": "archive",
                                           "confirm": "1"})  # fmt: skip
    assert confirm.status_code == 302
    assert Task.objects.filter(pk__in=[t.pk for t in tasks[1:]], status="open").count() == 2
    confirm = client.post(
        "/tasks/bulk/", {"tasks": [t.pk for t in tasks[1:]], "bulk_action": "archive", "confirm": "1"}
    )
    assert Task.objects.filter(pk__in=[t.pk for t in tasks[1:]], status="done").count() == 2


def test_bulk_refuses_actions_that_need_input(net: Network) -> None:
    petition = drive(net, register_petition(net), until="assign")
    task = open_task(petition, "assign")
    page = net.client("city_staff").post("/tasks/bulk/", {"tasks": [task.pk], "bulk_action": "assign"})
    html = page.content.decode()
    assert "不能办理" in html and '<button type="submit" class="btn">' not in html


def test_notifications_in_the_header_and_marked_read(net: Network) -> None:
    petition = register_petition(net, role="city_admin")  # the one who registers is not told of it
    client = net.client("city_staff")
    home = client.get("/").content.decode()
    assert re.search(
        r'id="bell"[^>]*aria-label="通知"[^>]*><svg class="icon"[^>]*>.*?</svg>\s*<span class="count">1</span>', home
    )
    assert "🔔" not in home  # an emoji shows as a box on a machine without emoji fonts; the icon ships as SVG
    note = Notification.objects.get(user=net.users["city_staff"])
    opened = client.get(f"/notifications/{note.pk}/")
    assert opened["Location"] == f"/tasks/{open_task(petition, 'accept').pk}/"
    assert '<span class="count">' not in client.get("/").content.decode()
    assert net.client("town_staff").get(f"/notifications/{note.pk}/").status_code == 404
    client.post("/notifications/")
    assert not Notification.objects.filter(user=net.users["city_staff"], read_at__isnull=True).exists()


def test_statistics_page(net: Network) -> None:
    register_petition(net)
    page = net.client("auditor").get("/workflow/stats/?process=petition")
    assert page.status_code == 200 and "平湖市" in page.content.decode()
    assert net.client("liaison").get("/workflow/stats/").status_code == 403
    assert net.client("city_staff").get("/workflow/stats/?process=nope").status_code == 404


def test_holidays_are_kept_by_admins_and_audited(net: Network) -> None:
    admin = net.client("city_admin")
    page = admin.get("/workflow/holidays/?year=2026")
    assert "国庆节" in page.content.decode()
    added = admin.post("/workflow/holidays/?year=2027", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert added.status_code == 302
    day = Holiday.objects.get(date="2027-01-01")
    assert AuditEntry.objects.filter(action="holiday.add").exists()
    duplicate = admin.post("/workflow/holidays/", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert duplicate.status_code == 200 and Holiday.objects.filter(date="2027-01-01").count() == 1
    assert net.client("city_staff").post("/workflow/holidays/", {"delete": day.pk}).status_code == 403
    admin.post("/workflow/holidays/", {"delete": day.pk})
    assert not Holiday.objects.filter(date="2027-01-01").exists()
    assert AuditEntry.objects.filter(action="holiday.delete").exists()


def test_attachments_are_scoped_checked_and_audited(
    net: Network, tmp_path: object, settings: object, django_capture_on_commit_callbacks: Any
) -> None:
    settings.ATTACHMENT_DIR = tmp_path  # type: ignore[attr-defined]
    petition = register_petition(net)
    client = net.client("city_staff")
    upload = SimpleUploadedFile("来信.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/cases/{petition.case_id}/attachments/", {"file": upload}).status_code == 302
    attachment = Attachment.objects.get(case=petition.case)
    assert attachment.name == "来信.pdf" and attachment.size == 13
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    client.post(f"/cases/{petition.case_id}/attachments/", {"file": bad})
    assert Attachment.objects.filter(case=petition.case).count() == 1
    download = client.get(f"/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert AuditEntry.objects.filter(action="case.attachment_download").count() == 1
    assert net.client("other_town_staff").get(f"/attachments/{attachment.pk}/").status_code == 404


def test_the_home_page_counts_my_tasks(net: Network) -> None:
    register_petition(net, received_on="2026-11-01")  # overdue
    register_petition(
        net, received_on=(timezone.localdate() - dt.timedelta(days=14)).isoformat(), petitioner_name="王五"
    )
    html = net.client("city_staff").get("/").content.decode()
    cards = html[html.index('id="task-cards"') :]
    assert re.search(r"<b>2</b><span>我的待办", cards)
    assert re.search(r"<b>1</b><span>3 天内到期", cards) and re.search(r"<b>1</b><span>已超期", cards)
    assert 'id="task-cards"' not in net.client("employer").get("/").content.decode()


def test_the_holiday_table_through_the_api(net: Network) -> None:
    admin = net.api_client("city_admin")
    listed = admin.get("/api/v1/holidays?year=2026").json()
    assert {"date": "2026-10-10", "kind": "workday", "name": "国庆节调休"} in listed
    day = {"date": "2027-02-06", "kind": "holiday", "name": "春节"}
    assert admin.post("/api/v1/holidays", day, content_type="application/json").status_code == 201
    again = admin.post("/api/v1/holidays", day, content_type="application/json")
    assert again.status_code == 400 and again.json()["error"]["fields"][0]["code"] == "exists"
    bad = admin.post("/api/v1/holidays", {**day, "date": "2027-02-07", "kind": "weekend"},
                     content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and bad.json()["error"]["fields"][0]["field"] == "kind"
    staff = net.api_client("city_staff")
    assert (
        staff.post("/api/v1/holidays", {**day, "date": "2027-02-08"}, content_type="application/json").status_code
        == 403
    )
    assert staff.delete("/api/v1/holidays/2027-02-06").status_code == 403
    assert admin.delete("/api/v1/holidays/2027-02-06").status_code == 204
    assert admin.delete("/api/v1/holidays/2027-02-06").status_code == 404
    assert not Holiday.objects.filter(date__year=2027).exists()
    actions = AuditEntry.objects.filter(action__startswith="holiday.").order_by("seq").values_list("action", flat=True)
    assert list(actions) == ["holiday.add", "holiday.delete"]


def test_the_inbox_runs_the_same_queries_for_one_task_or_many(net: Network) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = net.client("city_staff")
    register_petition(net, role="city_admin")
    client.get("/tasks/")  # the session's renewal (once a minute) is not the inbox's
    with CaptureQueriesContext(connection) as one:
        client.get("/tasks/")
    for i in range(5):
        register_petition(net, role="city_admin", petitioner_name=f"人{i}")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/tasks/").content.decode().count("平湖市 · ") >= 6
    assert len(many.captured_queries) == len(one.captured_queries)


def test_an_attachment_whose_transaction_rolls_back_leaves_no_file_in_the_case(
    net: Network, tmp_path: Any, settings: Any
) -> None:
    """The file waits in staging until the row that names it is committed; a rollback leaves the case's folder empty."""
    from django.db import transaction

    from workflow.services import attachment_add

    settings.ATTACHMENT_DIR = tmp_path
    petition = register_petition(net)
    upload = SimpleUploadedFile("来信.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    with pytest.raises(RuntimeError), transaction.atomic():
        attachment_add(actor=net.users["city_staff"], case=petition.case, upload=upload)
        raise RuntimeError("a later write of the same transaction fails")
    assert not Attachment.objects.filter(case=petition.case).exists()
    assert not (tmp_path / str(petition.case_id)).exists()
    assert [p.name for p in (tmp_path / "staging").iterdir()] != []  # left for the clean-up, not in the case


def test_a_notification_link_goes_only_to_a_page_of_this_site(net: Network) -> None:
    from core.models import Notification

    user = net.users["city_staff"]
    far = Notification.objects.create(user=user, key="far", title="x", url="//example.invalid/phish")
    near = Notification.objects.create(user=user, key="near", title="y", url="/tasks/")
    client = net.client("city_staff")
    assert client.get(f"/notifications/{far.pk}/")["Location"] == "/notifications/"
    assert client.get(f"/notifications/{near.pk}/")["Location"] == "/tasks/"
    far.refresh_from_db()
    assert far.read_at is not None
    assert net.client("town_staff").get(f"/notifications/{near.pk}/").status_code == 404


@pytest.mark.parametrize("year", ["abc", "99999", "10000", "-1", "75288", "１９９９x"])
def test_a_malformed_year_is_refused_at_its_field_not_with_a_500(net: Network, year: str) -> None:
    page = net.client("city_admin").get("/workflow/holidays/", {"year": year})
    assert page.status_code == 400 and "1949" in page.content.decode()
    api = net.api_client("city_admin").get("/api/v1/holidays", {"year": year})
    assert api.status_code == 400 and api.json()["error"]["fields"][0] == {
        **api.json()["error"]["fields"][0], "field": "year", "code": "bad_year"
    }  # fmt: skip


def test_a_year_in_range_lists_its_holidays(net: Network) -> None:
    days = net.api_client("town_staff").get("/api/v1/holidays", {"year": "2026"}).json()
    assert any(d["date"] == "2026-10-01" for d in days)
    assert net.client("city_admin").get("/workflow/holidays/?year=2026").status_code == 200


@pytest.mark.parametrize("pk", ["abc", "0", "-1", "18446744073709551616", "99999999999999999999999", "٣"])
def test_deleting_a_holiday_by_a_malformed_id_is_not_found(net: Network, pk: str) -> None:
    assert net.client("city_admin").post("/workflow/holidays/", {"delete": pk}).status_code == 404


@pytest.mark.parametrize("date", [0, 1700000000, 20261001.0, "1700000000", "20261001", True, None, [], {}])
def test_a_holiday_date_must_be_an_iso_string(net: Network, date: object) -> None:
    body = {"date": date, "kind": "holiday", "name": "某节"}
    response = net.api_client("city_admin").post("/api/v1/holidays", body, content_type="application/json")
    assert response.status_code in (400, 422), response.content
    assert response.json()["error"]["fields"][0]["field"] == "date"
    assert not Holiday.objects.filter(name="某节").exists()


def test_a_holiday_with_an_iso_date_is_added(net: Network) -> None:
    body = {"date": "2027-01-01", "kind": "holiday", "name": "某节"}
    response = net.api_client("city_admin").post("/api/v1/holidays", body, content_type="application/json")
    assert response.status_code == 201 and response.json()["date"] == "2027-01-01"


@pytest.mark.parametrize("day", ["0", "1700000000", "2026-13-01", "18446744073709551616"])
def test_deleting_a_holiday_by_a_number_is_not_found(net: Network, day: str) -> None:
    assert net.api_client("city_admin").delete(f"/api/v1/holidays/{day}").status_code == 404


def test_a_number_is_no_date_in_the_other_api_inputs(net: Network) -> None:
    client = net.api_client("city_admin")
    since = client.get("/api/v1/audit", {"since": "0"})
    assert since.status_code == 400 and since.json()["error"]["fields"][0]["field"] == "since"
    grid = net.grid.code
    leader = client.post(f"/api/v1/regions/{grid}/leaders", {"leader_name": "王五", "start_date": 0},
                         content_type="application/json")  # fmt: skip
    assert leader.status_code == 400 and leader.json()["error"]["fields"][0]["field"] == "start_date"
