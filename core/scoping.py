"""The one place where region scope is applied to people, places and cases.

Every scoped model declares which field holds its region code and which roles
may see it at all; ``Model.objects.visible_to(user)`` then returns only the rows
under the user's scope region (``code LIKE 'prefix%'``, one indexed predicate).
Deny by default: an anonymous or inactive user, a user without a scope region,
or a role the model does not admit sees nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from accounts.models import User

M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[M]):
    def visible_to(self, user: Any, within: str = "") -> ScopedQuerySet[M]:
        """Rows under the user's scope; with ``within`` (a code prefix), only those under it as well.

        The narrower of the two prefixes becomes the one LIKE predicate: two overlapping LIKEs
        make PostgreSQL misjudge how many rows match and pick a slow plan.
        """
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        prefix = user.scope_prefix
        if not prefix:
            return self.none()
        model: Any = self.model
        roles = getattr(model, "scope_roles", None)
        if roles is not None and user.role not in roles:
            return self.none()
        if within:
            if within.startswith(prefix):
                prefix = within
            elif not prefix.startswith(within):
                return self.none()  # a region outside the scope: nothing
        return self.filter(**{f"{model.scope_field}__startswith": prefix})


class ScopedModel(models.Model):
    """Abstract base for every model whose rows belong to a region."""

    #: path to the region code, e.g. ``"code"`` or ``"region__code"``
    scope_field: ClassVar[str]
    #: roles that may see rows of this model at all (None: every role with a scope)
    scope_roles: ClassVar[frozenset[str] | None] = None

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


def get_visible_or_404(queryset: ScopedQuerySet[M], user: User, **lookup: Any) -> M:
    """Out of scope and non-existent look the same: 404, never 403."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
