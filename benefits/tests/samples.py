"""A batch, a proposal and an entitlement in a region, for the generated access test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.testing import Network, sample
from benefits.models import Batch, Entitlement, PaymentLine, Proposal
from benefits.process import BATCH
from benefits.proposals import ProposalInput, proposal_open
from benefits.tests.helpers import entitlement, new_account, program
from regions.models import Region
from veterans.tests.factories import register as register_veteran
from workflow.services import open_case


@sample(Batch)
def batch_in(net: Network, region: Region) -> Batch:
    made = Batch.objects.filter(region_code=region.code, period=dt.date(2026, 11, 1)).first()
    if made is not None:  # one batch an area and month: a second page on batches asks for the same one
        return made
    case = open_case(
        actor=net.users["city_staff"], process=BATCH, title="2026-11", region_code=region.code,
        owner_code=region.code, subject={"period": dt.date(2026, 11, 1)},
    )  # fmt: skip
    return case.subject  # type: ignore[no-any-return]


@sample(Proposal)
def proposal_in(net: Network, region: Region) -> Proposal:
    veteran = register_veteran(net.users["city_staff"], region)
    data = ProposalInput(veteran=veteran, program=program("war_participant"), from_month=dt.date(2026, 11, 1),
                         bank_name="平湖农商银行", account=new_account())  # fmt: skip
    return proposal_open(actor=net.users["city_staff"], data=data)


@sample(Entitlement)
def entitlement_in(net: Network, region: Region) -> Entitlement:
    return entitlement(net, region)


@sample(PaymentLine)
def line_in(net: Network, region: Region) -> PaymentLine:
    """A payable line of a draft batch in the region (the batch API's line operations)."""
    batch = batch_in(net, region)
    held = entitlement(net, region)
    return PaymentLine.objects.create(  # type: ignore[no-any-return]
        batch=batch, entitlement=held, period=dt.date(2026, 11, 1), kind="regular", amount=Decimal("100.00"),
        reference=f"{held.pk}-202611-B-1", region_code=held.region_code, program=held.program,
    )  # fmt: skip
