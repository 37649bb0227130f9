"""The one access rule: capability, then (for cases) process, then region scope, in one call.

Every scoped model declares which field holds its region code and the capability each action on it
needs (``capabilities = {"view": "veterans.view", "export": "veterans.export"}``);
``Model.objects.visible_to(user, action="view")`` then returns nothing unless the user's role grants
that capability, and otherwise only the rows under the user's scope region (``code LIKE 'prefix%'``,
one indexed predicate). A queryset may narrow the grant further (a case: only the processes whose
capability the user holds) by overriding ``granted``. Deny by default: an anonymous or inactive user,
a user without a scope region, an action the model does not declare, or a capability the role lacks
sees nothing. Pages, API endpoints, tasks and the timeline all ask this, and get the same answer.

A veteran's own account (the portal, ``OWN_CAPABILITY``) holds no staff capability: for it, the same call
returns the rows about the veterans it represents (its own record, and those who authorised it to act for
them, 代办), read through the model's ``owner_field`` (the path to the veteran), and only to view them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from accounts.models import User

M = TypeVar("M", bound=models.Model)

#: the capability of a veteran's own account: to view the rows about the veterans it represents
OWN_CAPABILITY = "me.view"


def scope_prefix(user: User) -> str:
    """The code prefix of the user's scope region; "" for anyone who sees nothing (anonymous, inactive, no scope)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ""
    return str(user.scope_prefix or "")


def capability_of(model: Any, action: str) -> str:
    """The capability ``action`` on ``model`` needs, as the model declares it."""
    declared: Mapping[str, str] = getattr(model, "capabilities", {})
    try:
        return declared[action]
    except KeyError:
        raise ImproperlyConfigured(f"{model.__name__} declares no capability for {action!r}") from None


class ScopedQuerySet(models.QuerySet[M]):
    def granted(self, user: User, action: str) -> Q | None:
        """What the user's capabilities admit for ``action``: every row (``Q()``) or none (``None``)."""
        return Q() if user.can(capability_of(self.model, action)) else None

    def visible_to(self, user: User, action: str = "view", within: str = "") -> ScopedQuerySet[M]:
        """Rows the user may ``action``: granted by capability, under their scope; with ``within`` (a code
        prefix), only those under it as well.

        The narrower of the two prefixes becomes the one LIKE predicate: two overlapping LIKEs
        make PostgreSQL misjudge how many rows match and pick a slow plan.
        """
        prefix = scope_prefix(user)
        if not prefix:
            return self.none()
        grant = self.granted(user, action)
        if grant is None:
            return self.owned_by(user, action)
        if within:
            if within.startswith(prefix):
                prefix = within
            elif not prefix.startswith(within):
                return self.none()  # a region outside the scope: nothing
        scope_field = self.model.scope_field  # type: ignore[attr-defined]  # every scoped model declares it
        return self.filter(grant, **{f"{scope_field}__startswith": prefix})

    def owned_by(self, user: User, action: str = "view") -> ScopedQuerySet[M]:
        """The rows about the veterans a veteran's own account represents (to view; none for anyone else)."""
        owner = getattr(self.model, "owner_field", None)
        if owner is None or action != "view" or not user.can(OWN_CAPABILITY):
            return self.none()
        return self.filter(**{f"{owner}__in": sorted(user.represented_ids())})


class OwnedQuerySet(ScopedQuerySet[M]):
    """Rows that belong to the user who made them (an import or export job): the user sees their own only,
    whatever their scope; the register's capability is asked by the service that acts on the row."""

    def visible_to(self, user: User, action: str = "view", within: str = "") -> ScopedQuerySet[M]:
        if not user.is_authenticated:
            return self.none()
        return self.filter(actor=user)


class ScopedModel(models.Model):
    """Abstract base for every model whose rows belong to a region."""

    #: path to the region code, e.g. ``"code"`` or ``"region__code"``
    scope_field: ClassVar[str]
    #: the capability each action needs, e.g. ``{"view": "veterans.view"}``; an action not declared is refused
    capabilities: ClassVar[Mapping[str, str]] = {}
    #: the path to the veteran a row is about (``"veteran_id"``, ``"entitlement__veteran_id"``), by which a
    #: veteran's own account views it; None: no veteran sees it in the portal
    owner_field: ClassVar[str | None] = None

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


def get_visible_or_404(queryset: ScopedQuerySet[M], user: User, action: str = "view", **lookup: Any) -> M:
    """Out of scope, not granted and non-existent look the same: 404, never 403."""
    try:
        return queryset.visible_to(user, action).get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
