"""The regular-contact demo: a year of visits over Pinghu at the people's frequencies, key people, and needs
at every stage through the real services; loaded once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.testing import TEST_PASSWORD
from care.demo import NEEDS
from care.figures import coverage
from care.models import KEY_PERSON_TAG, Need, Visit
from care.tests.helpers import seeded
from regions.demo import CITY_CODE
from veterans.models import Veteran
from workflow.models import Case, Task

pytestmark = pytest.mark.django_db


def test_the_demo_loads_a_year_of_visits_and_needs_at_every_stage() -> None:
    seeded()
    out = StringIO()
    call_command("demo", "--veterans", "2000", "--password", TEST_PASSWORD, stdout=out)
    assert "visits over the last year" in out.getvalue()
    today = timezone.localdate()
    visits = Visit.objects.all()
    first, last = visits.order_by("visited_on").first(), visits.order_by("-visited_on").first()
    assert first is not None and last is not None
    assert first.visited_on >= today - dt.timedelta(days=366) and last.visited_on <= today
    assert (last.visited_on - first.visited_on).days > 300  # spread over the year
    # everyone at least once a year, most reached: the city's coverage is high but not complete
    total, towns = coverage(CITY_CODE)
    assert total["living"] >= 1900
    assert 85 <= total["rate"] < 100, total
    assert all(t["rate"] is None or t["rate"] > 70 for t in towns)
    key = Veteran.objects.filter(tags__code=KEY_PERSON_TAG)
    assert key.count() == 3
    assert all(Visit.objects.filter(veteran=p).count() >= 9 for p in key)  # monthly

    ours = [description for _category, description, _steps in NEEDS]  # the martyrs demo raises needs of its own
    needs = {n.description: n for n in Need.objects.filter(description__in=ours).select_related("case")}
    assert len(needs) == 6
    by_state: dict[str, list[Need]] = {}
    for need in needs.values():
        steps = Task.objects.filter(case=need.case, status=Task.Status.OPEN).values_list("step", flat=True)
        state = "done" if need.case.state == Case.State.DONE else next(iter(steps))
        by_state.setdefault(state, []).append(need)
    assert len(by_state["handle"]) == 4 and len(by_state["followup"]) == 1 and len(by_state["done"]) == 1
    assert any(n.handler_department == "hrss" for n in by_state["handle"])  # routed to 人社
    assert any(n.reopened == 1 for n in by_state["handle"])  # not satisfied at the 回访: reopened
    assert by_state["done"][0].satisfaction == "very"
    assert {n.source for n in needs.values()} == {"visit", "station"}

    before = Visit.objects.count()
    call_command("demo", "--veterans", "2000", "--password", TEST_PASSWORD, stdout=StringIO())
    assert Visit.objects.count() == before and Need.objects.filter(description__in=ours).count() == 6
