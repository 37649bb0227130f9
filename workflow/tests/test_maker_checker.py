"""Maker-checker on the petition procedure: the extension is approved by someone other than who asked for it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from accounts.testing import Network, UserFactory
from petitions.models import Petition
from petitions.process import PETITION
from petitions.tests.helpers import drive, open_task, register_petition
from workflow.models import Task
from workflow.process import Action, Move, Process, Step, register
from workflow.services import act, bulk_preview, claim

pytestmark = pytest.mark.django_db


def asked_by_the_admin(net: Network) -> tuple[Petition, Task]:
    """A petition at its reply, whose extension the city administrator asked for himself."""
    petition = drive(net, register_petition(net), until="reply")
    act(actor=net.users["city_admin"], task=open_task(petition, "reply"), action="request_extension",
        note="涉及多个部门，需要补充调查", data={"days": 10})  # fmt: skip
    return petition, open_task(petition, "extension")


def test_the_extension_step_declares_it_differs_from_the_reply() -> None:
    assert PETITION.step("extension").differs_from == ("reply",)


def test_who_asked_for_the_extension_may_not_approve_it(net: Network) -> None:
    petition, approval = asked_by_the_admin(net)
    with pytest.raises(ValidationError) as refused:
        act(actor=net.users["city_admin"], task=approval, action="approve_extension")
    assert refused.value.code == "same_actor"
    assert "city_admin" in refused.value.messages[0]
    approval.refresh_from_db()
    assert approval.is_open
    other_admin = UserFactory(username="city_admin_2", role=Role.CITY_ADMIN, scope_region=net.city)
    act(actor=other_admin, task=approval, action="approve_extension")
    petition.refresh_from_db()
    assert petition.extension_approved


def test_nor_take_it_nor_pass_it_in_bulk(net: Network) -> None:
    _petition, approval = asked_by_the_admin(net)
    with pytest.raises(ValidationError) as refused:
        claim(actor=net.users["city_admin"], task=approval)
    assert refused.value.code == "same_actor"
    (line,) = bulk_preview(actor=net.users["city_admin"], tasks=[approval], action="claim")
    assert not line.ok and "city_admin" in line.message


def test_a_step_may_differ_only_from_another_declared_step() -> None:
    def unit(case: object) -> tuple[str, str]:
        return "330482000000", ""

    for earlier in ("nowhere", "check"):
        steps = (Step("check", "审核", Role.CITY_STAFF, unit, differs_from=(earlier,),
                      actions=(Action("ok", "通过", Move.CLOSE),)),)  # fmt: skip
        with pytest.raises(ValueError, match="differs_from"):
            register(Process(key="test_bad_mc", label="x", prefix="BM", steps=steps, view_capability="cases.view"))
