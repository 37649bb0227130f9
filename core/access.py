"""Who may open a page or call an endpoint, declared on it once: the kit enforces it and the tests read it.

A page says ``@page("petitions.view", target=Target(Petition, "case_id"))``: it is for signed-in users
whose role grants the capability; its URL names one petition by the case's id. The decorator refuses
the wrong HTTP method (405), sends an anonymous visitor to sign in (302), and refuses a role without the
capability (403). Which object the user may see is then the selector's answer (``visible_to``: 404
outside the scope or the process). An endpoint says ``@endpoint("petitions.view", target=...)`` under its
router's decorator: the same, with the API's own answers for anonymity (401) and methods (405).

The declarations are also what the generated access test (``core/tests/test_access_matrix.py``) walks:
every URL pattern and API operation, every role, an object in the user's region and in another, the
anonymous user and the wrong method, with the expected answer worked out from these declarations and the
models' and processes' capabilities, not from a list typed per app.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _

from core.errors import bilingual, invalid

#: The answer header by which a page declared ``offline=True`` tells the service worker it may keep a copy.
OFFLINE_HEADER = "Offline-Page"
OFFLINE_KEEP = "keep"

if TYPE_CHECKING:
    from accounts.models import User

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Target:
    """The object a URL names: the model, the field its argument matches, and the argument's name."""

    model: type[models.Model]
    field: str = "pk"
    kwarg: str = "pk"
    #: the action on the model the page needs (``visible_to(user, action)``)
    action: str = "view"
    #: the URL's other arguments that name the same object, by the field each matches: a family member's
    #: URL names its veteran (``kwarg="pk"``, ``field="veteran_id"``) and itself (``also={"member_id": "pk"}``)
    also: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Access:
    #: the capability the page needs (or a tuple: any of them); "" for any signed-in user (their notifications)
    capability: str | tuple[str, ...] = ""
    target: Target | None = None
    methods: tuple[str, ...] = ("GET",)
    #: open to anyone, signed in or not (the sign-in page, health checks)
    public: bool = False
    #: values for the URL's other arguments (a letter's kind), for the tests that build the URL
    examples: Mapping[str, str] = field(default_factory=dict)
    #: the query-string parameters a page reads (its filter form's fields, ``q``, ``page``, ``cursor``…), for the
    #: test that sends each of them malformed values (``core/tests/test_junk_params.py``); the API's are in its
    #: OpenAPI document
    params: tuple[str, ...] = ()
    #: the answer carries a full ID, phone or bank number (or a credential): sent with ``Cache-Control: no-store``
    #: so that no browser or proxy keeps a copy
    no_store: bool = False
    #: an API operation's refusals beyond those its declaration implies (``core.api.error_statuses``)
    errors: tuple[int, ...] = ()
    #: a phone may keep a copy of the page to open it without a network (``core.offline``: a form a grid leader
    #: fills in the field); never together with ``no_store``
    offline: bool = False


def access_of(view: Any) -> Access | None:
    """The access a page or endpoint declares, or None when it declares none."""
    return getattr(view, "access", None)


def nul_parameter(request: HttpRequest) -> str | None:
    """The first query parameter whose name or value holds a NUL character (PostgreSQL refuses it in text)."""
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in v for v in values):
            return name.replace("\x00", "") or "?"
    return None


#: What a query parameter with a NUL character is told.
NUL_MESSAGE = _("A query parameter may not contain the NUL character.")


def may_enter(user: User | AnonymousUser | None, declared: Access) -> bool:
    """Whether the declaration lets this user in at all (before the object's scope is asked)."""
    if declared.public:
        return True
    if user is None or isinstance(user, AnonymousUser) or not user.is_active:
        return False
    wanted = (declared.capability,) if isinstance(declared.capability, str) else declared.capability
    return not any(wanted) or any(user.can(c) for c in wanted if c)


def may_open(user: User | AnonymousUser | None, url_name: str, *args: Any) -> bool:
    """Whether the page at this URL name lets the user in: a link to it is shown only then (a breadcrumb)."""
    from django.urls import resolve, reverse

    declared = access_of(resolve(reverse(url_name, args=args)).func)
    return declared is not None and may_enter(user, declared)


def page(
    capability: str | tuple[str, ...] = "",
    *,
    target: Target | None = None,
    methods: tuple[str, ...] = ("GET",),
    public: bool = False,
    examples: Mapping[str, str] | None = None,
    params: Iterable[str] = (),
    no_store: bool = False,
    offline: bool = False,
    sign_in: str = "",
) -> Callable[[F], F]:
    """Declare and enforce who may open a page: method, sign-in, capability; and the query parameters it reads.
    ``sign_in``: the page a visitor not signed in is sent to (the URL name; the staff's sign-in by default)."""
    if offline and no_store:
        raise ValueError("a page kept on the phone for offline use cannot also be no-store")
    declared = Access(
        capability, target, tuple(m.upper() for m in methods), public, dict(examples or {}), tuple(params), no_store,
        offline=offline,
    )  # fmt: skip

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in declared.methods and not (request.method == "HEAD" and "GET" in declared.methods):
                return HttpResponseNotAllowed(declared.methods)
            if not declared.public and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), sign_in or None)
            if not may_enter(request.user, declared):
                raise PermissionDenied
            if nul_parameter(request) is not None:
                return HttpResponseBadRequest(bilingual(NUL_MESSAGE), content_type="text/plain; charset=utf-8")
            response: HttpResponse = view(request, *args, **kwargs)
            if declared.no_store:
                response["Cache-Control"] = "no-store"
            elif declared.offline and request.method in ("GET", "HEAD") and response.status_code == 200:
                response[OFFLINE_HEADER] = OFFLINE_KEEP  # read by static/js/sw.js (core.offline)
            return response

        wrapper.access = declared  # type: ignore[attr-defined]  # read by access_of and the generated test
        return wrapper  # type: ignore[return-value]

    return decorate


def endpoint(
    capability: str | tuple[str, ...] = "",
    *,
    target: Target | None = None,
    public: bool = False,
    examples: Mapping[str, str] | None = None,
    no_store: bool = False,
    errors: tuple[int, ...] = (),
) -> Callable[[F], F]:
    """Declare and enforce who may call an API operation (under the router's decorator, which sets the method).

    ``public`` is for an operation the router opens to anyone (``auth=None``: asking for a token); ``no_store``
    for one whose answer carries a full ID, phone or bank number or a credential (``core.api.Api`` sends it
    with ``Cache-Control: no-store``).
    """
    declared = Access(capability, target, (), public, dict(examples or {}), (), no_store, errors)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not may_enter(request.user, declared):
                raise PermissionDenied
            bad = nul_parameter(request)
            if bad is not None:
                raise invalid(bad, NUL_MESSAGE, code="nul_character")
            if declared.no_store:
                request.no_store = True  # type: ignore[attr-defined]  # read by core.api.Api.create_response
            result = view(request, *args, **kwargs)
            if declared.no_store and isinstance(result, HttpResponseBase):
                result["Cache-Control"] = "no-store"
            return result

        # The API reads the operation's parameters from its signature: give it the view's, with the
        # annotations resolved in the view's own module (this wrapper's module knows none of its schemas).
        wrapper.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
        wrapper.__annotations__ = typing.get_type_hints(view)
        wrapper.access = declared  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
