"""The REST API's shared pieces: authentication and the one error shape.

Every error answers ``{"error": {"status", "code", "message", "message_en", "fields": [...]}}``
where each field item carries ``field``, ``code``, ``message`` (zh-hans) and ``message_en``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation, ValidationError
from django.db import DataError, IntegrityError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext_lazy as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.parser import Parser
from ninja.security import HttpBearer
from pydantic import BeforeValidator
from pydantic import ValidationError as PydanticError

from core.db import BUSY_MESSAGE, RETRY_AFTER_SECONDS, is_busy
from core.errors import Conflict, both, error_items, invalid

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def _iso(pattern: re.Pattern[str], kind: type, what: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, kind):
            return value
        if isinstance(value, str) and pattern.fullmatch(value):
            return value
        raise ValueError(
            f"{what} must be an ISO 8601 string ({'YYYY-MM-DD' if kind is dt.date else 'YYYY-MM-DDTHH:MM'})"
        )

    return check


#: A date the API reads: an ISO string ("2026-10-01"), never a number (pydantic would take 0 as 1970-01-01).
IsoDate = Annotated[dt.date, BeforeValidator(_iso(_ISO_DATE, dt.date, "a date"))]
#: A time the API reads: an ISO 8601 string, never a number of seconds.
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso(_ISO_DATETIME, dt.datetime, "a time"))]


class TokenAuth(HttpBearer):
    """A bearer token, checked by the function the project hands it (accounts' token check).

    The kernel knows the scheme, not where tokens are kept: ``laobing/api.py`` wires
    ``TokenAuth(api_token_authenticate)``, so core imports no app above it.
    """

    def __init__(self, check: Callable[[str], Any]) -> None:
        self.check = check
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = self.check(token)
        if user is not None:
            request.user = user
        return user


S = TypeVar("S", bound=Schema)


def upload_digest(upload: Any) -> str:
    """The SHA-256 of an uploaded file: what an idempotent multipart request compares its files by."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def json_form_field(raw: str | None, schema: type[S], *, field: str = "data") -> S:
    """A multipart request's JSON object (the form field ``field``) read as ``schema``: a create endpoint that
    takes files too receives the same object as its JSON twin, and refuses it with the same answer."""
    try:
        parsed = json.loads(raw or "")
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        parsed = None
    if not isinstance(parsed, dict):
        raise invalid(field, _("Send it as a JSON object in the form field “%(name)s”."), code="bad_json", name=field)
    try:
        return schema.model_validate(parsed)
    except PydanticError as exc:
        # the same refusals, field by field with their codes, as the JSON twin's (``on_schema`` words them)
        raise SchemaError([dict(e) for e in exc.errors(include_url=False)]) from None


class ReversalIn(Schema):
    """Why a ledger row is corrected by a reversing entry (points, the aid fund)."""

    reason: str = Field(..., max_length=500)


class ErrorField(Schema):
    field: str | None
    code: str
    message: str
    message_en: str


class ErrorBody(Schema):
    status: int
    code: str
    message: str
    message_en: str
    fields: list[ErrorField]


class ErrorOut(Schema):
    """The one error shape: ``{"error": {...}}``."""

    error: ErrorBody


#: What each refusal means, as the OpenAPI document says it.
ERROR_STATUSES = {
    400: "The input is malformed or refused: the message says why, each field at its place.",
    401: "Not signed in: send 'Authorization: Bearer <token>' (POST /api/v1/auth/token).",
    403: "Your role may not do this, or it is not your step.",
    404: "No such object in your region (or the URL names none).",
    409: "Changed by someone else meanwhile (a stale version or a conflicting save): reload and try again.",
    429: "Too many failed sign-ins: the account is locked for a while.",
}


def error_statuses(operation: Any, method: str, path: str, *, secured: bool) -> list[int]:
    """The refusals an operation may answer, from its declaration: every operation may refuse its input (400);
    one behind authentication may refuse the caller (401, 403); one whose URL names an object, or a write
    (whose body may name one, a veteran by id), may not find it (404); a write may conflict (409);
    ``@endpoint(errors=...)`` adds its own (the sign-in's 429)."""
    codes = {400}
    if secured:
        codes |= {401, 403}
    write = method in ("post", "put", "patch", "delete")
    if "{" in path or (write and secured):
        codes.add(404)
    if write:
        codes.add(409)
    declared = getattr(getattr(operation, "view_func", None), "access", None)
    codes |= set(getattr(declared, "errors", ()))
    return sorted(codes)


class Api(NinjaAPI):
    """The project's NinjaAPI.

    An operation declared ``@endpoint(..., no_store=True)`` answers with ``Cache-Control: no-store``, as a
    page declared so does; and the OpenAPI document lists every operation's error answers (the shape
    :class:`ErrorOut` and the statuses from :func:`error_statuses`), not only its success.
    """

    def create_response(self, request: HttpRequest, data: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().create_response(request, data, *args, **kwargs)
        if getattr(request, "no_store", False):
            response["Cache-Control"] = "no-store"
        return response

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        error = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(error.pop("$defs", {}))
        components["ErrorOut"] = error
        operations = {}
        for _prefix, router in self._routers:
            for path_view in router.path_operations.values():
                for op in path_view.operations:
                    operations[op.operation_id or self.get_openapi_operation_id(op)] = op
        for path, item in schema["paths"].items():
            for method, op in item.items():
                responses = op.setdefault("responses", {})
                found = operations.get(op.get("operationId"))
                for status in error_statuses(found, method, path, secured=bool(op.get("security"))):
                    if status in responses or str(status) in responses:
                        continue
                    responses.setdefault(
                        status,
                        {
                            "description": ERROR_STATUSES.get(status, "Refused."),
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
                        },
                    )
        return schema


class BodyNotAnObject(ValueError):
    """A JSON body that is a list, a string or a number: every operation's body is an object."""


class ObjectParser(Parser):
    """JSON bodies, which must be objects: ninja's schemas read attributes, so a list would pass as empty."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise BodyNotAnObject(type(data).__name__)
        return data


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: Any,
    fields: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    zh, en = both(message)
    body = {"error": {"status": status, "code": code, "message": zh, "message_en": en, "fields": fields or []}}
    return api.create_response(request, body, status=status)


#: The error ``code`` of a bare HTTP refusal, so scripts need not read the status alone.
HTTP_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict", 429: "locked", 503: "busy"}


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(Conflict)
    def on_stale(request: HttpRequest, exc: Conflict) -> HttpResponse:
        items = error_items(exc)
        first = items[0]
        body = {"error": {"status": 409, "code": first["code"], "message": first["message"],
                          "message_en": first["message_en"], "fields": items if len(items) > 1 else []}}  # fmt: skip
        return api.create_response(request, body, status=409)

    @api.exception_handler(ValidationError)
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        items = error_items(exc)
        first = items[0] if items else None
        if first is not None and len(items) == 1 and first["field"] is None:
            body = {
                "error": {
                    "status": 400,
                    "code": first["code"],
                    "message": first["message"],
                    "message_en": first["message_en"],
                    "fields": [],
                }
            }
            return api.create_response(request, body, status=400)
        return error_response(api, request, 400, "invalid", _("The input has errors."), items)

    @api.exception_handler(SchemaError)
    def on_schema(request: HttpRequest, exc: SchemaError) -> HttpResponse:
        if exc.errors and all(err.get("loc", ("",))[0] == "path" for err in exc.errors):
            # the URL names no object that can exist (an id that is no number, or one beyond 64 bits)
            return error_response(api, request, 404, "not_found", _("Not found."))
        zh, _en = both(_("This value is missing or has the wrong type."))
        fields = []
        for err in exc.errors:
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload")]
            fields.append(
                {
                    "field": ".".join(loc) or None,
                    "code": err.get("type", "invalid"),
                    "message": zh,
                    "message_en": err.get("msg", ""),
                }
            )
        return error_response(api, request, 400, "invalid", _("The input has errors."), fields)

    @api.exception_handler(MultiPartParserError)
    @api.exception_handler(UnreadablePostError)
    @api.exception_handler(SuspiciousOperation)
    @api.exception_handler(BadRequest)
    def on_unreadable(request: HttpRequest, exc: Exception) -> HttpResponse:
        # a body that cannot be parsed as its Content-Type says (multipart without a boundary), or too large
        return error_response(
            api,
            request,
            400,
            "bad_request",
            _("The request body could not be read: send JSON with 'Content-Type: application/json'."),
        )

    @api.exception_handler(DataError)
    @api.exception_handler(OverflowError)
    def on_unstorable(request: HttpRequest, exc: Exception) -> HttpResponse:
        # the last guard: a value no column can keep (a NUL character in text on PostgreSQL, a number past
        # 64 bits on SQLite) that no field check caught; the transaction it broke is rolled back
        return error_response(
            api,
            request,
            400,
            "unstorable",
            _("The input holds a value that cannot be stored (a NUL character, or a number too large)."),
        )

    @api.exception_handler(AuthenticationError)
    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            api,
            request,
            401,
            "unauthenticated",
            _("Sign in, or send a valid token as 'Authorization: Bearer <token>'."),
        )

    @api.exception_handler(PermissionDenied)
    def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        # A service may say why (whose step it is); the plain refusal otherwise.
        reason = exc.args[0] if exc.args and exc.args[0] else _("You do not have permission to do this.")
        return error_response(api, request, 403, "forbidden", reason)

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", _("Not found."))

    @api.exception_handler(IntegrityError)
    def on_conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        return error_response(
            api,
            request,
            409,
            "conflict",
            _("The change conflicts with data saved at the same time; reload and try again."),
        )

    @api.exception_handler(OperationalError)
    def on_busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
        if not is_busy(exc):
            raise exc
        zh, en = BUSY_MESSAGE
        body = {"error": {"status": 503, "code": "busy", "message": zh, "message_en": en, "fields": []}}
        response = api.create_response(request, body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @api.exception_handler(HttpError)
    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, BodyNotAnObject):  # ninja wraps what the parser raised
            return error_response(api, request, 400, "not_an_object", _("The request body must be a JSON object."))
        if isinstance(exc.__cause__, ValueError):  # not JSON at all, or not UTF-8
            return error_response(api, request, 400, "bad_json", _("The request body is not valid JSON."))
        return error_response(api, request, exc.status_code, HTTP_CODES.get(exc.status_code, "error"), exc.message)
