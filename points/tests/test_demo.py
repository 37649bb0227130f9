"""The points demo: three ended quarters through the real services, a final ranking with an upheld objection,
one in its objection period, work waiting in the inbox; loaded once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from accounts.testing import TEST_PASSWORD
from points.demo import quarters_ended
from points.models import (
    Account,
    Entry,
    Kind,
    Objection,
    Outcome,
    Participant,
    Phase,
    PointEntry,
    Ranking,
    RankingRow,
    RankingState,
)
from points.ranking import rows
from regions.models import prefix_of
from workflow.models import Case

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Entry, Participant, PointEntry, Account, Ranking, RankingRow, Objection,
                                             Case, User))  # fmt: skip


def test_the_demo_loads_three_quarters_a_final_ranking_an_objection_and_work_waiting() -> None:
    out = StringIO()
    call_command("demo", "--veterans", "3000", "--password", TEST_PASSWORD, stdout=out)
    assert "points entries" in out.getvalue()
    oldest, middle, latest = quarters_ended(timezone.localdate())

    quarters = set(PointEntry.objects.exclude(kind=Kind.REDEMPTION).values_list("quarter", flat=True))
    assert quarters == {oldest, middle, latest}
    assert Entry.objects.filter(participants__isnull=False).distinct().count() == Entry.objects.count()
    groups = [e for e in Entry.objects.all() if e.participants.count() > 1]
    assert groups, "group activities: several veterans in one entry"
    assert PointEntry.objects.filter(kind=Kind.DEDUCTION).exists()
    assert PointEntry.objects.filter(kind=Kind.REDEMPTION).exists()
    # approved by someone other than who submitted it; the town for a deduction
    for entry in Entry.objects.filter(case__state=Case.State.DONE).select_related("case")[:50]:
        booking = PointEntry.objects.filter(entry=entry).first()
        assert booking is not None and booking.created_by_id != entry.case.created_by_id
    deduction = Entry.objects.filter(points_each__lt=0).first()
    assert deduction is not None and deduction.town_approval

    final = Ranking.objects.get(state=RankingState.FINAL)
    assert final.quarter == oldest and final.region_code == "330482000000"
    objection = Objection.objects.get()
    assert objection.ranking == final and objection.outcome == Outcome.UPHELD
    reversal = objection.reversal
    assert reversal is not None and reversal.reverses == objection.disputed and reversal.objection == objection
    assert reversal.points == -objection.disputed.points  # type: ignore[union-attr]
    score = {p: RankingRow.objects.get(ranking=final, phase=p, veteran=objection.veteran).score
             for p in (Phase.NOTICE, Phase.FINAL)}  # fmt: skip
    assert score[Phase.FINAL] == score[Phase.NOTICE] + reversal.points

    # a sub-area's rows (read by the rows' town, village and grid columns) are those of its region codes
    code = objection.veteran.region_code
    for within in (code[:9] + "000", code[:12], code):
        seen = list(rows(final, within=within))
        final_rows = RankingRow.objects.filter(ranking=final, phase=Phase.FINAL)
        expected = final_rows.filter(region_code__startswith=prefix_of(within))
        assert seen and len(seen) == expected.count(), within
        assert [r.score for r in seen] == sorted((r.score for r in seen), reverse=True)

    notice = Ranking.objects.get(state=RankingState.NOTICE)
    assert notice.quarter == middle and notice.region_code.endswith("000") and notice.people > 0
    assert not Ranking.objects.filter(quarter=latest).exists()
    waiting = Entry.objects.filter(case__state=Case.State.OPEN)
    assert waiting.exists() and set(waiting.values_list("quarter", flat=True)) == {latest}

    own = User.objects.get(username="veteran_demo")
    assert own.veteran is not None and own.veteran.region_code.startswith(own.scope_region.code[:12])  # type: ignore[union-attr]
    assert PointEntry.objects.filter(veteran=own.veteran, kind=Kind.AWARD).count() >= 3

    for account in Account.objects.all():
        total = PointEntry.objects.filter(veteran=account.veteran_id).aggregate(s=Sum("points"))["s"] or 0
        assert account.balance - account.owed == total, account

    # Loaded once: again, nothing is added.
    before = counts()
    call_command("demo", "--veterans", "3000", "--password", TEST_PASSWORD, stdout=StringIO())
    assert counts() == before
