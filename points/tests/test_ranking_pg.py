"""A ranking is frozen once, proven on PostgreSQL with real connections: two freezes of the same quarter and
area at the same moment make one ranking and one set of rows, and both callers get it; the database itself
refuses to change a row (the append-only trigger)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction

from accounts.testing import Network
from benefits.tests.test_invariants import hold_the_audit_chain
from core.testing_db import queued_on_locks
from points.models import Ranking, RankingRow
from points.quarters import quarter_of
from points.ranking import freeze
from points.tests.test_entries import past_quarter_days
from points.tests.test_ranking_pages import booked
from veterans.tests.factories import register as register_veteran

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 6


def _vendor_is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def test_two_freezes_at_the_same_moment_make_one_ranking_and_both_get_it(net: Network) -> None:
    if not _vendor_is_postgresql():
        pytest.skip("concurrent freezes need a server database")
    staff = net.users["city_staff"]
    people = [register_veteran(staff, net.grid) for _ in range(PEOPLE)]
    one, _two, _three = past_quarter_days()
    booked(net, people, "2", one)
    quarter = quarter_of(one)
    results: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            results.append(freeze(actor=net.users["town_staff"], quarter=quarter, region=net.danghu))
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            connections.close_all()

    holder = hold_the_audit_chain()  # each freeze audits inside its transaction: both wait here, midway
    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        queued_on_locks(2)
    finally:
        holder.rollback()
        holder.close()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert Ranking.objects.count() == 1
    ranking = Ranking.objects.get()
    assert sorted(made for _r, made in results) == [False, True]
    assert {r.pk for r, _made in results} == {ranking.pk}
    assert RankingRow.objects.filter(ranking=ranking).count() == PEOPLE
    assert ranking.people == PEOPLE


def test_the_database_refuses_to_update_or_delete_a_ranking_row(net: Network) -> None:
    if not _vendor_is_postgresql():
        pytest.skip("the PostgreSQL trigger")
    staff = net.users["city_staff"]
    a = register_veteran(staff, net.grid)
    one, _two, _three = past_quarter_days()
    booked(net, [a], "3", one)
    ranking, _made = freeze(actor=net.users["town_staff"], quarter=quarter_of(one), region=net.danghu)
    row = RankingRow.objects.get(ranking=ranking)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE points_rankingrow SET score = 99 WHERE id = %s", [row.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM points_rankingrow WHERE id = %s", [row.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE points_rankingrow CASCADE")
    assert RankingRow.objects.get(pk=row.pk).score == 3
