"""The language is Simplified Chinese unless the user chose English with the switcher, whatever the browser asks."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.testing import Network

pytestmark = pytest.mark.django_db


def test_an_english_browser_gets_chinese_pages(net: Network) -> None:
    client = net.client("town_staff")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = page.content.decode()
    assert 'lang="zh-hans"' in html and "首页" in html
    assert page["Content-Language"] == "zh-hans"
    sign_in = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US", follow=True).content.decode()
    assert 'lang="zh-hans"' in sign_in


def test_the_switcher_choice_gives_english_and_back(net: Network) -> None:
    client = net.client("town_staff")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert 'lang="en"' in english and "Home" in english
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-hans"' in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()


def test_a_language_cookie_that_is_not_offered_is_ignored(net: Network) -> None:
    client = net.client("town_staff")
    client.cookies["django_language"] = "fr"
    assert 'lang="zh-hans"' in client.get("/", HTTP_ACCEPT_LANGUAGE="fr,en").content.decode()
