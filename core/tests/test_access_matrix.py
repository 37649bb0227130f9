"""The generated access test: every URL pattern and every API operation, for every role and the anonymous user,
with an object in the user's region and one in another, and the wrong method.

The expected answer comes from the declarations (``core.access``: the capability a page or endpoint needs and
the object its URL names) and from the models' and processes' own capabilities and region codes, worked out
here independently of ``visible_to``: a module that declares a new page or endpoint is covered without an
access test of its own, and a page that forgets the rule (or a rule that admits a role it should not) fails.
Each request runs in a savepoint that is rolled back, so what one role does cannot change what the next sees.
"""

from __future__ import annotations

import copy
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from accounts.roles import ACTS_AS
from accounts.testing import SAMPLES, Network
from core.access import Access, Target, access_of, may_enter
from core.scoping import OWN_CAPABILITY
from core.tests.jsonbody import minimal_body

pytestmark = pytest.mark.django_db

#: Django's own and third-party views: not the project's to declare.
FOREIGN = ("admin:", "django.", "set_language", "ninja")
REFUSED = {401, 403, 404, 405}


def _load_samples() -> None:
    """Every app's ``tests/samples.py`` registers how to make its objects in a region."""
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.tests.samples")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.tests.samples" and exc.name != f"{config.name}.tests":
                raise


@dataclass
class Route:
    name: str
    path: str  # with {kwarg} placeholders
    view: Any
    methods: tuple[str, ...]
    api: bool


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in ("admin", "api"):
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            raw = prefix + str(entry.pattern)
            if isinstance(entry.pattern, RegexPattern):  # re_path: its groups become placeholders, its escapes text
                raw = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", raw).replace("^", "").replace("$", "").replace("\\", "")
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", raw).lstrip("^").rstrip("$")
            name = f"{namespace}{entry.name or ''}"
            declared = access_of(entry.callback)
            methods = declared.methods if declared else ("GET",)
            yield Route(name, path, entry.callback, methods, False)


def _api_routes() -> Iterator[Route]:
    from laobing.api import api

    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                tail = "/" + path.lstrip("/") if path.strip("/") else ""  # a router's own root has no slash
                full = "/api/v1" + (prefix.rstrip("/") + tail).replace("//", "/")
                full = re.sub(r"\{(?:\w+:)?(\w+)\}", r"{\1}", full)
                yield Route(op.view_func.__name__, full, op, tuple(op.methods), True)


def routes() -> list[Route]:
    pages = [r for r in _walk(get_resolver().url_patterns) if not r.name.startswith(FOREIGN)]
    return pages + list(_api_routes())


def declaration(route: Route) -> Access | None:
    return access_of(route.view.view_func if route.api else route.view)


# --- the expected answer, from the declarations ----------------------------------------------------------------


def _in_scope(user: Any, code: str) -> bool:
    return bool(user.scope_prefix) and code.startswith(user.scope_prefix)


def expected_visible(user: Any, obj: Any, action: str = "view") -> bool:
    """Whether the declarations let this user see ``obj``, worked out without ``visible_to``."""
    from accounts.models import ApiToken
    from core.models import ExportJob, ImportJob, Notification
    from regions.models import prefix_of
    from veterans.models import FamilyMember
    from workflow.models import Attachment, Case, CaseSubject, Task
    from workflow.process import PROCESSES

    if isinstance(obj, Notification | ApiToken):
        return bool(obj.user_id == user.pk)
    if isinstance(obj, ImportJob | ExportJob):
        return bool(obj.actor_id == user.pk)
    if isinstance(obj, FamilyMember):
        return expected_visible(user, obj.veteran)
    if isinstance(obj, Attachment):
        return expected_visible(user, obj.case)
    if isinstance(obj, CaseSubject):
        # a public notice of an area (``seen_from_within``) is seen too by those granted it within the area
        within = type(obj).seen_from_within and user.scope_prefix.startswith(prefix_of(obj.region_code))
        capability = PROCESSES[obj.case.process].capability(action)
        return expected_visible(user, obj.case) or bool(within and capability and user.can(capability))
    if isinstance(obj, Case):
        capability = PROCESSES[obj.process].capability(action)
        return bool(capability) and user.can(capability) and _in_scope(user, obj.region_code)
    if isinstance(obj, Task):
        acts = (
            obj.is_open
            and user.can("workflow.inbox")
            and obj.role in ACTS_AS.get(user.role, frozenset())
            and obj.department == user.department
            and _in_scope(user, obj.unit_code)
        )
        own_department = bool(user.department) and obj.department == user.department and _in_scope(user, obj.unit_code)
        return bool(acts or own_department or expected_visible(user, obj.case))
    capability = type(obj).capabilities[action]
    code = obj
    for part in type(obj).scope_field.split("__"):
        code = getattr(code, part)
    # a row of an area seen from within it too (a city's campaign by its grid leaders)
    within = getattr(type(obj), "seen_from_within", False) and (user.scope_prefix or "").startswith(
        prefix_of(str(code))
    )
    return bool(user.can(capability)) and (_in_scope(user, str(code)) or bool(within))


def expected_allowed(user: Any, obj: Any, action: str) -> bool:
    """Beyond seeing it: whether the declarations let this user act on a task or withdraw a case."""
    from workflow.models import Case, Task
    from workflow.process import PROCESSES

    if isinstance(obj, Task) and action == "act":
        return bool(
            obj.is_open
            and user.can("workflow.inbox")
            and obj.role in ACTS_AS.get(user.role, frozenset())
            and obj.department == user.department
            and _in_scope(user, obj.unit_code)
        )
    if isinstance(obj, Case) and action == "withdraw":
        owner_role = obj.data.get("owner_role") or PROCESSES[obj.process].owner_role
        return owner_role in ACTS_AS.get(user.role, frozenset()) and _in_scope(user, obj.owner_code)
    raise AssertionError(f"no rule for {action!r} on {type(obj).__name__}")


# --- the requests -----------------------------------------------------------------------------------------------


def _url(route: Route, declared: Access, obj: Any) -> str:
    values = dict(declared.examples)
    target: Target | None = declared.target
    if target is not None:
        value = obj
        for part in target.field.split("__"):
            value = getattr(value, part)
        values[target.kwarg] = str(value)
        for kwarg, name in target.also.items():
            values[kwarg] = str(getattr(obj, name))
    missing = set(re.findall(r"\{(\w+)\}", route.path)) - values.keys()
    assert not missing, f"{route.name} {route.path}: declare examples or a target for {sorted(missing)}"
    return route.path.format(**values)


def _send(client: Client, method: str, url: str, route: Route) -> int:
    """One request, rolled back afterwards whatever it wrote, and the client's cookies with it (signing out
    must not sign the role's next request out)."""
    kwargs: dict[str, Any] = {}
    if route.api and method in ("POST", "PUT", "PATCH"):
        kwargs = {"data": minimal_body(route.view, method), "content_type": "application/json"}
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = getattr(client, method.lower())(url, **kwargs)
        transaction.set_rollback(True)
    client.cookies = cookies
    return int(response.status_code)


def _check(route: Route, declared: Access, user: Any, status: int, obj: Any) -> str | None:
    """What is wrong with this answer, or None."""
    if status >= 500:
        return f"answered {status}"
    if declared.public:
        return None  # open to anyone: what it answers (a wrong password, a redirect) is the page's own business
    if user is None:
        wanted = 401 if route.api else 302
        return None if status == wanted else f"anonymous got {status}, expected {wanted}"
    if not may_enter(user, declared):
        return None if status == 403 else f"got {status}, expected 403 (no capability {declared.capability!r})"
    target = declared.target
    if target is not None and not expected_visible(user, obj):
        return None if status == 404 else f"got {status}, expected 404 (object out of scope or process)"
    if target is not None and target.action != "view" and not expected_allowed(user, obj, target.action):
        return None if status == 403 else f"got {status}, expected 403 (may see it, may not {target.action} it)"
    if target is None and route.methods[0] != "GET" and status == 404:
        return None  # a write whose body names an object by id the user does not see
    return None if status not in REFUSED else f"got {status}, expected to be let in"


def _own_records(net: Network) -> tuple[Any, Any]:
    """The veteran account's own record (in its village) and another veteran's (in the other town): the portal
    reads the first and answers 404 for the second."""
    from veterans.tests.factories import register

    staff = net.users["city_staff"]
    own, other = register(staff, net.village), register(staff, net.other_grid)
    veteran = net.users["veteran"]
    veteran.veteran = own
    veteran.save(update_fields=["veteran"])
    return own, other


@pytest.fixture
def matrix(net: Network) -> tuple[Network, dict[str, Client], dict[str, Client]]:
    _load_samples()
    _own_records(net)
    pages = {role: net.client(role) for role in net.users}
    api = {role: net.api_client(role) for role in net.users}
    return net, pages, api


#: Views not yet on the kit's declarations, by module: this list only shrinks (the test fails on a module
#: listed here that has nothing undeclared left, and on any undeclared view of a module not listed).
NOT_YET_DECLARED: frozenset[str] = frozenset()


def test_every_page_and_endpoint_declares_who_may_use_it() -> None:
    undeclared = [r for r in routes() if declaration(r) is None]
    module = {id(r): (r.view.view_func if r.api else r.view).__module__ for r in undeclared}
    unlisted = [f"{r.name} {r.path}" for r in undeclared if module[id(r)] not in NOT_YET_DECLARED]
    assert not unlisted, "declare @page/@endpoint on:\n" + "\n".join(unlisted)
    stale = NOT_YET_DECLARED - set(module.values())
    assert not stale, f"every view of {sorted(stale)} declares its access now: take them off NOT_YET_DECLARED"


def test_every_role_gets_the_declared_answer_in_its_region_and_another(matrix: Any) -> None:
    net, pages, api = matrix
    problems: list[str] = []
    objects: dict[type, tuple[Any, Any]] = {}
    for route in routes():
        declared = declaration(route)
        if declared is None:
            continue  # reported by the test above
        if declared.target is not None:
            model = declared.target.model
            if model not in objects:
                assert model in SAMPLES, f"{route.name}: register a sample for {model.__name__} in its tests/samples.py"
                objects[model] = (SAMPLES[model](net, net.grid), SAMPLES[model](net, net.other_grid))
            candidates = list(objects[model])
        else:
            candidates = [None]
        method = route.methods[0]
        for obj in candidates:
            url = _url(route, declared, obj)
            clients = api if route.api else pages
            anonymous = Client()
            for role, client in [("anonymous", anonymous), *clients.items()]:
                user = None if role == "anonymous" else net.users[role]
                status = _send(client, method, url, route)
                wrong = _check(route, declared, user, status, obj)
                if wrong:
                    problems.append(f"{route.name} {method} {url} as {role}: {wrong}")
    assert not problems, "\n".join(problems)


def test_every_page_and_endpoint_refuses_a_method_it_does_not_take(matrix: Any) -> None:
    net, pages, api = matrix
    by_path: dict[tuple[bool, str], set[str]] = {}
    for route in routes():
        by_path.setdefault((route.api, route.path), set()).update(route.methods)
    problems = []
    for route in routes():
        declared = declaration(route)
        if declared is None:
            continue
        taken = by_path[(route.api, route.path)]
        wrong_method = next(
            m for m in ("DELETE", "PUT", "POST", "GET") if m not in taken and not (m == "GET" and "HEAD" in taken)
        )
        obj = None
        if declared.target is not None:
            obj = SAMPLES[declared.target.model](net, net.grid)
        url = _url(route, declared, obj)
        client = (api if route.api else pages)["city_admin"]
        status = _send(client, wrong_method, url, route)
        if status != 405:
            problems.append(f"{route.name} {wrong_method} {url}: got {status}, expected 405")
    assert not problems, "\n".join(problems)


def _reads_for(route: Route, declared: Access) -> bool:
    """A portal read that takes ``?for=`` (a veteran the account represents)."""
    import inspect

    if declared.capability != OWN_CAPABILITY or route.methods[0] != "GET":
        return False
    if not route.api:
        return "for" in declared.params
    return "veteran_id" in inspect.signature(route.view.view_func).parameters


def test_every_portal_read_answers_404_for_another_veterans_id(net: Network) -> None:
    """The portal in the generated access test: every page and API read of one's own (``me.view``) answers for
    the account's own record and 404 for any other veteran's id, whoever's it is and wherever they live."""
    own, other = _own_records(net)
    clients = {False: net.client("veteran"), True: net.api_client("veteran")}
    checked, problems = 0, []
    for route in routes():
        declared = declaration(route)
        if declared is None or not _reads_for(route, declared):
            continue
        checked += 1
        client = clients[route.api]
        for veteran, wanted in ((own, 200), (other, 404), (None, 404)):
            asked = {"for": veteran.pk if veteran is not None else 10**12}
            status = client.get(route.path, asked).status_code
            if status != wanted:
                problems.append(f"{route.name} {route.path}?for={asked['for']}: got {status}, expected {wanted}")
    assert checked >= 8 and not problems, "\n".join(problems) or f"only {checked} portal reads found"
