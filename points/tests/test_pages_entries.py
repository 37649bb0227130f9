"""The entry pages: home, the list, one entry with its approval, and the fast entry form with its refusals."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import Network
from points.entries import balance_of
from points.models import Entry, Participant, PointEntry, Ranking
from points.quarters import quarter_of
from points.tests.helpers import item, photo, submit
from veterans.models import Veteran
from veterans.tests.factories import register as register_veteran
from workflow.models import Case, Task

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def form_data(people: list[Any], code: str = "volunteer-service", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "once": uuid.uuid4().hex, "veterans": [v.pk for v in people], "item": code,
        "day": YESTERDAY.isoformat(), "quantity": "3", "description": "打扫村道", "evidence": photo(),
    }  # fmt: skip
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def post(net: Network, role: str, data: dict[str, Any]) -> Any:
    return net.client(role).post("/points/entries/new/", data)


def nothing_written() -> bool:
    return not Entry.objects.exists() and not Case.objects.filter(process="points_entry").exists()


def field_errors(response: Any, name: str) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get(name, [])]


def field_codes(response: Any, name: str) -> list[str]:
    return [str(e.code) for e in response.context["form"].errors.as_data().get(name, [])]


def test_home_counts_the_entries_waiting_and_shows_the_example_banner(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    submit(net.users["grid_leader"], [a])
    response = net.client("village_staff").get("/points/")
    assert response.status_code == 200
    assert response.context["waiting"] == 1
    assert 'id="example-banner"' in response.content.decode()
    assert net.client("grid_leader").get("/points/").context["waiting"] == 0
    assert net.client("veteran").get("/points/").status_code == 403
    assert net.client("employer").get("/points/").status_code == 403


def test_the_list_filters_by_state_quarter_and_item_and_is_scoped(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    b = register_veteran(net.users["city_staff"], net.other_grid)
    mine = submit(net.users["grid_leader"], [a])
    submit(net.users["city_staff"], [b])
    response = net.client("village_staff").get("/points/entries/")
    assert [e.pk for e in response.context["rows"]] == [mine.pk]
    city = net.client("city_staff")
    assert len(city.get("/points/entries/").context["rows"]) == 2
    assert len(city.get("/points/entries/", {"item": "volunteer-service"}).context["rows"]) == 2
    assert len(city.get("/points/entries/", {"item": "education-study"}).context["rows"]) == 0
    assert len(city.get("/points/entries/", {"quarter": quarter_of(YESTERDAY)}).context["rows"]) == 2
    assert len(city.get("/points/entries/", {"state": "done"}).context["rows"]) == 0
    bad = city.get("/points/entries/", {"quarter": "next year"})
    assert bad.context["form"].errors["quarter"]


def test_a_group_entry_on_the_form_makes_one_case_with_each_person(net: Network) -> None:
    a, b = register_veteran(net.users["city_staff"], net.grid), register_veteran(net.users["city_staff"], net.grid)
    response = post(net, "grid_leader", form_data([a, b]))
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert response["Location"] == f"/points/entries/{entry.case_id}/"
    assert set(Participant.objects.filter(entry=entry).values_list("veteran_id", flat=True)) == {a.pk, b.pk}
    assert entry.points_each == 3 and entry.case.attachments.count() == 1
    page = net.client("grid_leader").get(response["Location"]).content.decode()
    assert a.name in page and b.name in page and "活动.png" in page


def test_the_same_token_twice_makes_one_entry(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    data = form_data([a])
    post(net, "grid_leader", data)
    again = post(net, "grid_leader", {**data, "evidence": photo()})
    assert again.status_code == 302
    assert Entry.objects.count() == 1


def test_the_form_lists_the_grid_leaders_grid_and_searches_by_name(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid, name="张建国")
    b = register_veteran(net.users["city_staff"], net.other_grid, name="李卫东")
    client = net.client("grid_leader")
    page = client.get("/points/entries/new/")
    assert page.status_code == 200
    ids = [v.pk for v in page.context["people"]]
    assert a.pk in ids and b.pk not in ids
    assert 'accept="image/*"' in page.content.decode() and "capture" in page.content.decode()
    assert client.get("/points/entries/new/", {"q": "王"}).context["people"] == []


@pytest.mark.parametrize(
    ("case", "field", "words"),
    [
        ("duplicate", "veterans", "duplicate"),
        ("over_cap", "quantity", "over_cap"),
        ("deceased", "veterans", "deceased"),
        ("frozen", "day", "frozen"),
        ("no_evidence", "evidence", "evidence_required"),
        ("out_of_scope", "veterans", "not_visible"),
        ("no_people", "veterans", "required"),
        ("future", "day", "future"),
    ],
)
def test_each_refusal_is_shown_at_its_field_and_writes_nothing(net: Network, case: str, field: str, words: str) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    data = form_data([a])
    if case == "duplicate":
        submit(net.users["village_staff"], [a], day=YESTERDAY)
    elif case == "over_cap":
        data["quantity"] = "24"
        submit(net.users["village_staff"], [a], day=YESTERDAY - dt.timedelta(days=1), quantity="24")
        if quarter_of(YESTERDAY - dt.timedelta(days=1)) != quarter_of(YESTERDAY):
            pytest.skip("the two days fall in two quarters today")
    elif case == "deceased":
        Veteran.objects.filter(pk=a.pk).update(status="deceased", deceased_on=YESTERDAY - dt.timedelta(days=3))
    elif case == "frozen":
        Ranking.objects.create(quarter=quarter_of(YESTERDAY), region_code=net.danghu.code,
                               case=_case(net))  # fmt: skip
    elif case == "no_evidence":
        data.pop("evidence")
    elif case == "out_of_scope":
        other = register_veteran(net.users["city_staff"], net.other_grid)
        data["veterans"] = [a.pk, other.pk]
    elif case == "no_people":
        data["veterans"] = []
    elif case == "future":
        data["day"] = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    before = Entry.objects.count()
    response = post(net, "grid_leader", data)
    assert response.status_code == 400
    assert words in field_codes(response, field), response.context["form"].errors
    assert field_errors(response, field)  # the message itself, shown at the field
    assert Entry.objects.count() == before
    assert not PointEntry.objects.exists()


def _case(net: Network) -> Case:
    from points.process import RANKING
    from workflow.services import open_case

    case = open_case(actor=net.users["town_staff"], process=RANKING, title="frozen", region_code=net.danghu.code,
                     owner_code=net.danghu.code, subject={"quarter": quarter_of(YESTERDAY)})  # fmt: skip
    Ranking.objects.filter(case=case).delete()
    return case


def test_a_veteran_submits_for_themself_only(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.village)
    other = register_veteran(net.users["city_staff"], net.village)
    user = net.users["veteran"]
    user.veteran = a
    user.save(update_fields=["veteran"])
    client = net.client("veteran")
    page = client.get("/points/entries/new/")
    assert [v.pk for v in page.context["people"]] == [a.pk]
    refused = client.post("/points/entries/new/", form_data([other]))
    assert refused.status_code == 400 and field_codes(refused, "veterans") == ["not_own"]
    assert nothing_written()
    done = client.post("/points/entries/new/", form_data([a]))
    assert done.status_code == 302 and done["Location"] == "/points/entries/new/"
    assert Entry.objects.get().submitted_as == "veteran"


def test_a_veteran_without_a_record_is_told_and_cannot_submit(net: Network) -> None:
    client = net.client("veteran")
    assert client.get("/points/entries/new/").status_code == 200
    a = register_veteran(net.users["city_staff"], net.village)
    assert client.post("/points/entries/new/", form_data([a])).status_code == 400
    assert nothing_written()


def test_approval_through_the_entry_page_books_the_ledger(net: Network) -> None:
    a, b = register_veteran(net.users["city_staff"], net.grid), register_veteran(net.users["city_staff"], net.grid)
    post(net, "grid_leader", form_data([a, b]))
    entry = Entry.objects.get()
    staff = net.client("village_staff")
    page = staff.get(f"/points/entries/{entry.case_id}/")
    assert page.status_code == 200 and 'value="approve"' in page.content.decode()
    task = Task.objects.get(case=entry.case, status=Task.Status.OPEN)
    response = staff.post(f"/tasks/{task.pk}/act/", {"action": "approve", "note": ""})
    assert response.status_code in (200, 302)
    assert balance_of(a) == (3, 0) and balance_of(b) == (3, 0)
    assert PointEntry.objects.filter(entry=entry).count() == 2


def test_the_entry_page_is_refused_outside_the_scope(net: Network) -> None:
    b = register_veteran(net.users["city_staff"], net.other_grid)
    entry = submit(net.users["city_staff"], [b])
    assert net.client("village_staff").get(f"/points/entries/{entry.case_id}/").status_code == 404
    assert net.client("grid_leader").get(f"/points/entries/{entry.case_id}/").status_code == 404
    assert net.client("other_town_staff").get(f"/points/entries/{entry.case_id}/").status_code == 200
    assert net.client("veteran").get(f"/points/entries/{entry.case_id}/").status_code == 403


def test_the_item_of_another_submitter_is_refused_at_the_item(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    item("safety-clue")
    response = post(net, "grid_leader", form_data([a], code="safety-clue", quantity=None))
    assert response.status_code == 400 and field_errors(response, "item")
    assert nothing_written()
