"""The append-only, hash-chained audit log.

Each entry's hash covers its own content and the previous entry's hash, so
altering or removing any row breaks the chain from that row on; the single
``AuditChainHead`` row holds the last sequence number and hash, so removing
the newest rows is caught too. The hash is an HMAC under ``settings.AUDIT_KEY``
(``audit.chain``), which is not in the database, so whoever can only write to
the database cannot recompute it; entries written before the chain was keyed
keep their plain SHA-256 (docs/audit.md). ``AuditEntry`` is an ``AppendOnlyModel``: the
ORM refuses to update or delete an entry, and triggers refuse it at the
database as well (``core.append_only.AppendOnly``, on PostgreSQL and SQLite).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from audit import chain
from core.ledger import AppendOnlyModel, AppendOnlyQuerySetMixin
from core.scoping import ScopedQuerySet

GENESIS_HASH = "0" * 64


class AuditQuerySet(AppendOnlyQuerySetMixin, ScopedQuerySet["AuditEntry"]):
    pass


class AuditEntry(AppendOnlyModel):
    scope_field: ClassVar[str] = "region_code"
    capabilities: ClassVar[Mapping[str, str]] = {"view": "audit.view"}

    seq = models.BigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    region_code = models.CharField(_("region code"), max_length=15, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    batch_id = models.CharField(_("batch id"), max_length=64, blank=True, db_index=True)
    client_ip = models.CharField(_("client IP"), max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    # django-stubs sees any model's own manager as an incompatible override of the base's; this one refuses
    # updates and deletes as the base's does (AppendOnlyQuerySetMixin) and is scoped as well.
    objects = AuditQuerySet.as_manager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    @property
    def action_label(self) -> str:
        """The action in words (``audit.actions``); the code itself when it has none."""
        from audit.actions import action_label

        return action_label(self.action) or self.action

    def hashed_content(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "region_code": self.region_code,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
            "request_id": self.request_id,
            "batch_id": self.batch_id,
            "client_ip": self.client_ip,
        }

    def compute_hash(self, *, keyed: bool = True) -> str:
        """The entry's HMAC; ``keyed=False`` for an entry written before the chain was keyed (plain SHA-256)."""
        payload = json.dumps(self.hashed_content(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return chain.entry_mac(self.prev_hash, payload) if keyed else chain.plain_hash(self.prev_hash, payload)


class AuditChainHead(models.Model):
    """One row: the newest entry's sequence and hash. Locked by every writer."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    #: the first entry hashed with the key; those before it were written with plain SHA-256
    keyed_from = models.BigIntegerField(default=1)
    #: ``keyed_from`` signed with the key, so that it cannot be moved to pass keyed entries off as plain ones
    keyed_mac = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("audit chain head")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single_row")]

    def __str__(self) -> str:
        return f"#{self.last_seq}"
