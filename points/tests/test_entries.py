"""Submitting entries and booking them: the refusals, the approval on the kit, the ledger and the balance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

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
    day = timezone.localdate() - dt.timedelta(days=2)
    submit(net.users["grid_leader"], [a], day=day)
    with pytest.raises(ValidationError) as exc:
        submit(net.users["village_staff"], [a], day=day)
    assert "duplicate" in codes(exc.value)


def past_quarter_days() -> list[dt.date]:
    """Three days of the last quarter that has ended (the same quarter, whatever today is)."""
    today = timezone.localdate()
    end = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1) - dt.timedelta(days=1)
    return [end - dt.timedelta(days=n) for n in range(3)]


def test_over_the_quarter_cap_says_by_how_much(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    one, two, three = past_quarter_days()
    submit(net.users["grid_leader"], [a], day=one, quantity="24")  # volunteering: 1 a hour, 40 a quarter
    with pytest.raises(ValidationError) as exc:
        submit(net.users["grid_leader"], [a], day=two, quantity="20")
    assert "over_cap" in codes(exc.value)
    assert "by 4" in str(exc.value.messages) or "4" in exc.value.messages[0]
    submit(net.users["grid_leader"], [a], day=three, quantity="16")  # exactly the cap


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
