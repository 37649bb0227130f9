"""The phone's offline half (core/offline.py): the worker at the site's root, the manifest, the offline page, and
which pages a phone may keep."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from core.access import OFFLINE_HEADER, page
from core.offline import SHELL


@pytest.mark.django_db
def test_the_worker_is_served_at_the_root_as_javascript_and_never_from_a_cache():
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    assert 'importScripts("/static/js/sw.js")' in body
    config = json.loads(re.search(r"self\.OFFLINE = (\{.*\});", body).group(1))
    assert config["shell"] == [f"/static/{name}" for name in SHELL]
    assert config["offline"] == "/offline/" and config["keepHeader"] == OFFLINE_HEADER
    assert config["forgetOn"] == ["/accounts/login/", "/accounts/logout/"]


@pytest.mark.django_db
def test_the_worker_names_no_one_even_for_a_signed_in_user(net):
    anonymous = Client().get("/sw.js").content
    assert net.client("grid_leader").get("/sw.js").content == anonymous


@pytest.mark.django_db
def test_every_file_of_the_shell_is_served():
    for name in (*SHELL, "js/sw.js"):
        assert Client().get(f"/static/{name}").status_code == 200, name


@pytest.mark.django_db
def test_the_manifest_opens_the_site_standalone_with_its_icons():
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "老兵e家" and data["start_url"] == "/" and data["scope"] == "/"
    assert data["display"] == "standalone"
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        assert Client().get(icon["src"]).status_code == 200


@pytest.mark.django_db
def test_the_worker_and_the_manifest_refuse_a_post():
    assert Client().post("/sw.js").status_code == 405
    assert Client().post("/manifest.webmanifest").status_code == 405


@pytest.mark.django_db
def test_the_offline_page_says_the_records_are_kept_and_names_no_one(net):
    html = Client().get("/offline/").content.decode()
    assert "没有网络" in html and 'data-user=""' in html


@pytest.mark.django_db
def test_every_page_links_the_manifest_and_the_outbox(net):
    html = net.client("grid_leader").get("/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in html
    assert "/static/js/outbox.js" in html
    assert f'data-user="{net.users["grid_leader"].pk}"' in html
    assert "已保存在手机上，联网后自动发送" in html


@pytest.mark.django_db
def test_the_grid_leaders_entry_form_may_be_kept_on_the_phone_and_uses_the_outbox(net):
    response = net.client("grid_leader").get("/points/entries/new/")
    assert response.status_code == 200
    assert response[OFFLINE_HEADER] == "keep"
    assert "no-store" not in response.get("Cache-Control", "")
    assert re.search(r'<form[^>]+id="entry-form"[^>]+data-outbox="[^"]+"', response.content.decode())


@pytest.mark.django_db
def test_a_page_not_declared_offline_is_not_kept(net):
    assert OFFLINE_HEADER not in net.client("grid_leader").get("/").headers


def test_a_page_cannot_be_both_kept_offline_and_no_store():
    with pytest.raises(ValueError):
        page("points.view", offline=True, no_store=True)


def test_no_no_store_page_is_declared_offline():
    from django.urls import URLPattern, URLResolver, get_resolver

    from core.access import access_of

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns)
            elif isinstance(p, URLPattern):
                yield p

    for pattern in walk(get_resolver().url_patterns):
        declared = access_of(pattern.callback)
        if declared is not None and declared.offline:
            assert not declared.no_store, pattern.name
