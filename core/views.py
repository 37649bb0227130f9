from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection
from django.forms import Form
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from core.access import page
from core.types import AuthedRequest

T = TypeVar("T")


def apply_errors(form: Form, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's errors on the form fields they name, the rest above the form.

    ``aliases`` maps a service's field name to the form field that carries it
    (a service's ``scope_region`` is the form's ``scope_code``).
    """
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            field = (aliases or {}).get(name, name)
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


def submit_form(
    request: AuthedRequest,
    form: Form,
    action: Callable[[dict[str, Any]], T],
    aliases: dict[str, str] | None = None,
) -> T | None:
    """On a POST with a valid form, run the service; its refusals land on the form's fields.

    Returns what the service returned, or None when there is nothing to act on or it refused.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc, aliases)
        return None


@page(public=True)
@never_cache
def livez(request: AuthedRequest) -> HttpResponse:
    """Alive, without touching the database: for a process supervisor, and the benchmarks' bare baseline."""
    return JsonResponse({"status": "ok"})


@page(public=True)
@never_cache
def healthz(request: AuthedRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
