"""一件事 cases: a template fans out to departments in parallel; a liaison sees only its tasks and their data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.testing import TEST_PASSWORD, Network, UserFactory
from audit.models import AuditEntry
from cases.models import CaseTemplate, LifeCase
from cases.services import life_case_open
from veterans.services import veteran_mark_deceased
from veterans.tests.factories import register as register_veteran
from workflow.calendar import add_working_days
from workflow.models import Task
from workflow.services import act

pytestmark = pytest.mark.django_db


@pytest.fixture
def liaisons(net: Network) -> dict[str, object]:
    users = {"police": net.users["liaison"]}
    for dept in ("hrss", "medical_insurance", "armed_forces", "civil_affairs"):
        users[dept] = UserFactory(username=f"liaison_{dept}", role="liaison", scope_region=net.city, department=dept)
    return users


def open_reporting(net: Network, role: str = "town_staff") -> LifeCase:
    veteran = register_veteran(net.users["town_staff"], net.village, name="陈刚")
    return life_case_open(actor=net.users[role], veteran=veteran, stage="reporting")


def test_reporting_fans_out_to_the_bureau_and_four_departments(net: Network) -> None:
    life = open_reporting(net)
    tasks = list(life.case.tasks.order_by("id"))
    assert len(tasks) == 10 and all(t.status == "open" and t.step == "departments" for t in tasks)
    assert {t.department for t in tasks} == {"", "police", "hrss", "medical_insurance", "armed_forces"}
    town_task = next(t for t in tasks if t.label == "退役报到登记")
    assert (town_task.role, town_task.unit_code) == ("town_staff", net.danghu.code)
    police = [t for t in tasks if t.department == "police"]
    assert all(t.role == "liaison" and t.unit_code == net.city.code for t in police)
    assert life.case.owner_code == net.danghu.code and life.case.data["owner_role"] == "town_staff"
    assert life.statutory_due == add_working_days(timezone.localdate(), 30)


def test_a_liaison_sees_only_their_departments_tasks_and_the_data_those_need(net: Network, liaisons: dict) -> None:
    life = open_reporting(net)
    police = net.client("liaison")
    inbox = police.get("/tasks/").content.decode()
    assert "恢复户口登记" in inbox and "办理居民身份证" in inbox
    assert "社会保险登记" not in inbox and "退役报到登记" not in inbox
    hukou = life.case.tasks.get(label="恢复户口登记")
    page = police.get(f"/tasks/{hukou.pk}/").content.decode()
    assert "陈刚" in page and life.case.veteran.id_number_masked not in page  # the full number: the task needs it
    from core.crypto import decrypt

    assert decrypt(life.case.veteran.id_number_enc) in page
    assert "13800" not in page  # no phone: 恢复户口 does not need it
    assert AuditEntry.objects.filter(action="case.view_person", actor_username="liaison").count() == 1
    hrss_task = life.case.tasks.get(label="社会保险登记")
    assert police.get(f"/tasks/{hrss_task.pk}/").status_code == 404
    assert police.get(f"/life-cases/{life.case_id}/").status_code == 403
    assert police.get(f"/veterans/{life.case.veteran_id}/").status_code == 403
    api = net.api_client("liaison")
    listed = api.get("/api/v1/tasks").json()["items"]
    assert {t["label"] for t in listed} == {"恢复户口登记", "办理居民身份证"}
    assert api.get(f"/api/v1/cases/{life.case_id}").status_code == 404
    detail = api.get(f"/api/v1/tasks/{hukou.pk}").json()
    shown = {p["field"]: p["value"] for p in detail["person"]}
    assert shown["姓名"] == "陈刚" and shown["身份证号（完整）"] == decrypt(life.case.veteran.id_number_enc)
    assert "联系电话" not in shown and "电话" not in shown
    assert AuditEntry.objects.filter(action="case.view_person", actor_username="liaison").count() == 2
    assert api.get(f"/api/v1/tasks/{hrss_task.pk}").status_code == 404


def test_reporting_end_to_end_with_a_return_for_correction(net: Network, liaisons: dict) -> None:
    life = open_reporting(net)
    case = life.case
    hukou = case.tasks.get(label="恢复户口登记")
    act(actor=liaisons["police"], task=hukou, action="return", note="缺少退役证明复印件")
    correction = case.tasks.get(kind="correction")
    assert (correction.role, correction.unit_code) == ("town_staff", net.danghu.code)
    act(actor=net.users["town_staff"], task=correction, action="resubmit", note="已补充")
    tasks = list(case.tasks.filter(status="open", step="departments"))
    for task in tasks:
        actor = liaisons.get(task.department) if task.department else (
            net.users["town_staff"] if task.role == "town_staff" else net.users["city_staff"])  # fmt: skip
        case.refresh_from_db()
        assert case.state == "open"  # not before the last task
        act(actor=actor, task=task, action="done", note="已办结")
    case.refresh_from_db()
    assert case.state == "done" and case.closed_at is not None  # the last department's 办结 concludes it
    assert case.tasks.filter(label="恢复户口登记").count() == 2


def test_opening_refusals(net: Network) -> None:
    veteran = register_veteran(net.users["town_staff"], net.village, name="林强")
    other = register_veteran(net.users["other_town_staff"], net.other_village, name="外镇")
    actor = net.users["town_staff"]
    cases_before = LifeCase.objects.count()
    for kwargs, code in [
        ({"veteran": other, "stage": "reporting"}, "unknown_veteran"),
        ({"veteran": veteran, "stage": "nope"}, "bad_choice"),
        ({"veteran": veteran, "stage": "after_death"}, "not_deceased"),
    ]:
        with pytest.raises(ValidationError) as refused:
            life_case_open(actor=actor, **kwargs)
        assert [e.code for errs in refused.value.error_dict.values() for e in errs] == [code]
    life_case_open(actor=actor, veteran=veteran, stage="employment")
    with pytest.raises(ValidationError) as twice:
        life_case_open(actor=actor, veteran=veteran, stage="employment")
    assert twice.value.error_dict["stage"][0].code == "case_exists"
    CaseTemplate.objects.filter(stage="care").update(active=False)
    with pytest.raises(ValidationError):
        life_case_open(actor=actor, veteran=veteran, stage="care")
    assert LifeCase.objects.count() == cases_before + 1


def test_a_death_opens_the_after_death_case_by_itself(net: Network, liaisons: dict) -> None:
    veteran = register_veteran(net.users["town_staff"], net.village, name="老周")
    veteran_mark_deceased(actor=net.users["village_staff"], veteran=veteran, died_on=dt.date(2026, 11, 20))
    life = LifeCase.objects.get(case__veteran=veteran)
    assert life.stage == "after_death" and life.automatic
    assert life.case.owner_code == net.danghu.code
    labels = set(life.case.tasks.values_list("label", flat=True))
    assert labels == {
        "户口注销",
        "殡葬服务与补助",
        "丧葬补助金发放与养老金停发",
        "医疗保险注销",
        "停发待遇并结算、发放一次性抚恤金",
    }
    police_task = life.case.tasks.get(department="police")
    page = net.client("liaison").get(f"/tasks/{police_task.pk}/").content.decode()
    assert "2026-11-20" in page


def test_no_after_death_case_when_the_template_is_off(net: Network) -> None:
    CaseTemplate.objects.filter(stage="after_death").update(active=False)
    veteran = register_veteran(net.users["town_staff"], net.village, name="老吴")
    veteran_mark_deceased(actor=net.users["town_staff"], veteran=veteran, died_on=dt.date(2026, 11, 20))
    assert not LifeCase.objects.filter(case__veteran=veteran).exists()


def test_a_death_whose_after_death_case_fails_is_not_recorded_either(net: Network, monkeypatch: Any) -> None:
    """The transaction contract: the death and 身后事 commit together or not at all."""
    from cases import signals as case_signals
    from veterans.models import Veteran

    veteran = register_veteran(net.users["town_staff"], net.village, name="老郑")

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the case could not be opened")

    monkeypatch.setattr(case_signals, "open_after_death", broken)
    with pytest.raises(RuntimeError):
        veteran_mark_deceased(actor=net.users["town_staff"], veteran=veteran, died_on=dt.date(2026, 11, 20))
    assert Veteran.objects.get(pk=veteran.pk).status != "deceased"
    assert not LifeCase.objects.filter(case__veteran=veteran).exists()


def test_templates_are_edited_by_admins_and_open_cases_keep_their_tasks(net: Network) -> None:
    life = open_reporting(net)
    admin = net.client("city_admin")
    form = admin.get("/life-cases/templates/reporting/")
    assert form.status_code == 200 and "恢复户口登记" in form.content.decode()
    post = {
        "name": "退役报到", "limit_days": 20, "working_days": "on", "active": "on",
        "tasks-TOTAL_FORMS": 2, "tasks-INITIAL_FORMS": 0,
        "tasks-0-title": "报到登记", "tasks-0-department": "", "tasks-0-acting_level": "town", "tasks-0-limit_days": 5,
        "tasks-0-working_days": "on", "tasks-0-person_fields": ["name", "phone"],
        "tasks-1-title": "恢复户口", "tasks-1-department": "police", "tasks-1-acting_level": "city",
        "tasks-1-limit_days": 10, "tasks-1-person_fields": ["name", "id_number"],
    }  # fmt: skip
    assert admin.post("/life-cases/templates/reporting/", post).status_code == 302
    template = CaseTemplate.objects.get(stage="reporting")
    assert template.limit_days == 20 and [t.title for t in template.tasks.all()] == ["报到登记", "恢复户口"]
    assert template.tasks.get(title="恢复户口").fields == ["name", "id_number"]
    assert life.case.tasks.count() == 10  # the case under way is unchanged
    assert AuditEntry.objects.filter(action="case_template.update").count() == 1
    bad = admin.post("/life-cases/templates/reporting/", {**post, "tasks-1-limit_days": 0})
    assert bad.status_code == 400
    assert net.client("city_staff").get("/life-cases/templates/reporting/").status_code == 403
    api = net.api_client("city_admin")
    refused = api.put("/api/v1/life-case-templates/reporting", {"name": "x", "limit_days": 10, "tasks": [
        {"title": "甲", "department": "army", "limit_days": 5}, {"title": "", "limit_days": 400}]},
        content_type="application/json")  # fmt: skip
    assert refused.status_code == 400
    fields = {f["field"] for f in refused.json()["error"]["fields"]}
    assert fields == {"tasks.1", "tasks.2"}
    assert [t.title for t in CaseTemplate.objects.get(stage="reporting").tasks.all()] == ["报到登记", "恢复户口"]


def test_pages_and_api_open_and_show_a_case(net: Network) -> None:
    veteran = register_veteran(net.users["town_staff"], net.village, name="郑伟")
    client = net.client("town_staff")
    assert client.get(f"/life-cases/new/?veteran={veteran.pk}").status_code == 200
    bad = client.post("/life-cases/new/", {"veteran_id": veteran.pk, "stage": "after_death"})
    assert bad.status_code == 400
    done = client.post("/life-cases/new/", {"veteran_id": veteran.pk, "stage": "assistance"})
    assert done.status_code == 302
    life = LifeCase.objects.get(case__veteran=veteran)
    page = client.get(done["Location"]).content.decode()
    assert "困难情况走访核实" in page and life.case.number in page
    assert life.case.number in client.get("/life-cases/").content.decode()
    assert net.client("other_town_staff").get(done["Location"]).status_code == 404
    api = net.api_client("city_staff")
    created = api.post("/api/v1/life-cases", {"veteran_id": veteran.pk, "stage": "employment"},
                       content_type="application/json")  # fmt: skip
    assert created.status_code == 201
    body = created.json()
    assert body["stage"] == "employment" and len(body["case"]["tasks"]) == 4
    assert api.get(f"/api/v1/life-cases?veteran={veteran.pk}").json()["items"][0]["number"] == body["number"]
    assert net.api_client("other_town_staff").post("/api/v1/life-cases", {"veteran_id": veteran.pk, "stage": "care"},
                                                   content_type="application/json").status_code == 404  # fmt: skip
    assert len(api.get("/api/v1/life-case-templates").json()) == 5


def test_unit_inbox_for_a_liaison_and_bulk_done(net: Network, liaisons: dict) -> None:
    open_reporting(net)
    api = net.api_client("liaison")
    ids = [t["id"] for t in api.get("/api/v1/tasks?view=unit").json()["items"]]
    preview = api.post("/api/v1/tasks/bulk", {"tasks": ids, "action": "done"}, content_type="application/json")
    assert preview.status_code == 200 and all(line["ok"] for line in preview.json()["lines"])
    assert Task.objects.filter(pk__in=ids, status="open").count() == 2
    done = api.post("/api/v1/tasks/bulk", {"tasks": ids, "action": "done", "confirm": True},
                    content_type="application/json")  # fmt: skip
    assert done.json()["done"] == 2 and Task.objects.filter(pk__in=ids, status="done").count() == 2
    foreign = Task.objects.filter(department="hrss").values_list("pk", flat=True)[0]
    refused = api.post("/api/v1/tasks/bulk", {"tasks": [foreign], "action": "done"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["error"]["fields"][0]["code"] == "not_yours"


def test_reporting_driven_end_to_end_through_the_api(net: Network, liaisons: dict) -> None:
    veteran = register_veteran(net.users["town_staff"], net.village, name="退役甲")
    town = net.api_client("town_staff")
    opened = town.post("/api/v1/life-cases", {"veteran_id": veteran.pk, "stage": "reporting"},
                       content_type="application/json")  # fmt: skip
    assert opened.status_code == 201
    case_id = opened.json()["case_id"]
    clients = {"": {"town_staff": town, "city_staff": net.api_client("city_staff")}}
    for dept, user in liaisons.items():
        from django.test import Client

        body = {"username": user.username, "password": TEST_PASSWORD}
        token = Client().post("/api/v1/auth/token", body, content_type="application/json").json()["token"]
        clients[dept] = {"liaison": Client(HTTP_AUTHORIZATION=f"Bearer {token}")}
    for task in opened.json()["case"]["tasks"]:
        client = clients[task["department"]][task["role"]]
        mine = [t["id"] for t in client.get("/api/v1/tasks").json()["items"]]
        assert task["id"] in mine
        done = client.post(f"/api/v1/tasks/{task['id']}/act", {"action": "done", "note": "已办结"},
                           content_type="application/json")  # fmt: skip
        assert done.status_code == 200, done.content
    assert town.get(f"/api/v1/life-cases/{case_id}").json()["state"] == "done"


def test_reporting_driven_end_to_end_through_the_pages(net: Network, liaisons: dict) -> None:
    life = open_reporting(net)
    for task in life.case.tasks.filter(step="departments"):
        if task.department:
            client = net.client("liaison") if task.department == "police" else _client(liaisons[task.department])
        else:
            client = net.client(task.role)
        answer = client.post(f"/tasks/{task.pk}/act/", {"action": "done", f"t{task.pk}-done-note": "已办结"})
        assert answer.status_code == 302, answer.content.decode()[:500]
    life.case.refresh_from_db()
    assert life.case.state == "done"
    page = net.client("town_staff").get(f"/life-cases/{life.case_id}/").content.decode()
    assert "已办结" in page and 'id="withdraw"' not in page


def test_the_owning_unit_withdraws_a_case_and_its_open_tasks_are_cancelled(net: Network, liaisons: dict) -> None:
    life = open_reporting(net)
    url = f"/life-cases/{life.case_id}/"
    assert 'id="withdraw"' in net.client("town_staff").get(url).content.decode()
    assert 'id="withdraw"' not in net.client("city_staff").get(url).content.decode()  # not the owner's unit
    refused = net.client("city_staff").post(f"/cases/{life.case_id}/withdraw/", {"reason": "误开"})
    assert refused.status_code == 403
    life.case.refresh_from_db()
    assert life.case.state == "open"
    net.client("town_staff").post(f"/cases/{life.case_id}/withdraw/", {"reason": " "})
    life.case.refresh_from_db()
    assert life.case.state == "open"
    net.client("town_staff").post(f"/cases/{life.case_id}/withdraw/", {"reason": "本人申请撤回"})
    life.case.refresh_from_db()
    assert life.case.state == "withdrawn"
    assert not life.case.tasks.filter(status="open").exists()
    assert AuditEntry.objects.filter(action="life_event.withdraw", reason="本人申请撤回").count() == 1
    assert "恢复户口登记" not in net.client("liaison").get("/tasks/").content.decode()
    again = net.api_client("town_staff").post(f"/api/v1/cases/{life.case_id}/withdraw", {"reason": "再撤"},
                                              content_type="application/json")  # fmt: skip
    assert again.status_code == 409 and again.json()["error"]["code"] == "case_closed"


def _client(user: object) -> object:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
