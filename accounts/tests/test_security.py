"""Passwords, sessions, headers, CSRF, and the production settings refusing to start without keys."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts.testing import TEST_PASSWORD, Network
from accounts.tests.helpers import LOGIN_URL, sign_in
from core.middleware import RENEWED_KEY, SESSION_RENEW_SECONDS
from laobing import settings as production

REPO = Path(__file__).resolve().parents[2]

# Settings the test run puts in the environment, which a fresh production process must not inherit.
INHERITED = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEY",
    "AUDIT_KEY",
    "AUDIT_ANCHOR_FILE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "DATABASE_URL",
    "DJANGO_SETTINGS_MODULE",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DEBUG",
    "LAOBING_VAR_DIR",
}
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


# --- passwords -------------------------------------------------------------------


def test_production_hashes_passwords_with_argon2_first() -> None:
    # The test run swaps in a fast hasher, so production's choice is read from its own module.
    assert settings.SETTINGS_MODULE == "laobing.settings_test"
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "MD5" not in " ".join(production.PASSWORD_HASHERS)


def test_the_argon2_library_is_installed_and_works() -> None:
    hasher = Argon2PasswordHasher()

    encoded = hasher.encode(TEST_PASSWORD, hasher.salt())

    assert encoded.startswith("argon2$")
    assert hasher.verify(TEST_PASSWORD, encoded)
    assert not hasher.verify("Correct-Horse-Battery-43", encoded)


@pytest.mark.parametrize("weak", ["123456789012", "password1234", "Short-1a", ""])
def test_the_password_rules_reject_weak_passwords(weak: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_the_password_rules_accept_a_long_uncommon_passphrase() -> None:
    assert validate_password(TEST_PASSWORD) is None


def test_the_test_run_uses_the_production_password_rules() -> None:
    assert settings.AUTH_PASSWORD_VALIDATORS == production.AUTH_PASSWORD_VALIDATORS


# --- sessions --------------------------------------------------------------------


def test_a_session_ends_after_thirty_idle_minutes_and_use_renews_it() -> None:
    assert settings.SESSION_COOKIE_AGE == 1800
    assert SESSION_RENEW_SECONDS == 60  # renewed at most once a minute: it ends after 29 to 30 idle minutes
    assert settings.SESSION_COOKIE_HTTPONLY is True


def _backdate(key: str, *, expires_in: timedelta, renewed_ago: int) -> None:
    store = SessionStore(session_key=key)
    store[RENEWED_KEY] = int(time.time()) - renewed_ago
    store.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + expires_in)


def test_an_active_session_is_renewed_when_its_last_renewal_is_a_minute_old(net: Network) -> None:
    client = Client()
    sign_in(client, "town_staff")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    _backdate(key, expires_in=timedelta(minutes=5), renewed_ago=SESSION_RENEW_SECONDS)

    assert client.get("/").status_code == 200

    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + timedelta(minutes=29)


def test_pages_within_the_minute_do_not_write_the_session(net: Network) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    sign_in(client, "town_staff")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    _backdate(key, expires_in=timedelta(minutes=29), renewed_ago=10)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
        assert client.get("/veterans/").status_code == 200
    writes = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]
    assert writes == []
    assert Session.objects.get(session_key=key).expire_date < timezone.now() + timedelta(minutes=29, seconds=5)


def test_an_idle_session_has_ended(net: Network) -> None:
    client = Client()
    sign_in(client, "town_staff")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_signing_in_starts_a_new_session(net: Network) -> None:
    client = Client()
    session = client.session
    session["before"] = "sign-in"
    session.save()
    before = session.session_key

    sign_in(client, "town_staff")

    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before
    assert not Session.objects.filter(session_key=before).exists()


def test_signing_in_does_not_redirect_to_another_site(net: Network) -> None:
    response = Client().post(
        LOGIN_URL, {"username": "town_staff", "password": TEST_PASSWORD, "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


# --- headers and pages -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "url"),
    [
        (None, LOGIN_URL),
        ("city_admin", "/"),
        ("city_admin", "/accounts/users/"),
        ("town_staff", "/accounts/me/"),
        (None, "/api/v1/auth/me"),
    ],
)
def test_every_response_carries_the_security_headers(net: Network, who: str | None, url: str) -> None:
    client = net.client(who) if who else Client()

    response = client.get(url)

    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(
    ("who", "url"),
    [
        (None, LOGIN_URL),
        ("city_admin", "/"),
        ("grid_leader", "/"),
        ("veteran", "/"),
        ("city_admin", "/accounts/users/"),
        ("city_admin", "/accounts/users/new/"),
        ("town_staff", "/accounts/me/"),
    ],
)
def test_pages_have_no_inline_script_for_the_policy_to_block(net: Network, who: str | None, url: str) -> None:
    client = net.client(who) if who else Client()

    html = client.get(url).content.decode()

    assert re.search(r"<script\b[^>]*\bsrc=", html), "the page loads its scripts from files"
    assert not INLINE_SCRIPT.findall(html)
    assert not INLINE_HANDLER.findall(html)


def test_a_post_without_a_csrf_token_is_refused(net: Network) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(LOGIN_URL, {"username": "town_staff", "password": TEST_PASSWORD})

    assert response.status_code == 403
    assert client.get("/").status_code == 302


def test_a_post_with_the_csrf_token_is_accepted(net: Network) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN_URL)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value

    response = client.post(
        LOGIN_URL, {"username": "town_staff", "password": TEST_PASSWORD, "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert client.get("/").status_code == 200


# --- production settings, each in a fresh process ---------------------------------------


def run_production(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in INHERITED}
    clean.update(DJANGO_SETTINGS_MODULE="laobing.settings", LAOBING_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, *args],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = run_production(["-c", "import laobing.settings"], tmp_path, DEBUG="false")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr
    assert not list(tmp_path.glob("*.dev")), "no development key may be generated in production"


def test_production_refuses_to_start_without_the_field_encryption_key(tmp_path: Path) -> None:
    result = run_production(["-c", "import laobing.settings"], tmp_path, DEBUG="false", SECRET_KEY="k" * 60)

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr


def test_production_refuses_to_start_without_the_audit_key(tmp_path: Path) -> None:
    result = run_production(
        ["-c", "import laobing.settings"], tmp_path, DEBUG="false", SECRET_KEY="k" * 60, FIELD_ENCRYPTION_KEY="f" * 60
    )

    assert result.returncode != 0
    assert "AUDIT_KEY" in result.stderr


def test_development_makes_its_own_private_keys(tmp_path: Path) -> None:
    script = "from laobing import settings as s; print(len(s.SECRET_KEY), s.DEBUG)"

    result = run_production(["-c", script], tmp_path, DEBUG="true")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["64", "True"]
    keys = sorted(p.name for p in tmp_path.glob("*.dev"))
    assert keys == ["audit_key.dev", "field_encryption_key.dev", "secret_key.dev"]
    assert all((tmp_path / name).stat().st_mode & 0o077 == 0 for name in keys)


def test_the_deployment_checklist_passes_in_production(tmp_path: Path) -> None:
    result = run_production(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DEBUG="false",
        SECRET_KEY="pZ7q-Xr2vLk9_Tn4wYb8MhC3eJd6sGf1aQo5uRz0iVx2NcBtHyKmWpE7gSdLj4Fa",
        FIELD_ENCRYPTION_KEY="Vh3sK9-dQe7Lp2_Zr6Wm1TxBn5Jc8Gy4Ua0Fo3Ri7Ek2Ns9Pq6",
        AUDIT_KEY="Qm4tR8-wYb2Kc6_Nd0Vf3Hj7Lp1Xs5Zg9Ue2Ia6Oc4Tk8Er3",
        ALLOWED_HOSTS="veterans.example.gov.cn",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
