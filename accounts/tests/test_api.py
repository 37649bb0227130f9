"""The token endpoints of the REST API: /api/v1/auth/token and /api/v1/auth/me."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.services import api_token_issue
from accounts.testing import TEST_PASSWORD, Network
from accounts.tests.helpers import WRONG_PASSWORD, fail_to_sign_in
from audit.models import AuditEntry

TOKEN_URL = "/api/v1/auth/token"
ME_URL = "/api/v1/auth/me"
ERROR_KEYS = {"status", "code", "message", "message_en", "fields"}


def ask_for_token(client: Client | None = None, **body: Any):
    return (client or Client()).post(TOKEN_URL, body, content_type="application/json")


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def test_good_credentials_get_a_token(net: Network) -> None:
    response = ask_for_token(username="town_staff", password=TEST_PASSWORD)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    token = ApiToken.objects.get(user=net.users["town_staff"])
    assert token.key_hash == ApiToken.hash_key(body["token"])
    assert abs(datetime.fromisoformat(body["expires_at"]) - token.expires_at) < timedelta(milliseconds=1)
    assert token.expires_at > timezone.now() + timedelta(hours=1)
    assert AuditEntry.objects.get(action="token.issue").after["label"] == "api"


def test_the_token_carries_the_label_it_was_asked_with(net: Network) -> None:
    ask_for_token(username="town_staff", password=TEST_PASSWORD, label="nightly-import")

    assert ApiToken.objects.get(user=net.users["town_staff"]).label == "nightly-import"


@pytest.mark.parametrize(
    ("username", "password"),
    [("town_staff", WRONG_PASSWORD), ("nobody", TEST_PASSWORD), ("TOWN_STAFF", TEST_PASSWORD)],
)
def test_bad_credentials_get_a_401_in_the_error_shape(net: Network, username: str, password: str) -> None:
    response = ask_for_token(username=username, password=password)

    assert response.status_code == 401
    error = response.json()["error"]
    assert set(error) == ERROR_KEYS
    assert error["status"] == 401
    assert error["message_en"] == "Wrong username or password."
    assert error["message"] == "用户名或密码错误。"
    assert error["fields"] == []
    assert not ApiToken.objects.exists()


def test_a_deactivated_user_gets_no_token(net: Network) -> None:
    User.objects.filter(username="town_staff").update(is_active=False)

    response = ask_for_token(username="town_staff", password=TEST_PASSWORD)

    assert response.status_code == 401
    assert not ApiToken.objects.exists()


def test_a_missing_field_is_named_in_a_400(net: Network) -> None:
    response = ask_for_token(username="town_staff")

    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error) == ERROR_KEYS
    assert (error["status"], error["code"]) == (400, "invalid")
    assert [item["field"] for item in error["fields"]] == ["password"]
    assert set(error["fields"][0]) == {"field", "code", "message", "message_en"}


def test_asking_for_a_token_needs_a_post(net: Network) -> None:
    assert Client().get(TOKEN_URL).status_code == 405


def test_the_token_works_as_a_bearer(net: Network) -> None:
    raw = ask_for_token(username="liaison", password=TEST_PASSWORD).json()["token"]

    response = Client().get(ME_URL, headers=bearer(raw))

    assert response.status_code == 200
    assert response.json() == {
        "username": "liaison",
        "display_name": "",
        "role": "liaison",
        "department": "police",
        "scope_code": net.city.code,
    }


def test_me_without_credentials_is_401_in_the_error_shape(net: Network) -> None:
    response = Client().get(ME_URL)

    assert response.status_code == 401
    error = response.json()["error"]
    assert set(error) == ERROR_KEYS
    assert error["code"] == "unauthenticated"


def test_me_with_a_made_up_token_is_401(net: Network) -> None:
    assert Client().get(ME_URL, headers=bearer("lb_made-up")).status_code == 401


def test_me_answers_a_signed_in_browser_session_too(net: Network) -> None:
    response = net.client("town_staff").get(ME_URL)

    assert response.status_code == 200
    assert response.json()["scope_code"] == net.danghu.code


def test_deleting_the_token_revokes_it(net: Network) -> None:
    raw = ask_for_token(username="town_staff", password=TEST_PASSWORD).json()["token"]

    response = Client().delete(TOKEN_URL, headers=bearer(raw))

    assert response.status_code == 204
    assert response.content == b""
    assert ApiToken.objects.get(user=net.users["town_staff"]).revoked_at is not None
    assert Client().get(ME_URL, headers=bearer(raw)).status_code == 401
    assert AuditEntry.objects.get(action="token.revoke").actor_username == "town_staff"


def test_deleting_a_token_needs_that_token(net: Network) -> None:
    api_token_issue(user=net.users["town_staff"])

    assert Client().delete(TOKEN_URL).status_code == 401
    response = net.client("town_staff").delete(TOKEN_URL)

    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400
    assert ApiToken.objects.live().count() == 1


def test_an_expired_token_is_refused(net: Network) -> None:
    token, raw = api_token_issue(user=net.users["town_staff"])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = Client().get(ME_URL, headers=bearer(raw))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_token_of_a_deactivated_user_is_refused(net: Network) -> None:
    _token, raw = api_token_issue(user=net.users["town_staff"])
    User.objects.filter(username="town_staff").update(is_active=False)

    assert Client().get(ME_URL, headers=bearer(raw)).status_code == 401


def test_five_failed_token_requests_lock_the_account_even_against_the_right_password(net: Network) -> None:
    statuses = [ask_for_token(username="town_staff", password=WRONG_PASSWORD).status_code for _ in range(5)]

    response = ask_for_token(username="town_staff", password=TEST_PASSWORD)

    assert statuses == [401, 401, 401, 401, 429]
    assert response.status_code == 429
    assert not ApiToken.objects.exists()


def test_the_lock_is_answered_in_the_error_shape(net: Network) -> None:
    for _ in range(5):
        ask_for_token(username="town_staff", password=WRONG_PASSWORD)

    response = ask_for_token(username="town_staff", password=TEST_PASSWORD)

    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == ERROR_KEYS
    assert error["status"] == 429
    assert error["message_en"] == "Too many failed sign-ins: the account is locked for 30 minutes."
    assert error["message"] == "登录失败次数过多，账号已锁定 30 分钟。"


def test_the_lock_of_one_account_leaves_the_others_open(net: Network) -> None:
    for _ in range(5):
        ask_for_token(username="town_staff", password=WRONG_PASSWORD)

    assert ask_for_token(username="other_town_staff", password=TEST_PASSWORD).status_code == 200


def test_a_lock_from_the_login_page_also_holds_for_the_api(net: Network) -> None:
    fail_to_sign_in("town_staff", 5)

    assert ask_for_token(username="town_staff", password=TEST_PASSWORD).status_code == 429


def test_a_locked_account_gets_the_locked_code(net: Network) -> None:
    client = Client()
    for _ in range(5):
        client.post(
            "/api/v1/auth/token",
            {"username": "town_staff", "password": "wrong-wrong-wrong"},
            content_type="application/json",
        )
    response = client.post(
        "/api/v1/auth/token",
        {"username": "town_staff", "password": TEST_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked"
    assert response.json()["error"]["message_en"].startswith("Too many failed sign-ins")
