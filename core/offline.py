"""The phone's offline half: the web manifest, the service worker and the page it shows without a network.

A grid leader's phone loses the signal in a field. ``static/js/sw.js`` (the service worker) keeps the app shell
(the CSS, the scripts, the icons: ``SHELL``) so that pages open without a network, and keeps a copy of the pages
that declare ``@page(..., offline=True)`` (answered with ``Offline-Page: keep``) for the signed-in user, never an
answer sent ``no-store`` and never a redirect; it forgets those copies when someone signs in or out.
``static/js/outbox.js`` keeps what a ``<form data-outbox>`` sends while the network is down and sends it again,
with the same idempotency key (the form's ``once`` field, ``core.idempotency``), when the network is back. See
docs/offline.md.

The worker must be served from the site's root for its scope to cover every page (a script under /static/ would
only control /static/), so ``service_worker`` answers /sw.js with a few lines that name the shell's files by their
static URLs (hashed in production, so a new release changes the script and the phone takes the new shell) and
import the worker's code from the static files.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.access import OFFLINE_HEADER, OFFLINE_KEEP, page
from core.types import AuthedRequest

#: The app shell: what every page loads, kept on the phone when the worker installs.
SHELL = (
    "css/app.css",
    "js/app.js",
    "js/picker.js",
    "js/outbox.js",
    "django_htmx/htmx-2.min.js",
    "img/favicon.svg",
    "img/icon-192.png",
    "img/icon-512.png",
)

#: The service worker's code, a static file like the rest.
WORKER = "js/sw.js"

#: How many pages the worker keeps at most (the oldest go first).
MAX_PAGES = 30

THEME_COLOUR = "#b3261e"


def worker_config() -> dict[str, object]:
    """What the worker is told: the shell's URLs, its version, and the URLs it treats specially."""
    shell = [static(name) for name in SHELL]
    offline_url = reverse("offline")
    hashed = static(SHELL[0]) != settings.STATIC_URL + SHELL[0]
    version = hashlib.sha256("\n".join([*shell, static(WORKER), offline_url]).encode()).hexdigest()[:12]
    return {
        "version": version,
        "shell": shell,
        "offline": offline_url,
        "static": settings.STATIC_URL,
        # hashed names never change content: read them from the phone first; plain names (DEBUG) from the network
        "hashed": hashed,
        "keepHeader": OFFLINE_HEADER,
        "keepValue": OFFLINE_KEEP,
        "maxPages": MAX_PAGES,
        # a sign-in or sign-out forgets every page kept for the one before
        "forgetOn": [reverse("accounts:login"), reverse("accounts:logout")],
    }


@page(public=True)
@never_cache
def service_worker(request: AuthedRequest) -> HttpResponse:
    """/sw.js: the worker, at the root so that its scope is the whole site."""
    body = (
        "// 老兵e家 service worker: the configuration written by core.offline, the code in the static files.\n"
        f"self.OFFLINE = {json.dumps(worker_config(), sort_keys=True)};\n"
        f"importScripts({json.dumps(static(WORKER))});\n"
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@page(public=True)
def manifest(request: AuthedRequest) -> HttpResponse:
    """/manifest.webmanifest: what a phone needs to put the site on its home screen (no app store)."""
    data = {
        "name": "老兵e家",
        "short_name": "老兵e家",
        "description": _("Veteran Affairs Bureau digital service platform"),
        "lang": "zh-Hans",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f6f7f9",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
            {"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=3600"
    return response


@page(public=True)
def offline(request: AuthedRequest) -> HttpResponse:
    """What the worker shows for a page it has no copy of while the phone has no network.

    The worker fetches it without cookies when it installs, so the copy names no one."""
    return render(request, "core/offline.html")
