"""Signing in through a government single sign-on (浙里办 / an OIDC provider), beside the SMS code.

A provider is pluggable: ``settings.PORTAL_SSO`` maps a key to its class and options, e.g.::

    PORTAL_SSO = {
        "zlb": {
            "class": "portal.sso.OidcProvider",
            "label": "浙里办",
            "authorization_endpoint": "https://sso.example.gov.cn/oauth2/authorize",
            "token_endpoint": "https://sso.example.gov.cn/oauth2/token",
            "userinfo_endpoint": "https://sso.example.gov.cn/oauth2/userinfo",
            "client_id": "…", "client_secret": "…",
            "claims": {"id_number": "idNum", "name": "userName", "phone": "mobile"},
        },
    }

The provider sends the person back with a code; ``identify`` turns it into who they are (ID number, name,
phone). The portal then finds the registry record with that ID number and name: an account bound to it signs
in, or one is opened for it (the government's sign-on has verified the person, as the code sent to the phone
on the record does). ``TestProvider`` stands in for one in tests and demos: it answers the identity its options
name for the code it is given."""

from __future__ import annotations

import json
import secrets
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from core.errors import invalid

#: how long the provider may take to answer (seconds)
TIMEOUT = 10


@dataclass(frozen=True)
class Identity:
    id_number: str
    name: str
    phone: str = ""


class Provider(Protocol):
    label: str

    def authorize_url(self, *, state: str, redirect_uri: str) -> str: ...

    def identify(self, *, code: str, redirect_uri: str) -> Identity: ...


def providers() -> dict[str, Provider]:
    """The configured providers by key (none unless ``PORTAL_SSO`` names some)."""
    found: dict[str, Provider] = {}
    for key, options in getattr(settings, "PORTAL_SSO", {}).items():
        options = dict(options)
        found[key] = import_string(options.pop("class"))(**options)
    return found


def new_state() -> str:
    return secrets.token_urlsafe(24)


def refused() -> ValidationError:
    return invalid(None, _("The government sign-on did not confirm who you are: try again, or use an SMS code."),
                   code="sso_refused")  # fmt: skip


class OidcProvider:
    """OpenID Connect's authorization-code flow, over the intranet: the provider's authorize page, then its
    token and userinfo endpoints; the claims named in ``claims`` give the ID number, the name and the phone."""

    def __init__(self, *, label: str, authorization_endpoint: str, token_endpoint: str, userinfo_endpoint: str,
                 client_id: str, client_secret: str, scope: str = "openid profile",
                 claims: dict[str, str] | None = None, allow_http: bool = False) -> None:  # fmt: skip
        self.label = label
        self.authorization_endpoint, self.token_endpoint = authorization_endpoint, token_endpoint
        self.userinfo_endpoint, self.client_id, self.client_secret = userinfo_endpoint, client_id, client_secret
        self.scope = scope
        self.claims = {"id_number": "id_number", "name": "name", "phone": "phone_number", **(claims or {})}
        schemes = ("https", "http") if allow_http else ("https",)  # the secret and ID numbers travel encrypted
        for url in (authorization_endpoint, token_endpoint, userinfo_endpoint):
            if urllib.parse.urlsplit(url).scheme not in schemes:  # and never file: or another scheme (S310)
                raise ImproperlyConfigured(f"PORTAL_SSO: {url!r} is not an https address (allow_http: plain http)")

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        query = {"response_type": "code", "client_id": self.client_id, "redirect_uri": redirect_uri,
                 "scope": self.scope, "state": state}  # fmt: skip
        return f"{self.authorization_endpoint}?{urllib.parse.urlencode(query)}"

    def _json(self, request: urllib.request.Request) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310 - the configured provider
                found = json.loads(answer.read(1 << 20).decode("utf-8"))
        except (OSError, ValueError) as exc:  # unreachable, refused, not JSON
            raise refused() from exc
        if not isinstance(found, dict):
            raise refused()
        return found

    def identify(self, *, code: str, redirect_uri: str) -> Identity:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "client_id": self.client_id, "client_secret": self.client_secret}  # fmt: skip
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        asked = urllib.request.Request(self.token_endpoint, data=urllib.parse.urlencode(form).encode(),  # noqa: S310
                                       method="POST", headers=headers)  # fmt: skip
        token = self._json(asked)
        access = token.get("access_token")
        if not isinstance(access, str) or not access:
            raise refused()
        bearer = {"Authorization": f"Bearer {access}"}
        claims = self._json(urllib.request.Request(self.userinfo_endpoint, headers=bearer))  # noqa: S310
        id_number, name = claims.get(self.claims["id_number"]), claims.get(self.claims["name"])
        if not isinstance(id_number, str) or not isinstance(name, str) or not id_number or not name:
            raise refused()
        phone = claims.get(self.claims["phone"])
        return Identity(id_number.strip().upper(), name.strip(), phone.strip() if isinstance(phone, str) else "")


class TestProvider:
    """A stand-in provider: its authorize page is the portal's own callback with the code ``test``, and that code
    is the identity of its options (``identities``: code → {id_number, name, phone})."""

    def __init__(self, *, label: str = "测试统一认证", identities: dict[str, dict[str, str]] | None = None) -> None:
        self.label = label
        self.identities = identities or {}

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        return f"{redirect_uri}?{urllib.parse.urlencode({'state': state, 'code': 'test'})}"

    def identify(self, *, code: str, redirect_uri: str) -> Identity:
        found = self.identities.get(code)
        if found is None:
            raise refused()
        return Identity(found["id_number"], found["name"], found.get("phone", ""))
