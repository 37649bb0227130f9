"""Sign-in and sign-out go into the audit log: auditors ask who was in the system when."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver

from audit.services import audit_record


def _region(user: Any) -> str:
    return user.scope_region.code if getattr(user, "scope_region", None) else ""


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="auth.login", obj=user, region_code=_region(user))


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        with transaction.atomic():
            audit_record(actor=user, action="auth.logout", obj=user, region_code=_region(user))
