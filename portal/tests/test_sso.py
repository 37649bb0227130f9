"""The government single sign-on beside the SMS code: the test provider through the pages, and the OIDC provider
against a real HTTP server standing in for the government's."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client

from accounts.models import User
from audit.models import AuditEntry
from core.crypto import decrypt
from portal.sso import OidcProvider
from portal.tests.conftest import People

pytestmark = pytest.mark.django_db


@pytest.fixture
def test_sso(people: People, settings: Any) -> People:
    number = decrypt(people.own.id_number_enc)
    settings.PORTAL_SSO = {"test": {"class": "portal.sso.TestProvider", "label": "测试统一认证",
                                    "identities": {"test": {"id_number": number, "name": "张三丽"}}}}  # fmt: skip
    return people


def test_a_veteran_signs_in_through_the_sign_on_and_their_account_is_opened(test_sso: People) -> None:
    phone = Client()
    assert "测试统一认证" in phone.get("/me/sign-in/").content.decode()
    away = phone.get("/me/sso/test/")
    assert away.status_code == 302 and "/me/sso/test/callback/?" in away["Location"]
    back = phone.get(away["Location"])
    assert back.status_code == 302 and back["Location"] == "/me/"
    user = User.objects.get(veteran=test_sso.own)
    assert user.phone == "13900001111"  # the record's, the sign-on gave none
    assert AuditEntry.objects.filter(action="portal.bind", object_id=str(user.pk)).exists()
    assert phone.get("/me/").status_code == 200
    # again: the same account
    again = Client()
    again.get(again.get("/me/sso/test/")["Location"])
    assert User.objects.filter(veteran=test_sso.own).count() == 1


def test_a_forged_or_unknown_answer_is_refused(test_sso: People, settings: Any) -> None:
    phone = Client()
    away = phone.get("/me/sso/test/")["Location"]
    forged = away.replace("state=", "state=x")
    assert phone.get(forged).status_code == 400
    assert phone.get("/me/sso/test/callback/", {"state": "", "code": "test"}).status_code == 400
    assert Client().get("/me/sso/nothing/").status_code == 404
    settings.PORTAL_SSO["test"]["identities"] = {"test": {"id_number": "330482197001010011", "name": "无此人"}}
    phone = Client()
    refused = phone.get(phone.get("/me/sso/test/")["Location"])
    assert refused.status_code == 400 and not User.objects.filter(role="veteran", veteran__isnull=False).exists()


class Government(BaseHTTPRequestHandler):
    """A stand-in for the government's OIDC endpoints: the token for the code ``good``, then its claims."""

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any) -> None:
        raw = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        if form.get("code") == ["good"] and form.get("client_secret") == ["s3cret"]:
            self._send(200, {"access_token": "tok", "token_type": "Bearer"})
        elif form.get("code") == ["junk"]:
            self._send(200, b"<html>not json</html>")
        else:
            self._send(400, {"error": "invalid_grant"})

    def do_GET(self) -> None:
        if self.headers.get("Authorization") == "Bearer tok":
            self._send(200, {"idNum": "33048219700101001x", "userName": " 张三丽 ", "mobile": "13900001111"})
        else:
            self._send(401, {"error": "invalid_token"})


@pytest.fixture
def government() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), Government)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def oidc(base: str) -> OidcProvider:
    return OidcProvider(label="浙里办", authorization_endpoint=f"{base}/authorize", token_endpoint=f"{base}/token",
                        userinfo_endpoint=f"{base}/userinfo", client_id="laobing", client_secret="s3cret",
                        claims={"id_number": "idNum", "name": "userName", "phone": "mobile"},
                        allow_http=True)  # fmt: skip


def test_the_oidc_provider_asks_the_token_then_the_claims_over_http(government: str) -> None:
    provider = oidc(government)
    url = provider.authorize_url(state="st", redirect_uri="http://testserver/me/sso/zlb/callback/")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["client_id"] == ["laobing"] and query["state"] == ["st"] and query["response_type"] == ["code"]
    who = provider.identify(code="good", redirect_uri="http://testserver/me/sso/zlb/callback/")
    assert (who.id_number, who.name, who.phone) == ("33048219700101001X", "张三丽", "13900001111")
    for bad in ("bad", "junk"):
        with pytest.raises(ValidationError):
            provider.identify(code=bad, redirect_uri="http://testserver/")
    with pytest.raises(ValidationError):  # nobody answers
        oidc("http://127.0.0.1:9").identify(code="good", redirect_uri="http://testserver/")
    with pytest.raises(ImproperlyConfigured):
        OidcProvider(label="x", authorization_endpoint="file:///etc/passwd", token_endpoint="https://a/",
                     userinfo_endpoint="https://a/", client_id="c", client_secret="s", allow_http=True)  # fmt: skip
    with pytest.raises(ImproperlyConfigured):  # plain http only when asked for
        OidcProvider(label="x", authorization_endpoint="http://a/", token_endpoint="https://a/",
                     userinfo_endpoint="https://a/", client_id="c", client_secret="s")  # fmt: skip
