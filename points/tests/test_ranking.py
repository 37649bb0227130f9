"""Freezing, publicising and finalising a quarter's ranking; objections within the period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
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
