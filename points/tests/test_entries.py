"""Submitting entries and booking them: the refusals, the approval on the kit, the ledger and the balance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.testing import Network
from points.entries import balance_of, correct
from points.models import Kind, Participant, PointEntry
from points.tests.helpers import approver, decide, submit
from veterans.tests.factories import register as register_veteran

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> list[str]:
    return [e.code for errors in exc.error_dict.values() for e in errors]  # type: ignore[misc]


def test_a_group_entry_approved_by_the_village_books_each_person(net: Network) -> None:
    staff = net.users["city_staff"]
    a, b = register_veteran(staff, net.grid), register_veteran(staff, net.grid)
    entry = submit(net.users["grid_leader"], [a, b], quantity="3")
    assert entry.points_each == 3 and not entry.town_approval
    assert entry.case.tasks.get().step == "village_approve"
    assert not PointEntry.objects.exists()
    decide(entry, approver(net, entry))
    rows = PointEntry.objects.order_by("veteran_id")
    assert [(r.veteran_id, r.points, r.kind) for r in rows] == [(a.pk, 3, Kind.AWARD), (b.pk, 3, Kind.AWARD)]
    assert balance_of(a) == (3, 0)


def test_the_same_item_the_same_day_twice_is_refused(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    day = dt.date.today() - dt.timedelta(days=2)
    submit(net.users["grid_leader"], [a], day=day)
    with pytest.raises(ValidationError) as exc:
        submit(net.users["village_staff"], [a], day=day)
    assert "duplicate" in codes(exc.value)


def test_over_the_quarter_cap_says_by_how_much(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    today = dt.date.today()
    first = today.replace(day=1) if today.day > 2 else today
    submit(net.users["grid_leader"], [a], day=first, quantity="24")
    submit(
        net.users["grid_leader"], [a], day=today if today != first else today, quantity="12"
    ) if today != first else None
    with pytest.raises(ValidationError) as exc:
        submit(
            net.users["grid_leader"], [a], day=today - dt.timedelta(days=1) if today.day > 2 else today, quantity="24"
        )
    assert "over_cap" in codes(exc.value)


def test_a_deduction_goes_to_the_town_and_a_debt_is_owed(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.village)
    entry = submit(net.users["village_staff"], [a], "conduct-covenant", quantity=None)
    assert entry.town_approval and entry.points_each == -5
    assert entry.case.tasks.get().step == "town_approve"
    decide(entry, net.users["town_staff"])
    assert balance_of(a) == (0, 5)


def test_the_submitter_does_not_approve(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.village)
    entry = submit(net.users["village_staff"], [a])
    with pytest.raises(ValidationError):
        decide(entry, net.users["village_staff"])


def test_a_correction_reverses_and_frees_the_day(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    entry = decide(e := submit(net.users["grid_leader"], [a]), approver(net, e))
    row = PointEntry.objects.get(entry=entry)
    reversal = correct(actor=net.users["town_staff"], row=row, reason="录入错误")
    assert reversal.points == -row.points and balance_of(a) == (0, 0)
    assert not Participant.objects.filter(live=True).exists()
