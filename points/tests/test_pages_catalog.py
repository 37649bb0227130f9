"""The catalog, a veteran's ledger and the rewards pages: reading them in scope, and the bureau's edits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.testing import Network
from audit.models import AuditEntry
from points.entries import balance_of, redeem, version_on
from points.models import Aspect, Entry, ItemVersion, Kind, PointEntry, Reward
from points.tests.helpers import approver, decide, item, submit
from veterans.tests.factories import register as register_veteran

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def version_post(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "effective_from": TODAY.isoformat(), "name": "参加志愿服务活动", "basis": "per_hour", "points": "2",
        "quarter_cap": "40", "submitters": ["grid", "station", "veteran"], "evidence": "photo",
    }  # fmt: skip
    data.update(extra)
    return data


def test_the_catalog_shows_every_aspect_and_who_approves(net: Network) -> None:
    item("volunteer-service")
    response = net.client("grid_leader").get("/points/catalog/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "参加志愿服务活动" in page and "参与平安建设" in page and 'id="example-banner"' in page
    assert "20分及以上由镇街审核" in page  # who approves a large award
    assert "编辑类别" not in page
    assert net.client("employer").get("/points/catalog/").status_code == 403


def test_a_new_version_applies_from_its_date_and_a_past_entry_keeps_its_points(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    old = submit(net.users["grid_leader"], [a], quantity="3")
    client = net.client("city_admin")
    response = client.post("/points/catalog/items/volunteer-service/version/", version_post())
    assert response.status_code == 302
    service = item("volunteer-service")
    now = version_on(service, TODAY)
    assert now is not None and now.points == 2 and now.published_by == net.users["city_admin"]
    assert ItemVersion.objects.filter(item=service).count() == 2
    assert AuditEntry.objects.filter(action="points.catalog.version").exists()
    decide(old, approver(net, old))
    assert Entry.objects.get(pk=old.pk).points_each == 3 and balance_of(a) == (3, 0)
    page = client.get("/points/catalog/items/volunteer-service/")
    assert page.status_code == 200 and len(page.context["history"]) == 2
    assert 'id="example-banner"' not in client.get("/points/catalog/").content.decode()


def test_a_version_in_the_past_is_refused_at_its_date(net: Network) -> None:
    client = net.client("city_admin")
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    response = client.post("/points/catalog/items/volunteer-service/version/", version_post(effective_from=yesterday))
    assert response.status_code == 400
    assert response.context["version_form"].errors["effective_from"]
    assert ItemVersion.objects.filter(item=item("volunteer-service")).count() == 1


def test_only_the_catalog_holder_edits(net: Network) -> None:
    base = "/points/catalog/items/volunteer-service"
    for url in (f"{base}/version/", f"{base}/withdraw/"):
        assert net.client("city_staff").post(url, version_post()).status_code == 403
    assert net.client("town_staff").get("/points/catalog/aspects/volunteer/").status_code == 403
    assert net.client("city_staff").get("/points/rewards/new/").status_code == 403


def test_withdrawing_an_item_from_a_date_takes_it_out_of_the_catalog(net: Network) -> None:
    service = item("volunteer-service")
    tomorrow = TODAY + dt.timedelta(days=1)
    response = net.client("city_admin").post("/points/catalog/items/volunteer-service/withdraw/",
                                             {"effective_from": tomorrow.isoformat()})  # fmt: skip
    assert response.status_code == 302
    assert version_on(service, TODAY) is not None and version_on(service, tomorrow) is None


def test_an_aspect_is_renamed_and_gets_a_new_item(net: Network) -> None:
    item("volunteer-service")
    client = net.client("city_admin")
    assert client.get("/points/catalog/aspects/volunteer/").status_code == 200
    renamed = client.post("/points/catalog/aspects/volunteer/", {"aspect-name": "志愿服务", "aspect-order": "3"})
    assert renamed.status_code == 302 and Aspect.objects.get(code="volunteer").name == "志愿服务"
    taken = client.post("/points/catalog/aspects/volunteer/", {"aspect-name": "参与平安建设"})
    assert taken.status_code == 400 and taken.context["form"].errors["name"]
    data = {f"item-{k}": v for k, v in version_post(name="参加社区义诊", basis="fixed", points="4").items()}
    added = client.post("/points/catalog/aspects/volunteer/", data)
    assert added.status_code == 302
    new = ItemVersion.objects.get(name="参加社区义诊")
    assert new.item.aspect.code == "volunteer" and new.points == 4
    assert "参加社区义诊" in client.get("/points/catalog/").content.decode()


def test_the_ledger_shows_the_balance_the_rows_and_their_evidence(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    entry = submit(net.users["grid_leader"], [a], quantity="4")
    decide(entry, approver(net, entry))
    response = net.client("grid_leader").get(f"/points/veterans/{a.pk}/")
    assert response.status_code == 200 and response.context["balance"] == 4
    page = response.content.decode()
    assert entry.case.number in page and "活动.png" in page
    assert "冲正此条" not in page  # a grid leader does not correct
    b = register_veteran(net.users["city_staff"], net.other_grid)
    assert net.client("village_staff").get(f"/points/veterans/{b.pk}/").status_code == 404
    assert net.client("veteran").get(f"/points/veterans/{a.pk}/").status_code == 403
    follow = net.client("grid_leader").get("/points/veterans/", {"veteran": a.pk})
    assert follow.status_code == 302 and follow["Location"] == f"/points/veterans/{a.pk}/"


def test_a_correction_needs_a_reason_and_reverses_the_row(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    entry = submit(net.users["grid_leader"], [a], quantity="4")
    decide(entry, approver(net, entry))
    row = PointEntry.objects.get()
    client = net.client("town_staff")
    missing = client.post(f"/points/ledger/{row.pk}/correct/", {"reason": ""})
    assert missing.status_code == 400 and PointEntry.objects.count() == 1
    done = client.post(f"/points/ledger/{row.pk}/correct/", {"reason": "登记错人"})
    assert done.status_code == 302 and balance_of(a) == (0, 0)
    reversal = PointEntry.objects.get(reverses=row)
    assert reversal.points == -4
    page = client.get(f"/points/veterans/{a.pk}/").content.decode()
    assert "登记错人" in page
    assert net.client("village_staff").post(f"/points/ledger/{row.pk}/correct/", {"reason": "x"}).status_code == 403


def test_redeeming_lowers_the_balance_and_a_short_balance_is_refused(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    entry = submit(net.users["grid_leader"], [a], quantity="24")
    decide(entry, approver(net, entry))
    home_care = Reward.objects.get(code="home-care")  # 20 points
    gift = Reward.objects.get(code="gift-box")  # 50 points
    client = net.client("village_staff")
    assert client.get("/points/rewards/").status_code == 200
    done = client.post("/points/rewards/redeem/", {"veteran": a.pk, "reward": home_care.pk})
    assert done.status_code == 302, done.context["form"].errors
    assert balance_of(a) == (4, 0)
    short = client.post("/points/rewards/redeem/", {"veteran": a.pk, "reward": gift.pk})
    assert short.status_code == 400
    assert [e.code for e in short.context["form"].errors.as_data()["reward"]] == ["balance_short"]
    assert balance_of(a) == (4, 0) and PointEntry.objects.filter(kind=Kind.REDEMPTION).count() == 1
    assert net.client("grid_leader").post("/points/rewards/redeem/", {"veteran": a.pk}).status_code == 403


def test_out_of_stock_is_refused_at_the_reward_and_a_cancel_gives_points_back(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    entry = submit(net.users["grid_leader"], [a], quantity="24")
    decide(entry, approver(net, entry))
    books = Reward.objects.get(code="home-care")  # 20 points
    Reward.objects.filter(pk=books.pk).update(stock=1)
    row = redeem(actor=net.users["village_staff"], veteran=a, reward=books)
    client = net.client("village_staff")
    refused = client.post("/points/rewards/redeem/", {"veteran": a.pk, "reward": books.pk})
    assert refused.status_code == 400 and refused.context["form"].errors["reward"]
    cancelled = client.post(f"/points/ledger/{row.pk}/cancel/", {"reason": "礼品退回"})
    assert cancelled.status_code == 302 and balance_of(a) == (24, 0)
    assert Reward.objects.get(pk=books.pk).stock == 1


def test_the_bureau_adds_and_edits_a_reward(net: Network) -> None:
    client = net.client("city_admin")
    assert client.get("/points/rewards/new/").status_code == 200
    made = client.post("/points/rewards/new/", {"name": "电影票", "kind": "gift", "cost": "15", "stock": "10",
                                                "active": "on"})  # fmt: skip
    assert made.status_code == 302
    ticket = Reward.objects.get(name="电影票")
    edited = client.post(f"/points/rewards/{ticket.code}/", {"name": "电影票两张", "kind": "gift", "cost": "25"})
    assert edited.status_code == 302
    ticket.refresh_from_db()
    assert ticket.cost == 25 and not ticket.active and ticket.stock is None
    assert AuditEntry.objects.filter(action__startswith="points.reward").count() == 2
    assert "电影票两张" in client.get("/points/rewards/").content.decode()


def test_the_veterans_page_links_to_the_points(net: Network) -> None:
    a = register_veteran(net.users["city_staff"], net.grid)
    entry = submit(net.users["grid_leader"], [a], quantity="2")
    decide(entry, approver(net, entry))
    page = net.client("village_staff").get(f"/veterans/{a.pk}/").content.decode()
    assert f"/points/veterans/?veteran={a.pk}" in page
    assert f"/points/veterans/{a.pk}/" in page  # the timeline's row
