"""Who is asking: the client's address, through the reverse proxy the platform runs behind.

The proxy (``TRUSTED_PROXIES``, its addresses) puts the client's address last in ``X-Forwarded-For``; an
address a client wrote there itself comes before it and is not believed. Without a trusted proxy in front,
``REMOTE_ADDR`` is the client."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = set(getattr(settings, "TRUSTED_PROXIES", ()))
    if remote is None or remote not in trusted:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    while hops and hops[-1] in trusted:
        hops.pop()
    return hops[-1][:45] if hops else remote
