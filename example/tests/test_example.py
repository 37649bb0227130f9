"""The example process of docs/workflow.md, run end to end: money in fen, maker-checker, the 公示 window."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.testing import Network, UserFactory
from example.models import ExampleClaim
from example.process import EXAMPLE_CLAIM
from workflow.models import Case, Task
from workflow.services import act, bulk_act, bulk_preview, claim, open_case, set_case_date
from workflow.windows import span

pytestmark = pytest.mark.django_db

GOOD = {"amount": "1280.50", "incurred_on": "2026-11-02"}


@pytest.fixture
def checker(net: Network) -> User:
    """A second member of the 当湖 station: the maker-checker rule needs two people."""
    return UserFactory(username="town_checker", role=Role.TOWN_STAFF, scope_region=net.danghu)


def open_claim(net: Network, title: str = "医疗费用报销") -> Case:
    return open_case(actor=net.users["town_staff"], process=EXAMPLE_CLAIM, title=title, region_code=net.village.code,
                     owner_code=net.danghu.code, subject={})  # fmt: skip


def task_at(case: Case, step: str) -> Task:
    return case.tasks.get(step=step, status=Task.Status.OPEN)


def prepared(net: Network, title: str = "医疗费用报销") -> Case:
    case = open_claim(net, title)
    act(actor=net.users["town_staff"], task=task_at(case, "prepare"), action="submit", data=GOOD)
    return case


def published(net: Network, checker: User, days_ago: int = 0) -> Case:
    """A claim whose notice was published ``days_ago`` days ago."""
    case = prepared(net)
    act(actor=checker, task=task_at(case, "check"), action="publish")
    case.refresh_from_db()
    if days_ago:
        set_case_date(case, "notice", timezone.localdate() - dt.timedelta(days=days_ago))
        case.save(update_fields=["data"])
    return case


def test_a_claim_goes_from_preparation_through_the_notice_to_approval(net: Network, checker: User) -> None:
    case = prepared(net)
    subject = ExampleClaim.objects.get(case=case)
    assert subject.amount_fen == 128050 and subject.incurred_on == dt.date(2026, 11, 2)
    assert subject.region_code == net.village.code
    act(actor=checker, task=task_at(case, "check"), action="publish")
    case.refresh_from_db()
    assert case.date("notice") == timezone.localdate().isoformat()
    set_case_date(case, "notice", timezone.localdate() - dt.timedelta(days=30))
    case.save(update_fields=["data"])
    act(actor=checker, task=task_at(case, "notice"), action="confirm")
    case.refresh_from_db()
    subject.refresh_from_db()
    assert case.state == Case.State.DONE and subject.approved


def test_the_task_page_shows_the_amount_and_the_date_inputs(net: Network) -> None:
    case = open_claim(net)
    page = net.client("town_staff").get(f"/tasks/{task_at(case, 'prepare').pk}/").content.decode()
    assert 'type="date"' in page and "-submit-amount" in page


# --- maker-checker ----------------------------------------------------------------------------------


def test_whoever_prepared_a_claim_may_not_check_it(net: Network, checker: User) -> None:
    case = prepared(net)
    check = task_at(case, "check")
    with pytest.raises(ValidationError) as refused:
        act(actor=net.users["town_staff"], task=check, action="publish")
    assert refused.value.code == "same_actor"
    assert "town_staff" in refused.value.messages[0]
    assert case.tasks.get(step="prepare").label in refused.value.messages[0]
    check.refresh_from_db()
    assert check.is_open
    act(actor=checker, task=check, action="publish")


def test_after_a_correction_the_last_preparer_is_the_one_who_may_not_check(net: Network, checker: User) -> None:
    case = prepared(net)
    act(actor=checker, task=task_at(case, "check"), action="back", note="金额与票据不符")
    act(actor=checker, task=task_at(case, "prepare"), action="submit", data={**GOOD, "amount": "1200"})
    with pytest.raises(ValidationError) as refused:
        act(actor=checker, task=task_at(case, "check"), action="publish")
    assert refused.value.code == "same_actor" and "town_checker" in refused.value.messages[0]
    act(actor=net.users["town_staff"], task=task_at(case, "check"), action="publish")


def test_the_preparer_may_not_take_the_check_to_block_it(net: Network) -> None:
    case = prepared(net)
    with pytest.raises(ValidationError) as refused:
        claim(actor=net.users["town_staff"], task=task_at(case, "check"))
    assert refused.value.code == "same_actor"
    assert task_at(case, "check").assignee is None


def test_the_bulk_preview_and_the_bulk_action_refuse_the_preparer(net: Network, checker: User) -> None:
    first, second = prepared(net, "甲"), prepared(net, "乙")
    checks = [task_at(first, "check"), task_at(second, "check")]
    lines = bulk_preview(actor=net.users["town_staff"], tasks=checks, action="publish")
    assert [line.ok for line in lines] == [False, False]
    assert "town_staff" in lines[0].message
    with pytest.raises(ValidationError) as refused:
        bulk_act(actor=net.users["town_staff"], task_ids=[t.pk for t in checks], action="publish")
    assert refused.value.code == "same_actor"
    assert Task.objects.filter(pk__in=[t.pk for t in checks], status=Task.Status.OPEN).count() == 2
    assert [line.ok for line in bulk_preview(actor=checker, tasks=checks, action="publish")] == [True, True]
    assert bulk_act(actor=checker, task_ids=[t.pk for t in checks], action="publish") == 2


def test_the_api_refuses_the_preparer_with_the_code_and_both_languages(net: Network) -> None:
    case = prepared(net)
    response = net.client("town_staff").post(
        f"/api/v1/tasks/{task_at(case, 'check').pk}/act", json.dumps({"action": "publish"}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "same_actor"
    assert "town_staff" in error["message"] and "someone else" in error["message_en"]
    assert "另一人" in error["message"]


# --- the 公示 window ---------------------------------------------------------------------------------


def test_an_objection_is_heard_while_the_notice_runs(net: Network, checker: User) -> None:
    case = published(net, checker, days_ago=1)
    act(actor=checker, task=task_at(case, "notice"), action="object", note="邻居反映费用已由保险报销")
    assert ExampleClaim.objects.get(case=case).objections == 1
    assert task_at(case, "prepare")  # back for preparation


def test_an_objection_after_the_notice_closed_is_refused_naming_its_dates(net: Network, checker: User) -> None:
    case = published(net, checker, days_ago=30)
    dates = span(EXAMPLE_CLAIM.step("notice").actions[0].within, case, task_at(case, "notice"))  # type: ignore[arg-type]
    assert dates is not None
    with pytest.raises(ValidationError) as refused:
        act(actor=checker, task=task_at(case, "notice"), action="object", note="太晚了")
    assert refused.value.code == "notice_late"
    message = refused.value.messages[0]
    assert dates.opens.isoformat() in message and dates.closes.isoformat() in message
    assert "公示" in message and "5" in message


def test_the_claim_is_confirmed_only_after_the_notice_closed(net: Network, checker: User) -> None:
    case = published(net, checker)
    with pytest.raises(ValidationError) as refused:
        act(actor=checker, task=task_at(case, "notice"), action="confirm")
    assert refused.value.code == "notice_not_over"
    assert timezone.localdate().isoformat() in refused.value.messages[0]
    lines = bulk_preview(actor=checker, tasks=[task_at(case, "notice")], action="confirm")
    assert not lines[0].ok and "公示" in lines[0].message
    assert not ExampleClaim.objects.get(case=case).approved
