"""The audit tables speak the bureau's words: the kind of object and the region by name, not app.model or a code."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.db import transaction
from django.utils import translation

from accounts.testing import Network
from audit.described import object_kind
from audit.services import audit_record

PROJECT_APPS = {"core", "audit", "accounts", "regions", "veterans", "workflow", "petitions", "cases"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_model_an_entry_may_name_has_a_chinese_name() -> None:
    with translation.override("zh-hans"):
        english = [
            m._meta.label_lower
            for m in apps.get_models()
            if m._meta.app_label in PROJECT_APPS and not CJK.search(object_kind(m._meta.label_lower))
        ]
    assert english == []


def test_an_unknown_type_is_shown_as_it_is() -> None:
    assert object_kind("nothing.here") == "nothing.here"
    assert object_kind("no-dot") == "no-dot"


@pytest.mark.django_db
def test_the_tables_show_the_kind_and_the_region_by_name_with_the_codes_as_tooltips(net: Network) -> None:
    user = net.users["town_staff"]
    with transaction.atomic():
        entry = audit_record(actor=user, action="user.update", obj=user, region_code=net.danghu.code)
    for page in ("/", "/audit/"):
        html = net.client("city_admin").get(page).content.decode()
        assert f'<span title="{net.danghu.code}">{net.danghu.name}</span>' in html, page
        assert f'title="accounts.user {user.pk}">用户</small>' in html, page
    detail = net.client("city_admin").get(f"/audit/{entry.seq}/").content.decode()
    assert f"{net.danghu.name} <small" in detail and "用户 · <code>accounts.user" in detail
