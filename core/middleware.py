from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator

from django.conf import settings
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from core.context import new_id, request_context

#: A proxy's id is kept only when it is short and plain ASCII: ``fullmatch``, because ``$`` would let a trailing
#: newline through, and the id is stored in the audit log and echoed in a response header.
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}", re.ASCII)
log = logging.getLogger("laobing.busy")
#: How long a page read waits to refresh its session's expiry before it gives up (and keeps the old one).
SESSION_READ_WAIT_SECONDS = 0.2
#: A signed-in user's session is renewed (its idle expiry moved on, one write) at most this often.
SESSION_RENEW_SECONDS = 60
#: the session key that remembers when it was last renewed (seconds since the epoch)
RENEWED_KEY = "_renewed"


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


class ChosenLanguageMiddleware:
    """The page's language is the user's own choice, else Simplified Chinese (settings.LANGUAGE_CODE).

    The choice is the language cookie the switcher in the header sets (Django's ``set_language``). A browser's
    Accept-Language is not a choice: the bureau's staff work on machines set up in English, and Django's own
    LocaleMiddleware would give them English pages.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


def chosen_language(request: HttpRequest) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen and translation.check_for_language(chosen):
        try:
            return translation.get_supported_language_variant(chosen)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: the database could not take this write in time; the user tries again."""
    from django.shortcuts import render

    from core.db import BUSY_MESSAGE, RETRY_AFTER_SECONDS

    response = render(request, "503.html", {"message": BUSY_MESSAGE, "retry_after": RETRY_AFTER_SECONDS},
                      status=503)  # fmt: skip
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class BusyDatabaseMiddleware:
    """A write that could not get the database lock in time answers 503 "busy, try again", never a 500.

    Reads do not wait for a writer (SQLite runs in WAL mode); a write waits for the busy timeout
    (``SQLITE_BUSY_TIMEOUT``) and then comes here. The API answers the same in its JSON shape
    (``core.api``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from core.db import is_busy

        if not is_busy(exception):
            return None
        log.warning("database busy: %s %s answered 503", request.method, request.path)
        return busy_response(request)


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    while exc is not None:
        yield exc
        exc = exc.__cause__ or exc.__context__


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's sessions, renewed at most once a minute, and a page read never fails (nor waits long) for the
    session's write.

    A session ends after ``SESSION_COOKIE_AGE`` idle seconds: each use moves its expiry on. Django would do that
    with a write on every request (``SESSION_SAVE_EVERY_REQUEST``), the cost of a page; here a used session is
    saved when it changed or when it was last renewed ``SESSION_RENEW_SECONDS`` ago or more, so it ends between
    29 and 30 idle minutes. While a long import holds SQLite's write lock, a read would wait for that write and
    then fail: on a read the renewal is skipped when the lock is not free soon (the session lives on until its
    old expiry); on a write the user is told the system is busy."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        from core.db import brief_wait, is_busy

        safe = request.method in ("GET", "HEAD", "OPTIONS")
        try:
            if safe and not request.session.accessed:
                # a read that never looked at its session (a public page, the health checks) leaves it as it is
                return response
            _renew(request)
            if safe:
                with brief_wait(SESSION_READ_WAIT_SECONDS):
                    return super().process_response(request, response)
            return super().process_response(request, response)
        except (OperationalError, SessionInterrupted) as exc:
            # The session's store turns a failed save into "the session was deleted": look at what it hid.
            if not any(is_busy(e) for e in _chain(exc)):
                raise
            if safe:
                log.info("database busy: the session of %s %s was not refreshed", request.method, request.path)
                return response
            return busy_response(request)


def _renew(request: HttpRequest) -> None:
    """Mark a used session for saving when it is due for renewal (or is saved anyway: note when)."""
    import time

    session = request.session
    if not session.accessed or session.is_empty():
        return
    now = int(time.time())
    last = session.get(RENEWED_KEY)
    if session.modified or not isinstance(last, int) or now - last >= SESSION_RENEW_SECONDS:
        session[RENEWED_KEY] = now
