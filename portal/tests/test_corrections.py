"""A request to correct one's record (资料更正) on the kit: sent from the portal, checked by the town station,
answered and told to the veteran; nobody sends one for a record that is not theirs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.models import Notification
from portal.corrections import CorrectionInput, correction_request
from portal.models import Correction
from portal.tests.conftest import People
from portal.tests.test_pages import signed_in
from workflow.models import Task
from workflow.services import act

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_request_from_the_portal_is_answered_by_the_station_and_told(
    people: People, outbox: list[tuple[str, str]]
) -> None:
    client, user = signed_in(people, outbox)
    sent = client.post("/me/record/", {"item": "address", "wrong": "老地址", "right": "当湖街道东湖村5组12号"})
    assert sent.status_code == 302
    correction = Correction.objects.select_related("case").get()
    assert correction.case.veteran_id == people.own.pk and correction.case.created_by == user
    task = correction.case.tasks.get(status=Task.Status.OPEN)
    assert task.unit_code == people.net.danghu.code and task.role == "town_staff" and task.due_on is not None
    assert "当湖街道东湖村5组12号" in client.get("/me/record/").content.decode()
    staff = people.net.client("town_staff")
    page = staff.get(f"/me/station/corrections/{correction.case_id}/")
    assert page.status_code == 200 and f"/veterans/{people.own.pk}/edit/" in page.content.decode()
    assert (
        people.net.client("other_town_staff").get(f"/me/station/corrections/{correction.case_id}/").status_code == 404
    )
    act(actor=people.net.users["town_staff"], task=task, action="corrected", note="地址已更正")
    correction = Correction.objects.select_related("case").get()
    assert correction.answer == "地址已更正" and not correction.case.is_open
    told = Notification.objects.get(user=user, key__startswith="me.correction:")
    assert told.body == "地址已更正"


def test_nobody_asks_to_correct_a_record_not_theirs_and_bad_input_is_refused(
    people: People, outbox: list[tuple[str, str]]
) -> None:
    client, user = signed_in(people, outbox)
    with pytest.raises(ValidationError):
        correction_request(actor=user, veteran_id=people.other.pk, data=CorrectionInput("name", "李四"))
    with pytest.raises(ValidationError):
        correction_request(actor=people.net.users["town_staff"], veteran_id=people.own.pk,
                           data=CorrectionInput("name", "x"))  # fmt: skip
    for bad in ({"item": "nothing", "right": "x"}, {"item": "name", "right": ""}, {"item": "name", "right": "x" * 501}):
        assert client.post("/me/record/", bad).status_code == 400, bad
    assert client.post(f"/me/record/?for={people.other.pk}", {"item": "name", "right": "x"}).status_code == 404
    assert not Correction.objects.exists()
