from __future__ import annotations

import re

import pytest
from django.test import Client

from core.pagination import decode_cursor, encode_cursor


@pytest.mark.django_db
def test_healthz_answers_when_the_database_does():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_rejects_post():
    assert Client().post("/healthz").status_code == 405


@pytest.mark.django_db
def test_navigation_follows_the_role(net):
    admin_nav = [str(i["label"]) for i in net.client("city_admin").get("/").context["nav_items"]]
    town_nav = [str(i["label"]) for i in net.client("town_staff").get("/").context["nav_items"]]
    veteran_nav = [str(i["label"]) for i in net.client("veteran").get("/").context["nav_items"]]
    assert len(admin_nav) > len(town_nav) > len(veteran_nav) == 1


@pytest.mark.django_db
def test_pages_are_chinese_by_default_with_an_english_switch(net):
    client = net.client("town_staff")
    chinese = client.get("/").content.decode()
    assert 'lang="zh-hans"' in chinese and "首页" in chinese
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    assert 'lang="en"' in english and "Home" in english and "首页" not in english


@pytest.mark.django_db
def test_pages_carry_no_inline_script_and_a_strict_policy(net):
    response = net.client("city_admin").get("/")
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts and all("src=" in attrs for attrs in scripts)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "http://" not in html.replace("http://127.0.0.1", "") and "https://" not in html


@pytest.mark.django_db
def test_every_response_has_a_request_id():
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="proxy-req-12345")
    assert response["X-Request-ID"] == "proxy-req-12345"
    assert len(Client().get("/healthz")["X-Request-ID"]) == 32


def test_cursors_round_trip():
    assert decode_cursor(encode_cursor("330482001000")) == "330482001000"


@pytest.mark.django_db
def test_static_assets_are_served_from_the_installed_packages():
    for path in [
        "/static/css/app.css",
        "/static/django_htmx/htmx-2.min.js",
        "/static/ninja/swagger-ui-bundle.js",
    ]:
        response = Client().get(path)
        assert response.status_code == 200, path


@pytest.mark.django_db
def test_the_openapi_document_and_docs_page_are_served():
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/regions" in schema["paths"] and "/api/v1/auth/token" in schema["paths"]
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200 and b"/static/ninja/swagger-ui-bundle.js" in docs.content


def test_livez_answers_without_the_database(client):
    response = client.get("/livez")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_no_template_carries_inline_style_or_script():
    """The policy (style-src 'self', script-src 'self') drops them in the browser: styles go in app.css."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if re.search(r"<style\b|\sstyle=|<script>|<script\s(?![^>]*\bsrc=)", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
