from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import CAPABILITIES, Department, Role
from core.crypto import EncryptedTextField, keyed_hash
from core.scoping import ScopedQuerySet


class UserQuerySet(ScopedQuerySet["User"]):
    def administrators(self) -> UserQuerySet:
        """The active city administrators: who acts for a command run without a named user."""
        return self.filter(role=Role.CITY_ADMIN, is_active=True)


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person who signs in. Every user but a superuser has one scope region."""

    scope_field = "scope_region__code"
    capabilities: ClassVar[Mapping[str, str]] = {"view": "accounts.manage", "manage": "accounts.manage"}

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    scope_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("scope region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    department = models.CharField(_("department"), max_length=20, choices=Department.choices, blank=True)
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)  # for SMS notices; personal, so encrypted
    #: the phone's keyed hash: how a sign-in by SMS code finds the account (the number itself is never compared)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    #: no SMS notices (the in-app ones stay): a veteran's choice in their portal
    sms_opt_out = models.BooleanField(_("no SMS notices"), default=False)
    #: a veteran's own account: the registry record it is bound to (what they may submit and see of their own)
    veteran = models.OneToOneField(
        "veterans.Veteran",
        verbose_name=_("own record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account",
    )

    objects: ClassVar[ScopedUserManager] = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_superuser=True) | Q(scope_region__isnull=False),
                name="user_has_scope_unless_superuser",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.LIAISON) | ~Q(department=""),
                name="liaison_has_department",
            ),
            models.UniqueConstraint(Lower("username"), name="username_unique_ignoring_case"),
            # a mobile signs in to one portal account: never a choice of several (a shared family phone is
            # one account acting for the others, 代办)
            models.UniqueConstraint(
                fields=["phone_hash"],
                condition=Q(role=Role.VETERAN, is_active=True) & ~Q(phone_hash=""),
                name="one_portal_account_per_phone",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def scope_prefix(self) -> str:
        region = self.scope_region
        return region.prefix if region is not None else ""

    def can(self, capability: str) -> bool:
        if not self.is_active:
            return False
        return capability in CAPABILITIES.get(self.role, frozenset())

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_hash = phone_hash(self.phone) if self.phone else ""
        fields = kwargs.get("update_fields")
        if fields is not None and "phone" in fields:
            kwargs["update_fields"] = {*fields, "phone_hash"}
        super().save(*args, **kwargs)

    def represented_ids(self) -> frozenset[int]:
        """The registry records this account may read in the portal: its own (bound) record and those of the
        veterans who authorised it to act for them (代办), still in force. Kept for the request."""
        cached: frozenset[int] | None = getattr(self, "_represented", None)
        if cached is None:
            ids = set(Proxy.objects.filter(user_id=self.pk, revoked_at__isnull=True).values_list("veteran_id",
                                                                                               flat=True))  # fmt: skip
            if self.veteran_id is not None:
                ids.add(self.veteran_id)
            cached = frozenset(ids)
            self._represented = cached
        return cached


def phone_hash(phone: str) -> str:
    """The keyed hash a phone is found by (the same number however it was typed: spaces, dashes, +86)."""
    digits = "".join(ch for ch in str(phone) if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return keyed_hash(digits, "account_phone")


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A bearer token for scripts. Only its hash is stored; it expires and can be revoked."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=12)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key_prefix}…"

    @staticmethod
    def new_key() -> str:
        return "lb_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash_key(raw: str) -> str:
        return _hash_token(raw)

    @staticmethod
    def default_expiry() -> datetime:
        return timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS)

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class Proxy(models.Model):
    """A family member authorised to act for a veteran in the portal (代办): recorded by the station or by the
    veteran, and revocable; a revoked one is kept (who acted for whom, and until when)."""

    veteran = models.ForeignKey("veterans.Veteran", on_delete=models.PROTECT, related_name="proxies")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proxies")
    relation = models.CharField(_("relation"), max_length=10)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")  # fmt: skip

    class Meta:
        verbose_name = _("authorisation to act for a veteran (代办)")
        constraints = [
            models.UniqueConstraint(
                fields=["veteran", "user"], condition=Q(revoked_at__isnull=True), name="one_live_proxy_per_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.veteran_id}"


class SmsCode(models.Model):
    """A one-time code sent by SMS to sign in or to bind an account: only its keyed hash is kept, it expires,
    and it dies after five wrong tries."""

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", _("Sign in")
        BIND = "bind", _("Bind an account to a registry record")

    phone_hash = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    #: what the code is for beyond the phone: the registry record a binding code was sent for
    subject_id = models.BigIntegerField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SMS code")
        indexes = [models.Index(fields=["ip", "created_at"], name="smscode_ip_created")]
        constraints = [models.CheckConstraint(condition=Q(tries__lte=5), name="smscode_five_tries_at_most")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"
