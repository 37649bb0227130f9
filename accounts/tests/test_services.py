"""Writes to users and API tokens (accounts.services), the rules the database keeps, and who sees whom."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import selectors
from accounts.models import ApiToken, User
from accounts.roles import Department, Role
from accounts.services import (
    api_token_authenticate,
    api_token_issue,
    api_token_revoke,
    user_create,
    user_set_password,
    user_unlock,
    user_update,
)
from accounts.testing import TEST_PASSWORD, Network, UserFactory
from accounts.tests.helpers import OtherCity, fail_to_sign_in, sign_in
from audit.models import AuditEntry
from regions.models import Region

NEW_PASSWORD = "Another-Long-Passphrase-77"


def codes_at(exc: ValidationError, field: str) -> list[str]:
    return [error.code for error in exc.error_dict.get(field, [])]


# --- user_create -------------------------------------------------------------


def create(net: Network, **overrides: Any) -> User:
    """A town clerk for 当湖街道, created by the city administrator, unless told otherwise."""
    kwargs: dict[str, Any] = {
        "actor": net.users["city_admin"],
        "username": "new_clerk",
        "password": TEST_PASSWORD,
        "role": Role.TOWN_STAFF,
        "scope_region": net.danghu,
    }
    kwargs.update(overrides)
    return user_create(**kwargs)


def test_it_creates_a_user_and_audits_what_was_created(net: Network) -> None:
    user = create(
        net,
        username="  li_clerk ",
        display_name=" 李文书 ",
        phone=" 13800000000 ",
    )

    user.refresh_from_db()
    assert (user.username, user.display_name, user.phone) == ("li_clerk", "李文书", "13800000000")
    assert (user.role, user.scope_region, user.department) == (Role.TOWN_STAFF, net.danghu, "")
    assert user.is_active
    assert user.check_password(TEST_PASSWORD)
    assert TEST_PASSWORD not in user.password
    entry = AuditEntry.objects.get(action="user.create")
    assert entry.actor_username == "city_admin"
    assert (entry.object_type, entry.object_id) == ("accounts.user", str(user.pk))
    assert entry.region_code == net.danghu.code
    assert entry.before is None
    assert entry.after == {
        "username": "li_clerk",
        "display_name": "李文书",
        "role": "town_staff",
        "scope_region": net.danghu.pk,
        "department": "",
        "phone_masked": "138****0000",  # the audit log keeps no phone in plaintext
        "is_active": True,
    }


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.CITY_STAFF, "city"),
        (Role.TOWN_STAFF, "zhapu"),
        (Role.VILLAGE_STAFF, "other_village"),
        (Role.GRID_LEADER, "other_grid"),
        (Role.VETERAN, "grid"),
        (Role.EMPLOYER, "village"),
    ],
)
def test_a_city_admin_creates_users_anywhere_in_the_city(net: Network, role: str, scope: str) -> None:
    user = create(net, role=role, scope_region=getattr(net, scope))

    assert User.objects.get(pk=user.pk).scope_region == getattr(net, scope)


@pytest.mark.parametrize("scope", ["city", "danghu"])
def test_it_creates_a_liaison_with_a_department_at_city_or_town_level(net: Network, scope: str) -> None:
    user = create(net, role=Role.LIAISON, scope_region=getattr(net, scope), department=Department.HEALTH)

    assert User.objects.get(pk=user.pk).department == Department.HEALTH


REFUSALS = [
    pytest.param({"scope_region": None}, "scope_region", "no_scope", id="no scope"),
    pytest.param({"scope_region": "village"}, "scope_region", "bad_scope_level", id="town staff at a village"),
    pytest.param(
        {"role": Role.VILLAGE_STAFF, "scope_region": "danghu"},
        "scope_region",
        "bad_scope_level",
        id="village staff at a town",
    ),
    pytest.param(
        {"role": Role.CITY_ADMIN, "scope_region": "danghu"},
        "scope_region",
        "bad_scope_level",
        id="city admin at a town",
    ),
    pytest.param({"scope_region": "other_city"}, "scope_region", "unknown_region", id="outside the scope"),
    pytest.param({"role": Role.LIAISON, "scope_region": "city"}, "department", "no_department", id="liaison alone"),
    pytest.param(
        {"role": Role.LIAISON, "scope_region": "city", "department": "army"},
        "department",
        "no_department",
        id="liaison of an unknown department",
    ),
    pytest.param({"department": Department.POLICE}, "department", "bad_department", id="clerk with dept"),
    pytest.param({"role": "mayor"}, "role", "bad_choice", id="unknown role"),
    pytest.param({"username": "   "}, "username", "required", id="blank username"),
    pytest.param({"username": "Town_STAFF"}, "username", "duplicate", id="username taken in other case"),
    pytest.param({"password": "Sh0rt-pass"}, "password", "password_too_short", id="short password"),
    pytest.param({"password": "password1234"}, "password", "password_too_common", id="common password"),
    pytest.param({"password": "123456789012"}, "password", "password_entirely_numeric", id="digits only"),
    pytest.param(
        {"username": "zhangsanfeng", "password": "zhangsanfeng1"},
        "password",
        "password_too_similar",
        id="password like the username",
    ),
]


@pytest.mark.parametrize(("overrides", "field", "code"), REFUSALS)
def test_it_refuses_bad_input_at_the_field_and_writes_nothing(
    net: Network, other_city: OtherCity, overrides: dict[str, Any], field: str, code: str
) -> None:
    if isinstance(overrides.get("scope_region"), str):
        name = overrides["scope_region"]
        overrides["scope_region"] = other_city.city if name == "other_city" else getattr(net, name)
    users_before = User.objects.count()

    with pytest.raises(ValidationError) as exc:
        create(net, **overrides)

    assert code in codes_at(exc.value, field)
    assert User.objects.count() == users_before
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ["city_staff", "town_staff", "auditor", "liaison", "veteran"])
def test_it_requires_the_account_manager_role(net: Network, role: str) -> None:
    with pytest.raises(PermissionDenied):
        create(net, actor=net.users[role])

    assert not User.objects.filter(username="new_clerk").exists()
    assert not AuditEntry.objects.exists()


def test_it_refuses_a_deactivated_city_admin(net: Network) -> None:
    admin = net.users["city_admin"]
    User.objects.filter(pk=admin.pk).update(is_active=False)
    admin.refresh_from_db()

    with pytest.raises(PermissionDenied):
        create(net, actor=admin)


def test_it_refuses_an_anonymous_actor(net: Network) -> None:
    with pytest.raises(PermissionDenied):
        create(net, actor=AnonymousUser())


# --- user_update -------------------------------------------------------------


def test_it_updates_a_user_and_audits_before_and_after(net: Network) -> None:
    clerk = net.users["town_staff"]

    user_update(
        actor=net.users["city_admin"], user=clerk, display_name="王站长", scope_region=net.zhapu, phone="13912345678"
    )

    clerk.refresh_from_db()
    assert (clerk.display_name, clerk.scope_region, clerk.phone) == ("王站长", net.zhapu, "13912345678")
    entry = AuditEntry.objects.get(action="user.update")
    assert entry.region_code == net.zhapu.code
    assert entry.before["scope_region"] == net.danghu.pk
    assert entry.before["display_name"] == ""
    assert entry.after["scope_region"] == net.zhapu.pk
    assert entry.after["display_name"] == "王站长"


def test_a_deactivated_user_can_do_nothing(net: Network) -> None:
    clerk = net.users["town_staff"]

    user_update(actor=net.users["city_admin"], user=clerk, is_active=False)

    clerk.refresh_from_db()
    assert not clerk.is_active
    assert not clerk.can("regions.view")


def test_it_refuses_to_let_an_admin_deactivate_themselves(net: Network) -> None:
    admin = net.users["city_admin"]

    with pytest.raises(ValidationError) as exc:
        user_update(actor=admin, user=admin, is_active=False)

    assert exc.value.code == "self_change"
    admin.refresh_from_db()
    assert admin.is_active
    assert not AuditEntry.objects.exists()


def test_it_refuses_to_let_an_admin_change_their_own_role(net: Network) -> None:
    admin = net.users["city_admin"]

    with pytest.raises(ValidationError) as exc:
        user_update(actor=admin, user=admin, role=Role.CITY_STAFF)

    assert exc.value.code == "self_change"
    assert User.objects.get(pk=admin.pk).role == Role.CITY_ADMIN


def test_an_admin_may_edit_their_own_name(net: Network) -> None:
    admin = net.users["city_admin"]

    user_update(actor=admin, user=admin, display_name="管理员")

    assert User.objects.get(pk=admin.pk).display_name == "管理员"


def test_it_refuses_an_update_that_breaks_the_scope_rules(net: Network) -> None:
    clerk = net.users["town_staff"]

    with pytest.raises(ValidationError) as exc:
        user_update(actor=net.users["city_admin"], user=clerk, scope_region=net.village)

    assert codes_at(exc.value, "scope_region") == ["bad_scope_level"]
    assert User.objects.get(pk=clerk.pk).scope_region == net.danghu
    assert not AuditEntry.objects.exists()


def test_it_refuses_to_move_a_user_outside_the_actors_scope(net: Network, other_city: OtherCity) -> None:
    clerk = net.users["city_staff"]

    with pytest.raises(ValidationError) as exc:
        user_update(actor=net.users["city_admin"], user=clerk, scope_region=other_city.city)

    assert codes_at(exc.value, "scope_region") == ["unknown_region"]
    assert User.objects.get(pk=clerk.pk).scope_region == net.city


def test_it_refuses_an_update_by_a_non_manager(net: Network) -> None:
    with pytest.raises(PermissionDenied):
        user_update(actor=net.users["town_staff"], user=net.users["village_staff"], is_active=False)

    assert User.objects.get(pk=net.users["village_staff"].pk).is_active


def test_an_admin_of_another_city_cannot_take_over_a_user(net: Network, other_city: OtherCity) -> None:
    clerk = net.users["city_staff"]

    with pytest.raises(PermissionDenied):
        user_update(actor=other_city.admin, user=clerk, scope_region=other_city.city)

    assert User.objects.get(pk=clerk.pk).scope_region == net.city
    assert not AuditEntry.objects.exists()


# --- user_set_password -------------------------------------------------------


def test_a_user_changes_their_own_password(net: Network) -> None:
    clerk = net.users["town_staff"]

    user_set_password(actor=clerk, user=clerk, password=NEW_PASSWORD)

    clerk.refresh_from_db()
    assert clerk.check_password(NEW_PASSWORD)
    assert not clerk.check_password(TEST_PASSWORD)
    entry = AuditEntry.objects.get(action="user.set_password")
    assert (entry.actor_username, entry.object_id) == ("town_staff", str(clerk.pk))
    assert NEW_PASSWORD not in str(entry.hashed_content())


def test_an_admin_resets_a_users_password_with_a_reason(net: Network) -> None:
    clerk = net.users["village_staff"]

    user_set_password(actor=net.users["city_admin"], user=clerk, password=NEW_PASSWORD, reason="忘记密码")

    assert User.objects.get(pk=clerk.pk).check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action="user.set_password")
    assert (entry.actor_username, entry.reason) == ("city_admin", "忘记密码")


def test_it_refuses_to_let_a_non_manager_reset_someone_elses_password(net: Network) -> None:
    with pytest.raises(PermissionDenied):
        user_set_password(actor=net.users["town_staff"], user=net.users["village_staff"], password=NEW_PASSWORD)

    assert User.objects.get(pk=net.users["village_staff"].pk).check_password(TEST_PASSWORD)


def test_an_admin_of_another_city_cannot_reset_a_password(net: Network, other_city: OtherCity) -> None:
    with pytest.raises(PermissionDenied):
        user_set_password(actor=other_city.admin, user=net.users["city_staff"], password=NEW_PASSWORD)

    assert User.objects.get(pk=net.users["city_staff"].pk).check_password(TEST_PASSWORD)


@pytest.mark.parametrize("weak", ["short-Pw1", "password1234", "123456789012"])
def test_it_refuses_a_weak_new_password_at_the_password_field(net: Network, weak: str) -> None:
    clerk = net.users["town_staff"]

    with pytest.raises(ValidationError) as exc:
        user_set_password(actor=clerk, user=clerk, password=weak)

    assert codes_at(exc.value, "password")
    assert User.objects.get(pk=clerk.pk).check_password(TEST_PASSWORD)
    assert not AuditEntry.objects.exists()


# --- user_unlock -------------------------------------------------------------


def test_unlocking_clears_the_failed_sign_ins_so_the_user_can_sign_in_again(net: Network) -> None:
    from django.test import Client

    fail_to_sign_in("town_staff", 5)
    assert sign_in(Client(), "town_staff").status_code == 429
    attempts = AccessAttempt.objects.filter(username="town_staff").count()
    assert attempts >= 1

    cleared = user_unlock(actor=net.users["city_admin"], user=net.users["town_staff"])

    assert cleared == attempts
    assert not AccessAttempt.objects.filter(username="town_staff").exists()
    assert AuditEntry.objects.get(action="user.unlock").after == {"attempts_cleared": attempts}
    response = sign_in(Client(), "town_staff")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_unlocking_is_for_account_managers_only(net: Network) -> None:
    fail_to_sign_in("village_staff", 5)

    with pytest.raises(PermissionDenied):
        user_unlock(actor=net.users["town_staff"], user=net.users["village_staff"])

    assert AccessAttempt.objects.filter(username="village_staff").exists()


def test_an_admin_of_another_city_cannot_unlock_a_user(net: Network, other_city: OtherCity) -> None:
    fail_to_sign_in("village_staff", 5)

    with pytest.raises(PermissionDenied):
        user_unlock(actor=other_city.admin, user=net.users["village_staff"])

    assert AccessAttempt.objects.filter(username="village_staff").exists()


# --- API tokens --------------------------------------------------------------


def test_a_token_is_stored_only_as_its_hash(net: Network) -> None:
    token, raw = api_token_issue(user=net.users["town_staff"], label="  导入脚本  ")

    assert raw.startswith("lb_")
    assert len(raw) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["key_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert stored["key_prefix"] == raw[:10]
    assert stored["label"] == "导入脚本"
    assert not [name for name, value in stored.items() if isinstance(value, str) and raw in value]
    entry = AuditEntry.objects.get(action="token.issue")
    assert entry.after["prefix"] == raw[:10]
    assert raw not in str(entry.hashed_content())


def test_a_token_expires_after_the_configured_hours(net: Network) -> None:
    token, _raw = api_token_issue(user=net.users["town_staff"])

    expected = timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    assert abs(token.expires_at - expected) < timedelta(minutes=1)


def test_each_token_is_different(net: Network) -> None:
    _first, raw1 = api_token_issue(user=net.users["town_staff"])
    _second, raw2 = api_token_issue(user=net.users["town_staff"])

    assert raw1 != raw2


def test_a_live_token_authenticates_its_user_and_notes_its_use(net: Network) -> None:
    token, raw = api_token_issue(user=net.users["town_staff"])

    assert api_token_authenticate(raw) == net.users["town_staff"]

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_busy_token_is_not_written_on_every_request(net: Network) -> None:
    token, raw = api_token_issue(user=net.users["town_staff"])
    recently = timezone.now() - timedelta(seconds=10)
    long_ago = timezone.now() - timedelta(minutes=5)

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recently)
    api_token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == recently

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    api_token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at > recently


def test_an_expired_token_authenticates_nobody(net: Network) -> None:
    token, raw = api_token_issue(user=net.users["town_staff"])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert api_token_authenticate(raw) is None


def test_a_revoked_token_authenticates_nobody(net: Network) -> None:
    token, raw = api_token_issue(user=net.users["town_staff"])
    api_token_revoke(actor=net.users["town_staff"], token=token)

    assert api_token_authenticate(raw) is None


def test_a_token_of_a_deactivated_user_authenticates_nobody(net: Network) -> None:
    _token, raw = api_token_issue(user=net.users["town_staff"])
    user_update(actor=net.users["city_admin"], user=net.users["town_staff"], is_active=False)

    assert api_token_authenticate(raw) is None


@pytest.mark.parametrize("raw", ["", "lb_made-up", "not a token at all"])
def test_an_unknown_token_authenticates_nobody(net: Network, raw: str) -> None:
    api_token_issue(user=net.users["town_staff"])

    assert api_token_authenticate(raw) is None


def test_a_user_revokes_their_own_token_once(net: Network) -> None:
    token, _raw = api_token_issue(user=net.users["town_staff"])

    api_token_revoke(actor=net.users["town_staff"], token=token)
    token.refresh_from_db()
    revoked_at = token.revoked_at
    api_token_revoke(actor=net.users["town_staff"], token=token)

    token.refresh_from_db()
    assert revoked_at is not None
    assert token.revoked_at == revoked_at
    assert not token.is_live
    assert AuditEntry.objects.filter(action="token.revoke").count() == 1


def test_a_city_admin_revokes_a_token_of_a_user_in_the_city(net: Network) -> None:
    token, _raw = api_token_issue(user=net.users["town_staff"])

    api_token_revoke(actor=net.users["city_admin"], token=token)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.get(action="token.revoke").actor_username == "city_admin"


def test_a_user_cannot_revoke_someone_elses_token(net: Network) -> None:
    token, _raw = api_token_issue(user=net.users["town_staff"])

    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=net.users["other_town_staff"], token=token)

    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_admin_of_another_city_cannot_revoke_a_token(net: Network, other_city: OtherCity) -> None:
    token, _raw = api_token_issue(user=net.users["town_staff"])

    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=other_city.admin, token=token)

    token.refresh_from_db()
    assert token.revoked_at is None


# --- what the database itself refuses ------------------------------------------


def test_the_database_refuses_a_user_without_scope_unless_superuser(db: None) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nowhere", role=Role.TOWN_STAFF)

    User.objects.create(username="root", is_superuser=True)
    assert User.objects.filter(username="root").exists()
    assert not User.objects.filter(username="nowhere").exists()


def test_the_database_refuses_a_liaison_without_a_department(net: Network) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="liaison2", role=Role.LIAISON, scope_region=net.city)


# --- who sees whom -------------------------------------------------------------


def test_a_city_admin_sees_every_user_in_the_city_and_no_one_outside(net: Network, other_city: OtherCity) -> None:
    visible = set(User.objects.visible_to(net.users["city_admin"]).values_list("username", flat=True))

    assert visible == set(net.users)
    assert other_city.admin.username not in visible


@pytest.mark.parametrize(
    "role", ["city_staff", "town_staff", "village_staff", "grid_leader", "liaison", "auditor", "veteran"]
)
def test_only_an_account_manager_sees_users(net: Network, role: str) -> None:
    assert not User.objects.visible_to(net.users[role]).exists()


def test_an_anonymous_visitor_sees_no_users(net: Network) -> None:
    assert not User.objects.visible_to(AnonymousUser()).exists()
    assert not User.objects.visible_to(None).exists()


def test_a_deactivated_admin_sees_no_users(net: Network) -> None:
    admin = net.users["city_admin"]
    admin.is_active = False

    assert not User.objects.visible_to(admin).exists()


def test_a_user_without_scope_sees_nothing(net: Network) -> None:
    root = UserFactory(username="root", role=Role.CITY_ADMIN, is_superuser=True, scope_region=None)

    assert root.scope_prefix == ""
    assert not Region.objects.visible_to(root).exists()
    assert not User.objects.visible_to(root).exists()


def test_a_town_user_sees_only_the_regions_of_their_town(net: Network) -> None:
    codes = set(Region.objects.visible_to(net.users["town_staff"]).values_list("code", flat=True))

    assert codes == {net.danghu.code, net.village.code, net.grid.code}


def test_the_user_list_filters_by_name_and_role(net: Network) -> None:
    admin = net.users["city_admin"]
    User.objects.filter(pk=net.users["village_staff"].pk).update(display_name="东湖村陈主任")

    def listed(**filters: str) -> list[str]:
        return [u.username for u in selectors.user_list(user=admin, **filters)]

    assert listed(q="TOWN") == ["other_town_staff", "town_staff"]
    assert listed(q="陈主任") == ["village_staff"]
    assert listed(role=Role.AUDITOR) == ["auditor"]
    assert not selectors.user_list(user=net.users["town_staff"]).exists()


def test_a_new_password_revokes_the_users_api_tokens(net: Network) -> None:
    user = net.users["town_staff"]
    token, raw = api_token_issue(user=user)

    user_set_password(actor=user, user=user, password="Another-Good-Passphrase-7")

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(raw) is None
    assert AuditEntry.objects.filter(action="user.set_password").latest("seq").after == {"tokens_revoked": 1}


def test_the_database_refuses_two_usernames_that_differ_only_in_case(net: Network) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="TOWN_STAFF", scope_region=net.danghu, role=Role.TOWN_STAFF)


@pytest.mark.django_db(transaction=True)
def test_a_token_is_found_over_a_connection_that_died_since_the_last_request() -> None:
    """The token's query stands for the health check: a dead kept connection is replaced, not an error."""
    from django.db import connection

    from accounts.testing import build_network

    if connection.vendor != "postgresql" or not connection.health_check_enabled:  # type: ignore[attr-defined]
        pytest.skip("kept connections and their health check are PostgreSQL's here")
    net = build_network()
    _token, raw = api_token_issue(user=net.users["town_staff"])
    connection.ensure_connection()
    connection.connection.close()  # as a server restart would leave it
    connection.health_check_done = False  # type: ignore[attr-defined]  # a new request begins

    assert api_token_authenticate(raw) == net.users["town_staff"]
    assert connection.health_check_done  # type: ignore[attr-defined]
