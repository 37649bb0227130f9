from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _


def require(actor: Any, capability: str) -> None:
    """Refuse unless the actor's role grants the capability."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.can(capability):
        raise PermissionDenied(_("You do not have permission to do this."))


def in_scope(actor: Any, code: str) -> bool:
    prefix = getattr(actor, "scope_prefix", "")
    return bool(prefix) and code.startswith(prefix)
