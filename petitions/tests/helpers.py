"""Driving a petition through its steps in tests."""

from __future__ import annotations

from typing import Any

from core.testing import Network
from petitions.models import Petition
from petitions.services import PetitionInput, petition_register
from workflow.models import Task
from workflow.services import act

#: (step, role that acts, action, note, data) in the order of the procedure
HAPPY_PATH: list[tuple[str, str, str, str, dict[str, Any]]] = [
    ("accept", "city_staff", "accept", "", {}),
    ("assign", "city_staff", "assign", "", {"unit": "330482001000"}),
    ("investigate", "town_staff", "investigated", "走访核实，情况属实", {}),
    ("decide", "town_staff", "decide", "按政策予以解决", {"opinion": "support"}),
    ("reply", "city_staff", "reply", "经核实，您反映的问题已按政策解决。", {}),
    ("follow_up", "town_staff", "visited", "电话回访，本人表示满意", {"satisfaction": "satisfied"}),
    ("archive", "city_staff", "archive", "", {}),
]


def petition_input(net: Network, **overrides: Any) -> PetitionInput:
    values: dict[str, Any] = {
        "channel": "visit", "received_on": "2026-11-02", "subject": "benefits", "content": "反映优抚金未按时发放。",
        "petitioner_name": "李建国", "phone": "13800001234", "region_code": net.village.code,
    }  # fmt: skip
    values.update(overrides)
    return PetitionInput(**values)


def register_petition(net: Network, role: str = "city_staff", **overrides: Any) -> Petition:
    return petition_register(actor=net.users[role], data=petition_input(net, **overrides))


def open_task(petition: Petition, step: str) -> Task:
    return petition.case.tasks.get(step=step, status=Task.Status.OPEN)


def drive(net: Network, petition: Petition, until: str = "") -> Petition:
    """Do the happy path's steps in order, stopping before ``until`` (all of them when empty)."""
    for step, role, action, note, data in HAPPY_PATH:
        if step == until:
            break
        act(actor=net.users[role], task=open_task(petition, step), action=action, note=note, data=data)
    petition.refresh_from_db()
    petition.case.refresh_from_db()
    return petition
