from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import ApiToken, User


def user_list(*, user: Any, q: str = "", role: str = "") -> QuerySet[User]:
    qs = User.objects.visible_to(user).select_related("scope_region")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__contains=q))
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("username")


def tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")
