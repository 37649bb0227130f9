"""Malformed input on every GET query parameter and every id, of every page and API operation: never a 5xx.

The parameters come from the declarations: a page's ``@page(..., params=...)`` and the API's OpenAPI document;
the URLs and the objects they name from the generated access test's registry (``test_access_matrix.routes``
and each app's samples). A malformed value answers 400 with a message, or is ignored; an id no 64-bit column
can hold is not found (404), never a driver's overflow (500 on SQLite).
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from accounts.testing import SAMPLES, Network
from core.access import Access, may_enter
from core.ids import MAX_ID
from core.tests.test_access_matrix import Route, _load_samples, _url, declaration, routes

pytestmark = pytest.mark.django_db

JUNK = [
    "abc",
    "-1",
    "99999999999999999999",
    "18446744073709551616",
    "%00",
    "\x00",
    "' OR 1=1",
    "２０２６",
    "长" * 3000,
    "[]",
    "MTg0NDY3NDQwNzM3MDk1NTE2MTY",  # a cursor: 18446744073709551616 in base64
]

#: Beyond what a 64-bit signed column holds.
HUGE = str(2**64)

#: The city-level users, the first one the page lets in asks it.
CITY_ROLES = ("city_admin", "city_staff", "auditor", "liaison", "employer")


def _user_for(net: Network, declared: Access) -> str | None:
    return next((r for r in CITY_ROLES if may_enter(net.users[r], declared)), None)


def _openapi() -> dict[str, Any]:
    from laobing.api import api

    return dict(api.get_openapi_schema())


def _resolve(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _integers(schema: dict[str, Any], doc: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    """The places in this (request) schema that take an integer with no maximum."""
    if "$ref" in schema:
        name = schema["$ref"]
        if name in seen:
            return []
        seen = seen | {name}
    schema = _resolve(schema, doc)
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            found += _integers(part, doc, where, seen)
    if schema.get("type") == "integer" and "maximum" not in schema and "exclusiveMaximum" not in schema:
        found.append(where)
    for name, prop in schema.get("properties", {}).items():
        found += _integers(prop, doc, f"{where}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        found += _integers(schema["items"], doc, f"{where}[]", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        found += _integers(schema["additionalProperties"], doc, f"{where}{{}}", seen)
    return found


def _send(client: Client, method: str, url: str, **kwargs: Any) -> Any:
    with transaction.atomic():
        response = getattr(client, method.lower())(url, **kwargs)
        transaction.set_rollback(True)
    return response


def _with_query(url: str, name: str, value: str) -> str:
    from urllib.parse import quote

    return f"{url}?{quote(name)}={quote(value, safe='')}"


def _problem(route: Route, url: str, response: Any) -> str | None:
    if response.status_code >= 500:
        return f"{route.name} GET {url[:120]}: {response.status_code}"
    if response.status_code == 400 and route.api:
        error = response.json().get("error", {})
        if not error.get("message"):
            return f"{route.name} GET {url[:120]}: a 400 with no message"
    return None


@pytest.fixture
def world(net: Network) -> tuple[Network, dict[type, Any]]:
    """The network with one of every sample object in its grid, so that lists and filters have rows."""
    _load_samples()
    return net, {model: make(net, net.grid) for model, make in SAMPLES.items()}


def _target_object(declared: Access, objects: dict[type, Any]) -> Any:
    return objects[declared.target.model] if declared.target is not None else None


def test_no_url_pattern_takes_an_unbounded_integer() -> None:
    """Pages name ids with ``<id:…>`` (at most MAX_ID), never Django's ``int``, whose overflow is a 500."""
    bad: list[str] = []

    def walk(patterns: list[Any], prefix: str = "") -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in ("admin", "api"):  # the API's ids are bounded by its parameter types
                    continue
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                converters = getattr(entry.pattern, "converters", {})
                bad.extend(f"{prefix}{entry.pattern}" for c in converters.values() if isinstance(c, IntConverter))

    walk(get_resolver().url_patterns)
    assert not bad, "use <id:…> for these ids:\n" + "\n".join(bad)


def test_every_integer_the_api_reads_has_a_maximum() -> None:
    """Path, query and body integers are bounded (``core.ids.Id``/``Int64``): the database can hold them."""
    doc = _openapi()
    unbounded: list[str] = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                unbounded += _integers(param.get("schema", {}), doc, f"{method.upper()} {path} {param['name']}", set())
            for media in op.get("requestBody", {}).get("content", {}).values():
                unbounded += _integers(media.get("schema", {}), doc, f"{method.upper()} {path} body", set())
    assert not unbounded, "declare these with core.ids.Id or Int64:\n" + "\n".join(unbounded)


def test_every_page_declares_the_query_parameters_it_reads() -> None:
    """A view that reads ``request.GET`` declares what it reads (so the junk test below sends it junk)."""
    missing: list[str] = []
    for route in routes():
        declared = declaration(route)
        if route.api or declared is None:
            continue
        view = inspect.unwrap(route.view)
        try:
            source = inspect.getsource(view)
        except (OSError, TypeError):
            continue  # a class-based view of Django's (the sign-in page declares ``next``)
        read = set(re.findall(r"request\.GET(?:\.get\(|\[)\s*\"(\w+)\"", source))
        if "request.GET" in source and not declared.params:
            missing.append(f"{route.name}: reads request.GET, declares no params")
        elif read - set(declared.params):
            missing.append(f"{route.name}: reads {sorted(read - set(declared.params))}, not declared")
    assert not missing, "\n".join(missing)


def test_junk_in_every_query_parameter_of_every_page_is_no_server_error(world: Any) -> None:
    net, objects = world
    problems: list[str] = []
    tried = 0
    for route in routes():
        declared = declaration(route)
        if route.api or declared is None or not declared.params or "GET" not in declared.methods:
            continue
        role = "anonymous" if declared.public else _user_for(net, declared)
        if role is None:
            continue
        client = Client() if declared.public else net.client(role)
        url = _url(route, declared, _target_object(declared, objects))
        for name in declared.params:
            for value in JUNK:
                tried += 1
                problem = _problem(
                    route, _with_query(url, name, value), _send(client, "GET", _with_query(url, name, value))
                )
                if problem:
                    problems.append(f"{problem} ({name}={value[:20]!r} as {role})")
    assert tried > 300, tried  # the declarations were walked
    assert not problems, "\n".join(problems)


def _api_route(path: str) -> Route:
    from core.tests.test_access_matrix import _api_routes

    found = [r for r in _api_routes() if r.path == path and "GET" in r.methods]
    assert found, path
    return found[0]


def test_junk_in_every_query_parameter_of_the_api_is_no_server_error(world: Any) -> None:
    net, objects = world
    doc = _openapi()
    clients: dict[str, Client] = {}
    problems: list[str] = []
    tried = 0
    for path, item in doc["paths"].items():
        op = item.get("get")
        if op is None:
            continue
        query = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
        if not query:
            continue
        route = _api_route(path)
        declared = declaration(route)
        assert declared is not None
        role = _user_for(net, declared)
        if role is None:
            continue
        client = clients.setdefault(role, net.api_client(role))
        url = _url(route, declared, _target_object(declared, objects))
        for name in query:
            for value in JUNK:
                tried += 1
                target = _with_query(url, name, value)
                problem = _problem(route, target, _send(client, "GET", target))
                if problem:
                    problems.append(f"{problem} ({name}={value[:20]!r} as {role})")
    assert tried > 200, tried
    assert not problems, "\n".join(problems)


def _huge_url(route: Route, declared: Access, obj: Any) -> str | None:
    """The route's URL with every id it takes replaced by one beyond 64 bits (None: it takes no id)."""
    target = declared.target
    if target is None:
        return None
    values = dict(declared.examples)
    ids = 0
    for kwarg, field in [(target.kwarg, target.field), *target.also.items()]:
        value = obj
        for part in field.split("__"):
            value = getattr(value, part)
        if isinstance(value, int):
            values[kwarg] = HUGE
            ids += 1
        else:
            values[kwarg] = str(value)
    return route.path.format(**values) if ids else None


def test_an_id_beyond_64_bits_is_not_found_on_every_page_and_operation(world: Any) -> None:
    from core.tests.jsonbody import minimal_body

    net, objects = world
    assert int(HUGE) > MAX_ID
    problems: list[str] = []
    tried = 0
    api_clients: dict[str, Client] = {}
    for route in routes():
        declared = declaration(route)
        if declared is None or declared.target is None:
            continue
        url = _huge_url(route, declared, objects[declared.target.model])
        role = _user_for(net, declared) or "town_staff"
        if url is None:
            continue
        method = route.methods[0]
        kwargs: dict[str, Any] = {}
        if route.api:
            client = api_clients.setdefault(role, net.api_client(role))
            if method in ("POST", "PUT", "PATCH"):
                kwargs = {"data": minimal_body(route.view, method), "content_type": "application/json"}
        else:
            client = net.client(role)
        tried += 1
        response = _send(client, method, url, **kwargs)
        if response.status_code != 404:
            problems.append(f"{route.name} {method} {url}: {response.status_code}, expected 404")
        elif route.api and response.json()["error"]["code"] != "not_found":
            problems.append(f"{route.name} {method} {url}: not the API's error shape")
    assert tried > 20, tried
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("multipart/form-data", b"x"),  # no boundary
        ("multipart/form-data", b'{"username": "city_admin", "password": "wrong"}'),  # read by the lockout
        ("multipart/form-data; boundary=", b'{"username": "city_admin", "password": "wrong"}'),
        ("multipart/form-data; boundary=zz", b"--zz\r\nbroken"),
        ("application/json", b"{not json"),
        ("application/json", b"\xff\xfe"),
        ("application/x-www-form-urlencoded", b"username=a&password=b"),
        ("text/plain", b"hello"),
    ],
)
def test_an_unparsable_body_is_refused_with_a_message(net: Network, content_type: str, body: bytes) -> None:
    response = Client().generic("POST", "/api/v1/auth/token", body, content_type=content_type)
    assert response.status_code in (400, 415, 422), response.content[:300]
    error = response.json()["error"]
    assert error["message"] and error["message_en"]


def test_a_signed_in_api_client_sending_an_unparsable_body_is_refused_with_a_message(net: Network) -> None:
    client = net.api_client("city_admin")
    response = client.generic("POST", "/api/v1/holidays", b"x", content_type="multipart/form-data")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["message"]


def test_the_openapi_document_lists_every_operations_refusals_in_the_error_shape() -> None:
    doc = _openapi()
    missing: list[str] = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            wanted = {400} | ({401, 403} if op.get("security") else set()) | ({404} if "{" in path else set())
            for status in sorted(wanted):
                answer = op["responses"].get(status) or op["responses"].get(str(status))
                ref = (answer or {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
                if ref != "#/components/schemas/ErrorOut":
                    missing.append(f"{method.upper()} {path} {status}")
    assert not missing, "\n".join(missing)
    error = _resolve(doc["components"]["schemas"]["ErrorOut"], doc)
    body = _resolve(error["properties"]["error"], doc)
    assert set(body["required"]) == {"status", "code", "message", "message_en", "fields"}
    token = doc["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert {401, 429} <= {int(k) for k in token}  # the sign-in's own refusals, declared on it


@pytest.mark.parametrize(
    "role, url, data",
    [
        ("town_staff", "/tasks/bulk/", {"tasks": [HUGE], "bulk_action": "done"}),
        ("town_staff", "/life-cases/new/", {"veteran_id": HUGE, "stage": "reporting"}),
        ("town_staff", "/petitions/new/", {"veteran_id": HUGE, "channel": "letter", "subject": "housing"}),
        ("city_admin", "/workflow/holidays/", {"delete": HUGE}),
    ],
)
def test_a_form_naming_a_record_beyond_64_bits_is_refused(net: Network, role: str, url: str, data: dict) -> None:
    response = net.client(role).post(url, data)
    assert response.status_code in (302, 400, 404), response.status_code


@pytest.mark.parametrize(
    "url, body",
    [
        ("/api/v1/tasks/bulk", {"tasks": [int(HUGE)], "action": "done"}),
        ("/api/v1/notifications/read", {"ids": [int(HUGE)]}),
        ("/api/v1/life-cases", {"veteran_id": int(HUGE), "stage": "reporting"}),
        (
            "/api/v1/petitions",
            {
                "veteran_id": int(HUGE),
                "channel": "letter",
                "received_on": "2026-11-20",
                "subject": "housing",
                "content": "x",
            },
        ),
    ],
)
def test_a_body_naming_a_record_beyond_64_bits_is_refused_at_its_field(net: Network, url: str, body: dict) -> None:
    response = net.api_client("town_staff").post(url, body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["fields"], response.json()


def test_a_nul_character_in_a_query_parameter_is_refused_with_a_message(net: Network) -> None:
    page = net.client("city_admin").get("/regions/?q=%00x")
    assert page.status_code == 400 and "NUL" in page.content.decode()
    api = net.api_client("city_admin").get("/api/v1/regions?q=%00x")
    assert api.status_code == 400 and api.json()["error"]["fields"][0]["field"] == "q"


@pytest.mark.parametrize(
    "url, body",
    [
        ("/api/v1/holidays", {"date": "2027-01-01", "kind": "holiday", "name": "某\x00节"}),
        ("/api/v1/auth/token", {"username": "city_admin\x00", "password": "x"}),
    ],
)
def test_a_nul_character_in_a_body_is_no_server_error(net: Network, url: str, body: dict) -> None:
    """PostgreSQL refuses NUL in text: what no field check catches is a 400 with a message, not a 500."""
    response = Client(
        raise_request_exception=False, HTTP_AUTHORIZATION=net.api_client("city_admin").defaults["HTTP_AUTHORIZATION"]
    ).post(url, body, content_type="application/json")
    assert response.status_code < 500, response.content[:300]
    if response.status_code == 400:
        assert response.json()["error"]["message"]


@pytest.mark.django_db
def test_a_pages_nul_refusal_is_in_chinese_and_english(net: Network) -> None:
    response = net.client("city_staff").get("/veterans/", {"q": "张\x00"})
    assert response.status_code == 400
    text = response.content.decode()
    assert " / A query parameter may not contain the NUL character." in text and text.split(" / ")[0] != ""
    assert not text.startswith("A query")
