"""A client's X-Request-ID is kept only when bounded and well-formed; anything else is replaced, never stored."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.testing import TEST_PASSWORD, Network
from audit.models import AuditEntry

CRAFTED = [
    "proxy-req-12345\n",  # a trailing newline, which ``$`` lets through
    "proxy-req-12345\nX-Injected: 1",
    "a" * 65,
    "<script>alert(1)</script>",
    "请求编号-12345678",
    "ｐｒｏｘｙ１２３４５６７８",  # full-width letters and digits
    "short",
]


def _sign_in_with(net: Network, request_id: str) -> AuditEntry:
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": net.users["town_staff"].username, "password": TEST_PASSWORD},
        HTTP_X_REQUEST_ID=request_id,
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="auth.login").latest("seq")
    assert entry.request_id == response["X-Request-ID"]
    return entry


@pytest.mark.django_db
@pytest.mark.parametrize("crafted", CRAFTED, ids=range(len(CRAFTED)))
def test_a_crafted_request_id_is_replaced_not_stored(net, crafted):
    entry = _sign_in_with(net, crafted)
    assert entry.request_id != crafted
    assert len(entry.request_id) == 32 and entry.request_id.isalnum() and entry.request_id.isascii()


@pytest.mark.django_db
@pytest.mark.parametrize("kept", ["proxy-req-12345", "0f8b2c1e-5d4a-4b3c-9e2f-1a2b3c4d5e6f", "a" * 64])
def test_a_well_formed_request_id_is_kept(net, kept):
    assert _sign_in_with(net, kept).request_id == kept
