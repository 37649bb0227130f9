"""Submitting entries and booking them: the refusals, the approval on the kit, the ledger and the balance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.testing import Network
from points.entries import balance_of, correct
from points.models import Entry, Kind, Participant, PointEntry
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


def test_an_entry_after_a_veterans_death_is_refused(net: Network) -> None:
    from veterans.services import veteran_mark_deceased

    a = register_veteran(net.users["city_staff"], net.grid)
    died = timezone.localdate() - dt.timedelta(days=5)
    veteran_mark_deceased(actor=net.users["city_staff"], veteran=a, died_on=died, reason="病故")
    a.refresh_from_db()
    submit(net.users["grid_leader"], [a], day=died)  # the day of the death itself is allowed
    with pytest.raises(ValidationError) as exc:
        submit(net.users["grid_leader"], [a], day=died + dt.timedelta(days=1))
    assert codes(exc.value) == ["deceased"]


@pytest.mark.parametrize(
    ("who", "code", "kwargs", "refusal"),
    [
        ("grid_leader", "volunteer-service", {"evidence": False}, "evidence_required"),
        ("grid_leader", "conduct-covenant", {"quantity": None}, "not_submitter"),
        ("grid_leader", "volunteer-service", {"quantity": "25"}, "bad_hours"),
        ("grid_leader", "volunteer-service", {"quantity": "0.3"}, "bad_hours"),
        ("grid_leader", "education-study", {"quantity": "1.5"}, "bad_occasions"),
        ("grid_leader", "volunteer-service", {"day": dt.date(2099, 1, 1)}, "future"),
        ("grid_leader", "volunteer-service", {"day": dt.date(2020, 1, 1)}, "too_old"),
    ],
)
def test_bad_entries_are_refused_at_their_field_and_nothing_is_written(
    net: Network, who: str, code: str, kwargs: dict, refusal: str
) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    with pytest.raises(ValidationError) as exc:
        submit(net.users[who], [a], code, **kwargs)
    assert refusal in codes(exc.value)
    assert not Entry.objects.exists() and not Participant.objects.exists()


def test_people_out_of_scope_or_in_two_villages_are_refused(net: Network) -> None:
    staff = net.users["city_staff"]
    here, there = register_veteran(staff, net.grid), register_veteran(staff, net.other_grid)
    with pytest.raises(ValidationError) as exc:
        submit(net.users["grid_leader"], [here, there])
    assert codes(exc.value) == ["not_visible"]
    with pytest.raises(ValidationError) as exc:
        submit(staff, [here, there])
    assert codes(exc.value) == ["several_villages"]
    assert not Entry.objects.exists()


def test_a_veteran_submits_for_themself_only(net: Network) -> None:
    me, other = (
        register_veteran(net.users["city_staff"], net.village),
        register_veteran(net.users["city_staff"], net.village),
    )
    user = net.users["veteran"]
    user.veteran = me
    user.save(update_fields=["veteran"])
    with pytest.raises(ValidationError) as exc:
        submit(user, [other])
    assert codes(exc.value) == ["not_own"]
    entry = submit(user, [me])
    assert entry.submitted_as == "veteran" and entry.case.tasks.get().step == "village_approve"
    assert entry.case.attachments.count() == 1


def test_a_large_award_goes_to_the_town(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.village)
    entry = submit(net.users["village_staff"], [a], "merit-county", quantity=None)  # 20 points, the town from 20
    assert entry.town_approval and entry.case.tasks.get().step == "town_approve"
    decide(entry, net.users["town_staff"])
    assert balance_of(a) == (20, 0)
