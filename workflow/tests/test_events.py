"""Domain events: told once after the commit, never after a rollback, to subscribers of the engine's events."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.roles import Role
from accounts.testing import Network, UserFactory, build_network
from core import events
from example.models import ExampleClaim
from example.process import EXAMPLE_CLAIM
from workflow.models import Case, Task
from workflow.services import act, open_case, withdraw_case

NAMES = ("case_opened", "case_moved", "case_closed", "subject_created", "subject_changed")


class Heard:
    """A subscriber of every engine event: what it was told, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def names(self) -> list[str]:
        return [name for name, _payload in self.events]

    def payload(self, name: str) -> dict[str, Any]:
        (found,) = [p for n, p in self.events if n == name]
        return found


@pytest.fixture
def heard() -> Iterator[Heard]:
    listener = Heard()
    handlers = []
    for name in NAMES:

        def handler(_name: str = name, **payload: Any) -> None:
            listener.events.append((_name, payload))

        handler.__qualname__ = f"heard_{name}"
        events.subscribe(name)(handler)
        handlers.append((name, handler))
    yield listener
    for name, handler in handlers:
        assert events.unsubscribe(name, handler)


def open_claim(net: Network) -> Case:
    return open_case(actor=net.users["town_staff"], process=EXAMPLE_CLAIM, title="报销", region_code=net.village.code,
                     owner_code=net.danghu.code, subject={})  # fmt: skip


def task_at(case: Case, step: str) -> Task:
    return case.tasks.get(step=step, status=Task.Status.OPEN)


@pytest.mark.django_db
def test_opening_a_case_tells_of_the_case_and_its_subject_once_after_commit(
    net: Network, heard: Heard, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = open_claim(net)
        assert heard.events == []  # nothing before the commit
    assert heard.names() == ["case_opened", "subject_created"]
    opened = heard.payload("case_opened")
    assert (
        opened["case"] == case and opened["process"] == "example_claim" and opened["actor"] == net.users["town_staff"]
    )
    assert isinstance(heard.payload("subject_created")["subject"], ExampleClaim)


@pytest.mark.django_db
def test_an_action_tells_of_the_move_and_of_what_changed_in_the_subject(
    net: Network, heard: Heard, django_capture_on_commit_callbacks: Any
) -> None:
    case = open_claim(net)
    with django_capture_on_commit_callbacks(execute=True):
        act(actor=net.users["town_staff"], task=task_at(case, "prepare"), action="submit",
            data={"amount": "12.30", "incurred_on": "2026-11-02"})  # fmt: skip
    assert heard.names() == ["case_moved", "subject_changed"]
    moved = heard.payload("case_moved")
    assert moved["action"] == "submit" and moved["task"].step == "prepare" and moved["case"] == case
    changed = heard.payload("subject_changed")["changed"]
    assert set(changed) == {"amount_fen", "incurred_on"} and changed["amount_fen"] == (None, 1230)


@pytest.mark.django_db
def test_an_action_that_changes_nothing_in_the_subject_tells_only_of_the_move(
    net: Network, heard: Heard, django_capture_on_commit_callbacks: Any
) -> None:
    checker = UserFactory(username="town_checker", role=Role.TOWN_STAFF, scope_region=net.danghu)
    case = open_claim(net)
    act(actor=net.users["town_staff"], task=task_at(case, "prepare"), action="submit",
        data={"amount": "12.30", "incurred_on": "2026-11-02"})  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        act(actor=checker, task=task_at(case, "check"), action="publish")  # sets a case date, not the subject
    assert heard.names() == ["case_moved"]


@pytest.mark.django_db
def test_closing_and_withdrawing_tell_of_the_close_with_its_state(
    net: Network, heard: Heard, django_capture_on_commit_callbacks: Any
) -> None:
    from petitions.tests.helpers import open_task, register_petition

    petition = register_petition(net)
    with django_capture_on_commit_callbacks(execute=True):
        act(
            actor=net.users["city_staff"],
            task=open_task(petition, "accept"),
            action="not_accept",
            note="不属于职责范围",
        )
    assert heard.names() == ["case_moved", "case_closed"]  # the refusal's date is the case's, not the petition's
    assert heard.payload("case_closed")["state"] == Case.State.REJECTED
    heard.events.clear()
    case = open_claim(net)
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_case(actor=net.users["town_staff"], case=case, reason="申请人撤回")
    assert heard.names() == ["case_closed"]
    assert heard.payload("case_closed")["state"] == Case.State.WITHDRAWN


@pytest.mark.django_db
def test_nothing_is_told_of_a_write_that_was_rolled_back(
    net: Network, heard: Heard, django_capture_on_commit_callbacks: Any
) -> None:
    case = open_claim(net)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            open_claim(net)
            raise RuntimeError("the caller's transaction fails after the case was opened")
        with pytest.raises(ValidationError):  # refused inside act's own transaction
            act(actor=net.users["town_staff"], task=task_at(case, "prepare"), action="submit", data={"amount": "-1"})
    assert heard.events == [] and callbacks == []


@pytest.mark.django_db
def test_a_subscriber_for_one_process_hears_only_its_cases(
    net: Network, django_capture_on_commit_callbacks: Any
) -> None:
    from petitions.tests.helpers import register_petition

    told: list[str] = []

    @events.subscribe("case_opened", process="petition")
    def petitions_only(*, case: Case, **payload: Any) -> None:
        told.append(case.process)

    try:
        with django_capture_on_commit_callbacks(execute=True):
            open_claim(net)
            register_petition(net)
        assert told == ["petition"]
    finally:
        events.unsubscribe("case_opened", petitions_only)


@pytest.mark.django_db
def test_a_failing_subscriber_is_logged_and_the_others_still_hear(
    net: Network, heard: Heard, django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    @events.subscribe("case_opened")
    def broken(**payload: Any) -> None:
        raise RuntimeError("the cockpit's table is locked")

    try:
        with caplog.at_level(logging.ERROR, logger="django.dispatch"), django_capture_on_commit_callbacks(execute=True):
            case = open_claim(net)
        assert "case_opened" in heard.names()
        assert any("broken" in r.getMessage() and r.exc_info for r in caplog.records)
        assert Case.objects.filter(pk=case.pk).exists()  # the write stays committed
    finally:
        events.unsubscribe("case_opened", broken)


def test_subscribing_twice_is_one_subscription_and_an_unknown_event_is_refused() -> None:
    told: list[int] = []

    def once(**payload: Any) -> None:
        told.append(1)

    events.subscribe("case_moved")(once)
    events.subscribe("case_moved")(once)
    try:
        events.case_moved.send(sender=Case, case=None, process="x")
        assert told == [1]
    finally:
        assert events.unsubscribe("case_moved", once)
    with pytest.raises(ValueError, match="no event"):
        events.subscribe("case_teleported")
    with pytest.raises(ValueError, match="already declared"):
        events.declare("case_opened")


@pytest.mark.django_db(transaction=True)
def test_with_real_transactions_a_commit_is_told_and_a_rollback_is_not(heard: Heard) -> None:
    net = build_network()
    case = open_claim(net)  # autocommit: its own transaction, committed
    assert heard.names() == ["case_opened", "subject_created"]
    heard.events.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        act(actor=net.users["town_staff"], task=task_at(case, "prepare"), action="submit",
            data={"amount": "5", "incurred_on": "2026-11-02"})  # fmt: skip
        raise RuntimeError("rolled back")
    assert heard.events == []
    assert task_at(case, "prepare").is_open
    with transaction.atomic():
        act(actor=net.users["town_staff"], task=task_at(case, "prepare"), action="submit",
            data={"amount": "5", "incurred_on": "2026-11-02"})  # fmt: skip
        assert heard.events == []  # not yet: the outer transaction is still open
    assert heard.names() == ["case_moved", "subject_changed"]
