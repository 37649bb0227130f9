"""Grid leaders', stations' and users' phones are personal data (issue 10): encrypted at rest like a
veteran's, masked in the audit log, and shown in full only where someone has to call the number."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection, models
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create, user_update
from accounts.testing import Network
from audit.models import AuditEntry
from core.testing_db import migrate_apps
from core.testing_db import migrated_back as migrated_back_to
from regions.models import GridLeaderTerm, Station
from regions.services import grid_leader_appoint, grid_leader_rotate, station_save

TODAY = timezone.localdate()
LEADER, NEXT_LEADER, STATION, CLERK = "13900001111", "13722223333", "13812345678", "13600004444"


def stored(model: type[models.Model], column: str) -> list[str]:
    """The column's values as the database holds them, read with plain SQL past the ORM."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(column)} FROM {quote(model._meta.db_table)}")  # noqa: S608 (names from _meta)
        return [row[0] for row in cursor.fetchall()]


def audit_json() -> str:
    return json.dumps([[e.before, e.after, e.object_repr, e.reason] for e in AuditEntry.objects.all()])


def leaders(net: Network) -> tuple[GridLeaderTerm, GridLeaderTerm]:
    first = grid_leader_appoint(
        actor=net.users["town_staff"],
        grid=net.grid,
        leader_name="张卫国",
        leader_phone=LEADER,
        start_date=TODAY - dt.timedelta(days=100),
    )
    second = grid_leader_rotate(
        actor=net.users["town_staff"], grid=net.grid, leader_name="李强", leader_phone=NEXT_LEADER, start_date=TODAY
    )
    first.refresh_from_db()
    return first, second


@pytest.mark.django_db
def test_no_phone_is_kept_in_plaintext_nor_in_the_audit_log(net: Network) -> None:
    first, second = leaders(net)
    station = station_save(actor=net.users["city_admin"], region=net.danghu, data={"name": "当湖站", "phone": STATION})
    station_save(actor=net.users["city_admin"], region=net.danghu, data={"name": "当湖站", "phone": "0573-85012345"})
    clerk = user_create(
        actor=net.users["city_admin"],
        username="li_clerk",
        password="a-long-enough-passphrase-1",
        role="town_staff",
        scope_region=net.danghu,
        phone=CLERK,
    )
    user_update(actor=net.users["city_admin"], user=clerk, phone="13600005555")

    raw = stored(GridLeaderTerm, "leader_phone") + stored(Station, "phone") + stored(User, "phone")
    for phone in (LEADER, NEXT_LEADER, STATION, "85012345", CLERK, "13600005555"):
        assert not any(phone in value for value in raw), phone
        assert phone not in audit_json(), phone
    assert all(value.startswith("v1:") for value in stored(GridLeaderTerm, "leader_phone"))
    # The models read the plain value back, and the audit log keeps a masked one.
    station.refresh_from_db()
    clerk.refresh_from_db()
    assert (first.leader_phone, second.leader_phone, station.phone, clerk.phone) == (
        LEADER,
        NEXT_LEADER,
        "0573-85012345",
        "13600005555",
    )
    entry = AuditEntry.objects.filter(action="grid.leader_appoint").order_by("seq").first()
    assert entry is not None and entry.after["leader_phone_masked"] == "139****1111"
    assert AuditEntry.objects.get(action="user.update").after["phone_masked"] == "136****5555"


@pytest.mark.django_db
def test_the_grid_page_and_the_api_show_the_leader_in_office_and_mask_the_past_one(net: Network) -> None:
    leaders(net)

    page = net.client("town_staff").get(f"/regions/{net.grid.code}/").content.decode()
    api = net.api_client("town_staff").get(f"/api/v1/regions/{net.grid.code}/leaders").json()

    assert NEXT_LEADER in page and LEADER not in page and "139****1111" in page
    assert sorted(t["leader_phone"] for t in api) == sorted([NEXT_LEADER, "139****1111"])


@pytest.mark.django_db
def test_a_users_phone_is_checked_like_every_phone(net: Network) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        user_update(actor=net.users["city_admin"], user=net.users["town_staff"], phone="123")
    assert [e.code for e in refused.value.error_dict["phone"]] == ["bad_phone"]


# --- the data migration ------------------------------------------------------------------------------------

BEFORE = [("regions", "0002_star_criteria"), ("accounts", "0003_username_unique_ignoring_case")]
AFTER = [("regions", "0004_phones_encrypted"), ("accounts", "0006_user_veteran")]


@pytest.fixture
def migrated_back() -> Any:
    with migrated_back_to(BEFORE) as apps:
        yield apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_the_phones_already_kept(migrated_back: Any) -> None:
    old = migrated_back
    Region = old.get_model("regions", "Region")
    city = Region.objects.create(code="330482000000", name="平湖市", level="city", prefix="330482")
    grid = Region.objects.create(code="330482001001001", name="一网格", level="grid", prefix="330482001001001")
    old.get_model("regions", "Station").objects.create(region=city, kind="centre", name="市中心", phone=STATION)
    old.get_model("regions", "GridLeaderTerm").objects.create(
        grid=grid, leader_name="张卫国", leader_phone=LEADER, start_date=dt.date(2026, 1, 1)
    )
    old.get_model("regions", "GridLeaderTerm").objects.create(
        grid=grid, leader_name="无电话", start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31)
    )
    old.get_model("accounts", "User").objects.create(
        username="old_clerk", role="city_staff", scope_region=city, phone=CLERK
    )

    migrate_apps(AFTER)

    raw = stored(GridLeaderTerm, "leader_phone") + stored(Station, "phone") + stored(User, "phone")
    assert not any(p in value for value in raw for p in (STATION, LEADER, CLERK))
    assert sorted(stored(GridLeaderTerm, "leader_phone"))[0] == ""  # an empty phone stays empty
    assert Station.objects.get().phone == STATION
    assert sorted(GridLeaderTerm.objects.values_list("leader_phone", flat=True)) == ["", LEADER]
    # (the columns of a later migration are not there yet: only the phone is read)
    assert list(User.objects.filter(username="old_clerk").values_list("phone", flat=True)) == [CLERK]

    migrate_apps(BEFORE)  # and back: the plain values again
    assert sorted(stored(GridLeaderTerm, "leader_phone")) == ["", LEADER]
    assert stored(Station, "phone") == [STATION]


@pytest.mark.django_db
def test_the_demo_networks_phones_are_encrypted_too() -> None:
    from regions.demo import load_network

    load_network()

    leader_phones, station_phones = stored(GridLeaderTerm, "leader_phone"), stored(Station, "phone")
    assert leader_phones and all(value.startswith("v1:") for value in leader_phones)
    assert station_phones and all(value.startswith("v1:") for value in station_phones if value)
    assert all(len(t.leader_phone) == 11 for t in GridLeaderTerm.objects.all())
