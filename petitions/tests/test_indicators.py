"""信访 on the cockpit: petitions received by area, month and channel; accepted and answered within their limits;
the petitioners' satisfaction; each step of a petition makes its area stale until the refresh."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import Network
from cockpit import build, selectors
from cockpit.kit import INDICATORS
from cockpit.models import Dirty
from cockpit.testing import disagreements
from petitions.tests.helpers import drive, open_task, register_petition
from workflow.services import act

pytestmark = pytest.mark.django_db

KEYS = ["petitions.received", "petitions.replied_on_time", "petitions.satisfaction"]
TODAY = timezone.localdate()
RECENT, LATE = TODAY - dt.timedelta(days=3), TODAY - dt.timedelta(days=20)


def areas(net: Network) -> list[Any]:
    return [net.city, net.danghu, net.zhapu, net.village, net.other_village, net.grid, net.other_grid]


def figure(region: Any, key: str = "petitions.received") -> dict[str, int]:
    """The measures over the years the petitions were received in (20 days back may be last year)."""
    found: dict[str, int] = {}
    for year in sorted({str(RECENT.year), str(LATE.year)}):
        figure = selectors.overview(region, year, [key])[0]
        for m in figure.indicator.measures:
            found[m.key] = found.get(m.key, 0) + int(figure.measure(m.key))
    return found


def counts(**values: int) -> dict[str, int]:
    keys = ("count", "accepted", "accepted_on_time", "replied", "replied_on_time", "rated", "satisfied")
    return {k: values.get(k, 0) for k in keys}


@pytest.fixture
def three(net: Network) -> dict[str, Any]:
    # answered and rated within every limit
    answered = drive(net, register_petition(net, received_on=RECENT.isoformat(), channel="visit"))
    # accepted five days after its limit of 15, then investigated and decided: waiting for the reply
    late = drive(net, register_petition(net, received_on=LATE.isoformat(), channel="letter",
                                        region_code=net.other_village.code), until="reply")  # fmt: skip
    waiting = register_petition(net, received_on=RECENT.isoformat(), channel="online", region_code=net.grid.code)
    return {"answered": answered, "late": late, "waiting": waiting}


def test_petitions_are_counted_with_their_steps_on_time(net: Network, three: dict[str, Any]) -> None:
    build.rebuild(KEYS)
    assert figure(net.city) == counts(count=3, accepted=2, accepted_on_time=1, replied=1, replied_on_time=1, rated=1,
                                      satisfied=1)  # fmt: skip
    assert figure(net.danghu) == counts(count=2, accepted=1, accepted_on_time=1, replied=1, replied_on_time=1,
                                        rated=1, satisfied=1)  # fmt: skip
    assert figure(net.zhapu) == counts(count=1, accepted=1)
    assert figure(net.grid) == counts(count=1)
    rate = selectors.overview(net.city, str(RECENT.year), ["petitions.satisfaction"])[0]
    assert rate.value == Decimal("100.0")
    by_channel = selectors.breakdown(INDICATORS["petitions.received"], net.city, str(RECENT.year), by="channel")
    if RECENT.year == LATE.year:
        assert {r.key: int(r.values["count"]) for r in by_channel} == {"letter": 1, "visit": 1, "online": 1}
    assert disagreements(areas(net), KEYS) == []


def test_each_step_makes_its_area_stale_until_the_refresh(
    net: Network, three: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    build.rebuild(KEYS)
    staff = net.users["city_staff"]
    with django_capture_on_commit_callbacks(execute=True):
        act(actor=staff, task=open_task(three["waiting"], "accept"), action="accept")
    with django_capture_on_commit_callbacks(execute=True):
        act(actor=staff, task=open_task(three["late"], "reply"), action="reply", note="已按政策答复。")
    with django_capture_on_commit_callbacks(execute=True):
        register_petition(net, received_on=RECENT.isoformat(), channel="phone_12345",
                          region_code=net.other_grid.code)  # fmt: skip
    assert {net.grid.code, net.other_village.code, net.other_grid.code} <= set(
        Dirty.objects.filter(indicator="petitions.received").values_list("region_code", flat=True)
    )
    assert figure(net.zhapu) == counts(count=1, accepted=1)  # as of the last build
    assert disagreements(areas(net), KEYS) != []

    build.refresh()
    assert figure(net.zhapu) == counts(count=2, accepted=1, replied=1, replied_on_time=1)
    assert figure(net.danghu) == counts(count=2, accepted=2, accepted_on_time=2, replied=1, replied_on_time=1,
                                        rated=1, satisfied=1)  # fmt: skip
    assert figure(net.city)["count"] == 4
    assert disagreements(areas(net), KEYS) == []
