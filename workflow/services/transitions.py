"""Opening a case and every transition: each one transaction that locks the task and its case.

Two people acting on the same step at once: the second waits for the lock, then finds the step done
and is told so (``Conflict``).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import ACTS_AS
from audit.services import audit_record
from core import events
from core.errors import Conflict, invalid, lazy_format
from core.notify import notify
from core.permissions import require
from workflow.calendar import Limit
from workflow.fields import CONTROL_CHARACTERS, FieldContext, clean_inputs, dump_inputs
from workflow.models import Case, CaseEvent, CaseSequence, Task
from workflow.process import OPENED, Action, Branch, Context, Move, Process, Step
from workflow.registry import PROCESSES
from workflow.services.access import describe_actor, eligible_users, may_act
from workflow.services.deadlines import due_date, limit_of
from workflow.windows import refuse_by_windows

MAX_NOTE = 2000

#: The action a correction task offers: send the branch back to its department.
RESUBMIT = Action("resubmit", _("Corrected: send back"), Move.FORWARD)


def set_case_date(case: Case, name: str, value: dt.date) -> None:
    case.data.setdefault("dates", {})[name] = value.isoformat()


def _next_number(process: Process) -> str:
    year = timezone.localdate().year
    seq, _created = CaseSequence.objects.select_for_update().get_or_create(key=f"{process.key}:{year}")
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{process.prefix}{year}{seq.last:06d}"


def case_url(case: Case) -> str:
    process = PROCESSES[case.process]
    return reverse(process.url_name, args=[case.pk]) if process.url_name else ""


def task_url(task: Task) -> str:
    return reverse("workflow:task", args=[task.pk])


def record_event(case: Case, task: Task | None, actor: Any, action: str, label: Any, note: str = "") -> None:
    CaseEvent.objects.create(
        case=case,
        task=task,
        actor=actor if actor and actor.is_authenticated else None,
        action=action,
        label=str(label)[:120],
        note=note,
    )


@transaction.atomic
def open_case(
    *,
    actor: User,
    process: Process,
    title: str,
    region_code: str,
    owner_code: str,
    veteran: Any = None,
    parent: Case | None = None,
    data: dict[str, Any] | None = None,
    subject: dict[str, Any] | None = None,
    note: str = "",
    automatic: bool = False,
) -> Case:
    """A new case at the process's first step, with its subject (the process's own record, from ``subject``'s
    field values) created before the first step opens, all in one transaction.

    The actor needs the process's open capability, unless the case is ``automatic``: opened by the platform
    as the consequence of another write the actor was allowed to make (身后事 on a recorded death).
    """
    if not automatic:
        require(actor, process.open_capability or process.view_capability)
    if (subject is not None) != (process.subject is not None):
        raise ValueError(f"{process.key}: give the subject's values exactly when the process declares a subject")
    case = Case.objects.create(
        process=process.key,
        number=_next_number(process),
        title=title[:200],
        region_code=region_code,
        owner_code=owner_code,
        veteran=veteran,
        parent=parent,
        data=data or {},
        created_by=actor,
    )
    if process.subject is not None:
        case.subject = process.subject._default_manager.create(case=case, region_code=region_code, **(subject or {}))
    record_event(case, None, actor, "open", _("Case opened"), note)
    events.emit("case_opened", sender=Case, case=case, actor=actor, process=process.key)
    if process.subject is not None:
        events.emit(
            "subject_created", sender=process.subject, subject=case.subject, case=case, actor=actor, process=process.key
        )
    audit_record(
        actor=actor,
        action=f"{process.key}.open",
        obj=case,
        region_code=region_code,
        after={"number": case.number, "title": case.title, "process": process.key},
        reason=note,
    )
    _enter(case, process.start_step(case), actor)
    return case


def _new_task(
    case: Case,
    step: Step,
    *,
    label: str,
    role: str,
    unit: tuple[str, str],
    limit: Limit | None,
    actor: Any = None,
    branch: str = "",
    kind: str = Task.Kind.STEP,
    data: dict[str, Any] | None = None,
) -> Task:
    now = timezone.now()
    data = dict(data or {})
    if (branch or kind == Task.Kind.CORRECTION) and limit is not None:
        data["limit"] = [limit.days, limit.working]
    task = Task.objects.create(
        case=case,
        step=step.key,
        branch=branch,
        kind=kind,
        label=label[:120],
        role=role,
        unit_code=unit[0],
        department=unit[1],
        started_at=now,
        due_on=due_date(limit, case, timezone.localdate(now)),
        data=data,
    )
    if not step.notify:
        return task
    title = str(_("New task: %(task)s") % {"task": task.label})
    notify(
        [u for u in eligible_users(task) if actor is None or u.pk != actor.pk],
        key=f"task:{task.pk}:new",
        title=title,
        body=f"{case.number} {case.title}",
        url=task_url(task),
    )
    return task


def _enter(case: Case, step: Step, actor: Any) -> list[Task]:
    if step.branches is None:
        return [
            _new_task(
                case,
                step,
                label=str(step.label),
                role=step.role_for(case),
                unit=step.unit(case),
                limit=step.limit,
                actor=actor,
            )
        ]
    branches: list[Branch] = step.branches(case)
    if not branches:
        return _after_branches(case, step, actor, timezone.now())
    return [
        _new_task(
            case,
            step,
            label=b.label,
            role=b.role,
            unit=b.unit,
            limit=b.limit or step.limit,
            actor=actor,
            branch=b.key,
            data=b.data,
        )
        for b in branches
    ]


def actions_for(task: Task) -> tuple[Action, ...]:
    if task.kind == Task.Kind.CORRECTION:
        return (RESUBMIT,)
    return PROCESSES[task.case.process].step(task.step).actions


def brief(task: Task, user: Any) -> list[tuple[Any, str]]:
    """What the process says one must know to do this task (nothing when it declares no brief)."""
    process = PROCESSES[task.case.process]
    return process.brief(task, user) if process.brief else []


def outcome_label(task: Task) -> str:
    """What was done at the task, as its action's label ("" while open)."""
    if not task.outcome:
        return ""
    chosen = next((a for a in actions_for(task) if a.key == task.outcome), None)
    return str(chosen.label) if chosen else task.outcome


def _refuse_if_closed(case: Case) -> None:
    if not case.is_open:
        raise Conflict(
            _("Case %(number)s is closed (%(state)s); nothing more can be done on it."),
            code="case_closed",
            params={"number": case.number, "state": case.get_state_display()},
        )


def _clean_note(note: str, *, field: str, required: bool) -> str:
    note = (note or "").strip()
    if required and len(note) < 2:
        raise invalid(field, _("Write why (at least 2 characters)."), code="note_required")
    if len(note) > MAX_NOTE:
        raise invalid(
            field, _("At most %(max)d characters (this has %(n)d)."), code="too_long", max=MAX_NOTE, n=len(note)
        )
    if CONTROL_CHARACTERS.search(note):
        raise invalid(field, _("Write plain text (no control characters)."), code="not_text")
    return note


def refuse_unless_may_act(actor: Any, task: Task) -> None:
    """PermissionDenied, saying whose step it is, unless the actor may act on the task."""
    if not may_act(actor, task):
        raise PermissionDenied(
            lazy_format(_("This step is for %(who)s; you cannot act on it."), {"who": describe_actor(task)})
        )


def refuse_unless_actionable(actor: Any, case: Case, task: Task) -> None:
    """Whether the actor may act on (or take) the task at all, whatever the action: the case and the task
    are open, the task is for the actor's role and unit and not someone else's, and the maker-checker rule
    of its step holds."""
    _refuse_if_closed(case)
    if not task.is_open:
        who = task.completed_by.get_username() if task.completed_by else _("the system")
        when = timezone.localtime(task.completed_at).strftime("%Y-%m-%d %H:%M") if task.completed_at else ""
        raise Conflict(
            _("This step was already handled by %(who)s at %(when)s. Reload the page to see where the case is now."),
            code="stale",
            params={"who": who, "when": when},
        )
    refuse_unless_may_act(actor, task)
    if task.assignee_id and task.assignee_id != actor.pk and not task.escalated_to:
        raise PermissionDenied(
            lazy_format(_("%(name)s has taken this task; only they can act on it."), {"name": task.assignee})
        )
    refuse_same_actor(actor, case, task)


def earlier_actions(case: Case, steps: tuple[str, ...]) -> list[CaseEvent]:
    """The last action done at each of these steps of the case (one per branch of a parallel step);
    taking a task is not doing it, and a correction is the owner's, not the step's."""
    if not steps:
        return []
    done = (
        CaseEvent.objects.filter(case=case, task__step__in=steps, task__kind=Task.Kind.STEP, actor__isnull=False)
        .exclude(action="claim")
        .select_related("actor", "task")
        .order_by("-id")
    )
    latest: dict[tuple[str, str], CaseEvent] = {}
    for event in done:
        if event.task is not None:  # always, by the filter; the column may be empty for other events
            latest.setdefault((event.task.step, event.task.branch), event)
    return list(latest.values())


def refuse_same_actor(actor: Any, case: Case, task: Task) -> None:
    """Maker-checker: who did one of the step's ``differs_from`` steps may not do this one (nor take it)."""
    if task.kind != Task.Kind.STEP:
        return
    step = PROCESSES[case.process].step(task.step)
    if OPENED in step.differs_from and case.created_by_id is not None and case.created_by_id == actor.pk:
        raise invalid(
            None,
            _("You submitted this case; “%(step)s” must be done by someone else."),
            code="same_actor",
            step=task.label,
        )
    for event in earlier_actions(case, step.differs_from):
        if event.actor_id == actor.pk and event.task is not None:
            raise invalid(
                None,
                _("%(who)s did “%(earlier)s” on this case (%(when)s); “%(step)s” must be done by someone else."),
                code="same_actor",
                who=str(event.actor),
                earlier=event.task.label,
                when=timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M"),
                step=task.label,
            )


def chosen_action(task: Task, key: str) -> Action:
    chosen = next((a for a in actions_for(task) if a.key == key), None)
    if chosen is None:
        allowed = "、".join(str(a.label) for a in actions_for(task))
        raise invalid(
            None,
            _("'%(action)s' is not possible at the step %(step)s. Possible here: %(allowed)s."),
            code="not_allowed",
            action=key,
            step=task.label,
            allowed=allowed,
        )
    return chosen


@transaction.atomic
def act(*, actor: User, task: Task | int, action: str, note: str = "", data: dict[str, Any] | None = None) -> Task:
    """Do ``action`` on the task: the one service behind every button and API call of every process.

    In order: the task and its case are locked; the actor must be one who may act (role, unit, not
    the maker of a step this one checks); the action must be the step's and inside its windows; the
    note and every declared input are cleaned (by their kinds, at their fields); then the action's
    check, the task, the effect, the next tasks, the history and the audit entry. The domain events
    are sent once all of it has committed.
    """
    task_id = task.pk if isinstance(task, Task) else task
    try:
        locked = Task.objects.select_for_update().get(pk=task_id)
    except Task.DoesNotExist as exc:
        raise invalid(None, _("No such task."), code="no_task") from exc
    case = Case.objects.select_for_update().get(pk=locked.case_id)
    locked.case = case
    refuse_unless_actionable(actor, case, locked)
    process = PROCESSES[case.process]
    subject = _locked_subject(process, case)
    chosen = chosen_action(locked, action)
    refuse_by_windows(chosen, case, locked)
    note = _clean_note(note, field="note", required=chosen.note_required)
    inputs = clean_inputs(chosen.fields, data or {}, FieldContext(case=case, actor=actor))
    context = Context(case=case, task=locked, actor=actor, note=note, data=inputs, subject=subject)
    if chosen.check:
        chosen.check(context)
    now = timezone.now()
    if chosen.move != Move.SIDE:
        locked.status = Task.Status.RETURNED if chosen.move == Move.RETURN else Task.Status.DONE
        locked.outcome, locked.note, locked.completed_at, locked.completed_by = chosen.key, note, now, actor
        locked.save(update_fields=["status", "outcome", "note", "completed_at", "completed_by"])
    changed: dict[str, tuple[Any, Any]] = {}
    if chosen.effect:
        before = _columns(subject)
        chosen.effect(context)
        changed = _changes(before, _columns(subject))
        if changed:
            subject.save()
    _move(process, case, locked, chosen, actor, now)
    case.save(update_fields=["data", "state", "closed_at", "updated_at"])
    record_event(case, locked, actor, chosen.key, f"{locked.label}: {chosen.label}", note)
    audit_record(
        actor=actor,
        action=f"{process.key}.{chosen.key}",
        obj=case,
        region_code=case.region_code,
        after={
            "task": locked.pk,
            "step": locked.step,
            "branch": locked.branch,
            "state": case.state,
            **dump_inputs(chosen.fields, inputs),
        },
        reason=note,
    )
    _announce(process, case, locked, chosen, actor, subject, changed)
    return locked


def _columns(subject: Any) -> dict[str, Any]:
    if subject is None:
        return {}
    return copy.deepcopy({f.attname: getattr(subject, f.attname) for f in subject._meta.concrete_fields})


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {name: (before[name], value) for name, value in after.items() if before.get(name) != value}


def _announce(
    process: Process,
    case: Case,
    task: Task,
    action: Action,
    actor: Any,
    subject: Any,
    changed: dict[str, tuple[Any, Any]],
) -> None:
    """The domain events of one transition, sent on commit: the move, the subject's change, the close."""
    events.emit("case_moved", sender=Case, case=case, task=task, action=action.key, actor=actor, process=process.key)
    if changed:
        events.emit(
            "subject_changed",
            sender=type(subject),
            subject=subject,
            case=case,
            actor=actor,
            process=process.key,
            changed=changed,
        )
    if not case.is_open:
        events.emit("case_closed", sender=Case, case=case, state=case.state, actor=actor, process=process.key)


def _locked_subject(process: Process, case: Case) -> Any:
    """The case's subject, locked with it, and kept on the case so that the steps' units read the same object."""
    if process.subject is None:
        return None
    subject = process.subject._default_manager.select_for_update().get(case=case)
    case.subject = subject
    return subject


def _move(process: Process, case: Case, task: Task, action: Action, actor: Any, now: dt.datetime) -> None:
    step = process.step(task.step)
    if task.kind == Task.Kind.CORRECTION:
        returned = Task.objects.get(pk=task.data["returned_task"])
        limit = limit_of(process, returned)
        _new_task(
            case,
            step,
            label=returned.label,
            role=returned.role,
            unit=(returned.unit_code, returned.department),
            limit=limit,
            actor=actor,
            branch=returned.branch,
            data={k: v for k, v in returned.data.items() if k != "limit"},
        )
        return
    if action.move == Move.FORWARD:
        if task.branch:
            if not case.tasks.filter(step=task.step, status=Task.Status.OPEN).exists():
                _after_branches(case, step, actor, now)
        elif action.to:
            _enter(case, process.step(action.to), actor)
        else:
            _close(case, Case.State.DONE, now)
    elif action.move == Move.RETURN:
        if task.branch:
            _new_task(
                case,
                step,
                label=str(_("Correct and resend: %(task)s") % {"task": task.label}),
                role=case.data.get("owner_role") or process.owner_role,
                unit=(case.owner_code, ""),
                limit=limit_of(process, task),
                actor=actor,
                branch=task.branch,
                kind=Task.Kind.CORRECTION,
                data={"returned_task": task.pk},
            )
        else:
            _enter(case, process.step(action.to), actor)
    elif action.move == Move.SIDE:
        _enter(case, process.step(action.to), actor)
    elif action.move == Move.FINISH:
        pass
    else:
        state = {Move.REJECT: Case.State.REJECTED, Move.WITHDRAW: Case.State.WITHDRAWN}.get(
            action.move, Case.State.DONE
        )
        _close(case, state, now)


def _after_branches(case: Case, step: Step, actor: Any, now: dt.datetime) -> list[Task]:
    """Every branch is done: on to ``then``, or the case is concluded."""
    if step.then:
        return _enter(case, PROCESSES[case.process].step(step.then), actor)
    _close(case, Case.State.DONE, now)
    return []


def may_withdraw(user: Any, case: Case) -> bool:
    """The unit that owns the case (its role, or one covering it, in a unit containing the owner's) may withdraw it."""
    if not case.is_open or user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    owner_role = case.data.get("owner_role") or PROCESSES[case.process].owner_role
    prefix = user.scope_prefix
    return bool(prefix) and owner_role in ACTS_AS.get(user.role, frozenset()) and case.owner_code.startswith(prefix)


@transaction.atomic
def withdraw_case(*, actor: User, case: Case | int, reason: str) -> Case:
    """End a case under way at the applicant's request or because it was opened in error; open tasks are cancelled."""
    case_id = case.pk if isinstance(case, Case) else case
    locked = Case.objects.select_for_update().get(pk=case_id)
    _refuse_if_closed(locked)
    if not may_withdraw(actor, locked):
        raise PermissionDenied(_("Only the unit that owns the case may withdraw it."))
    reason = _clean_note(reason, field="reason", required=True)
    now = timezone.now()
    cancelled = list(locked.tasks.filter(status=Task.Status.OPEN).values_list("pk", flat=True))
    _close(locked, Case.State.WITHDRAWN, now)
    locked.save(update_fields=["state", "closed_at", "updated_at"])
    record_event(locked, None, actor, "withdraw", _("Case withdrawn"), reason)
    audit_record(
        actor=actor,
        action=f"{locked.process}.withdraw",
        obj=locked,
        region_code=locked.region_code,
        after={"state": locked.state, "cancelled_tasks": cancelled},
        reason=reason,
    )
    events.emit("case_closed", sender=Case, case=locked, state=locked.state, actor=actor, process=locked.process)
    return locked


def _close(case: Case, state: str, now: dt.datetime) -> None:
    case.tasks.filter(status=Task.Status.OPEN).update(status=Task.Status.CANCELLED, completed_at=now)
    case.state, case.closed_at = state, now


@transaction.atomic
def claim(*, actor: User, task: Task | int) -> Task:
    """Take a unit's task as one's own: colleagues then see who has it."""
    task_id = task.pk if isinstance(task, Task) else task
    locked = Task.objects.select_for_update().select_related("case").get(pk=task_id)
    refuse_unless_actionable(actor, locked.case, locked)
    if locked.assignee_id == actor.pk:
        return locked
    locked.assignee = actor
    locked.save(update_fields=["assignee"])
    record_event(locked.case, locked, actor, "claim", _("Taken by %(name)s") % {"name": actor})
    audit_record(
        actor=actor,
        action="task.claim",
        obj=locked.case,
        region_code=locked.case.region_code,
        after={"task": locked.pk},
    )
    return locked
