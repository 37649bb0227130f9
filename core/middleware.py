from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core.context import new_id, request_context

#: A proxy's id is kept only when it is short and plain ASCII: ``fullmatch``, because ``$`` would let a trailing
#: newline through, and the id is stored in the audit log and echoed in a response header.
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}", re.ASCII)


class RequestIdMiddleware:
    """Gives every request an id (or keeps a proxy's X-Request-ID) for the audit log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.fullmatch(incoming) else new_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        with request_context(request_id, request.META.get("REMOTE_ADDR", "")):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
