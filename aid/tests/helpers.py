"""Applications, approvals, donations and ceremonies for the tests of hardship aid."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.roles import Role
from accounts.testing import Network, UserFactory
from aid.models import Application, Ceremony, DonorKind, FundEntry
from aid.services import application_propose, ceremony_hold, donation_record
from regions.models import Level, Region, ancestor_code
from veterans.tests.factories import register as register_veteran
from workflow.models import Task
from workflow.services import act

ASSOCIATION = "平湖市民营企业拥军协会"


def village_staff(net: Network, region: Region) -> Any:
    """The village station's staff of the region (the network has one only in the first village)."""
    if region.code.startswith(net.village.prefix):
        return net.users["village_staff"]
    village = Region.objects.get(code=ancestor_code(region.code, Level.VILLAGE))
    return UserFactory(username=f"aid{village.code}", role=Role.VILLAGE_STAFF, scope_region=village)


def town_staff(net: Network, region: Region) -> Any:
    return net.users["town_staff"] if region.code.startswith(net.danghu.prefix) else net.users["other_town_staff"]


def propose(net: Network, region: Region | None = None, requested: str = "3000", **kwargs: Any) -> Application:
    """An application for a new veteran of the region (the first grid by default), by its village station."""
    region = region or net.grid
    veteran = kwargs.pop("veteran", None) or register_veteran(net.users["city_staff"], region)
    return application_propose(
        actor=village_staff(net, region), veteran=veteran, need=kwargs.pop("need", "illness"),
        circumstances=kwargs.pop("circumstances", "患重病，家庭困难"), requested=Decimal(requested),
    )  # fmt: skip


def step(application: Application, actor: Any, action: str, note: str = "", **data: Any) -> Application:
    """Do ``action`` on the application's open step as ``actor``."""
    task = Task.objects.get(case=application.case, status=Task.Status.OPEN)
    act(actor=actor, task=task, action=action, note=note, data=data)
    return Application.objects.select_related("case").get(pk=application.pk)


def approved(net: Network, region: Region | None = None, requested: str = "3000", amount: str | None = None) -> Any:
    """An application checked by its town and approved by the city (for ``amount``, or what was asked)."""
    region = region or net.grid
    application = propose(net, region, requested)
    step(application, town_staff(net, region), "forward")
    data = {"amount": amount} if amount is not None else {}
    return step(application, net.users["city_staff"], "approve", **data)


def donate(net: Network, amount: str = "10000", donor: str = ASSOCIATION, **kwargs: Any) -> FundEntry:
    return donation_record(
        actor=kwargs.pop("actor", None) or net.users["city_staff"], donor=donor,
        donor_kind=kwargs.pop("donor_kind", DonorKind.ASSOCIATION), amount=Decimal(amount),
        received_on=kwargs.pop("received_on", timezone.localdate()), **kwargs,
    )  # fmt: skip


def hold(net: Network, *applications: Application, name: str = "春节帮扶基金发放仪式", actor: Any = None) -> Ceremony:
    return ceremony_hold(actor=actor or net.users["city_staff"], name=name, held_on=timezone.localdate(),
                         applications=[a.case_id for a in applications])  # fmt: skip
