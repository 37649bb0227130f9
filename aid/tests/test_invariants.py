"""The fund's invariants, proven against the database itself: no edit, no delete, no negative balance, a grant
once per application, a sign for each kind; and, on PostgreSQL, two ceremonies at the same moment.

The races hold the fund's row with a connection of the test's own, start both ceremonies (each in its own
thread and connection), wait until both are queued on that lock inside their transactions, then let them
go: whichever comes second must see what the first paid.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from accounts.testing import Network
from aid.models import Ceremony, EntryKind, Fund, FundEntry
from aid.tests.helpers import approved, donate, hold
from core.ledger import AppendOnlyError
from core.testing_db import race as locked_race
from core.testing_db import server_only


def race(fund: Fund, *writers: Callable[[], Any]) -> list[Any]:
    """Run the writers at once behind the fund's lock; each one's result or exception."""
    return locked_race(lambda holder: holder.execute("SELECT * FROM aid_fund WHERE id = %s FOR UPDATE", [fund.pk]),
                       *writers)  # fmt: skip


def ledger_sum(fund: Fund) -> Decimal:
    return FundEntry.objects.filter(fund=fund).aggregate(total=Sum("amount"))["total"] or Decimal(0)


def codes(exc: ValidationError) -> list[str]:
    return [e.code for errors in exc.error_dict.values() for e in errors]  # type: ignore[misc]


# --- both databases -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_ledger_row_is_never_updated_or_deleted(net: Network) -> None:
    row = donate(net, "100")
    row.amount = Decimal("99")
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        FundEntry.objects.filter(pk=row.pk).update(amount=1)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE aid_fundentry SET amount = 1 WHERE id = %s", [row.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM aid_fundentry WHERE id = %s", [row.pk])
    assert FundEntry.objects.get(pk=row.pk).amount == Decimal("100.00")


@pytest.mark.django_db
def test_a_ceremony_once_held_is_never_changed(net: Network) -> None:
    donate(net, "1000")
    ceremony = hold(net, approved(net, requested="100"))
    with pytest.raises(AppendOnlyError):
        Ceremony.objects.filter(pk=ceremony.pk).update(total=1)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE aid_ceremony SET total = 1 WHERE id = %s", [ceremony.pk])


@pytest.mark.django_db
def test_the_database_refuses_a_negative_balance_a_second_grant_and_a_wrong_sign(net: Network) -> None:
    donate(net, "1000")
    application = approved(net, requested="100")
    ceremony = hold(net, application)
    fund = Fund.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE aid_fund SET balance = -0.01 WHERE id = %s", [fund.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        FundEntry.objects.create(fund=fund, kind=EntryKind.GRANT, day=ceremony.held_on, amount=Decimal("-100"),
                                 region_code=application.region_code, application=application)  # fmt: skip
    donor = FundEntry.objects.filter(kind=EntryKind.DONATION).get().donor
    with pytest.raises(IntegrityError), transaction.atomic():
        FundEntry.objects.create(fund=fund, kind=EntryKind.DONATION, day=ceremony.held_on, region_code=fund.region_code,
                                 amount=Decimal("-5"), donor=donor)  # fmt: skip
    fund.refresh_from_db()
    assert fund.balance == ledger_sum(fund) == Decimal("900.00")


# --- PostgreSQL: at the same moment ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_ceremonies_at_once_never_take_the_balance_below_zero(net: Network) -> None:
    server_only()
    donate(net, "1000")
    one, two = approved(net, requested="800"), approved(net, requested="700")  # only one fits
    fund = Fund.objects.get()
    outcome = race(fund, lambda: hold(net, one, name="甲"), lambda: hold(net, two, name="乙"))
    made = [o for o in outcome if isinstance(o, Ceremony)]
    refused = [o for o in outcome if isinstance(o, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, outcome
    assert codes(refused[0]) == ["fund_short"]
    fund.refresh_from_db()
    assert fund.balance == ledger_sum(fund) == Decimal("1000.00") - made[0].total
    assert fund.balance >= 0


@pytest.mark.django_db(transaction=True)
def test_two_ceremonies_paying_the_same_grant_at_once_pay_it_once(net: Network) -> None:
    server_only()
    donate(net, "5000")
    application = approved(net, requested="1000")
    fund = Fund.objects.get()
    outcome = race(fund, lambda: hold(net, application, name="甲"), lambda: hold(net, application, name="乙"))
    refused = [o for o in outcome if isinstance(o, ValidationError)]
    assert len(refused) == 1 and codes(refused[0]) == ["already_paid"], outcome
    assert FundEntry.objects.filter(kind=EntryKind.GRANT).count() == 1
    fund.refresh_from_db()
    assert fund.balance == ledger_sum(fund) == Decimal("4000.00")


@pytest.mark.django_db(transaction=True)
def test_a_ceremony_and_a_reversed_donation_at_once_never_overdraw(net: Network) -> None:
    from aid.services import entry_reverse

    server_only()
    gift = donate(net, "1000")
    application = approved(net, requested="600")
    fund = Fund.objects.get()
    outcome = race(
        fund,
        lambda: hold(net, application),
        lambda: entry_reverse(actor=net.users["city_staff"], entry=gift, reason="录入错误"),
    )
    refused = [o for o in outcome if isinstance(o, ValidationError)]
    assert len(refused) == 1 and codes(refused[0]) == ["fund_short"], outcome
    fund.refresh_from_db()
    assert fund.balance == ledger_sum(fund) and fund.balance >= 0
