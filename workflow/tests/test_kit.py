"""The module kit: what a register declared on it gets (selectors, the API's list, get, open and act)."""

from __future__ import annotations

import pytest

from accounts.testing import Network
from cases.tests.samples import life_case_in
from petitions.tests.helpers import open_task, register_petition

pytestmark = pytest.mark.django_db


def test_the_register_lists_only_what_the_user_may_see_with_its_filters(net: Network) -> None:
    mine = register_petition(net, petitioner_name="甲一")
    register_petition(net, region_code=net.other_village.code, petitioner_name="乙二")
    town = net.api_client("town_staff")
    numbers = [p["number"] for p in town.get("/api/v1/petitions").json()["items"]]
    assert numbers == [mine.case.number]
    assert town.get("/api/v1/petitions?q=甲").json()["items"][0]["petitioner_name"] == "甲一"
    assert town.get("/api/v1/petitions?channel=letter").json()["items"] == []
    assert len(net.api_client("city_staff").get("/api/v1/petitions").json()["items"]) == 2
    assert net.api_client("grid_leader").get("/api/v1/petitions").status_code == 403


def test_act_does_the_step_that_is_the_users_on_the_case(net: Network) -> None:
    petition = register_petition(net)
    api = net.api_client("city_staff")
    response = api.post(
        f"/api/v1/petitions/{petition.case_id}/act", {"action": "accept"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert open_task(petition, "assign").status == "open"
    assert [t["step"] for t in response.json()["case"]["tasks"] if t["status"] == "open"] == ["assign"]


def test_act_refuses_a_case_where_nothing_is_the_users(net: Network) -> None:
    petition = register_petition(net)
    town = net.api_client("town_staff")  # sees the petition; the acceptance is the bureau's
    response = town.post(
        f"/api/v1/petitions/{petition.case_id}/act", {"action": "accept"}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["error"]["fields"][0]["code"] == "no_task"
    assert open_task(petition, "accept").status == "open"


def test_act_asks_which_task_when_several_are_the_users(net: Network) -> None:
    life = life_case_in(net, net.grid)
    police = net.api_client("liaison")
    tasks = life.case.tasks.filter(department="police", status="open")
    assert tasks.count() >= 1
    city = net.api_client("city_staff")
    open_city = life.case.tasks.filter(role="city_staff", status="open", department="")
    body = {"action": "done"}
    response = city.post(f"/api/v1/life-cases/{life.case_id}/act", body, content_type="application/json")
    if open_city.count() > 1:
        assert response.json()["error"]["fields"][0]["code"] == "which_task"
        body["task"] = open_city.first().pk
        response = city.post(f"/api/v1/life-cases/{life.case_id}/act", body, content_type="application/json")
    assert response.status_code == 200, response.content
    # a liaison does not see the register (no cases.view): their department's step goes through /tasks
    refused = police.post(
        f"/api/v1/life-cases/{life.case_id}/act",
        {"action": "done", "task": tasks.first().pk},
        content_type="application/json",
    )
    assert refused.status_code == 403
    done = police.post(f"/api/v1/tasks/{tasks.first().pk}/act", {"action": "done"}, content_type="application/json")
    assert done.status_code == 200, done.content


def test_open_goes_through_the_modules_service_and_its_capability(net: Network) -> None:
    body = {"channel": "visit", "received_on": "2026-11-02", "subject": "benefits", "content": "反映问题。",
            "petitioner_name": "李四", "region_code": net.village.code}  # fmt: skip
    assert (
        net.api_client("village_staff").post("/api/v1/petitions", body, content_type="application/json").status_code
        == 403
    )
    created = net.api_client("town_staff").post("/api/v1/petitions", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["case"]["process"] == "petition"
    bad = net.api_client("town_staff").post(
        "/api/v1/petitions", {**body, "channel": "fax"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["error"]["fields"][0]["field"] == "channel"


def test_a_register_list_page_refuses_a_malformed_filter_with_a_message(net: Network) -> None:
    life_case_in(net, net.grid)
    client = net.client("city_staff")
    assert client.get("/life-cases/?veteran=abc").status_code == 400
    ok = client.get("/life-cases/?stage=reporting")
    assert ok.status_code == 200 and "样本老兵" in ok.content.decode()
    assert "样本老兵" not in client.get("/life-cases/?stage=care").content.decode()
