"""The overdue sweep: marks once, notifies once, escalates after the grace, catches up after downtime."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from accounts.testing import Network, UserFactory
from audit.models import AuditEntry
from core.models import Notification
from petitions.tests.helpers import drive, open_task, register_petition
from workflow.models import CaseEvent
from workflow.services import sweep
from workflow.tasks import sweep_deadlines

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def test_nothing_is_overdue_on_its_due_day(net: Network) -> None:
    petition = register_petition(net)
    due = open_task(petition, "accept").due_on
    assert due == D("2026-11-17")
    assert sweep(today=due).marked == 0
    assert sweep(today=due + dt.timedelta(days=1)).marked == 1


def test_running_the_sweep_twice_marks_and_notifies_once(net: Network, django_capture_on_commit_callbacks) -> None:
    net.users["city_staff"].email = "staff@example.org"
    net.users["city_staff"].save()
    petition = register_petition(net)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = sweep(today=D("2026-11-18"))
    with django_capture_on_commit_callbacks(execute=True):
        second = sweep(today=D("2026-11-18"))
    assert (first.marked, second.marked) == (1, 0)
    task = open_task(petition, "accept")
    assert task.overdue_at is not None
    overdue = Notification.objects.filter(key=f"task:{task.pk}:overdue")
    # everyone who may act on the bureau's step: city staff and the city admin (who covers staff)
    assert sorted(overdue.values_list("user__username", flat=True)) == ["city_admin", "city_staff"]
    assert len([m for m in mail.outbox if "staff@example.org" in m.to]) == 1
    assert CaseEvent.objects.filter(case=petition.case, action="overdue").count() == 1
    assert AuditEntry.objects.filter(action="task.overdue").count() == 1


def test_a_taken_task_tells_only_its_taker(net: Network) -> None:
    from workflow.services import claim

    petition = register_petition(net)
    task = open_task(petition, "accept")
    claim(actor=net.users["city_admin"], task=task)
    sweep(today=D("2026-11-18"))
    assert list(
        Notification.objects.filter(key=f"task:{task.pk}:overdue").values_list("user__username", flat=True)
    ) == ["city_admin"]


def test_escalation_after_the_grace_goes_to_the_unit_above(net: Network, settings: object) -> None:
    petition = drive(net, register_petition(net), until="investigate")
    task = open_task(petition, "investigate")  # 当湖街道's step
    due = task.due_on
    assert sweep(today=due + dt.timedelta(days=3)).escalated == 0  # grace of 3 days not yet over
    result = sweep(today=due + dt.timedelta(days=4))
    assert result.escalated == 1
    task.refresh_from_db()
    assert task.escalated_to == net.city.code
    escalated = Notification.objects.filter(key=f"task:{task.pk}:escalated")
    assert set(escalated.values_list("user__username", flat=True)) == {"city_admin", "city_staff"}
    # the bureau may now act on the town's step
    from workflow.services import act

    act(actor=net.users["city_staff"], task=task, action="investigated", note="市局督办后核实完毕")
    assert sweep(today=due + dt.timedelta(days=5)).escalated == 0


def test_a_village_step_escalates_to_its_town() -> None:
    from workflow.models import Task
    from workflow.services import escalation_target

    assert escalation_target(Task(unit_code="330482001001", department="")) == "330482001000"
    assert escalation_target(Task(unit_code="330482001000", department="")) == "330482000000"
    assert escalation_target(Task(unit_code="330482000000", department="police")) == "330482000000"


def test_a_worker_that_was_down_catches_up(net: Network) -> None:
    """Steps that fell due while nothing ran are all marked (and escalated) on the first run after."""
    first = register_petition(net)
    second = register_petition(net, received_on="2026-10-01", petitioner_name="王五")
    result = sweep(today=D("2026-11-28"))
    assert result.marked == 2
    assert result.escalated == 2
    for petition in (first, second):
        assert open_task(petition, "accept").overdue_at is not None


@override_settings(WORKFLOW_ESCALATION_GRACE_DAYS=0)
def test_the_grace_is_configurable(net: Network) -> None:
    petition = register_petition(net)
    assert sweep(today=D("2026-11-18")).escalated == 1
    assert open_task(petition, "accept").escalated_to == net.city.code


def test_closed_cases_are_not_marked(net: Network) -> None:
    from workflow.services import act

    petition = register_petition(net)
    act(actor=net.users["city_staff"], task=open_task(petition, "accept"), action="withdraw", note="信访人撤回")
    assert sweep(today=D("2026-12-30")).marked == 0


def test_the_periodic_task_and_the_command_run_the_sweep(net: Network) -> None:
    register_petition(net)
    result = sweep_deadlines.enqueue()  # the immediate backend in tests; the database queue in production
    assert result.return_value == {"marked": 1, "escalated": 1}
    out = io.StringIO()
    call_command("sweep_deadlines", "--today", "2026-11-28", stdout=out)
    assert "marked overdue: 0" in out.getvalue()


@override_settings(NOTIFY_CHANNELS=["sms"], SMS_BACKEND="workflow.tests.test_sweep.RecordingSms")
def test_sms_goes_through_the_configured_backend(net: Network, django_capture_on_commit_callbacks) -> None:
    RecordingSms.sent.clear()
    user = net.users["city_staff"]
    user.phone = "13900001111"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        register_petition(net, role="city_admin")  # "new task" notice to the bureau's staff
    assert RecordingSms.sent
    assert any(phone == "13900001111" and "受理" in text for phone, text in RecordingSms.sent)


def test_an_inactive_user_is_not_notified(net: Network) -> None:
    UserFactory(username="gone", role="city_staff", scope_region=net.city, is_active=False)
    petition = register_petition(net, role="city_admin")
    task = open_task(petition, "accept")
    assert not Notification.objects.filter(key=f"task:{task.pk}:new", user__username="gone").exists()
    assert Notification.objects.filter(key=f"task:{task.pk}:new", user__username="city_staff").exists()


class RecordingSms:
    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))


class RecordingChannel:
    delivered: list[tuple[str, str]] = []

    def deliver(self, user: object, title: str, body: str, url: str) -> None:
        self.delivered.append((user.username, url))  # type: ignore[attr-defined]


@override_settings(NOTIFY_CHANNELS=["workflow.tests.test_sweep.RecordingChannel"])
def test_a_channel_is_any_class_named_in_the_settings(net: Network, django_capture_on_commit_callbacks) -> None:
    RecordingChannel.delivered.clear()
    with django_capture_on_commit_callbacks(execute=True):
        petition = register_petition(net, role="city_admin")
    assert RecordingChannel.delivered == [("city_staff", f"/tasks/{open_task(petition, 'accept').pk}/")]
