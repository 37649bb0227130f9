"""Needs from the portal: the veteran (or a family member acting for them) raises one, their station resolves it
through the kit, and the veteran answers the 回访 themself — through the same services as the stations use."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts.models import User
from care.models import Need, NeedSource, Satisfaction
from care.services import need_followup_answer
from care.tests.helpers import do, open_task
from portal.tests.conftest import People, last_code
from portal.tests.test_pages import signed_in
from workflow.models import Case

pytestmark = pytest.mark.django_db


def raised(client: Client, text: str = "屋顶漏雨，想请人修一下") -> Need:
    page = client.post("/me/needs/", {"category": "housing", "description": text})
    assert page.status_code == 302, page.content.decode()[:2000]
    return Need.objects.select_related("case").get(description=text)


def test_a_need_raised_in_the_portal_is_resolved_by_the_station_and_answered_by_the_veteran(
    people: People, outbox: list[tuple[str, str]]
) -> None:
    client, user = signed_in(people, outbox)
    need = raised(client)
    assert need.source == NeedSource.VETERAN and need.case.veteran_id == people.own.pk
    assert need.case.created_by == user
    page = client.get("/me/needs/").content.decode()
    assert "屋顶漏雨" in page and "办理" in page  # where it stands
    assert client.get("/me/").context["open_needs"] == 1

    need = do(people.net.users["town_staff"], need, "resolve", "已联系施工队修好")
    rows = client.get("/me/needs/").context["rows"]
    assert rows[0].followup is not None and client.get("/me/").context["followups"] == 1
    task = rows[0].followup.pk
    form = client.get("/me/needs/").content.decode()
    assert f'name="task" value="{task}"' in form and f'name="f{task}-rating"' in form  # what the page posts
    missing = client.post("/me/needs/", {"task": task, f"f{task}-task": task, f"f{task}-rating": "dissatisfied"})
    assert missing.status_code == 400  # not satisfied: say why
    done = client.post("/me/needs/", {"task": task, f"f{task}-task": task, f"f{task}-rating": Satisfaction.VERY})
    assert done.status_code == 302
    need = Need.objects.select_related("case").get(pk=need.pk)
    assert need.satisfaction == Satisfaction.VERY and need.case.state == Case.State.DONE


def test_not_satisfied_reopens_the_need_with_the_veterans_words(people: People, outbox: list[tuple[str, str]]) -> None:
    client, user = signed_in(people, outbox)
    need = do(people.net.users["town_staff"], raised(client), "resolve", "已处理")
    need_followup_answer(actor=user, task_id=open_task(need).pk, rating="dissatisfied", words="还是漏雨")
    need = Need.objects.select_related("case").get(pk=need.pk)
    assert need.reopened == 1 and need.satisfaction == Satisfaction.DISSATISFIED
    assert open_task(need).step == "handle"  # back with the unit that handled it


def test_nobody_answers_another_veterans_followup(people: People, outbox: list[tuple[str, str]]) -> None:
    client, _user = signed_in(people, outbox)
    other_client, other_user = signed_in(people, outbox, people.other)
    theirs = do(people.net.users["town_staff"], raised(other_client, "想找份工作"), "resolve", "已推荐岗位")
    task = open_task(theirs).pk
    assert client.post("/me/needs/", {"task": task, f"f{task}-task": task,
                                      f"f{task}-rating": "very"}).status_code == 404  # fmt: skip
    own = User.objects.get(veteran=people.own)
    with pytest.raises(PermissionDenied):
        need_followup_answer(actor=own, task_id=task, rating="very")
    # nor a step that is not the person's: the handling is the station's
    mine = raised(client, "看病报销问题")
    with pytest.raises(PermissionDenied):
        need_followup_answer(actor=own, task_id=open_task(mine).pk, rating="very")
    assert other_user.pk != own.pk


def test_a_family_member_raises_a_need_for_the_veteran(people: People, outbox: list[tuple[str, str]]) -> None:
    client, _user = signed_in(people, outbox)
    client.post("/me/family/", {"name": "张小丽", "phone": "13700007777", "relation": "child"})

    family = Client()
    family.post("/me/sign-in/", {"phone": "13700007777"})
    family.post("/me/sign-in/", {"phone": "13700007777", "code": last_code(outbox, "13700007777")})
    need = raised(family, "想申请困难帮扶")
    assert need.case.veteran_id == people.own.pk and need.source == NeedSource.VETERAN
    assert family.post("/me/needs/", {"category": "other", "description": "x"}, QUERY_STRING=f"for={people.other.pk}"
                       ).status_code == 404  # fmt: skip
    refused: Any = family.post("/me/needs/", {"category": "nothing", "description": ""})
    assert refused.status_code == 400
