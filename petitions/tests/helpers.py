"""Driving a petition through its steps in tests."""

from __future__ import annotations

from typing import Any

from accounts.testing import Network
from petitions.demo import drive as demo_drive
from petitions.models import Petition
from petitions.services import PetitionInput, petition_register
from workflow.models import Task


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
    return demo_drive(petition, net.users, net.danghu.code, until=until)
