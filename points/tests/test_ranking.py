"""Freezing, publicising and finalising a quarter's ranking; objections within the period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.testing import Network
from points.models import Objection, Outcome, Phase, PointEntry, RankingRow, RankingState
from points.quarters import quarter_of
from points.ranking import freeze, objection_open
from points.tests.helpers import approver, decide, submit
from points.tests.test_entries import codes, past_quarter_days
from veterans.tests.factories import register as register_veteran
from workflow.models import Case, Task
from workflow.services import act

pytestmark = pytest.mark.django_db


def booked(net: Network, people: list, hours: str, day: dt.date) -> None:
    entry = submit(net.users["grid_leader"], people, day=day, quantity=hours)
    decide(entry, approver(net, entry))


def test_freeze_ranks_with_ties_and_twice_changes_nothing(net: Network) -> None:
    staff = net.users["city_staff"]
    a, b, c = (register_veteran(staff, net.grid) for _ in range(3))
    one, two, _three = past_quarter_days()
    booked(net, [a, b], "5", one)
    booked(net, [c], "2", two)
    quarter = quarter_of(one)
    ranking, made = freeze(actor=net.users["town_staff"], quarter=quarter, region=net.danghu)
    assert made and ranking.people == 3 and ranking.state == RankingState.NOTICE
    ranks = {r.veteran_id: (r.score, r.rank_grid, r.rank_village, r.rank_town, r.rank_city) for r in ranking.rows.all()}
    assert ranks == {a.pk: (5, 1, 1, 1, None), b.pk: (5, 1, 1, 1, None), c.pk: (2, 3, 3, 3, None)}
    again, made_again = freeze(actor=net.users["town_staff"], quarter=quarter, region=net.danghu)
    assert again.pk == ranking.pk and not made_again and RankingRow.objects.count() == 3
    with pytest.raises(ValidationError) as exc:
        submit(net.users["grid_leader"], [a], "volunteer-care", day=two, quantity="1")
    assert "frozen" in codes(exc.value)


def test_an_upheld_objection_reverses_and_the_final_ranking_counts_it(net: Network) -> None:
    staff = net.users["city_staff"]
    a, b = (register_veteran(staff, net.grid) for _ in range(2))
    one, two, _three = past_quarter_days()
    booked(net, [a], "5", one)
    booked(net, [b], "3", two)
    ranking, _made = freeze(actor=net.users["city_staff"], quarter=quarter_of(one), region=net.city)
    row = PointEntry.objects.get(veteran=a)
    objection = objection_open(actor=net.users["village_staff"], ranking=ranking, veteran=a, disputed=row,
                               claim="当天未参加")  # fmt: skip
    task = Task.objects.get(case=objection.case, status=Task.Status.OPEN)
    act(actor=net.users["town_staff"], task=task, action="uphold", note="核实未参加", data={})
    objection.refresh_from_db()
    assert objection.outcome == Outcome.UPHELD and objection.reversal.points == -5
    # The period has not closed: the final ranking waits.
    notice = Task.objects.get(case=ranking.case, status=Task.Status.OPEN)
    with pytest.raises(ValidationError):
        act(actor=net.users["city_staff"], task=notice, action="publish", note="", data={})
    case = Case.objects.get(pk=ranking.case_id)
    case.data["dates"]["notice"] = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    case.save(update_fields=["data"])
    act(actor=net.users["city_staff"], task=notice, action="publish", note="", data={})
    ranking.refresh_from_db()
    assert ranking.state == RankingState.FINAL
    final = {
        r.veteran_id: (r.score, r.rank_city) for r in RankingRow.objects.filter(ranking=ranking, phase=Phase.FINAL)
    }
    assert final == {a.pk: (0, 2), b.pk: (3, 1)}
    notice_rows = {r.veteran_id: r.score for r in RankingRow.objects.filter(ranking=ranking, phase=Phase.NOTICE)}
    assert notice_rows == {a.pk: 5, b.pk: 3}
    with pytest.raises(ValidationError) as exc:
        objection_open(actor=net.users["village_staff"], ranking=ranking, veteran=b,
                       disputed=PointEntry.objects.get(veteran=b), claim="x")  # fmt: skip
    assert "objection_late" in codes(exc.value)
    assert Objection.objects.count() == 1


def test_a_ranking_row_naming_no_veteran_is_refused_by_the_database(net: Network) -> None:
    """The rows' veteran is checked once per statement (core.bulk_reference), not by a foreign key: still the
    database's rule. One bad row among good ones undoes the whole statement."""
    staff = net.users["city_staff"]
    a = register_veteran(staff, net.grid)
    one, _two, _three = past_quarter_days()
    booked(net, [a], "5", one)
    ranking, _made = freeze(actor=net.users["town_staff"], quarter=quarter_of(one), region=net.danghu)
    columns = ("ranking_id", "phase", "veteran_id", "name", "region_code", "grid_code", "village_code", "town_code",
               "score", "entries", "rank_village", "rank_town")  # fmt: skip
    facts = ["x", a.region_code, net.grid.code, net.village.code, net.danghu.code, 1, 1, 1, 1]

    def insert(*veterans: int) -> None:
        rows = [(ranking.pk, Phase.FINAL, v, *facts) for v in veterans]
        with connection.cursor() as cursor:
            placeholders = ", ".join("(" + ", ".join(["%s"] * len(columns)) + ")" for _ in rows)
            sql = f"INSERT INTO points_rankingrow ({', '.join(columns)}) VALUES {placeholders}"  # noqa: S608  # fixed names
            cursor.execute(sql, [p for row in rows for p in row])

    missing = a.pk + 1000
    for veterans in ([missing], [a.pk, missing]):
        with pytest.raises(IntegrityError), transaction.atomic():
            insert(*veterans)
        assert not RankingRow.objects.filter(phase=Phase.FINAL).exists()
    insert(a.pk)  # the good row alone is let in
    assert RankingRow.objects.filter(phase=Phase.FINAL, veteran=a).count() == 1
    # the other half of a foreign key: a ranking or a veteran that rows name is kept
    for table, key in (("points_ranking", ranking.pk), ("veterans_veteran", a.pk)):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [key])  # noqa: S608  (the two tables above)
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET id = %s WHERE id = %s", [key + 5000, key])  # noqa: S608
