"""Two grid leaders at the same moment, on PostgreSQL with real concurrent connections: a household's gift is
recorded once, a person's visit is marked (and logged) once.

The gift race: a connection of the test's own inserts the same household's gift and holds its transaction
open, so both writers pass their "already given?" look-up, reach their INSERT and wait on the UNIQUE index
behind it; the test then rolls its row back and lets them go. Whichever inserts second must be refused by the
database's constraint, and told who gave the gift. The visit race holds the person's target row instead.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.testing import Network, UserFactory
from campaigns.models import CampaignGift, CampaignTarget
from campaigns.services import action_record, gift_give
from campaigns.tests.helpers import opened, person
from care.models import Visit
from core.testing_db import race, server_only

pytestmark = pytest.mark.django_db(transaction=True)


def codes(exc: ValidationError) -> list[str]:
    return [e.code for e in exc.error_list]  # type: ignore[misc]


def two_leaders(net: Network) -> tuple[Any, Any]:
    """The grid's leader and a second one of the same grid (a rotation's 轮值站长)."""
    second = UserFactory(username="grid_leader_2", role=net.users["grid_leader"].role, scope_region=net.grid,
                         display_name="第二班长")  # fmt: skip
    return net.users["grid_leader"], second


def test_two_grid_leaders_logging_the_same_households_gift_at_once_record_it_once(net: Network) -> None:
    server_only()
    veteran = person(net, net.grid)
    campaign = opened(net)
    target = CampaignTarget.objects.get(campaign=campaign, veteran=veteran)
    one, two = two_leaders(net)

    def hold(holder: Any) -> None:
        holder.execute(
            "INSERT INTO campaigns_campaigngift (campaign_id, household, target_id, region_code, given_on, given_by_id,"
            " note, recorded_at) VALUES (%s, %s, %s, %s, %s, %s, '', now())",
            [campaign.pk, target.household, target.pk, target.region_code, timezone.localdate(), one.pk],
        )

    outcome = race(hold, lambda: gift_give(actor=one, target_id=target.pk),
                   lambda: gift_give(actor=two, target_id=target.pk))  # fmt: skip
    given = [o for o in outcome if isinstance(o, CampaignGift)]
    refused = [o for o in outcome if isinstance(o, ValidationError)]
    assert len(given) == 1 and len(refused) == 1, outcome
    assert codes(refused[0]) == ["already_given"]
    giver = given[0].given_by
    assert (giver.get_full_name() or giver.username) in refused[0].messages[0]
    assert CampaignGift.objects.filter(campaign=campaign, household=target.household).count() == 1


def test_two_grid_leaders_marking_the_same_visit_at_once_mark_and_log_it_once(net: Network) -> None:
    server_only()
    veteran = person(net, net.grid)
    campaign = opened(net)
    target = CampaignTarget.objects.get(campaign=campaign, veteran=veteran)
    one, two = two_leaders(net)

    def hold(holder: Any) -> None:
        holder.execute("SELECT * FROM campaigns_campaigntarget WHERE id = %s FOR UPDATE", [target.pk])

    outcome = race(hold, lambda: action_record(actor=one, target_id=target.pk, action="visit"),
                   lambda: action_record(actor=two, target_id=target.pk, action="visit"))  # fmt: skip
    marked = [o for o in outcome if isinstance(o, CampaignTarget)]
    refused = [o for o in outcome if isinstance(o, ValidationError)]
    assert len(marked) == 1 and len(refused) == 1, outcome
    assert codes(refused[0]) == ["already_done"]
    assert Visit.objects.filter(veteran=veteran).count() == 1


def test_a_mark_that_comes_while_the_campaign_is_being_closed_is_refused(net: Network) -> None:
    server_only()
    veteran = person(net, net.grid)
    campaign = opened(net)
    target = CampaignTarget.objects.get(campaign=campaign, veteran=veteran)
    leader = net.users["grid_leader"]

    def closing(holder: Any) -> None:  # a close under way: the campaign's row held for update
        holder.execute("UPDATE campaigns_campaign SET state = 'closed', closed_at = now() WHERE id = %s", [campaign.pk])

    # the mark waits for the close (not reading the old "open"), which then commits
    outcome = race(closing, lambda: action_record(actor=leader, target_id=target.pk, action="visit"), commit=True)
    assert isinstance(outcome[0], Exception) and getattr(outcome[0], "code", "") == "campaign_not_open", outcome
    target.refresh_from_db()
    assert target.visit_on is None and not Visit.objects.filter(veteran=veteran).exists()
