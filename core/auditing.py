"""The audit writer as core's own services call it.

The audit app sits above core (its entries carry core's scope and request context), so core
cannot import its writer: the audit app hands it over when Django starts
(``audit.apps.AuditConfig.ready``), as laobing/api.py hands the token check to ``core.api``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_writer: Callable[..., Any] | None = None


def use_writer(writer: Callable[..., Any]) -> None:
    global _writer
    _writer = writer


def audit_record(**entry: Any) -> Any:
    """``audit.services.audit_record``: one entry, inside the caller's transaction."""
    if _writer is None:
        raise ImproperlyConfigured("no audit writer: the audit app hands it over in its ready()")
    return _writer(**entry)
