"""The rankings' pages: the list and the freeze form, the public notice with its rows, publishing the final
ranking through the kit, the printable PDF; who sees a ranking."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from accounts.roles import Role
from accounts.testing import Network, UserFactory
from points.models import Phase, Ranking, RankingRow, RankingState
from points.quarters import label, quarter_of
from points.ranking import freeze
from points.tests.helpers import approver, decide, submit
from points.tests.test_entries import past_quarter_days
from veterans.tests.factories import register as register_veteran
from workflow.models import Case, Task

pytestmark = pytest.mark.django_db


def booked(net: Network, people: list, hours: str, day: dt.date) -> None:
    entry = submit(net.users["grid_leader"], people, day=day, quantity=hours)
    decide(entry, approver(net, entry))


def booked_in_zhapu(net: Network, people: list, hours: str, day: dt.date) -> None:
    """Booked by the other town's village station (the network has no staff there: one is made)."""
    staff = User.objects.filter(username="zhapu_village").first() or UserFactory(
        username="zhapu_village", role=Role.VILLAGE_STAFF, scope_region=net.other_village
    )
    entry = submit(net.users["other_town_staff"], people, day=day, quantity=hours)
    decide(entry, net.users["other_town_staff"] if entry.town_approval else staff)


def town_ranking(net: Network, people: int = 3) -> Ranking:
    staff = net.users["city_staff"]
    vets = [register_veteran(staff, net.grid) for _ in range(people)]
    one, two, _three = past_quarter_days()
    for n, v in enumerate(vets):
        booked(net, [v], str(n + 1), one if n % 2 else two)
    ranking, _made = freeze(actor=net.users["town_staff"], quarter=quarter_of(one), region=net.danghu)
    return ranking


def backdate(ranking: Ranking, days: int = 30) -> None:
    case = Case.objects.get(pk=ranking.case_id)
    case.data["dates"]["notice"] = (timezone.localdate() - dt.timedelta(days=days)).isoformat()
    case.save(update_fields=["data"])


def test_it_freezes_through_the_page_and_lists_the_ranking_with_its_period(net: Network) -> None:
    staff = net.users["city_staff"]
    a = register_veteran(staff, net.grid)
    one, _two, _three = past_quarter_days()
    booked(net, [a], "4", one)
    client = net.client("town_staff")
    page = client.get(reverse("points:rankings"))
    assert page.status_code == 200
    assert f'value="{quarter_of(one)}"' in page.content.decode()  # the last ended quarter by default
    response = client.post(reverse("points:ranking_freeze"), {"quarter": quarter_of(one), "region": net.danghu.code})
    ranking = Ranking.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("points:ranking", args=[ranking.case_id])
    listed = client.get(reverse("points:rankings")).content.decode()
    today = timezone.localdate()
    assert label(ranking.quarter) in listed and "当湖街道" in listed
    closes = today + dt.timedelta(days=7)
    assert f"{today:%Y-%m-%d} – {closes:%Y-%m-%d}" in listed


def test_freezing_twice_says_already_frozen_and_links_to_it(net: Network) -> None:
    ranking = town_ranking(net)
    rows = RankingRow.objects.count()
    response = net.client("town_staff").post(
        reverse("points:ranking_freeze"), {"quarter": ranking.quarter, "region": net.danghu.code}
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="already-frozen"' in body
    assert reverse("points:ranking", args=[ranking.case_id]) in body
    assert Ranking.objects.count() == 1 and RankingRow.objects.count() == rows


@pytest.mark.parametrize(("quarter", "code"), [("now", "not_over"), ("2026-3", "bad_quarter")])
def test_it_refuses_a_quarter_not_over_or_malformed_at_the_field(net: Network, quarter: str, code: str) -> None:
    if quarter == "now":
        quarter = quarter_of(timezone.localdate())
    response = net.client(
        "town_staff",
    ).post(reverse("points:ranking_freeze"), {"quarter": quarter, "region": net.danghu.code})
    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["quarter"]] == [code]
    assert not Ranking.objects.exists()


def test_it_refuses_while_entries_wait_for_approval(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    one, _two, _three = past_quarter_days()
    submit(net.users["grid_leader"], [a], day=one, quantity="2")  # not approved
    response = net.client("town_staff").post(
        reverse("points:ranking_freeze"), {"quarter": quarter_of(one), "region": net.danghu.code}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()["quarter"]
    assert [e.code for e in errors] == ["pending_entries"] and "待审核" in str(errors[0].message % errors[0].params)


def test_a_town_station_may_not_freeze_another_town(net: Network) -> None:
    one, _two, _three = past_quarter_days()
    response = net.client("town_staff").post(
        reverse("points:ranking_freeze"), {"quarter": quarter_of(one), "region": net.zhapu.code}
    )
    assert response.status_code == 400 and "region" in response.context["form"].errors
    choices = [c for c, _n in response.context["form"].fields["region"].choices]
    assert choices == [net.danghu.code]


def test_a_grid_leader_may_not_freeze(net: Network) -> None:
    response = net.client("grid_leader").post(reverse("points:ranking_freeze"), {"quarter": "2026Q1"})
    assert response.status_code == 403


def test_the_notice_shows_the_rows_best_first_with_names_and_places(
    net: Network, django_assert_max_num_queries: object
) -> None:
    ranking = town_ranking(net, people=3)
    client = net.client("town_staff")
    url = reverse("points:ranking", args=[ranking.case_id])
    with django_assert_max_num_queries(40):  # type: ignore[operator]
        response = client.get(url)
    assert response.status_code == 200
    rows = list(response.context["page_rows"])
    assert [r.score for r in rows] == [3, 2, 1] and [r.rank for r in rows] == [1, 2, 3]
    assert all(r.village == "东湖村" and r.grid == "东湖村老兵壹家" for r in rows)
    body = response.content.decode()
    assert "公示" in body or "public notice" in body
    assert reverse("points:ranking_pdf", args=[ranking.case_id]) in body
    # the place in the ranking (名次), not a military rank (军衔), and the objection link is “提出异议”
    with translation.override("zh-hans"):
        body = client.get(url).content.decode()
    assert 'data-label="名次"' in body and "军衔" not in body
    assert ">提出异议</a>" in body and ">对象<" not in body


def test_the_notice_query_count_does_not_grow_with_the_rows(
    net: Network, django_assert_max_num_queries: object
) -> None:
    small = town_ranking(net, people=2)
    client = net.client("town_staff")
    with django_assert_max_num_queries(40) as few:  # type: ignore[operator]
        client.get(reverse("points:ranking", args=[small.case_id]))
    staff = net.users["city_staff"]
    vets = [register_veteran(staff, net.other_grid) for _ in range(12)]
    one, _two, _three = past_quarter_days()
    booked_in_zhapu(net, vets, "1", one)
    big, _made = freeze(actor=net.users["city_staff"], quarter=small.quarter, region=net.zhapu)
    other = net.client("other_town_staff")
    with django_assert_max_num_queries(len(few.captured_queries)):  # type: ignore[attr-defined,operator]
        response = other.get(reverse("points:ranking", args=[big.case_id]))
    assert len(response.context["page_rows"]) == 12


def test_the_notice_filters_by_village_or_grid_and_ignores_a_foreign_one(net: Network) -> None:
    ranking = town_ranking(net, people=2)
    client = net.client("town_staff")
    url = reverse("points:ranking", args=[ranking.case_id])
    assert len(client.get(url, {"within": net.grid.code}).context["page_rows"]) == 2
    response = client.get(url, {"within": net.other_village.code})
    assert response.status_code == 200 and response.context["within"] == ""
    assert "within" in response.context["within_form"].errors


def test_a_village_station_and_grid_leader_see_their_towns_ranking_another_town_does_not(net: Network) -> None:
    ranking = town_ranking(net, people=1)
    url = reverse("points:ranking", args=[ranking.case_id])
    assert net.client("village_staff").get(url).status_code == 200
    assert net.client("grid_leader").get(url).status_code == 200
    assert net.client("other_town_staff").get(url).status_code == 404
    listed = net.client("village_staff").get(reverse("points:rankings")).context["rows"]
    assert [r.pk for r in listed] == [ranking.pk]
    assert list(net.client("other_town_staff").get(reverse("points:rankings")).context["rows"]) == []


def test_publishing_is_refused_before_the_period_closes_and_done_after(net: Network) -> None:
    ranking = town_ranking(net, people=2)
    client = net.client("town_staff")
    task = Task.objects.get(case_id=ranking.case_id, status=Task.Status.OPEN)
    notice = client.get(reverse("points:ranking", args=[ranking.case_id])).content.decode()
    assert 'name="action" value="publish"' in notice  # the kit's case partial offers the town its step
    village = net.client("village_staff").get(reverse("points:ranking", args=[ranking.case_id])).content.decode()
    assert 'value="publish"' not in village
    act_url = reverse("workflow:act", args=[task.pk])
    early = client.post(act_url, {"action": "publish", "note": ""})
    assert early.status_code == 400
    assert "objection period" in early.content.decode() or "公示期" in early.content.decode()
    ranking.refresh_from_db()
    assert ranking.state == RankingState.NOTICE
    backdate(ranking)
    done = client.post(act_url, {"action": "publish", "note": ""})
    assert done.status_code == 302
    ranking.refresh_from_db()
    assert ranking.state == RankingState.FINAL
    assert RankingRow.objects.filter(ranking=ranking, phase=Phase.FINAL).count() == 2
    page = client.get(reverse("points:ranking", args=[ranking.case_id]))
    assert 'id="final-note"' in page.content.decode()
    assert {r.phase for r in page.context["page_rows"]} == {Phase.FINAL}
    pdf = client.get(reverse("points:ranking_pdf", args=[ranking.case_id])).content
    assert "最终排名" in text_of(pdf) and "公示期" not in text_of(pdf)


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_is_a_download_not_kept_with_a_page_per_rows(net: Network) -> None:
    ranking = town_ranking(net, people=3)
    response = net.client("village_staff").get(reverse("points:ranking_pdf", args=[ranking.case_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    assert page_count(response.content) == 1
    text = text_of(response.content)
    assert "公示期" in text and "当湖街道" in text and "东湖村" in text
    assert all(r.name in text for r in RankingRow.objects.filter(ranking=ranking))
    staff = net.users["city_staff"]
    many = [register_veteran(staff, net.other_grid) for _ in range(70)]
    booked_in_zhapu(net, many, "1", past_quarter_days()[0])
    big, _made = freeze(actor=net.users["city_staff"], quarter=ranking.quarter, region=net.zhapu)
    pdf = net.client("other_town_staff").get(reverse("points:ranking_pdf", args=[big.case_id])).content
    assert page_count(pdf) == 2  # 70 rows, about 40 a page under the heading repeated on each
    assert net.client("other_town_staff").get(reverse("points:ranking_pdf", args=[ranking.case_id])).status_code == 404


def test_the_list_of_rankings_costs_the_same_queries_for_one_ranking_or_two(
    net: Network, django_assert_max_num_queries: object
) -> None:
    ranking = town_ranking(net, people=1)
    client = net.client("city_staff")
    with django_assert_max_num_queries(30) as one:  # type: ignore[operator]
        client.get(reverse("points:rankings"))
    booked_in_zhapu(net, [register_veteran(net.users["city_staff"], net.other_grid)], "1", past_quarter_days()[0])
    freeze(actor=net.users["city_staff"], quarter=ranking.quarter, region=net.zhapu)
    with django_assert_max_num_queries(len(one.captured_queries)):  # type: ignore[attr-defined,operator]
        response = client.get(reverse("points:rankings"))
    assert len(response.context["rows"]) == 2
    assert {r.area for r in response.context["rows"]} == {"当湖街道", "乍浦镇"}
    choices = [c for c, _n in response.context["form"].fields["region"].choices]
    assert choices == [net.city.code, net.danghu.code, net.zhapu.code]  # the city's staff: the city or any town


def test_the_filter_offers_the_areas_under_the_chosen_one_from_the_network(net: Network) -> None:
    ranking = town_ranking(net, people=2)
    client = net.client("town_staff")
    url = reverse("points:ranking", args=[ranking.case_id])
    offered = [code for code, _name in client.get(url).context["within_form"].fields["within"].choices]
    assert offered == ["", net.village.code]  # the town's villages (the network has one in 当湖街道)
    response = client.get(url, {"within": net.village.code})
    offered = [code for code, _name in response.context["within_form"].fields["within"].choices]
    assert offered == ["", net.village.code, net.grid.code] and response.context["within"] == net.village.code
    assert len(response.context["page_rows"]) == 2
    response = client.get(url, {"within": "330482001009"})  # under the town, but no such village
    assert response.context["within"] == "" and "within" in response.context["within_form"].errors


def test_the_public_notice_page_lists_the_rows_without_the_cases_panel(net: Network) -> None:
    ranking = town_ranking(net, people=3)
    url = reverse("points:ranking_notice", args=[ranking.case_id])
    for role in ("town_staff", "village_staff", "grid_leader"):  # the town's own, and those within it
        response = net.client(role).get(url, {"within": net.village.code})
        assert response.status_code == 200, role
        assert [r.score for r in response.context["page_rows"]] == [3, 2, 1]
        body = response.content.decode()
        assert reverse("points:ranking_pdf", args=[ranking.case_id]) in body
        assert "data-step=" not in body  # no steps, forms or history (the ranking's own page has them)
    assert net.client("other_town_staff").get(url).status_code == 404
    case_page = net.client("town_staff").get(reverse("points:ranking", args=[ranking.case_id])).content.decode()
    assert "data-step=" in case_page and reverse("points:ranking_notice", args=[ranking.case_id]) in case_page
