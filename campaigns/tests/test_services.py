"""A campaign's life: made, opened (its people assigned in one statement), refreshed, marked, given, closed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.testing import Network
from audit.models import AuditEntry
from campaigns import selectors
from campaigns.assignment import assign
from campaigns.figures import coverage
from campaigns.models import Audience, Campaign, CampaignGift, CampaignTarget, State
from campaigns.services import (
    CampaignInput,
    action_record,
    campaign_close,
    campaign_create,
    campaign_open,
    campaign_refresh,
    gift_give,
)
from campaigns.tests.helpers import draft, opened, person
from care.models import Visit
from core.errors import Conflict
from regions.models import Level
from regions.testing import RegionFactory
from veterans.models import Tag

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [e.code for errors in exc.error_dict.values() for e in errors]  # type: ignore[misc]
    return [e.code for e in exc.error_list]  # type: ignore[misc]


def target_of(campaign: Campaign, veteran: object) -> CampaignTarget:
    return CampaignTarget.objects.get(campaign=campaign, veteran=veteran)


def test_opening_assigns_the_areas_people_in_special_care_to_their_grids(net: Network) -> None:
    in_grid = person(net, net.grid)
    in_village = person(net, net.village, category="martyr_family")
    elsewhere = person(net, net.other_grid)
    person(net, net.grid, category=None)  # not in special care
    dead = person(net, net.grid)
    dead.status, dead.deceased_on = "deceased", dt.date(2025, 1, 1)
    dead.save()
    campaign = opened(net, net.danghu, actor=net.users["town_staff"])
    rows = {t.veteran_id: t for t in CampaignTarget.objects.filter(campaign=campaign)}
    assert set(rows) == {in_grid.pk, in_village.pk} and campaign.targets == 2
    assert rows[in_grid.pk].region_code == net.grid.code and rows[in_village.pk].region_code == net.village.code
    assert rows[in_grid.pk].household == str(in_grid.pk)
    assert elsewhere.pk not in rows
    assert campaign.state == State.OPEN and campaign.opened_at is not None
    assert AuditEntry.objects.filter(action="campaigns.open").count() == 1


def test_the_target_set_is_declared_by_categories_tags_or_everyone(net: Network) -> None:
    martyr = person(net, net.grid, category="martyr_family")
    disabled = person(net, net.grid)
    plain = person(net, net.grid, category=None)
    martyrs = opened(net, categories=["martyr_family"], name="烈属慰问")
    assert set(CampaignTarget.objects.filter(campaign=martyrs).values_list("veteran_id", flat=True)) == {martyr.pk}
    everyone = opened(net, audience=Audience.ALL_VETERANS, name="八一慰问", gift="")
    assert everyone.targets == 3
    tag = Tag.objects.create(code="campaign_test", name="测试标签")
    plain.tags.add(tag)
    tagged = opened(net, audience=Audience.ALL_VETERANS, name="困难老兵", gift="")
    tagged.tags = ["campaign_test"]
    tagged.save()
    CampaignTarget.objects.filter(campaign=tagged).delete()
    assert assign(tagged) == 1
    assert disabled.pk not in CampaignTarget.objects.filter(campaign=tagged).values_list("veteran_id", flat=True)


def test_a_refresh_adds_the_people_who_came_in_and_nobody_twice(net: Network) -> None:
    person(net, net.grid)
    campaign = opened(net)
    newcomer = person(net, net.other_grid)
    assert campaign_refresh(actor=net.users["city_staff"], campaign=campaign) == 1
    assert campaign_refresh(actor=net.users["city_staff"], campaign=campaign) == 0
    campaign.refresh_from_db()
    assert campaign.targets == 2 == CampaignTarget.objects.filter(campaign=campaign).count()
    assert CampaignTarget.objects.filter(campaign=campaign, veteran=newcomer).count() == 1


def test_the_database_keeps_one_target_per_person_and_one_gift_per_household(net: Network) -> None:
    veteran = person(net, net.grid)
    campaign = opened(net)
    target = target_of(campaign, veteran)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignTarget.objects.create(campaign=campaign, veteran=veteran, region_code=net.grid.code,
                                      household="x", added_at=timezone.now())  # fmt: skip
    gift_give(actor=net.users["grid_leader"], target_id=target.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignGift.objects.create(campaign=campaign, household=target.household, target=target,
                                    region_code=target.region_code, given_on=timezone.localdate(),
                                    given_by=net.users["city_staff"])  # fmt: skip


def test_a_gift_is_given_once_and_the_second_is_told_who_gave_it(net: Network) -> None:
    veteran = person(net, net.grid)
    campaign = opened(net)
    target = target_of(campaign, veteran)
    first = gift_give(actor=net.users["grid_leader"], target_id=target.pk)
    assert first.household == str(veteran.pk) and first.given_on == timezone.localdate()
    with pytest.raises(Conflict) as refused:
        gift_give(actor=net.users["village_staff"], target_id=target.pk)
    assert codes(refused.value) == ["already_given"]
    assert "grid_leader" in refused.value.messages[0]
    assert CampaignGift.objects.count() == 1


def test_each_action_is_marked_once_and_the_visit_logs_a_care_visit(net: Network) -> None:
    veteran = person(net, net.grid)
    campaign = opened(net)
    target = target_of(campaign, veteran)
    leader = net.users["grid_leader"]
    marked = action_record(actor=leader, target_id=target.pk, action="visit", mode="home")
    assert marked.reached and marked.visit_by == leader and marked.care_visit is not None
    assert Visit.objects.filter(veteran=veteran, recorded_by=leader).count() == 1
    with pytest.raises(Conflict) as again:
        action_record(actor=net.users["village_staff"], target_id=target.pk, action="visit")
    assert codes(again.value) == ["already_done"]
    with pytest.raises(ValidationError) as no_note:
        action_record(actor=leader, target_id=target.pk, action="help")
    assert codes(no_note.value) == ["required"]
    action_record(actor=leader, target_id=target.pk, action="help", note="送米送油")
    action_record(actor=leader, target_id=target.pk, action="greeting")
    target.refresh_from_db()
    assert target.help_note == "送米送油" and target.greeting_on == timezone.localdate() and target.salute_on is None


def test_an_action_the_campaign_does_not_ask_or_a_future_day_is_refused(net: Network) -> None:
    veteran = person(net, net.grid)
    campaign = opened(net, actions=["visit"], gift="")
    target = target_of(campaign, veteran)
    with pytest.raises(ValidationError) as other:
        action_record(actor=net.users["grid_leader"], target_id=target.pk, action="salute")
    assert codes(other.value) == ["unknown_action"]
    with pytest.raises(ValidationError) as future:
        action_record(actor=net.users["grid_leader"], target_id=target.pk, action="visit",
                      day=timezone.localdate() + dt.timedelta(days=1))  # fmt: skip
    assert codes(future.value) == ["future"]
    with pytest.raises(ValidationError) as no_gift:
        gift_give(actor=net.users["grid_leader"], target_id=target.pk)
    assert codes(no_gift.value) == ["no_gift"]


def test_a_grid_leader_cannot_act_outside_their_grid(net: Network) -> None:
    theirs = person(net, net.other_grid)
    campaign = opened(net)
    target = target_of(campaign, theirs)
    with pytest.raises(ValidationError) as refused:
        action_record(actor=net.users["grid_leader"], target_id=target.pk, action="visit")
    assert codes(refused.value) == ["not_visible"]
    with pytest.raises(ValidationError):
        gift_give(actor=net.users["grid_leader"], target_id=target.pk)
    response = net.client("grid_leader").post(f"/campaigns/targets/{target.pk}/record/",
                                              {"once": "k1", "action": "visit", "mode": "home"})  # fmt: skip
    assert response.status_code == 404


def test_a_closed_campaign_and_a_draft_refuse_new_actions(net: Network) -> None:
    veteran = person(net, net.grid)
    campaign = opened(net)
    target = target_of(campaign, veteran)
    campaign_close(actor=net.users["city_staff"], campaign=campaign)
    with pytest.raises(Conflict) as refused:
        action_record(actor=net.users["grid_leader"], target_id=target.pk, action="visit")
    assert codes(refused.value) == ["campaign_not_open"]
    with pytest.raises(Conflict):
        gift_give(actor=net.users["grid_leader"], target_id=target.pk)
    with pytest.raises(Conflict):
        campaign_close(actor=net.users["city_staff"], campaign=campaign)
    with pytest.raises(Conflict):
        campaign_refresh(actor=net.users["city_staff"], campaign=campaign)


def test_a_town_runs_its_own_campaigns_only(net: Network) -> None:
    town = net.users["town_staff"]
    city_campaign = draft(net)
    with pytest.raises(ValidationError) as refused:
        campaign_open(actor=town, campaign=city_campaign)
    assert codes(refused.value) == ["not_yours"]
    with pytest.raises(ValidationError) as outside:
        draft(net, net.zhapu, actor=town)
    assert codes(outside.value) == ["unknown_region"]
    with pytest.raises(ValidationError) as village:
        draft(net, net.village, actor=town)
    assert codes(village.value) == ["bad_level"]
    own = draft(net, net.danghu, actor=town)
    assert campaign_open(actor=town, campaign=own).state == State.OPEN


def test_bad_campaign_input_is_refused_at_each_field(net: Network) -> None:
    today = timezone.localdate()
    data = CampaignInput(name="", kind="easter", starts_on=today, ends_on=today - dt.timedelta(days=1),
                         region_code="999", audience="everyone", categories=["nope"], tags=["nope"],
                         actions=["dance"], gift_name="礼" * 101)  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        campaign_create(actor=net.users["city_staff"], data=data)
    found = set(codes(refused.value))
    assert {"required", "unknown_kind", "ends_before_start", "unknown_region", "unknown_audience",
            "unknown_category", "unknown_tag", "unknown_action", "too_long"} <= found  # fmt: skip
    with pytest.raises(PermissionDenied):
        campaign_create(actor=net.users["grid_leader"], data=data)


def test_the_grid_leaders_list_is_of_their_grid_and_what_is_left(net: Network) -> None:
    one, two = person(net, net.grid), person(net, net.grid)
    person(net, net.other_grid)
    campaign = opened(net, actions=["visit"])
    leader = net.users["grid_leader"]
    assert {t.veteran_id for t in selectors.to_reach(leader, campaign)} == {one.pk, two.pk}
    action_record(actor=leader, target_id=target_of(campaign, one).pk, action="visit")
    gift_give(actor=leader, target_id=target_of(campaign, one).pk)
    assert [t.veteran_id for t in selectors.to_reach(leader, campaign)] == [two.pk]


def test_coverage_is_counted_by_area_in_real_time(net: Network) -> None:
    people = [person(net, net.grid) for _ in range(3)] + [person(net, net.other_grid)]
    campaign = opened(net)
    for veteran in people[:2]:
        action_record(actor=net.users["city_staff"], target_id=target_of(campaign, veteran).pk, action="visit")
    gift_give(actor=net.users["city_staff"], target_id=target_of(campaign, people[0]).pk)
    total, towns = coverage(campaign)
    assert (total["targets"], total["reached"], total["unreached"], total["gifts"]) == (4, 2, 2, 1)
    assert str(total["rate"]) == "50.0"
    by_town = {t["code"]: t for t in towns}
    assert by_town[net.danghu.code]["reached"] == 2 and by_town[net.danghu.code]["targets"] == 3
    assert by_town[net.zhapu.code]["reached"] == 0
    _village, grids = coverage(campaign, net.village.code)
    assert grids[0]["code"] == net.grid.code and grids[0]["visit"] == 2 and "leader" in grids[0]


def test_a_campaign_is_seen_by_its_areas_people_and_not_by_another_town(net: Network) -> None:
    city = opened(net)
    town = opened(net, net.danghu, actor=net.users["town_staff"], name="当湖八一")
    leader = net.users["grid_leader"]
    assert set(selectors.campaigns(leader)) == {city, town}
    assert set(selectors.campaigns(net.users["other_town_staff"])) == {city}
    assert set(selectors.campaigns(net.users["city_staff"])) == {city, town}
    assert not selectors.campaigns(net.users["veteran"]).exists()


def test_a_village_with_people_outside_grids_shows_them_apart(net: Network) -> None:
    grid_two = RegionFactory(code=net.village.code + "002", name="二网格", level=Level.GRID, parent=net.village)
    person(net, grid_two)
    person(net, net.village)
    campaign = opened(net)
    _total, rows = coverage(campaign, net.village.code)
    assert [r["targets"] for r in rows] == [0, 1, 1]


def test_a_grid_leader_is_reminded_of_the_people_an_open_campaign_has_not_visited(net: Network) -> None:
    from workflow.reminders import reminders_for

    first, second = person(net, net.grid), person(net, net.grid)
    leader = net.users["grid_leader"]
    campaign = opened(net, net.danghu, actor=net.users["town_staff"])
    assert {s.reminder.key: s.count for s in reminders_for(leader)}.get("campaigns.to_reach") == 2
    action_record(actor=leader, target_id=target_of(campaign, first).pk, action="visit")
    assert {s.reminder.key: s.count for s in reminders_for(leader)}.get("campaigns.to_reach") == 1
    assert "campaigns.to_reach" not in {s.reminder.key for s in reminders_for(net.users["village_staff"])}
    campaign_close(actor=net.users["town_staff"], campaign=campaign)
    assert "campaigns.to_reach" not in {s.reminder.key for s in reminders_for(leader)}
    assert second.pk != first.pk


def test_a_person_who_moves_during_an_open_campaign_is_reached_by_their_new_grid(net: Network) -> None:
    from veterans.services import scope_regions, veteran_as_input, veteran_update
    from veterans.validation import clean_veteran

    mover, stays = person(net, net.grid), person(net, net.grid)
    open_one = opened(net)
    closed_one = opened(net, name="2025年八一走访慰问")
    campaign_close(actor=net.users["city_staff"], campaign=closed_one)
    staff = net.users["city_admin"]
    data = clean_veteran(veteran_as_input(mover) | {"region_code": net.other_grid.code}, regions=scope_regions(staff))
    veteran_update(actor=staff, veteran=mover, data=data)
    assert target_of(open_one, mover).region_code == net.other_grid.code  # the new grid's now
    assert target_of(open_one, stays).region_code == net.grid.code
    assert target_of(closed_one, mover).region_code == net.grid.code  # a closed campaign's report stays
    leader = net.users["grid_leader"]
    assert [t.veteran_id for t in selectors.to_reach(leader, open_one)] == [stays.pk]
