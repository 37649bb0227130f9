"""Who may act on a task, who is told of it, and how its acting unit is named."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from accounts.models import User
from accounts.roles import ACTS_AS, SUPERVISOR_ROLES, Department, Role, roles_with
from core.errors import lazy_format
from core.scoping import OWN_CAPABILITY
from regions.models import PREFIX_LENGTH, Level, Region
from workflow.models import Task


def may_act(user: Any, task: Task) -> bool:
    """The task's role (or one that covers it) in a unit that contains the task's unit, same department;
    or a supervisor of the unit the task was escalated to."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.can(OWN_CAPABILITY):
        return person_may_act(user, task)
    prefix = user.scope_prefix
    if not prefix or not user.can("workflow.inbox"):
        return False
    supervisor = user.role in SUPERVISOR_ROLES and not user.department
    if task.escalated_to and supervisor and user.scope_region.code == task.escalated_to:
        return True
    if task.role not in ACTS_AS.get(user.role, frozenset()):
        return False
    if (task.department or "") != (user.department or ""):
        return False
    return task.unit_code.startswith(prefix)


def person_may_act(user: Any, task: Task) -> bool:
    """A veteran's own account (or one acting for them) at a step its process lets the person take
    (``Step.by_person``), of a case about a veteran the account represents."""
    from workflow.registry import PROCESSES

    case = task.case
    process = PROCESSES.get(case.process)
    step = next((s for s in process.steps if s.key == task.step), None) if process is not None else None
    if task.assignee_id and task.assignee_id != user.pk:  # a station member took it to ask the person themself
        return False
    return bool(step is not None and step.by_person and case.veteran_id in user.represented_ids())


def unit_prefixes(code: str) -> list[str]:
    """Every scope prefix that contains the unit: its code cut at each level's length (33, 3304, 330482, …).

    A user's scope prefix is their region's code cut at its level's length, so "the unit's code
    starts with the user's prefix" (``may_act``) is "the user's prefix is one of these".
    """
    return sorted({code[:n] for n in PREFIX_LENGTH.values() if n <= len(code)}, key=len)


def eligible_users(task: Task) -> list[User]:
    """Everyone who may act on the task as it stands (for notifications), in one query.

    The same people as ``may_act`` admits, found by the unit's prefixes in SQL: a new task at
    province scale must not load every user of its role across the deployment.
    """
    inbox = roles_with("workflow.inbox")
    covering = {role for role, covered in ACTS_AS.items() if task.role in covered}
    acting = Q(
        role__in=sorted(inbox & covering),
        department=task.department or "",
        scope_region__prefix__in=unit_prefixes(task.unit_code),
    )
    if task.escalated_to:
        acting |= Q(scope_region__code=task.escalated_to, role__in=sorted(inbox & SUPERVISOR_ROLES), department="")
    return list(User.objects.filter(acting, is_active=True).select_related("scope_region").order_by("pk"))


def region_names(codes: Iterable[str]) -> dict[str, str]:
    """The names of the regions with these codes, in one query (for a list that labels every row's unit).

    Many codes of one town (a page of a ranking, its villages and grids) are read as the town's range of the
    code index: PostgreSQL takes a long ``IN`` list for a filter over every region of a province (27,000 rows
    compared with each code, 8 ms), where the range is a few hundred rows."""
    wanted = set(codes) - {""}
    first, last = (min(wanted), max(wanted)) if len(wanted) > 8 else ("", "")
    common = first[: next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), len(first))]
    if len(common) >= PREFIX_LENGTH[Level.TOWN]:
        found = Region.objects.filter(code__startswith=common).values_list("code", "name")
        return {code: name for code, name in found if code in wanted}
    return dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))


def _region_name(code: str, names: dict[str, str] | None) -> str:
    if names is None:
        names = region_names([code])
    return names.get(code) or code


def unit_label(code: str, department: str = "", names: dict[str, str] | None = None) -> str:
    name = _region_name(code, names)
    if department:
        return f"{name} · {Department(department).label}"
    return str(name)


def describe_actor(task: Task, names: dict[str, str] | None = None) -> str:
    """The unit and role a task is for, translated when shown (``names``: from ``region_names`` for a list)."""
    name = _region_name(task.unit_code, names)
    if task.department:
        return lazy_format(
            "%(unit)s · %(department)s · %(role)s",
            {"unit": name, "role": Role(task.role).label, "department": Department(task.department).label},
        )
    return lazy_format("%(unit)s · %(role)s", {"unit": name, "role": Role(task.role).label})
