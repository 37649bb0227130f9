"""Per-request context that the audit writer reads: who is acting and in which request.

A contextvar rather than a thread-local so that it is right under ASGI too.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("request_id", default="")
_batch_id: ContextVar[str] = ContextVar("batch_id", default="")
_client_ip: ContextVar[str] = ContextVar("client_ip", default="")


def new_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str:
    return _request_id.get()


def current_batch_id() -> str:
    return _batch_id.get()


def current_client_ip() -> str:
    return _client_ip.get()


@contextlib.contextmanager
def request_context(request_id: str, client_ip: str = "") -> Iterator[None]:
    token_r = _request_id.set(request_id)
    token_ip = _client_ip.set(client_ip)
    try:
        yield
    finally:
        _request_id.reset(token_r)
        _client_ip.reset(token_ip)


@contextlib.contextmanager
def batch(batch_id: str | None = None) -> Iterator[str]:
    """Group the audit entries of one batch job (an import, a demo load) under one id."""
    value = batch_id or new_id()
    token = _batch_id.set(value)
    try:
        yield value
    finally:
        _batch_id.reset(token)
