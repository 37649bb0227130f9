"""What the accounts tests share: a second city, and signing in the way a browser does."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse
from django.test import Client

from accounts.models import User
from accounts.testing import TEST_PASSWORD
from regions.models import Region

LOGIN_URL = "/accounts/login/"
WRONG_PASSWORD = "not-the-password-000"


@dataclass
class OtherCity:
    """A second city, 海盐县, with its own account manager: nothing of 平湖市 is theirs."""

    city: Region
    admin: User

    def client(self) -> Client:
        client = Client()
        client.force_login(self.admin)
        return client


def sign_in(client: Client, username: str, password: str = TEST_PASSWORD) -> HttpResponse:
    """A real POST to the login form, through every middleware (django-axes included)."""
    return client.post(LOGIN_URL, {"username": username, "password": password})


def fail_to_sign_in(username: str, times: int) -> None:
    for _ in range(times):
        sign_in(Client(), username, WRONG_PASSWORD)
