"""How a process is declared: its steps, who acts at each (role and unit), the moves allowed, the limits.

A module declares its process once and registers it::

    PETITION = register(Process(key="petition", label=_("Petition"), prefix="XF", steps=(...)))

The engine (``workflow.services``) does the rest: tasks, deadlines, history, audit, inboxes,
the overdue sweep and the statistics. A step with ``branches`` fans out to parallel tasks that
must all be done before the case moves to ``then`` (or, without ``then``, is concluded).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workflow.calendar import Limit
from workflow.registry import PROCESSES

if TYPE_CHECKING:
    from accounts.models import User
    from workflow.models import Case, CaseSubject, Task
    from workflow.windows import Window

#: (region code of the acting unit, department or "" for the bureau and its stations)
Unit = tuple[str, str]


class Move:
    """What an action does to the case."""

    FORWARD = "forward"  # this task is done; the case goes to ``to`` (or, in a branch, waits for the others)
    RETURN = "return"  # back for correction: to an earlier step, or (in a branch) to the case's owner
    REJECT = "reject"  # the case ends, not accepted
    WITHDRAW = "withdraw"  # the case ends at the applicant's request
    CLOSE = "close"  # the case ends, concluded
    SIDE = "side"  # this task stays open; a task of step ``to`` opens beside it (e.g. an approval)
    FINISH = "finish"  # this task is done and nothing else moves (the end of a side task)


#: In ``Step.differs_from``: the opening of the case, by whoever opened it.
OPENED = "open"


@dataclass(frozen=True)
class Context:
    """What an action's check and effect receive."""

    case: Case
    task: Task
    actor: User
    note: str
    data: dict[str, Any]
    #: the module's record of the case (``Process.subject``), locked with it; the engine saves it after the effect
    subject: Any = None


@dataclass(frozen=True)
class Field:
    """An input an action needs, of a kind registered in ``workflow.fields``: text, int, money, date,
    choice (with ``choices``), unit, department, veteran, file, or one a module registers."""

    name: str
    label: Any
    kind: str = "text"
    choices: tuple[tuple[str, Any], ...] = ()
    required: bool = True
    #: the largest value allowed, in the kind's own unit (fen for money)
    max_value: int | None = None


@dataclass(frozen=True)
class Action:
    key: str
    label: Any
    move: str
    to: str = ""
    note_required: bool = False
    #: input the action needs beyond the note, shown as a form and required in the API's ``data``
    fields: tuple[Field, ...] = ()
    #: raises ValidationError to refuse (a window that has passed, a missing fact)
    check: Callable[[Context], None] | None = None
    #: process-specific writes in the same transaction (case dates, letters)
    effect: Callable[[Context], None] | None = None
    danger: bool = False
    #: possible only while this window is open (an objection within 5 working days of the notice) …
    within: Window | None = None
    #: … or only once it has closed (a decision after the 公示 period)
    after: Window | None = None

    @property
    def bulk(self) -> bool:
        """Actions that need no input may be done on many tasks at once."""
        return not self.note_required and not self.fields and self.move in (Move.FORWARD, Move.FINISH, Move.CLOSE)


@dataclass(frozen=True)
class Branch:
    key: str
    label: str
    role: str
    unit: Unit
    limit: Limit | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    key: str
    label: Any
    #: the acting role, or a function of the case (a petition's handling unit decides who investigates)
    role: str | Callable[[Case], str]
    unit: Callable[[Case], Unit]
    actions: tuple[Action, ...]
    limit: Limit | None = None
    #: a parallel step: the branches for this case (each a task); when all are done the case goes to ``then``,
    #: or, when there is no ``then``, is concluded
    branches: Callable[[Case], list[Branch]] | None = None
    then: str = ""
    #: tell the acting unit when the step opens (not for a step its opener does at once, like registration)
    notify: bool = True
    #: maker-checker: whoever last acted at these earlier steps of the case may not act at this one;
    #: ``OPENED`` names the case's opening (who submitted a points entry does not approve it)
    differs_from: tuple[str, ...] = ()
    #: the person the case is about may take this step's actions themself, in their portal (their own account,
    #: or a family member's acting for them): a need's 回访 is answered by the veteran as well as asked by staff
    by_person: bool = False

    def role_for(self, case: Case) -> str:
        return self.role if isinstance(self.role, str) else self.role(case)

    def action(self, key: str) -> Action | None:
        return next((a for a in self.actions if a.key == key), None)


@dataclass(frozen=True)
class Process:
    key: str
    label: Any
    prefix: str
    steps: tuple[Step, ...]
    #: the unit that answers for the case: corrections of returned branches go to it
    owner_role: str = ""
    url_name: str = ""  # the page of one case, reversed with the case's pk
    #: what someone opening one task must know to do it, as (label, value) pairs: a petition's content for the
    #: unit that investigates it, a person's data for a department (only what the task needs)
    brief: Callable[[Task, User], list[tuple[Any, str]]] | None = None
    #: the module's own record of a case (a ``workflow.models.CaseSubject``), created with it
    subject: type[CaseSubject] | None = None
    #: the capability that shows this process's cases (with the region scope), and the one that opens them
    view_capability: str = ""
    open_capability: str = ""
    #: the step a new case starts at, chosen from the case and its subject (a deduction goes straight to the
    #: town); empty: the first step
    start: Callable[[Case], str] | None = None

    def capability(self, action: str) -> str:
        """The capability an action on this process's cases needs ("" when the process declares none)."""
        return {"view": self.view_capability, "open": self.open_capability}.get(action, "")

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(f"{self.key} has no step {key!r}")

    @property
    def first(self) -> Step:
        return self.steps[0]

    def start_step(self, case: Case) -> Step:
        """The step a new case enters: ``start``'s choice, or the first."""
        return self.step(self.start(case)) if self.start is not None else self.first


def register(process: Process) -> Process:
    keys = [s.key for s in process.steps]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{process.key}: step keys repeat")
    for step in process.steps:
        for action in step.actions:
            if action.move in (Move.FORWARD, Move.RETURN, Move.SIDE) and action.to and action.to not in keys:
                raise ValueError(f"{process.key}.{step.key}.{action.key}: unknown step {action.to!r}")
        if step.branches and step.then and step.then not in keys:
            raise ValueError(f"{process.key}.{step.key}: unknown step {step.then!r} after the branches")
        for earlier in step.differs_from:
            if earlier != OPENED and (earlier not in keys or earlier == step.key):
                raise ValueError(f"{process.key}.{step.key}: differs_from names {earlier!r}, not another step")
    if not process.view_capability:
        raise ValueError(f"{process.key}: declare the view capability that shows its cases")
    PROCESSES[process.key] = process
    return process


def audit_action_label(code: str) -> str | None:
    """The words for an audit action code a process's cases write (``audit.actions`` asks): ``<process>.<action>``."""
    from django.utils.translation import gettext

    key, _dot, suffix = code.partition(".")
    process = PROCESSES.get(key)
    if process is None:
        return None
    for step in process.steps:
        action = step.action(suffix)
        if action is not None:
            return gettext("%(process)s: %(action)s") % {"process": process.label, "action": action.label}
    if suffix == "open":
        return gettext("%(process)s: opened") % {"process": process.label}
    if suffix == "withdraw":
        return gettext("%(process)s: withdrawn") % {"process": process.label}
    return None


def audit_action_codes() -> list[str]:
    """Every audit action code the processes' cases write: ``<process>.open``, ``.withdraw`` and each action."""
    codes = []
    for process in PROCESSES.values():
        codes += [f"{process.key}.open", f"{process.key}.withdraw"]
        codes += [f"{process.key}.{action.key}" for step in process.steps for action in step.actions]
    return codes
