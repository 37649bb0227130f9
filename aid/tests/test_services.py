"""Hardship aid through its services: an application proposed, checked, approved for less or refused; donations
in with their donors; a ceremony paying its batch all at once or not at all; corrections as reversing rows; and
the refusals of bad input, each at its field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.testing import Network
from aid.models import Application, Donor, EntryKind, Fund, FundEntry
from aid.services import application_propose, ceremony_hold, donation_record, entry_reverse
from aid.tests.helpers import ASSOCIATION, approved, donate, hold, propose, step, town_staff
from audit.models import AuditEntry
from veterans.tests.factories import register as register_veteran
from workflow.models import Case

pytestmark = pytest.mark.django_db


def codes(exc: Any) -> dict[str, str]:
    """The refused fields of a ValidationError, each with its (first) code."""
    return {field: errors[0].code for field, errors in exc.error_dict.items()}


def balance(net: Network) -> Decimal:
    return Fund.objects.get(region_code=net.city.code).balance


# --- the application on the kit ----------------------------------------------------------------------------------


def test_the_village_proposes_the_town_checks_and_the_city_approves_less_than_asked(net: Network) -> None:
    application = propose(net, requested="5000")
    assert application.case.state == Case.State.OPEN and application.approved is None
    assert application.case.tasks.get(status="open").step == "check"
    application = step(application, net.users["town_staff"], "forward")
    assert application.case.tasks.get(status="open").step == "approve"
    application = step(application, net.users["city_staff"], "approve", amount="3500.50")
    assert application.case.state == Case.State.DONE and application.approved == Decimal("3500.50")
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"aid.propose", "aid_application.open", "aid_application.forward", "aid_application.approve"} <= actions


def test_the_city_approves_what_was_asked_when_it_gives_no_amount(net: Network) -> None:
    assert approved(net, requested="1200").approved == Decimal("1200.00")


@pytest.mark.parametrize("amount, code", [("6000", "more_than_asked"), ("0", "not_positive"), ("-5", "negative"),
                                          ("12.345", "not_money"), ("99999999", "too_much")])  # fmt: skip
def test_the_city_may_not_approve_more_than_asked_nothing_or_a_malformed_amount(
    net: Network, amount: str, code: str
) -> None:
    application = step(propose(net, requested="5000"), net.users["town_staff"], "forward")
    with pytest.raises(ValidationError) as exc:
        step(application, net.users["city_staff"], "approve", amount=amount)
    assert codes(exc.value) == {"amount": code}
    assert Application.objects.get(pk=application.pk).approved is None


@pytest.mark.parametrize("where", ["check", "approve"])
def test_each_step_may_refuse_with_its_reason(net: Network, where: str) -> None:
    application = propose(net)
    if where == "approve":
        application = step(application, net.users["town_staff"], "forward")
    actor = net.users["town_staff"] if where == "check" else net.users["city_staff"]
    with pytest.raises(ValidationError):
        step(application, actor, "refuse")  # the reason is required
    application = step(application, actor, "refuse", note="家庭收入超过标准")
    assert application.case.state == Case.State.REJECTED and application.refusal == "家庭收入超过标准"


def test_the_other_town_may_not_check_it(net: Network) -> None:
    application = propose(net)
    with pytest.raises(PermissionDenied):
        step(application, net.users["other_town_staff"], "forward")


@pytest.mark.parametrize("requested, code", [("0", "not_positive"), ("-100", "not_positive"),
                                             ("50000.01", "too_much"), ("1e30", "too_much"), ("1.001", "not_money"),
                                             ("abc", "not_money"), ("", "required"), ("NaN", "not_money")])  # fmt: skip
def test_a_bad_amount_asked_is_refused_at_its_field(net: Network, requested: str, code: str) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    with pytest.raises(ValidationError) as exc:
        application_propose(actor=net.users["village_staff"], veteran=veteran, need="living",
                            circumstances="困难", requested=requested)  # fmt: skip
    assert codes(exc.value) == {"requested": code}
    assert not Application.objects.exists()


def test_an_applicant_out_of_the_proposers_area_is_refused(net: Network) -> None:
    elsewhere = register_veteran(net.users["city_staff"], net.other_grid)
    with pytest.raises(ValidationError) as exc:
        application_propose(actor=net.users["village_staff"], veteran=elsewhere, need="living",
                            circumstances="困难", requested="100")  # fmt: skip
    assert codes(exc.value) == {"veteran": "not_visible"}


def test_only_the_village_station_proposes(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    for role in ("town_staff", "grid_leader", "city_staff"):
        with pytest.raises(PermissionDenied):
            application_propose(actor=net.users[role], veteran=veteran, need="living", circumstances="困难",
                                requested="100")  # fmt: skip


def test_a_second_application_while_one_is_in_progress_is_refused(net: Network) -> None:
    first = propose(net)
    with pytest.raises(ValidationError) as exc:
        propose(net, veteran=first.veteran)
    assert codes(exc.value) == {"veteran": "open_application"}
    assert first.case.number in exc.value.messages[0]


def test_a_bad_kind_and_empty_circumstances_are_refused_together(net: Network) -> None:
    veteran = register_veteran(net.users["city_staff"], net.grid)
    with pytest.raises(ValidationError) as exc:
        application_propose(actor=net.users["village_staff"], veteran=veteran, need="lottery", circumstances=" ",
                            requested="100")  # fmt: skip
    assert codes(exc.value) == {"need": "bad_choice", "circumstances": "required"}


# --- donations ------------------------------------------------------------------------------------------------------


def test_a_donation_comes_in_with_its_donor_and_raises_the_balance(net: Network) -> None:
    row = donate(net, "20000", reference="PH2026-001")
    again = donate(net, "500.50")
    assert row.kind == EntryKind.DONATION and row.amount == Decimal("20000.00") and row.donor.name == ASSOCIATION
    assert again.donor_id == row.donor_id and Donor.objects.count() == 1
    assert balance(net) == Decimal("20500.50")
    assert AuditEntry.objects.filter(action="aid.donate").count() == 2


@pytest.mark.parametrize("amount, code", [("0", "not_positive"), ("-1", "not_positive"), ("10000000.01", "too_much"),
                                          ("0.001", "not_money"), ("Infinity", "not_money")])  # fmt: skip
def test_a_bad_donation_amount_is_refused_at_its_field(net: Network, amount: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        donation_record(actor=net.users["city_staff"], donor=ASSOCIATION, donor_kind="association", amount=amount,
                        received_on=timezone.localdate())  # fmt: skip
    assert codes(exc.value)["amount"] == code
    assert not FundEntry.objects.exists()


def test_a_donation_without_donor_kind_or_date_is_refused(net: Network) -> None:
    with pytest.raises(ValidationError) as exc:
        donation_record(actor=net.users["city_staff"], donor="", donor_kind="bank", amount="10", received_on=None)
    assert codes(exc.value) == {"donor": "required", "donor_kind": "bad_choice", "received_on": "required"}


def test_only_the_city_records_donations(net: Network) -> None:
    for role in ("town_staff", "village_staff", "auditor"):
        with pytest.raises(PermissionDenied):
            donate(net, actor=net.users[role])


# --- ceremonies -------------------------------------------------------------------------------------------------------


def test_a_ceremony_pays_its_batch_in_one_step(net: Network) -> None:
    donate(net, "10000")
    one, two = approved(net, requested="3000"), approved(net, net.other_grid, requested="2000", amount="1500")
    ceremony = hold(net, one, two)
    assert (ceremony.grants, ceremony.total) == (2, Decimal("4500.00"))
    grants = FundEntry.objects.filter(ceremony=ceremony).order_by("id")
    assert [g.amount for g in grants] == [Decimal("-3000.00"), Decimal("-1500.00")]
    assert [g.region_code for g in grants] == [one.region_code, two.region_code]
    assert balance(net) == Decimal("5500.00")
    assert set(Application.objects.values_list("ceremony_id", flat=True)) == {ceremony.pk}
    assert AuditEntry.objects.filter(action="aid.ceremony").count() == 1


def test_a_ceremony_over_the_balance_pays_nothing_and_names_the_shortfall(net: Network) -> None:
    donate(net, "4000")
    one, two = approved(net, requested="3000"), approved(net, requested="2000")
    with pytest.raises(ValidationError) as exc:
        hold(net, one, two)
    assert codes(exc.value) == {"applications": "fund_short"}
    message = exc.value.messages[0]
    assert "4000.00" in message and "5000.00" in message and "1000.00" in message
    assert balance(net) == Decimal("4000.00") and not FundEntry.objects.filter(kind=EntryKind.GRANT).exists()
    assert not Application.objects.filter(ceremony__isnull=False).exists()


def test_a_grant_is_paid_once(net: Network) -> None:
    donate(net, "10000")
    application = approved(net, requested="1000")
    hold(net, application)
    with pytest.raises(ValidationError) as exc:
        hold(net, application, name="第二次")
    assert codes(exc.value) == {"applications": "already_paid"}
    assert application.case.number in exc.value.messages[0]
    assert balance(net) == Decimal("9000.00")


def test_an_application_not_approved_is_not_paid(net: Network) -> None:
    donate(net, "10000")
    waiting = propose(net)
    refused = step(propose(net), net.users["town_staff"], "refuse", note="不符合条件")
    with pytest.raises(ValidationError) as exc:
        hold(net, waiting, refused)
    assert codes(exc.value) == {"applications": "not_approved"}


def test_a_ceremony_needs_a_name_a_past_date_and_grants(net: Network) -> None:
    import datetime as dt

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        ceremony_hold(actor=net.users["city_staff"], name=" ", held_on=tomorrow, applications=[])
    assert codes(exc.value) == {"name": "required", "held_on": "future", "applications": "required"}


def test_a_ceremony_may_not_pay_what_the_actor_does_not_see(net: Network) -> None:
    with pytest.raises(ValidationError) as exc:
        ceremony_hold(actor=net.users["city_staff"], name="仪式", held_on=None, applications=[10**12])
    assert "held_on" in codes(exc.value)
    donate(net, "100")
    with pytest.raises(ValidationError) as missing:
        hold(net, Application(case_id=10**12))
    assert codes(missing.value) == {"applications": "not_visible"}


# --- corrections ----------------------------------------------------------------------------------------------------


def test_a_donation_entered_in_error_is_reversed_with_the_reason(net: Network) -> None:
    row = donate(net, "800")
    reversal = entry_reverse(actor=net.users["city_staff"], entry=row, reason="重复录入")
    assert reversal.amount == Decimal("-800.00") and reversal.reverses_id == row.pk and balance(net) == 0
    with pytest.raises(ValidationError) as exc:
        entry_reverse(actor=net.users["city_staff"], entry=row, reason="再次")
    assert codes(exc.value) == {"reverses": "already_reversed"}
    with pytest.raises(ValidationError) as empty:
        entry_reverse(actor=net.users["city_staff"], entry=donate(net, "1"), reason=" ")
    assert codes(empty.value) == {"reason": "required"}


def test_a_donation_already_spent_cannot_be_reversed(net: Network) -> None:
    row = donate(net, "1000")
    hold(net, approved(net, requested="600"))
    with pytest.raises(ValidationError) as exc:
        entry_reverse(actor=net.users["city_staff"], entry=row, reason="录入错误")
    assert codes(exc.value) == {"entry": "fund_short"} and "600.00" in exc.value.messages[0]
    assert balance(net) == Decimal("400.00")


def test_a_reversed_grant_returns_to_the_fund_and_is_not_paid_again(net: Network) -> None:
    donate(net, "1000")
    application = approved(net, requested="600")
    hold(net, application)
    grant = FundEntry.objects.get(kind=EntryKind.GRANT)
    entry_reverse(actor=net.users["city_staff"], entry=grant, reason="银行退回")
    assert balance(net) == Decimal("1000.00")
    with pytest.raises(ValidationError) as exc:
        hold(net, Application.objects.get(pk=application.pk))
    assert codes(exc.value) == {"applications": "already_paid"}
    sums = sum(FundEntry.objects.values_list("amount", flat=True))
    assert sums == balance(net)


def test_the_town_does_not_see_the_fund_ledger(net: Network) -> None:
    row = donate(net, "100")
    with pytest.raises(PermissionDenied):
        entry_reverse(actor=net.users["town_staff"], entry=row, reason="x")
    assert town_staff(net, net.grid).can("aid.view") and not town_staff(net, net.grid).can("aid.fund")
