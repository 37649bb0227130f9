"""Append-only ledgers: history is never changed, a correction is a reversing entry.

``AppendOnlyModel`` refuses, in the ORM, every way of changing a saved row
(``save()`` over it, ``delete()``, a queryset's ``update()`` and ``delete()``);
the database refuses the rest once a migration applies
``core.append_only.AppendOnly`` to the model. The audit log is one.

``LedgerEntry`` adds what a ledger of amounts (points, payments) needs: who
entered the row and when, the reason, and ``reverses``, the entry it corrects.
``reverse_entry`` writes that correction: the same row with its amounts
negated. A UNIQUE constraint on ``reverses`` lets an entry be reversed at most
once, even when two people press the button at the same moment.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import invalid

if TYPE_CHECKING:
    from accounts.models import User

M = TypeVar("M", bound=models.Model)
L = TypeVar("L", bound="LedgerEntry")


class AppendOnlyError(Exception):
    """The application tried to change or remove a row of an append-only table: a programming error."""


class AppendOnlyQuerySetMixin:
    """The refusals, for a queryset that has another base as well (the audit log's is scoped)."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{_label(self)} is append-only: rows are never updated")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        # Refused before Django's own atomic block, which would leave the caller's transaction unusable.
        raise AppendOnlyError(f"{_label(self)} is append-only: rows are never updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{_label(self)} is append-only: rows are never deleted")


def _label(queryset: object) -> str:
    return str(cast("models.QuerySet[Any]", queryset).model._meta.label)


class AppendOnlyQuerySet(AppendOnlyQuerySetMixin, models.QuerySet[M]):
    pass


class AppendOnlyModel(models.Model):
    """Abstract base of a table whose rows, once written, are never updated or deleted.

    A model that brings its own queryset gives it ``AppendOnlyQuerySetMixin`` first (the system check says
    so if it does not), and its migration applies ``core.append_only.AppendOnly``.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} is append-only: a saved row is never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self._meta.label} is append-only: a saved row is never deleted")

    @classmethod
    def check(cls, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        queryset = cls._default_manager.get_queryset()
        if not isinstance(queryset, AppendOnlyQuerySetMixin):
            errors.append(
                checks.Error(
                    f"{cls._meta.label}'s default manager lets a queryset update and delete its rows.",
                    hint="Give its queryset AppendOnlyQuerySetMixin as the first base.",
                    obj=cls,
                    id="core.E103",
                )
            )
        return errors


#: One fen: every amount of money is exact to it.
FEN = Decimal("0.01")


def round_fen(amount: Decimal | int | str) -> Decimal:
    """The one rounding of money in the project: to the fen, half up (0.005 yuan becomes 0.01).

    A float is refused, never rounded: its binary artefacts would decide a fen.
    """
    if isinstance(amount, float):
        raise TypeError("money is Decimal, never float")
    return Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)


class MoneyField(models.DecimalField):  # type: ignore[type-arg]  # the stubs' generic parameters are Django's own
    """An amount in yuan, exact to the fen (two decimal places): money is never a float."""

    def __init__(
        self,
        verbose_name: Any = None,
        name: str | None = None,
        max_digits: int = 14,
        decimal_places: int = 2,
        **kwargs: Any,
    ) -> None:
        super().__init__(verbose_name, name, max_digits, decimal_places, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_digits") == 14:
            del kwargs["max_digits"]
        if kwargs.get("decimal_places") == 2:
            del kwargs["decimal_places"]
        return name, path, args, kwargs


class LedgerEntry(AppendOnlyModel):
    """Abstract base of a ledger of amounts. A concrete ledger declares its amounts in ``amount_fields``.

    A concrete model that writes its own ``Meta`` must inherit ``LedgerEntry.Meta`` so that it keeps the
    constraint below (the system check says so if it does not).
    """

    #: the fields a reversal negates: money (``MoneyField``, exact to the fen) or whole numbers such as points
    amount_fields: ClassVar[tuple[str, ...]] = ()

    created_at = models.DateTimeField(_("entered at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for an entry written by the system itself."),
    )
    reason = models.TextField(_("reason"), blank=True)
    # One to one: the UNIQUE constraint is what lets an entry be reversed at most once.
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reverses__isnull=True) | (models.Q(created_by__isnull=False) & ~models.Q(reason="")),
                name="%(app_label)s_%(class)s_reversal_has_actor_and_reason",
            )
        ]

    @classmethod
    def check(cls, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        for name in cls.amount_fields:
            try:
                field = cls._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
            money = isinstance(field, models.DecimalField) and field.decimal_places == 2
            if not (money or isinstance(field, models.IntegerField)):
                errors.append(
                    checks.Error(
                        f"{cls._meta.label}.amount_fields names {name!r}, which is not a MoneyField "
                        "(a DecimalField with two decimal places) or an integer field.",
                        obj=cls,
                        id="core.E101",
                    )
                )
        wanted = f"{cls._meta.app_label}_{cls._meta.model_name}_reversal_has_actor_and_reason"
        if not any(constraint.name == wanted for constraint in cls._meta.constraints):
            errors.append(
                checks.Error(
                    f"{cls._meta.label} has lost LedgerEntry's constraint {wanted!r}.",
                    hint="Write its Meta as `class Meta(LedgerEntry.Meta):`.",
                    obj=cls,
                    id="core.E102",
                )
            )
        return errors


#: the base's own columns: a reversal sets them itself rather than copying them from the original
_LEDGER_COLUMNS = frozenset({"created_at", "created_by", "reason", "reverses"})


def _field_or_none(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def reverse_entry(entry: L, *, actor: User, reason: str, **overrides: Any) -> L:
    """Write the entry that cancels ``entry``: a copy with its amounts negated, pointing back at it.

    ``overrides`` set other fields of the reversal (the date it is booked on, say). This is a step of the
    caller's service: it runs inside the caller's transaction, which has checked the actor's capability and
    writes the audit entry. Raises ``ValidationError`` when the entry is itself a reversal or has already
    been reversed.
    """
    model = type(entry)
    using = entry._state.db or "default"
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("reverse_entry must be called inside transaction.atomic()")
    if entry.pk is None or entry._state.adding:
        raise ValueError("only a saved entry can be reversed")
    unknown = set(overrides) & (_LEDGER_COLUMNS | {"id", "pk", model._meta.pk.name})
    if unknown:
        raise TypeError(f"reverse_entry sets {', '.join(sorted(unknown))} itself")
    reason = reason.strip()
    if not reason:
        raise invalid("reason", _("Give the reason for the reversal."), code="required")
    if entry.reverses_id is not None:  # type: ignore[attr-defined]
        raise invalid(
            "reverses",
            _("This entry is itself a reversal and cannot be reversed; enter the original again instead."),
            code="reversal_of_reversal",
        )
    if _reversals_of(entry, using).exists():
        raise _already_reversed()

    values: dict[str, Any] = {
        field.attname: getattr(entry, field.attname)
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in _LEDGER_COLUMNS
    }
    for name in model.amount_fields:
        attname = cast("models.Field[Any, Any]", model._meta.get_field(name)).attname
        amount = values[attname]
        values[attname] = None if amount is None else -amount
    for name in overrides:  # a relation given as an object: its copied ``_id`` would win over it
        attname = getattr(_field_or_none(model, name), "attname", name)
        if attname != name:
            values.pop(attname, None)
    values.update(overrides)
    reversal = model(**values, reverses=entry, created_by=actor, reason=reason, created_at=timezone.now())
    try:
        with transaction.atomic(using=using):
            reversal.save(force_insert=True, using=using)
    except IntegrityError:
        # Another transaction reversed it first and committed: its row is visible now.
        if _reversals_of(entry, using).exists():
            raise _already_reversed() from None
        raise
    return reversal


def _reversals_of(entry: LedgerEntry, using: str) -> models.QuerySet[Any]:
    manager: Any = type(entry)._default_manager  # the concrete ledger's, not the abstract base's
    reversals: models.QuerySet[Any] = manager.using(using).filter(reverses_id=entry.pk)
    return reversals


def _already_reversed() -> Exception:
    return invalid("reverses", _("This entry has already been reversed."), code="already_reversed")
