"""A veteran follows their petitions (信访) in the portal, with the step and its due date; the policies page shows
《老兵公约》 and the service standards read from the processes; a petition's move is told to the petitioner."""

from __future__ import annotations

import pytest
from django.test import Client

from core.models import Notification
from petitions.tests.helpers import drive, register_petition
from portal.tests.conftest import People
from portal.tests.test_pages import signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_veteran_follows_their_own_petition_and_no_one_elses(people: People,
                                                                 outbox: list[tuple[str, str]]) -> None:  # fmt: skip
    client, user = signed_in(people, outbox)
    mine = register_petition(people.net, veteran_id=people.own.pk, petitioner_name="张三丽")
    register_petition(people.net, veteran_id=people.other.pk, petitioner_name="李四", content="另一件事")
    page = client.get("/me/petitions/")
    rows = page.context["rows"]
    assert [r.petition.pk for r in rows] == [mine.pk] and rows[0].step and rows[0].due_on is not None
    assert mine.case.number in page.content.decode() and "另一件事" not in page.content.decode()
    assert client.get("/me/petitions/", {"for": people.other.pk}).status_code == 404
    drive(people.net, mine, until="reply")  # it moves on: the petitioner is told each time
    told = Notification.objects.filter(user=user, key__startswith="me.petition:")
    assert told.exists() and all(mine.case.number in n.title for n in told)


def test_the_policies_show_the_convention_and_each_procedures_time_limits() -> None:
    page = Client().get("/me/policies/")  # public: no sign-in needed
    html = page.content.decode()
    assert page.status_code == 200 and "老兵公约" in html
    standards = {str(s.process): s.steps for s in page.context["standards"]}
    assert standards and all(steps for steps in standards.values())
    assert any("工作日" in limit for steps in standards.values() for _label, limit in steps)
