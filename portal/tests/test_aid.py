"""Hardship aid applied for in the portal: the same service as the village station's, with the veteran's own
scope; the town checks it next. Through the page and the API (once per key)."""

from __future__ import annotations

import pytest

from aid.models import Application
from portal.tests.conftest import People
from portal.tests.test_api import opened
from portal.tests.test_pages import signed_in

pytestmark = pytest.mark.django_db


def test_a_veteran_applies_for_hardship_aid_and_the_town_checks_it(people: People,
                                                                   outbox: list[tuple[str, str]]) -> None:  # fmt: skip
    client, user = signed_in(people, outbox)
    body = {"need": "illness", "circumstances": "住院手术，自付部分较多", "requested": "3000.00"}
    assert client.post("/me/aid/", body).status_code == 302
    application = Application.objects.select_related("case").get()
    assert application.veteran_id == people.own.pk and application.case.created_by == user
    task = application.case.tasks.get(status="open")
    assert task.step == "check" and task.role == "town_staff"
    page = client.get("/me/aid/")
    assert application.case.number in page.content.decode() and page.context["applications"][0].step
    again = client.post("/me/aid/", body)  # one in progress at a time, said at the form
    assert again.status_code == 400 and Application.objects.count() == 1
    for bad in ({**body, "requested": "-1"}, {**body, "need": "x"}, {**body, "circumstances": ""}):
        assert client.post("/me/aid/", bad).status_code == 400, bad
    assert client.post(f"/me/aid/?for={people.other.pk}", body).status_code == 404


def test_the_api_applies_once_per_key(people: People, outbox: list[tuple[str, str]]) -> None:
    api = opened(people, outbox)
    body = {"need": "living", "circumstances": "失业在家", "requested": "2000"}
    first = api.post("/api/v1/me/aid", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="a1")
    again = api.post("/api/v1/me/aid", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="a1")
    assert (first.status_code, again.status_code) == (201, 200) and Application.objects.count() == 1
    assert api.get("/api/v1/me/aid").json()[0]["requested"] == "2000.00"
    correction = {"item": "phone", "right": "13900009999"}
    made = api.post("/api/v1/me/corrections", correction, content_type="application/json", HTTP_IDEMPOTENCY_KEY="c1")
    assert made.status_code == 201 and api.get("/api/v1/me/corrections").json()[0]["right"] == "13900009999"
