"""Creating once what a client may send twice: a phone that lost the answer sends the same request again with the
same ``Idempotency-Key`` header, and gets the object the first request made, not a second one.

``once(actor=, key=, request=, create=)`` runs ``create`` the first time a user sends a key, and records the
object it made (by the hashes of the key and of the request, ``core.models.IdempotencyKey``); the same key again
returns that object (and ``False``: not new), the same key with another request is refused (409). Requests of one
user are taken one at a time (a lock on the user's row), so two copies arriving together make one object. The
kit's API router uses it for every register's create endpoint.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, invalid
from core.models import IdempotencyKey

M = TypeVar("M", bound=models.Model)

#: the header's name, as clients send it
HEADER = "Idempotency-Key"


def header_key(raw: str | None) -> str:
    """The header's value, checked: at most 200 printable ASCII characters ("" when it was not sent)."""
    key = (raw or "").strip()
    if key and (len(key) > 200 or not key.isascii() or not key.isprintable()):
        raise invalid(HEADER, _("The Idempotency-Key header is at most 200 printable ASCII characters."),
                      code="bad_idempotency_key")  # fmt: skip
    return key


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def once(*, actor: Any, key: str, request: Any, create: Callable[[], M]) -> tuple[M, bool]:
    """The object ``create`` makes, made once per (user, key); and whether this call made it."""
    if not key:
        return create(), True
    key_hash = _digest(str(actor.pk), key)
    request_hash = _digest(json.dumps(request, sort_keys=True, default=str))
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()  # one request of a user at a time
        seen = IdempotencyKey.objects.filter(user=actor, key_hash=key_hash).first()
        if seen is not None:
            if seen.request_hash != request_hash:
                raise Conflict(_("This Idempotency-Key was sent before with another request."),
                               code="idempotency_key_reused")  # fmt: skip
            model = apps.get_model(seen.object_type)
            found = model._default_manager.filter(pk=seen.object_id).first()
            if found is not None:
                return found, False
            seen.delete()  # what it made is gone: the request makes it anew
        made = create()
        IdempotencyKey.objects.create(user=actor, key_hash=key_hash, request_hash=request_hash,
                                      object_type=made._meta.label_lower, object_id=str(made.pk))  # fmt: skip
    return made, True
