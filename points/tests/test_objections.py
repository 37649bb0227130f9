"""Objections to a publicised ranking: raised through the notice (a station) or “my ranking” (the veteran),
within the objection period only; decided by the town on the kit; upheld, a reversal the final ranking counts.
The rows of a ranking never change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.testing import Network
from core.ledger import AppendOnlyError
from points.entries import correct
from points.models import Objection, Outcome, Phase, PointEntry, Ranking, RankingRow, RankingState
from points.quarters import quarter_of
from points.ranking import freeze
from points.tests.test_entries import past_quarter_days
from points.tests.test_ranking_pages import backdate, booked
from veterans.models import Veteran
from veterans.tests.factories import register as register_veteran
from workflow.models import Task

pytestmark = pytest.mark.django_db


def noticed(net: Network) -> tuple[Ranking, Veteran, Veteran]:
    staff = net.users["city_staff"]
    a, b = (register_veteran(staff, net.grid) for _ in range(2))
    one, two, _three = past_quarter_days()
    booked(net, [a], "5", one)
    booked(net, [b], "3", two)
    ranking, _made = freeze(actor=net.users["town_staff"], quarter=quarter_of(one), region=net.danghu)
    return ranking, a, b


def form_url(ranking: Ranking, veteran: Veteran) -> str:
    return reverse("points:objection_new", args=[ranking.case_id]) + f"?veteran={veteran.pk}"


def decide(net: Network, objection: Objection, action: str, note: str) -> int:
    task = Task.objects.get(case_id=objection.case_id, status=Task.Status.OPEN)
    data = {"action": action, f"t{task.pk}-{action}-note": note}
    response = net.client("town_staff").post(reverse("workflow:act", args=[task.pk]), data)
    return int(response.status_code)


def test_a_village_station_objects_within_the_period(net: Network) -> None:
    ranking, a, _b = noticed(net)
    client = net.client("village_staff")
    notice = client.get(reverse("points:ranking", args=[ranking.case_id])).content.decode()
    assert form_url(ranking, a).replace("&", "&amp;") in notice or form_url(ranking, a) in notice
    page = client.get(form_url(ranking, a))
    assert page.status_code == 200
    row = PointEntry.objects.get(veteran=a)
    assert [c for c, _label in page.context["form"].fields["disputed"].choices][1:] == [row.pk]
    response = client.post(form_url(ranking, a), {"disputed": row.pk, "claim": "当天未参加志愿服务"})
    objection = Objection.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("points:objection", args=[objection.case_id])
    assert objection.disputed_id == row.pk and objection.outcome == Outcome.PENDING
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and "当天未参加志愿服务" in detail.content.decode()
    assert [o.pk for o in client.get(reverse("points:objections")).context["rows"]] == [objection.pk]


def test_an_objection_is_refused_at_its_fields_and_nothing_is_written(net: Network) -> None:
    ranking, a, b = noticed(net)
    client = net.client("village_staff")
    others = PointEntry.objects.get(veteran=b)
    response = client.post(form_url(ranking, a), {"disputed": others.pk, "claim": "x"})
    assert response.status_code == 400 and "disputed" in response.context["form"].errors
    response = client.post(form_url(ranking, a), {"disputed": PointEntry.objects.get(veteran=a).pk, "claim": " "})
    assert response.status_code == 400 and "claim" in response.context["form"].errors
    assert not Objection.objects.exists()


def test_after_the_period_an_objection_is_refused_with_the_windows_dates(net: Network) -> None:
    ranking, a, _b = noticed(net)
    backdate(ranking)
    client = net.client("village_staff")
    assert "may_object" in client.get(reverse("points:ranking", args=[ranking.case_id])).context
    assert not client.get(reverse("points:ranking", args=[ranking.case_id])).context["may_object"]
    response = client.post(form_url(ranking, a), {"disputed": PointEntry.objects.get(veteran=a).pk, "claim": "有误"})
    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()["__all__"]
    assert [e.code for e in errors] == ["objection_late"]
    closes = timezone.localdate() - dt.timedelta(days=30 - 7)
    assert errors[0].params["closes"] == closes and errors[0].code == "objection_late"
    assert "公示期" in " ".join(response.context["form"].non_field_errors())
    assert not Objection.objects.exists()


def test_another_towns_station_cannot_object_to_this_ranking(net: Network) -> None:
    ranking, a, _b = noticed(net)
    response = net.client("other_town_staff").get(form_url(ranking, a))
    assert response.status_code == 404


def test_the_veteran_objects_to_their_own_row(net: Network) -> None:
    ranking, a, b = noticed(net)
    user = net.users["veteran"]
    user.veteran = a
    user.save(update_fields=["veteran"])
    client = net.client("veteran")
    mine = client.get(reverse("points:my_ranking"))
    assert mine.status_code == 200 and [r.veteran_id for r in mine.context["rows"]] == [a.pk]
    row = PointEntry.objects.get(veteran=a)
    response = client.post(reverse("points:my_ranking"), {"ranking": ranking.pk, "disputed": row.pk, "claim": "有误"})
    objection = Objection.objects.get()
    assert response.status_code == 302 and objection.veteran_id == a.pk
    # not someone else's row, and not a ranking they are not in
    others = PointEntry.objects.get(veteran=b).pk
    response = client.post(reverse("points:my_ranking"), {"ranking": ranking.pk, "disputed": others, "claim": "x"})
    assert response.status_code == 400 and Objection.objects.count() == 1


def test_an_upheld_objection_reverses_and_the_final_ranking_shows_the_new_score(net: Network) -> None:
    ranking, a, b = noticed(net)
    row = PointEntry.objects.get(veteran=a)
    net.client("village_staff").post(form_url(ranking, a), {"disputed": row.pk, "claim": "当天未参加"})
    objection = Objection.objects.get()
    page = net.client("town_staff").get(reverse("points:objection", args=[objection.case_id])).content.decode()
    assert 'value="uphold"' in page and 'value="dismiss"' in page  # the town decides on the kit's partial
    assert decide(net, objection, "uphold", "") == 400  # a note is required
    assert decide(net, objection, "uphold", "核实未参加") == 302
    objection.refresh_from_db()
    assert objection.outcome == Outcome.UPHELD and objection.reversal is not None and objection.reversal.points == -5
    page = net.client("town_staff").get(reverse("points:objection", args=[objection.case_id])).content.decode()
    assert 'id="reversal"' in page and "-5" in page
    backdate(ranking)
    task = Task.objects.get(case_id=ranking.case_id, status=Task.Status.OPEN)
    published = net.client("town_staff").post(reverse("workflow:act", args=[task.pk]), {"action": "publish"})
    assert published.status_code == 302
    notice = net.client("town_staff").get(reverse("points:ranking", args=[ranking.case_id]))
    scores = {r.veteran_id: (r.score, r.rank) for r in notice.context["page_rows"]}
    assert scores == {b.pk: (3, 1), a.pk: (0, 2)}


def test_a_dismissed_objection_changes_nothing(net: Network) -> None:
    ranking, a, _b = noticed(net)
    row = PointEntry.objects.get(veteran=a)
    net.client("village_staff").post(form_url(ranking, a), {"disputed": row.pk, "claim": "有误"})
    objection = Objection.objects.get()
    assert decide(net, objection, "dismiss", "经核实无误") == 302
    objection.refresh_from_db()
    assert objection.outcome == Outcome.DISMISSED and objection.reversal is None
    assert not PointEntry.objects.filter(reverses=row).exists()


def test_published_rows_never_change_after_a_later_correction(net: Network) -> None:
    ranking, a, _b = noticed(net)
    backdate(ranking)
    task = Task.objects.get(case_id=ranking.case_id, status=Task.Status.OPEN)
    net.client("town_staff").post(reverse("workflow:act", args=[task.pk]), {"action": "publish"})
    ranking.refresh_from_db()
    assert ranking.state == RankingState.FINAL
    before = list(RankingRow.objects.filter(ranking=ranking).order_by("id").values())
    correct(actor=net.users["town_staff"], row=PointEntry.objects.get(veteran=a), reason="录入错误")
    assert list(RankingRow.objects.filter(ranking=ranking).order_by("id").values()) == before
    final = net.client("town_staff").get(reverse("points:ranking", args=[ranking.case_id]))
    assert {r.veteran_id: r.score for r in final.context["page_rows"]}[a.pk] == 5


def test_a_ranking_row_cannot_be_updated_or_deleted_through_the_orm(net: Network) -> None:
    ranking, _a, _b = noticed(net)
    row = RankingRow.objects.filter(ranking=ranking, phase=Phase.NOTICE).first()
    assert row is not None
    row.score = 99
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        RankingRow.objects.filter(pk=row.pk).update(score=99)
    with pytest.raises(AppendOnlyError):
        RankingRow.objects.filter(pk=row.pk).delete()
    # and the database's own trigger, whatever writes to it (on PostgreSQL too: test_ranking_pg)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE points_rankingrow SET score = 99 WHERE id = %s", [row.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM points_rankingrow WHERE id = %s", [row.pk])
    assert RankingRow.objects.get(pk=row.pk).score == 5


def test_the_objection_pages_refuse_another_town(net: Network) -> None:
    ranking, a, _b = noticed(net)
    row = PointEntry.objects.get(veteran=a)
    net.client("village_staff").post(form_url(ranking, a), {"disputed": row.pk, "claim": "有误"})
    objection = Objection.objects.get()
    assert net.client("other_town_staff").get(reverse("points:objection", args=[objection.case_id])).status_code == 404
    assert list(net.client("other_town_staff").get(reverse("points:objections")).context["rows"]) == []
