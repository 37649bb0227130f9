"""Every answer that carries a full ID, phone or bank number is sent with ``Cache-Control: no-store``.

The walk: every GET page and API operation (from the generated access test's registry), for every role, on
one sample object of each kind and every step of a 一件事 case (a department's step shows the person's full
ID number); the numbers looked for are the plaintexts of every encrypted column (``*_enc``) in the database.
An answer that shows one in full must say ``no-store``; the declared ones (``no_store=True``) always do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client

from accounts.testing import SAMPLES, Network
from core.access import may_enter
from core.crypto import decrypt
from core.tests.test_access_matrix import _load_samples, _url, declaration, routes

pytestmark = pytest.mark.django_db


#: Encrypted at rest, but an office's contact number: shown in full to staff like an address.
PUBLIC_CONTACTS = {"regions.station.phone"}


def _secrets() -> set[str]:
    """The full numbers kept encrypted, as they would be shown."""
    from core.crypto import EncryptedTextField

    found: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                isinstance(field, EncryptedTextField)
                and f"{model._meta.label_lower}.{field.name}" not in PUBLIC_CONTACTS
            ):
                # the field decrypts on the way out: the values are the full numbers
                found |= {v for v in model._default_manager.values_list(field.name, flat=True) if len(v or "") >= 7}
        names = [f.name for f in model._meta.get_fields() if getattr(f, "column", None) and f.name.endswith("_enc")]
        for name in names:
            for value in model._default_manager.exclude(**{name: ""}).values_list(name, flat=True):
                plain = decrypt(value)
                if len(plain) >= 7:
                    found.add(plain)
    return found


def _no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture
def world(net: Network) -> tuple[Network, dict[type, list[Any]]]:
    from cases.services import life_case_open
    from veterans.tests.factories import register
    from workflow.models import Task

    _load_samples()
    objects = {model: [make(net, net.grid)] for model, make in SAMPLES.items()}
    veteran = register(net.users["town_staff"], net.village, name="陈刚", phone="13812345678")
    life = life_case_open(actor=net.users["town_staff"], veteran=veteran, stage="reporting")
    objects[Task] = [*objects.get(Task, []), *life.case.tasks.all()]
    # a grid with its leader in office: the grid's page and its leaders' list show the leader's full phone
    from regions.models import Region
    from regions.services import grid_leader_appoint

    grid_leader_appoint(actor=net.users["city_admin"], grid=net.grid, leader_name="王班长",
                        start_date=dt.date(2026, 1, 1), leader_phone="13998765432")  # fmt: skip
    objects[Region] = [*objects.get(Region, []), net.grid]
    return net, objects


def test_every_answer_with_a_full_number_is_not_stored(world: Any) -> None:
    net, objects = world
    secrets = _secrets()
    assert len(secrets) >= 3, secrets
    problems: list[str] = []
    shown_somewhere: set[str] = set()
    api_clients: dict[str, Client] = {}
    for route in routes():
        declared = declaration(route)
        if declared is None or route.methods[0] != "GET":
            continue
        candidates = objects[declared.target.model] if declared.target is not None else [None]
        for role, user in net.users.items():
            if not may_enter(user, declared):
                continue
            client = api_clients.setdefault(role, net.api_client(role)) if route.api else net.client(role)
            for obj in candidates:
                url = _url(route, declared, obj)
                with transaction.atomic():
                    response = client.get(url)
                    transaction.set_rollback(True)
                if declared.no_store and response.status_code == 200 and not _no_store(response):
                    problems.append(f"{route.name} {url} as {role}: declared no_store, sent without it")
                if response.status_code != 200 or getattr(response, "streaming", False):
                    continue
                body = response.content.decode(errors="replace")
                shown = {s for s in secrets if s in body}
                shown_somewhere |= {route.name for _ in shown}
                if shown and not _no_store(response):
                    problems.append(f"{route.name} {url} as {role}: a full number without Cache-Control: no-store")
    assert {"workflow:task", "tasks_get", "regions:detail"} <= shown_somewhere, (
        shown_somewhere
    )  # the walk saw a department's step
    assert not problems, "\n".join(problems)


def test_revealing_an_id_number_is_not_stored(net: Network) -> None:
    from veterans.tests.factories import register

    veteran = register(net.users["town_staff"], net.village, name="陈刚")
    full = decrypt(veteran.id_number_enc)
    page = net.client("city_admin").post(f"/veterans/{veteran.pk}/reveal-id/", {"reason": "核对身份"})
    assert page.status_code == 200 and full in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    api = net.api_client("city_admin").post(
        f"/api/v1/veterans/{veteran.pk}/reveal-id", {"reason": "核对身份"}, content_type="application/json"
    )
    assert api.status_code == 200 and api.json()["id_number"] == full
    assert api["Cache-Control"] == "no-store"


def test_a_new_api_token_is_not_stored(net: Network) -> None:
    from accounts.testing import TEST_PASSWORD

    response = Client().post(
        "/api/v1/auth/token", {"username": "city_admin", "password": TEST_PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
