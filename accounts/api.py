from __future__ import annotations

from datetime import datetime

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from accounts.models import ApiToken
from accounts.services import api_token_issue, api_token_revoke
from core.access import endpoint
from core.types import AuthedRequest

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    label: str = ""


class TokenOut(Schema):
    token: str
    expires_at: datetime


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    department: str
    scope_code: str | None


@router.post("/token", auth=None, response=TokenOut)
@endpoint(public=True, no_store=True, errors=(401, 429))
def token_create(request: AuthedRequest, payload: TokenIn) -> dict[str, object]:
    user = authenticate(request, username=payload.username, password=payload.password)
    # The messages stay lazy: the error handler renders them in both zh-hans and English.
    if getattr(request, "axes_locked_out", False):
        # Answer in the API's error shape; left set, the flag makes axes' middleware
        # replace this answer with the HTML lockout page.
        request.axes_locked_out = False  # type: ignore[attr-defined]
        locked = _("Too many failed sign-ins: the account is locked for 30 minutes.")
        raise HttpError(429, locked)  # type: ignore[arg-type]
    if user is None or not user.is_active:
        raise HttpError(401, _("Wrong username or password."))  # type: ignore[arg-type]
    token, raw = api_token_issue(user=user, label=payload.label or "api")
    return {"token": raw, "expires_at": token.expires_at}


@router.delete("/token", response={204: None})
@endpoint()
def token_revoke(request: AuthedRequest) -> Status[None]:
    """Revoke the bearer token this request was made with."""
    header = request.headers.get("Authorization", "")
    raw = header.split(" ", 1)[1].strip() if header.lower().startswith("bearer ") else ""
    token = ApiToken.objects.filter(key_hash=ApiToken.hash_key(raw)).first() if raw else None
    if token is None:
        how = _("Send the token to revoke as 'Authorization: Bearer <token>'.")
        raise HttpError(400, how)  # type: ignore[arg-type]
    api_token_revoke(actor=request.user, token=token)
    return Status(204, None)


@router.get("/me", response=MeOut)
@endpoint()
def me(request: AuthedRequest) -> dict[str, object]:
    user = request.user
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "department": user.department,
        "scope_code": user.scope_region.code if user.scope_region else None,
    }
