"""The ledger's invariants, proven against the database itself: no edit, no delete, no negative balance, no
entry over a cap, each booked once; and, on PostgreSQL, two redemptions or two approvals at the same moment.

The races hold the veteran's account row with a connection of the test's own, start both writers (each in
its own thread and connection), wait until both are queued on that lock inside their transactions, then let
them go: whichever comes second must see what the first wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from accounts.testing import Network
from core.ledger import AppendOnlyError
from core.testing_db import race as locked_race
from core.testing_db import server_only
from points.entries import balance_of, correct, redeem
from points.models import Account, Entry, PointEntry, Reward
from points.tests.helpers import approver, decide, submit
from points.tests.test_entries import codes, past_quarter_days
from veterans.tests.factories import register as register_veteran
from workflow.models import Task
from workflow.services import act


def race(account: Account, *writers: Callable[[], Any]) -> list[Any]:
    """Run the writers at once behind the account's lock; each one's result or exception."""
    return locked_race(
        lambda holder: holder.execute("SELECT * FROM points_account WHERE id = %s FOR UPDATE", [account.pk]), *writers
    )


def ledger_sum(veteran: Any) -> int:
    return PointEntry.objects.filter(veteran=veteran).aggregate(total=Sum("points"))["total"] or 0


def earned(net: Network, hours: str = "10") -> Any:
    """A veteran with ``hours`` points booked (volunteering, one a hour)."""
    person = register_veteran(net.users["city_staff"], net.grid)
    entry = submit(net.users["grid_leader"], [person], quantity=hours)
    decide(entry, approver(net, entry))
    return person


# --- both databases -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_booked_row_is_never_updated_or_deleted(net: Network) -> None:
    person = earned(net)
    row = PointEntry.objects.get(veteran=person)
    row.points = 99
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        PointEntry.objects.filter(pk=row.pk).update(points=99)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE points_pointentry SET points = 99 WHERE id = %s", [row.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM points_pointentry WHERE id = %s", [row.pk])
    assert PointEntry.objects.get(pk=row.pk).points == 10


@pytest.mark.django_db
def test_the_database_refuses_a_negative_balance_and_a_second_booking(net: Network) -> None:
    person = earned(net)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE points_account SET balance = -1 WHERE veteran_id = %s", [person.pk])
    row = PointEntry.objects.get(veteran=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointEntry.objects.create(veteran=person, region_code=row.region_code, kind=row.kind, day=row.day,
                                  quarter=row.quarter, points=row.points, participant=row.participant,
                                  entry=row.entry)  # fmt: skip


@pytest.mark.django_db
def test_a_short_balance_is_refused_and_a_deduction_beyond_it_is_owed(net: Network) -> None:
    person = earned(net, "10")
    with pytest.raises(ValidationError) as exc:
        redeem(actor=net.users["village_staff"], veteran=person, reward=Reward.objects.get(code="home-care"))
    assert codes(exc.value) == ["balance_short"] and "10" in exc.value.messages[0]
    deduction = submit(net.users["village_staff"], [person], "conduct-petition", quantity=None)  # −20
    decide(deduction, net.users["town_staff"])
    assert balance_of(person) == (0, 10)
    row = PointEntry.objects.get(veteran=person, kind="award")
    correct(actor=net.users["town_staff"], row=row, reason="录入错误")
    assert balance_of(person) == (0, 20)
    with pytest.raises(ValidationError) as again:
        correct(actor=net.users["town_staff"], row=row, reason="再次")
    assert codes(again.value) == ["already_reversed"]
    balance, owed = balance_of(person)
    assert balance - owed == ledger_sum(person)


# --- PostgreSQL: at the same moment ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_redemptions_at_once_never_take_the_balance_below_zero(net: Network) -> None:
    server_only()
    person = earned(net, "24")  # 24 points; the home care costs 20: only one fits
    reward = Reward.objects.get(code="home-care")
    staff = net.users["village_staff"]
    outcome = race(
        Account.objects.get(veteran=person),
        lambda: redeem(actor=staff, veteran=person, reward=reward),
        lambda: redeem(actor=staff, veteran=person, reward=reward),
    )
    made = [o for o in outcome if isinstance(o, PointEntry)]
    refused = [o for o in outcome if isinstance(o, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, outcome
    assert codes(refused[0]) == ["balance_short"]
    assert balance_of(person) == (4, 0) and ledger_sum(person) == 4


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_never_pass_the_cap(net: Network) -> None:
    server_only()
    one, two, three = past_quarter_days()
    person = register_veteran(net.users["city_staff"], net.grid)
    leader = net.users["grid_leader"]
    decide(submit(leader, [person], day=three, quantity="1"), net.users["village_staff"])  # 1 of the 40 a quarter
    first = submit(leader, [person], day=one, quantity="20")
    with mock.patch("points.entries.refusals_for", return_value=[]):  # two submissions that raced past the check
        second = submit(leader, [person], day=two, quantity="20")
    staff = net.users["village_staff"]

    def approve(entry: Entry) -> Callable[[], Any]:
        task = Task.objects.get(case=entry.case, status=Task.Status.OPEN)
        return lambda: act(actor=staff, task=task, action="approve", note="", data={})

    outcome = race(Account.objects.get(veteran=person), approve(first), approve(second))
    refused = [o for o in outcome if isinstance(o, ValidationError)]
    assert len(refused) == 1 and codes(refused[0]) == ["over_cap"], outcome
    # Only one of them is booked: 1 + 20 of the cap of 40, never 41.
    assert ledger_sum(person) == 21
    assert PointEntry.objects.filter(veteran=person).count() == 2
