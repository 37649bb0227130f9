"""Every write to users and API tokens: validated, atomic, audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, OperationalError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User
from accounts.roles import SCOPE_LEVELS, Department, Role
from audit.services import audit_record, snapshot
from core.db import Param, brief_wait, is_busy
from core.errors import invalid
from core.permissions import in_scope, require
from core.prepared import Statement
from core.validators import mask_phone, validate_phone
from regions.models import Region

USER_FIELDS = ["username", "display_name", "role", "scope_region", "department", "phone", "is_active"]


def user_view(user: User) -> dict[str, Any]:
    """The audited fields, the phone masked: it is kept only encrypted, and the audit log is forever."""
    view = snapshot(user, [f for f in USER_FIELDS if f != "phone"])
    view["phone_masked"] = mask_phone(user.phone)
    return view


def _require_in_scope(actor: User, user: User) -> None:
    """An account manager acts only on users under their own scope, as the views already show them."""
    if not User.objects.visible_to(actor).filter(pk=user.pk).exists():
        raise PermissionDenied(_("You do not have permission to do this."))


def _check_role_and_scope(*, actor: User, role: str, scope_region: Any, department: str) -> None:
    if role not in Role.values:
        raise invalid("role", _("Choose one of the listed roles."), code="bad_choice")
    if scope_region is None:
        raise invalid("scope_region", _("Every user needs a scope region."), code="no_scope")
    if not in_scope(actor, scope_region.code):
        raise invalid(
            "scope_region",
            _("Unknown region code: %(value)s."),
            code="unknown_region",
            value=scope_region.code,
        )
    allowed = SCOPE_LEVELS[role]
    if scope_region.level not in allowed:
        raise invalid(
            "scope_region",
            _("A %(role)s must be scoped to a region of level: %(levels)s."),
            code="bad_scope_level",
            role=Role(role).label,
            levels=", ".join(sorted(allowed)),
        )
    if role == Role.LIAISON and department not in Department.values:
        raise invalid("department", _("A department liaison needs a department."), code="no_department")
    if role != Role.LIAISON and department:
        raise invalid("department", _("Only a department liaison has a department."), code="bad_department")


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    role: str,
    scope_region: Any,
    department: str = "",
    display_name: str = "",
    phone: str = "",
) -> User:
    require(actor, "accounts.manage")
    username = username.strip()
    if not username:
        raise invalid("username", _("A username is required."), code="required")
    if User.objects.filter(username__iexact=username).exists():
        raise invalid("username", _("The username %(value)s is taken."), code="duplicate", value=username)
    _check_role_and_scope(actor=actor, role=role, scope_region=scope_region, department=department)
    user = User(
        username=username,
        role=role,
        scope_region=scope_region,
        department=department,
        display_name=display_name.strip(),
        phone=validate_phone(phone),
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from exc
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        region_code=scope_region.code,
        after=user_view(user),
    )
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, **changes: Any) -> User:
    require(actor, "accounts.manage")
    _require_in_scope(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = user_view(user)
    for field in ("role", "scope_region", "department", "display_name", "phone", "is_active"):
        if field in changes:
            setattr(user, field, validate_phone(changes[field]) if field == "phone" else changes[field])
    if user.pk == actor.pk and (not user.is_active or user.role != actor.role):
        raise invalid(None, _("You cannot deactivate yourself or change your own role."), code="self_change")
    _check_role_and_scope(actor=actor, role=user.role, scope_region=user.scope_region, department=user.department)
    user.save()
    audit_record(
        actor=actor,
        action="user.update",
        obj=user,
        region_code=user.scope_region.code if user.scope_region else "",
        before=before,
        after=user_view(user),
    )
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str, reason: str = "") -> User:
    """A user changes their own password, or an account manager resets someone's."""
    if actor.pk != user.pk:
        require(actor, "accounts.manage")
        _require_in_scope(actor, user)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    # A new password ends what the old one opened: browser sessions (Django) and API tokens (here).
    revoked = ApiToken.objects.live().filter(user=user).update(revoked_at=timezone.now())
    audit_record(
        actor=actor,
        action="user.set_password",
        obj=user,
        region_code=user.scope_region.code if user.scope_region else "",
        reason=reason,
        after={"tokens_revoked": revoked},
    )
    return user


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> int:
    """Clear the failed-login lock of a user (django-axes)."""
    from axes.utils import reset

    require(actor, "accounts.manage")
    _require_in_scope(actor, user)
    count = reset(username=user.get_username())
    audit_record(
        actor=actor,
        action="user.unlock",
        obj=user,
        region_code=user.scope_region.code if user.scope_region else "",
        after={"attempts_cleared": count},
    )
    return count


@transaction.atomic
def api_token_issue(*, user: User, label: str = "") -> tuple[ApiToken, str]:
    """A new token; the raw key is returned once and never stored."""
    raw = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        key_hash=ApiToken.hash_key(raw),
        key_prefix=raw[:10],
        label=label.strip()[:100],
        expires_at=ApiToken.default_expiry(),
    )
    audit_record(
        actor=user,
        action="token.issue",
        obj=token,
        region_code=user.scope_region.code if user.scope_region else "",
        after={"prefix": token.key_prefix, "expires_at": token.expires_at, "label": token.label},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        require(actor, "accounts.manage")
        _require_in_scope(actor, token.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="token.revoke",
            obj=token,
            region_code=token.user.scope_region.code if token.user.scope_region else "",
            after={"prefix": token.key_prefix},
        )
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user a live token belongs to, or None.

    Checked against the database on every request, so a revocation, an expiry or a deactivated
    account takes effect at once; one query (token, user and scope region), compiled once, because
    building it through the ORM each time cost more than the API list's own query, and prepared:
    planning the join cost more than running it.
    """
    now = timezone.now()
    row = _TOKEN.row(key=ApiToken.hash_key(raw), now=now)
    if row is None:
        return None
    token_id, last_used_at = row[0], row[1]
    users, regions = len(_USER_FIELDS), len(_REGION_FIELDS)
    user = User.from_db(DEFAULT_DB_ALIAS, [f.attname for f in _USER_FIELDS], row[2 : 2 + users])
    if not user.is_active:
        return None
    region_values = row[2 + users : 2 + users + regions]
    user.scope_region = (
        Region.from_db(DEFAULT_DB_ALIAS, [f.attname for f in _REGION_FIELDS], region_values)
        if region_values[0] is not None
        else None
    )
    if last_used_at is None or (now - last_used_at).total_seconds() > 60:
        # Coarse, so that a busy script does not write on every request; and skipped when another
        # write holds the database, so that a read never fails (nor waits) for this one.
        try:
            with brief_wait(0.2):
                ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        except OperationalError as exc:
            if not is_busy(exc):
                raise
    return user


_USER_FIELDS = User._meta.concrete_fields
_REGION_FIELDS = Region._meta.concrete_fields


def _token_query() -> QuerySet[Any]:
    """A live token by its key's hash, with its user's and their scope region's every column."""
    return (
        ApiToken.objects.filter(
            key_hash=Param("key"),
            revoked_at__isnull=True,
            expires_at__gt=Param("now", ApiToken._meta.get_field("expires_at")),
        )
        .order_by()
        .values_list(
            "id",
            "last_used_at",
            *(f"user__{f.attname}" for f in _USER_FIELDS),
            *(f"user__scope_region__{f.attname}" for f in _REGION_FIELDS),
        )
    )


_TOKEN = Statement(_token_query)
