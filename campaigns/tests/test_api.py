"""The campaigns API: made and run by the city or a town, marked from a grid leader's phone, sent twice and kept
once, refused in Chinese and English at the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.testing import Network
from campaigns.models import CampaignGift, CampaignTarget
from campaigns.tests.helpers import draft, opened, person

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, body: dict[str, Any], key: str = "") -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, body, content_type="application/json", **headers)


def body(net: Network, **overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data = {"name": "2026年八一走访慰问", "kind": "august_first", "starts_on": str(today),
            "ends_on": str(today + dt.timedelta(days=20)), "region_code": net.city.code, "audience": "special_care",
            "categories": [], "actions": ["visit", "greeting"], "gift_name": ""}  # fmt: skip
    data.update(overrides)
    return data


def fields(response: Any) -> dict[str, str]:
    """The refused fields of an error answer, each with its code."""
    body = response.json()["error"]
    return {f["field"]: f["code"] for f in body["fields"]} or {body.get("field") or "": body["code"]}


def error(response: Any) -> dict[str, Any]:
    return response.json()["error"]  # type: ignore[no-any-return]


def test_the_city_makes_opens_and_closes_a_campaign(net: Network) -> None:
    person(net, net.grid)
    client = net.api_client("city_staff")
    made = post(client, "/api/v1/campaigns", body(net), key="c-1")
    assert made.status_code == 201, made.content
    again = post(client, "/api/v1/campaigns", body(net), key="c-1")
    assert again.status_code == 200 and again.json()["id"] == made.json()["id"]
    campaign = made.json()["id"]
    opened_ = client.post(f"/api/v1/campaigns/{campaign}/open")
    assert opened_.status_code == 200 and opened_.json()["state"] == "open" and opened_.json()["targets"] == 1
    refreshed = client.post(f"/api/v1/campaigns/{campaign}/refresh")
    assert refreshed.json() == {"added": 0, "targets": 1}
    closed = client.post(f"/api/v1/campaigns/{campaign}/close")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert client.post(f"/api/v1/campaigns/{campaign}/close").status_code == 409
    listed = client.get("/api/v1/campaigns?state=closed").json()["items"]
    assert [c["id"] for c in listed] == [campaign]


def test_bad_input_is_refused_at_each_field_in_chinese_and_english(net: Network) -> None:
    client = net.api_client("city_staff")
    response = post(client, "/api/v1/campaigns", body(net, kind="easter", region_code=net.village.code,
                                                      audience="all", actions=["dance"], categories=["x"]))  # fmt: skip
    assert response.status_code == 400
    found = fields(response)
    assert found["kind"] == "unknown_kind" and found["region_code"] == "bad_level"
    assert found["audience"] == "unknown_audience" and found["actions"] == "unknown_action"
    item = next(e for e in error(response)["fields"] if e["field"] == "region_code")
    assert "全市或一个镇" in item["message"] and "city or one town" in item["message_en"]
    bad_date = post(client, "/api/v1/campaigns", body(net, starts_on="2026-13-01"))
    assert bad_date.status_code == 400
    town = post(net.api_client("town_staff"), "/api/v1/campaigns", body(net))
    assert town.status_code == 400 and fields(town)["region_code"] == "unknown_region"
    assert post(net.api_client("grid_leader"), "/api/v1/campaigns", body(net)).status_code == 403


def test_a_grid_leader_marks_from_the_phone_once_however_often_it_is_sent(net: Network) -> None:
    veteran = person(net, net.grid)
    campaign = opened(net)
    target = CampaignTarget.objects.get(campaign=campaign, veteran=veteran)
    client = net.api_client("grid_leader")
    url = f"/api/v1/campaigns/targets/{target.pk}/actions"
    first = post(client, url, {"action": "visit", "mode": "phone"}, key="a-1")
    assert first.status_code == 201, first.content
    assert first.json()["reached"] is True and first.json()["visit_on"] == str(timezone.localdate())
    assert post(client, url, {"action": "visit", "mode": "phone"}, key="a-1").status_code == 200
    assert post(client, url, {"action": "visit", "mode": "home"}, key="a-1").status_code == 409  # the key reused
    twice = post(client, url, {"action": "visit"}, key="a-2")
    assert twice.status_code == 409 and error(twice)["code"] == "already_done"
    unknown = post(client, url, {"action": "dance"}, key="a-3")
    assert unknown.status_code == 400 and fields(unknown) == {"action": "unknown_action"}
    future = post(client, url, {"action": "greeting", "day": "2999-01-01"}, key="a-4")
    assert future.status_code == 400 and fields(future) == {"day": "future"}


def test_a_gift_is_recorded_once_and_a_second_leader_is_told_who_gave_it(net: Network) -> None:
    veteran = person(net, net.grid)
    campaign = opened(net)
    target = CampaignTarget.objects.get(campaign=campaign, veteran=veteran)
    url = f"/api/v1/campaigns/targets/{target.pk}/gift"
    first = post(net.api_client("grid_leader"), url, {}, key="g-1")
    assert first.status_code == 201 and first.json()["household"] == str(veteran.pk)
    assert post(net.api_client("grid_leader"), url, {}, key="g-1").status_code == 200
    second = post(net.api_client("village_staff"), url, {}, key="g-9")
    assert second.status_code == 409
    refusal = error(second)
    assert refusal["code"] == "already_given" and "grid_leader" in refusal["message"] and "已由" in refusal["message"]
    assert CampaignGift.objects.count() == 1


def test_another_areas_person_or_campaign_is_not_found(net: Network) -> None:
    theirs = person(net, net.other_grid)
    campaign = opened(net, net.zhapu, actor=net.users["city_staff"])
    target = CampaignTarget.objects.get(campaign=campaign, veteran=theirs)
    leader = net.api_client("grid_leader")
    assert post(leader, f"/api/v1/campaigns/targets/{target.pk}/actions", {"action": "visit"}).status_code == 404
    assert post(leader, f"/api/v1/campaigns/targets/{target.pk}/gift", {}).status_code == 404
    assert leader.get(f"/api/v1/campaigns/{campaign.pk}").status_code == 404
    assert net.api_client("town_staff").get(f"/api/v1/campaigns/{campaign.pk}/coverage").status_code == 404


def test_targets_are_listed_by_grid_and_unreached_and_coverage_by_area(net: Network) -> None:
    one, two = person(net, net.grid), person(net, net.grid)
    person(net, net.other_grid)
    campaign = opened(net)
    staff = net.api_client("city_staff")
    target = CampaignTarget.objects.get(campaign=campaign, veteran=one)
    post(staff, f"/api/v1/campaigns/targets/{target.pk}/actions", {"action": "visit"})
    grid = staff.get(f"/api/v1/campaigns/{campaign.pk}/targets?grid={net.grid.code}&unreached=true").json()
    assert [t["veteran_id"] for t in grid["items"]] == [two.pk]
    assert "*" in grid["items"][0]["phone_masked"] or grid["items"][0]["phone_masked"] == ""
    cover = staff.get(f"/api/v1/campaigns/{campaign.pk}/coverage").json()
    assert cover["total"]["targets"] == 3 and cover["total"]["reached"] == 1
    assert {a["code"] for a in cover["areas"]} == {net.danghu.code, net.zhapu.code}
    leader = net.api_client("grid_leader").get(f"/api/v1/campaigns/{campaign.pk}/coverage").json()
    assert leader["total"]["code"] == net.grid.code and leader["total"]["targets"] == 2
    outside = staff.get(f"/api/v1/campaigns/{campaign.pk}/coverage?region=999")
    assert outside.status_code == 400


def test_a_draft_shows_no_people(net: Network) -> None:
    person(net, net.grid)
    campaign = draft(net)
    items = net.api_client("city_staff").get(f"/api/v1/campaigns/{campaign.pk}/targets").json()["items"]
    assert items == []
