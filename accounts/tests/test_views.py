"""Signing in and out, the lock after failed sign-ins, managing users, and the user's own page."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiToken, User
from accounts.roles import Role
from accounts.services import api_token_issue
from accounts.testing import TEST_PASSWORD, Network, UserFactory
from accounts.tests.helpers import LOGIN_URL, WRONG_PASSWORD, OtherCity, fail_to_sign_in, sign_in
from audit.models import AuditEntry

USERS_URL = "/accounts/users/"
NEW_USER_URL = "/accounts/users/new/"
ME_URL = "/accounts/me/"
NEW_PASSWORD = "Another-Long-Passphrase-77"


def edit_url(user: User) -> str:
    return f"/accounts/users/{user.pk}/"


def unlock_url(user: User) -> str:
    return f"/accounts/users/{user.pk}/unlock/"


def template_names(response) -> list[str]:
    return [t.name for t in response.templates]


def is_signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


# --- sign in and out ------------------------------------------------------------


def test_the_login_page_shows_a_form(db: None) -> None:
    response = Client().get(LOGIN_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post"' in html
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_a_good_sign_in_goes_home_and_is_audited(net: Network) -> None:
    client = Client()

    response = sign_in(client, "town_staff")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_signed_in(client)
    entry = AuditEntry.objects.get(action="auth.login")
    assert (entry.actor_username, entry.region_code) == ("town_staff", net.danghu.code)


def test_a_wrong_password_is_refused_on_the_form(net: Network) -> None:
    client = Client()

    response = sign_in(client, "town_staff", WRONG_PASSWORD)

    assert response.status_code == 200
    assert response.context["form"].errors["__all__"]
    assert not is_signed_in(client)
    assert not AuditEntry.objects.filter(action="auth.login").exists()


def test_a_deactivated_user_cannot_sign_in(net: Network) -> None:
    User.objects.filter(username="town_staff").update(is_active=False)
    client = Client()

    response = sign_in(client, "town_staff")

    assert response.status_code == 200
    assert not is_signed_in(client)


def test_a_signed_in_user_is_sent_on_from_the_login_page(net: Network) -> None:
    response = net.client("town_staff").get(LOGIN_URL)

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_an_anonymous_visitor_is_sent_to_sign_in(db: None) -> None:
    response = Client().get("/")

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next=/"


def test_signing_out_needs_a_post(net: Network) -> None:
    client = net.client("town_staff")

    assert client.get("/accounts/logout/").status_code == 405
    assert is_signed_in(client)


def test_signing_out_ends_the_session_and_is_audited(net: Network) -> None:
    client = net.client("town_staff")

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert not is_signed_in(client)
    assert AuditEntry.objects.get(action="auth.logout").actor_username == "town_staff"


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(net: Network) -> None:
    fail_to_sign_in("town_staff", 5)
    client = Client()

    response = sign_in(client, "town_staff")

    assert response.status_code == 429
    assert "accounts/locked.html" in template_names(response)
    assert not is_signed_in(client)
    assert not AuditEntry.objects.filter(action="auth.login").exists()


def test_four_wrong_passwords_do_not_lock_the_account(net: Network) -> None:
    fail_to_sign_in("town_staff", 4)

    response = sign_in(Client(), "town_staff")

    assert response.status_code == 302


def test_the_lock_is_per_account_so_colleagues_behind_one_address_can_still_sign_in(net: Network) -> None:
    fail_to_sign_in("town_staff", 5)

    assert sign_in(Client(), "other_town_staff").status_code == 302


def test_a_city_admin_unlocks_a_locked_user(net: Network) -> None:
    fail_to_sign_in("town_staff", 5)
    listing = net.client("city_admin").get(USERS_URL)
    assert "town_staff" in listing.context["locked"]
    assert f'action="{unlock_url(net.users["town_staff"])}"' in listing.content.decode()

    response = net.client("city_admin").post(unlock_url(net.users["town_staff"]))

    assert response.status_code == 302
    assert response["Location"] == USERS_URL
    assert not AccessAttempt.objects.filter(username="town_staff").exists()
    assert sign_in(Client(), "town_staff").status_code == 302


def test_unlocking_needs_a_post(net: Network) -> None:
    fail_to_sign_in("town_staff", 5)

    response = net.client("city_admin").get(unlock_url(net.users["town_staff"]))

    assert response.status_code == 405
    assert AccessAttempt.objects.filter(username="town_staff").exists()


def test_unlocking_is_refused_to_other_roles(net: Network) -> None:
    fail_to_sign_in("village_staff", 5)

    response = net.client("town_staff").post(unlock_url(net.users["village_staff"]))

    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username="village_staff").exists()


def test_unlocking_a_user_of_another_city_is_not_found(net: Network, other_city: OtherCity) -> None:
    fail_to_sign_in("village_staff", 5)

    response = other_city.client().post(unlock_url(net.users["village_staff"]))

    assert response.status_code == 404
    assert AccessAttempt.objects.filter(username="village_staff").exists()


# --- the user list ---------------------------------------------------------------


def test_the_user_list_sends_anonymous_visitors_to_sign_in(db: None) -> None:
    response = Client().get(USERS_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN_URL}?next=")


@pytest.mark.parametrize("role", ["city_staff", "town_staff", "auditor", "veteran"])
def test_the_user_list_is_refused_to_other_roles(net: Network, role: str) -> None:
    response = net.client(role).get(USERS_URL)

    assert response.status_code == 403
    assert "403.html" in template_names(response)


def test_the_user_list_shows_the_city_admin_every_user_of_the_city(net: Network, other_city: OtherCity) -> None:
    response = net.client("city_admin").get(USERS_URL)

    assert response.status_code == 200
    listed = [u.username for u in response.context["page"]]
    assert listed == sorted(net.users)
    html = response.content.decode()
    assert f'href="{edit_url(net.users["grid_leader"])}"' in html
    assert "haiyan_admin" not in html


def test_the_admin_of_another_city_sees_none_of_its_users(net: Network, other_city: OtherCity) -> None:
    response = other_city.client().get(USERS_URL)

    assert [u.username for u in response.context["page"]] == ["haiyan_admin"]


def test_the_user_list_filters_by_search_and_role(net: Network) -> None:
    client = net.client("city_admin")

    by_name = client.get(USERS_URL, {"q": "town"})
    by_role = client.get(USERS_URL, {"role": Role.GRID_LEADER})

    assert [u.username for u in by_name.context["page"]] == ["other_town_staff", "town_staff"]
    assert [u.username for u in by_role.context["page"]] == ["grid_leader"]


def test_the_user_list_costs_the_same_queries_however_many_users(net: Network) -> None:
    client = net.client("city_admin")
    client.get(USERS_URL)  # the session is warm, as for any later page

    with CaptureQueriesContext(connection) as few:
        client.get(USERS_URL)
    for n in range(30):
        UserFactory(username=f"clerk{n:02d}", role=Role.VILLAGE_STAFF, scope_region=net.other_village)
    with CaptureQueriesContext(connection) as many:
        response = client.get(USERS_URL)

    assert len(response.context["page"]) == 40
    assert len(many) == len(few)
    assert len(few) <= 10


def test_the_user_list_rejects_a_post(net: Network) -> None:
    assert net.client("city_admin").post(USERS_URL).status_code == 405


# --- creating a user -------------------------------------------------------------


def new_user_form(**overrides: str) -> dict[str, str]:
    data = {
        "username": "new_clerk",
        "display_name": "新文书",
        "password": TEST_PASSWORD,
        "role": Role.TOWN_STAFF,
        "scope_code": "330482100000",
        "department": "",
        "phone": "",
    }
    data.update(overrides)
    return data


def test_the_new_user_page_shows_a_form(net: Network) -> None:
    response = net.client("city_admin").get(NEW_USER_URL)

    assert response.status_code == 200
    assert 'name="scope_code"' in response.content.decode()


def test_a_city_admin_creates_a_user(net: Network) -> None:
    response = net.client("city_admin").post(NEW_USER_URL, new_user_form())

    assert response.status_code == 302
    assert response["Location"] == USERS_URL
    user = User.objects.get(username="new_clerk")
    assert (user.role, user.scope_region, user.display_name) == (Role.TOWN_STAFF, net.zhapu, "新文书")
    assert user.check_password(TEST_PASSWORD)
    assert AuditEntry.objects.filter(action="user.create", object_id=str(user.pk)).exists()
    assert sign_in(Client(), "new_clerk").status_code == 302


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"password": "short-Pw1"}, "password", id="short password"),
        pytest.param({"password": "123456789012"}, "password", id="numeric password"),
        pytest.param({"username": "TOWN_STAFF"}, "username", id="username taken"),
        pytest.param({"username": ""}, "username", id="no username"),
        pytest.param({"scope_code": "330483000000"}, "scope_code", id="unknown region"),
        pytest.param({"role": "mayor"}, "role", id="unknown role"),
    ],
)
def test_the_new_user_form_shows_each_error_at_its_field(net: Network, overrides: dict[str, str], field: str) -> None:
    users_before = User.objects.count()

    response = net.client("city_admin").post(NEW_USER_URL, new_user_form(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'class="field has-error"' in response.content.decode()
    assert User.objects.count() == users_before


def test_the_new_user_form_shows_a_scope_level_error_at_the_scope_field(net: Network) -> None:
    response = net.client("city_admin").post(NEW_USER_URL, new_user_form(scope_code=net.village.code))

    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["scope_code"][0].code == "bad_scope_level"
    assert not User.objects.filter(username="new_clerk").exists()


def test_the_new_user_page_sends_anonymous_visitors_to_sign_in(db: None) -> None:
    response = Client().post(NEW_USER_URL, new_user_form())

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert not User.objects.filter(username="new_clerk").exists()


@pytest.mark.parametrize("role", ["city_staff", "town_staff"])
def test_the_new_user_page_is_refused_to_other_roles(net: Network, role: str) -> None:
    client = net.client(role)

    assert client.get(NEW_USER_URL).status_code == 403
    assert client.post(NEW_USER_URL, new_user_form()).status_code == 403
    assert not User.objects.filter(username="new_clerk").exists()


def test_the_new_user_page_rejects_other_methods(net: Network) -> None:
    assert net.client("city_admin").put(NEW_USER_URL).status_code == 405


# --- editing a user --------------------------------------------------------------


def edit_form(user: User, **overrides: str) -> dict[str, str]:
    data = {
        "display_name": user.display_name,
        "role": user.role,
        "scope_code": user.scope_region.code,
        "department": user.department,
        "phone": user.phone,
        "is_active": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_edit_page_shows_the_users_current_values(net: Network) -> None:
    response = net.client("city_admin").get(edit_url(net.users["town_staff"]))

    assert response.status_code == 200
    assert response.context["form"].initial["scope_code"] == net.danghu.code
    assert 'value="330482001000"' in response.content.decode()


def test_a_city_admin_moves_a_user_to_another_town(net: Network) -> None:
    clerk = net.users["town_staff"]

    response = net.client("city_admin").post(
        edit_url(clerk), edit_form(clerk, scope_code=net.zhapu.code, display_name="调岗")
    )

    assert response.status_code == 302
    clerk.refresh_from_db()
    assert (clerk.scope_region, clerk.display_name) == (net.zhapu, "调岗")


def test_a_city_admin_deactivates_a_user_by_unticking_active(net: Network) -> None:
    clerk = net.users["town_staff"]
    form = edit_form(clerk)
    del form["is_active"]

    net.client("city_admin").post(edit_url(clerk), form)

    clerk.refresh_from_db()
    assert not clerk.is_active


def test_the_edit_page_refuses_deactivating_yourself(net: Network) -> None:
    admin = net.users["city_admin"]
    form = edit_form(admin)
    del form["is_active"]

    response = net.client("city_admin").post(edit_url(admin), form)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert User.objects.get(pk=admin.pk).is_active


def test_the_edit_page_shows_a_scope_error_at_the_field(net: Network) -> None:
    clerk = net.users["town_staff"]

    response = net.client("city_admin").post(edit_url(clerk), edit_form(clerk, scope_code="330482999999"))

    assert response.status_code == 200
    assert response.context["form"].errors["scope_code"]
    assert User.objects.get(pk=clerk.pk).scope_region == net.danghu


def test_a_user_of_another_city_is_not_found(net: Network, other_city: OtherCity) -> None:
    clerk = net.users["town_staff"]
    client = other_city.client()

    assert client.get(edit_url(clerk)).status_code == 404
    response = client.post(edit_url(clerk), edit_form(clerk, scope_code=other_city.city.code))

    assert response.status_code == 404
    assert User.objects.get(pk=clerk.pk).scope_region == net.danghu


def test_a_user_that_does_not_exist_is_not_found(net: Network) -> None:
    assert net.client("city_admin").get("/accounts/users/999999/").status_code == 404


def test_the_edit_page_is_refused_to_other_roles(net: Network) -> None:
    assert net.client("town_staff").get(edit_url(net.users["village_staff"])).status_code == 403


def test_the_edit_page_sends_anonymous_visitors_to_sign_in(net: Network) -> None:
    response = Client().get(edit_url(net.users["village_staff"]))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_the_edit_page_rejects_other_methods(net: Network) -> None:
    assert net.client("city_admin").delete(edit_url(net.users["village_staff"])).status_code == 405


# --- my account ----------------------------------------------------------------------


def change_password(client: Client, old: str, new: str, new2: str | None = None):
    return client.post(
        ME_URL,
        {"change_password": "1", "old_password": old, "new_password": new, "new_password2": new2 or new},
    )


def test_my_account_sends_anonymous_visitors_to_sign_in(db: None) -> None:
    response = Client().get(ME_URL)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={ME_URL}"


@pytest.mark.parametrize("role", ["town_staff", "veteran", "liaison"])
def test_every_role_has_an_account_page(net: Network, role: str) -> None:
    response = net.client(role).get(ME_URL)

    assert response.status_code == 200
    assert role in response.content.decode()


def test_a_user_changes_their_password_and_stays_signed_in(net: Network) -> None:
    client = net.client("town_staff")

    response = change_password(client, TEST_PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == ME_URL
    assert User.objects.get(username="town_staff").check_password(NEW_PASSWORD)
    assert client.get(ME_URL).status_code == 200
    assert sign_in(Client(), "town_staff", NEW_PASSWORD).status_code == 302


def test_the_wrong_current_password_is_refused_at_its_field(net: Network) -> None:
    response = change_password(net.client("town_staff"), WRONG_PASSWORD, NEW_PASSWORD)

    assert response.status_code == 200
    assert [e.code for e in response.context["password_form"].errors.as_data()["old_password"]] == ["wrong_password"]
    assert User.objects.get(username="town_staff").check_password(TEST_PASSWORD)


def test_two_different_new_passwords_are_refused(net: Network) -> None:
    response = change_password(net.client("town_staff"), TEST_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")

    assert response.context["password_form"].errors["new_password2"]
    assert User.objects.get(username="town_staff").check_password(TEST_PASSWORD)


def test_a_weak_new_password_is_refused_at_its_field(net: Network) -> None:
    response = change_password(net.client("town_staff"), TEST_PASSWORD, "password1234")

    assert response.status_code == 200
    assert response.context["password_form"].errors["new_password"]
    assert User.objects.get(username="town_staff").check_password(TEST_PASSWORD)


def test_a_new_token_is_shown_once(net: Network) -> None:
    client = net.client("town_staff")

    response = client.post(ME_URL, {"issue_token": "1", "label": "月报脚本"})

    raw = response.context["new_token"]
    token = ApiToken.objects.get(user=net.users["town_staff"])
    assert token.key_hash == ApiToken.hash_key(raw)
    assert token.label == "月报脚本"
    assert raw in response.content.decode()
    later = client.get(ME_URL).content.decode()
    assert raw not in later
    assert token.key_prefix in later


def test_a_user_revokes_their_token(net: Network) -> None:
    token, _raw = api_token_issue(user=net.users["town_staff"])

    response = net.client("town_staff").post(f"/accounts/me/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    assert response["Location"] == ME_URL
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_user_cannot_revoke_someone_elses_token(net: Network) -> None:
    token, _raw = api_token_issue(user=net.users["town_staff"])

    response = net.client("city_admin").post(f"/accounts/me/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_a_token_needs_a_post(net: Network) -> None:
    token, _raw = api_token_issue(user=net.users["town_staff"])

    response = net.client("town_staff").get(f"/accounts/me/tokens/{token.pk}/revoke/")

    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_a_token_needs_a_signed_in_user(net: Network) -> None:
    token, _raw = api_token_issue(user=net.users["town_staff"])

    response = Client().post(f"/accounts/me/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None


def test_my_account_rejects_a_post_that_asks_for_nothing(net: Network) -> None:
    assert net.client("town_staff").post(ME_URL, {"something": "else"}).status_code == 400


def test_my_account_rejects_other_methods(net: Network) -> None:
    assert net.client("town_staff").put(ME_URL).status_code == 405
