"""The workflow mechanism, exercised through the petition process: actors, states, history, audit, refusals."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.testing import Network
from audit.models import AuditEntry
from core.errors import Conflict
from petitions.tests.helpers import drive, open_task, register_petition
from workflow.models import Case, CaseEvent, Task
from workflow.process import PROCESSES, Action, Move, Process, Step, register
from workflow.services import act, claim, may_act

pytestmark = pytest.mark.django_db


def snapshot(case: Case) -> tuple[int, int, int, list[tuple[int, str]]]:
    return (
        CaseEvent.objects.filter(case=case).count(),
        AuditEntry.objects.count(),
        Task.objects.filter(case=case).count(),
        list(Task.objects.filter(case=case).order_by("id").values_list("id", "status")),
    )


def test_registration_opens_the_case_at_acceptance_with_its_limit(net: Network) -> None:
    petition = register_petition(net)
    case = petition.case
    assert case.number.startswith("XF2026")
    done = case.tasks.get(step="register")
    assert done.status == "done" and done.completed_by == net.users["city_staff"]
    accept = open_task(petition, "accept")
    assert accept.due_on == dt.date(2026, 11, 17)  # received 2 November + 15 calendar days
    assert accept.role == "city_staff" and accept.unit_code == net.city.code
    assert AuditEntry.objects.filter(action="petition.open", object_id=str(case.pk)).exists()


def test_the_happy_path_ends_archived_with_history_and_audit(net: Network) -> None:
    petition = drive(net, register_petition(net))
    case = petition.case
    assert case.state == "done" and case.closed_at is not None
    assert petition.satisfaction == "satisfied"
    steps = list(case.tasks.order_by("id").values_list("step", "status"))
    assert steps == [("register", "done"), ("accept", "done"), ("assign", "done"), ("investigate", "done"),
                     ("decide", "done"), ("reply", "done"), ("follow_up", "done"), ("archive", "done")]  # fmt: skip
    actions = list(AuditEntry.objects.filter(object_id=str(case.pk), object_type="workflow.case")
                   .order_by("seq").values_list("action", flat=True))  # fmt: skip
    assert actions == ["petition.open", "petition.submit", "petition.accept", "petition.assign",
                       "petition.investigated", "petition.decide", "petition.reply", "petition.visited",
                       "petition.archive"]  # fmt: skip
    assert CaseEvent.objects.filter(case=case).count() == 9


def test_the_reply_is_due_60_days_after_acceptance(net: Network) -> None:
    petition = drive(net, register_petition(net), until="reply")
    accepted = dt.date.fromisoformat(petition.case.date("accepted"))
    assert open_task(petition, "reply").due_on == accepted + dt.timedelta(days=60)
    assert petition.case.tasks.get(step="assign").due_on is not None


@pytest.mark.parametrize("role", ["town_staff", "village_staff", "liaison", "auditor", "city_admin_other"])
def test_the_wrong_role_or_unit_is_refused_and_nothing_changes(net: Network, role: str) -> None:
    petition = drive(net, register_petition(net), until="investigate")
    task = open_task(petition, "investigate")  # the town of 当湖's step
    actor = net.users["other_town_staff"] if role == "city_admin_other" else net.users[role]
    if role == "town_staff":
        task = open_task(petition, "investigate")
        act(actor=actor, task=task, action="investigated", note="核实完毕")  # the right one may
        task = open_task(petition, "decide")
        actor = net.users["city_staff"]  # the bureau may not do the town's decision
    before = snapshot(petition.case)
    with pytest.raises(PermissionDenied) as refused:
        act(actor=actor, task=task, action=(task.step == "decide" and "decide") or "investigated", note="越权",
            data={"decision": "support"})  # fmt: skip
    assert "当湖街道" in str(refused.value)
    assert snapshot(petition.case) == before


def test_an_action_of_another_step_is_refused(net: Network) -> None:
    petition = register_petition(net)
    before = snapshot(petition.case)
    with pytest.raises(ValidationError) as refused:
        act(actor=net.users["city_staff"], task=open_task(petition, "accept"), action="archive")
    assert refused.value.code == "not_allowed"
    assert "受理" in refused.value.messages[0] or "Accept" in refused.value.messages[0]
    assert snapshot(petition.case) == before


def test_a_second_action_on_a_done_step_is_stale(net: Network) -> None:
    petition = register_petition(net)
    task = open_task(petition, "accept")
    act(actor=net.users["city_staff"], task=task, action="accept")
    before = snapshot(petition.case)
    with pytest.raises(Conflict) as stale:
        act(actor=net.users["city_admin"], task=task, action="accept")
    assert stale.value.code == "stale"
    assert "city_staff" in stale.value.messages[0]
    assert snapshot(petition.case) == before


def test_nothing_moves_on_a_closed_case(net: Network) -> None:
    petition = register_petition(net)
    task = open_task(petition, "accept")
    act(actor=net.users["city_staff"], task=task, action="not_accept", note="不属于本机关职责范围")
    petition.case.refresh_from_db()
    assert petition.case.state == "rejected"
    assert not petition.case.tasks.filter(status="open").exists()
    with pytest.raises(Conflict) as closed:
        act(actor=net.users["city_staff"], task=task, action="accept")
    assert closed.value.code in ("case_closed", "stale")


def test_a_reason_is_required_where_the_step_asks_for_one(net: Network) -> None:
    petition = register_petition(net)
    before = snapshot(petition.case)
    with pytest.raises(ValidationError) as refused:
        act(actor=net.users["city_staff"], task=open_task(petition, "accept"), action="not_accept", note=" ")
    assert refused.value.error_dict["note"][0].code == "note_required"
    assert snapshot(petition.case) == before


def test_a_failing_effect_leaves_nothing_half_written(net: Network) -> None:
    petition = drive(net, register_petition(net), until="assign")
    before = snapshot(petition.case)
    with pytest.raises(ValidationError) as refused:
        act(actor=net.users["city_staff"], task=open_task(petition, "assign"), action="assign", data={"unit": "999"})
    assert "unit" in refused.value.error_dict
    assert snapshot(petition.case) == before


def test_a_claimed_task_is_for_its_taker(net: Network) -> None:
    petition = register_petition(net)
    task = open_task(petition, "accept")
    claim(actor=net.users["city_staff"], task=task)
    with pytest.raises(PermissionDenied):
        act(actor=net.users["city_admin"], task=task, action="accept")
    act(actor=net.users["city_staff"], task=task, action="accept")


def test_return_for_correction_goes_back_to_the_declared_step(net: Network) -> None:
    petition = drive(net, register_petition(net), until="decide")
    act(actor=net.users["town_staff"], task=open_task(petition, "decide"), action="reinvestigate", note="证据不足")
    again = open_task(petition, "investigate")
    assert petition.case.tasks.filter(step="investigate").count() == 2
    assert petition.case.tasks.get(step="decide").status == "returned"
    assert may_act(net.users["town_staff"], again)


def test_parallel_branches_must_all_finish(net: Network) -> None:
    """A process of one parallel step then a closing step, declared here: the branches are its tasks."""
    from workflow.calendar import Limit
    from workflow.process import Branch
    from workflow.services import open_case

    def branches(case: Case) -> list[Branch]:
        return [
            Branch("a", "甲", "city_staff", (net.city.code, "")),
            Branch("b", "乙", "town_staff", (net.danghu.code, "")),
        ]

    process = register(Process(
        key="test_parallel", label="test", prefix="TP", owner_role="city_staff", view_capability="cases.view",
        steps=(Step("fan", "并联", "city_staff", lambda c: (c.owner_code, ""), branches=branches, then="end",
                    limit=Limit(3), actions=(Action("done", "完成", Move.FORWARD),
                                             Action("return", "退回", Move.RETURN, note_required=True))),
               Step("end", "办结", "city_staff", lambda c: (c.owner_code, ""),
                    actions=(Action("close", "办结", Move.CLOSE),))),
    ))  # fmt: skip
    try:
        case = open_case(actor=net.users["city_staff"], process=process, title="并联", region_code=net.danghu.code,
                         owner_code=net.city.code)  # fmt: skip
        a, b = case.tasks.order_by("branch")
        act(actor=net.users["city_staff"], task=a, action="done")
        assert not case.tasks.filter(step="end").exists()  # 乙 still open
        act(actor=net.users["town_staff"], task=b, action="return", note="材料不全")
        correction = case.tasks.get(kind="correction")
        assert correction.role == "city_staff" and correction.unit_code == net.city.code
        assert not case.tasks.filter(step="end").exists()
        act(actor=net.users["city_staff"], task=correction, action="resubmit")
        again = case.tasks.get(branch="b", status="open")
        act(actor=net.users["town_staff"], task=again, action="done")
        end = case.tasks.get(step="end")
        act(actor=net.users["city_staff"], task=end, action="close")
        case.refresh_from_db()
        assert case.state == "done"
    finally:
        PROCESSES.pop("test_parallel")


def test_parallel_branches_without_a_next_step_conclude_the_case(net: Network) -> None:
    from workflow.process import Branch
    from workflow.services import open_case

    process = register(Process(
        key="test_fan_only", label="test", prefix="TF", owner_role="city_staff", view_capability="cases.view",
        steps=(Step("fan", "并联", "city_staff", lambda c: (c.owner_code, ""),
                    branches=lambda c: [Branch("a", "甲", "city_staff", (net.city.code, ""))],
                    actions=(Action("done", "完成", Move.FORWARD),)),),
    ))  # fmt: skip
    try:
        case = open_case(actor=net.users["city_staff"], process=process, title="并联", region_code=net.danghu.code,
                         owner_code=net.city.code)  # fmt: skip
        act(actor=net.users["city_staff"], task=case.tasks.get(), action="done")
        case.refresh_from_db()
        assert case.state == "done"
    finally:
        PROCESSES.pop("test_fan_only")


def test_a_process_with_an_unknown_target_step_is_refused_at_declaration() -> None:
    with pytest.raises(ValueError):
        register(Process(key="broken", label="x", prefix="X", view_capability="cases.view", steps=(
            Step("a", "a", "city_staff", lambda c: ("", ""), actions=(Action("go", "go", Move.FORWARD, to="nowhere"),)),
        )))  # fmt: skip
    assert "broken" not in PROCESSES


@pytest.mark.django_db(transaction=True)
def test_two_people_on_the_same_step_at_once_one_wins(net: Network) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections need a server database")
    petition = register_petition(net)
    task = open_task(petition, "accept")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker(role: str) -> None:
        try:
            barrier.wait()
            act(actor=net.users[role], task=task.pk, action="accept")
            outcomes.append("won")
        except Conflict as exc:
            outcomes.append(exc.code or "")
        except BaseException as exc:  # report anything else to the main thread
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(role,)) for role in ("city_staff", "city_admin")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["stale", "won"]
    assert petition.case.tasks.filter(step="assign").count() == 1
    assert AuditEntry.objects.filter(action="petition.accept").count() == 1
