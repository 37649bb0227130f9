"""Field kinds: what an action's input may be, each declared once with its form field and its clean.

A process names a kind in ``Field(name, label, kind, ...)``; the engine (``workflow.services.act``)
cleans every declared input through its kind, at its field, before the action's check runs, and
``workflow.forms.ActionForm`` builds the page's inputs from the same kinds. A module that needs
another kind registers it once::

    register_kind(FieldKind("plate", form_field=..., clean=...))

The built-in kinds: text, int, money (yuan with at most two decimals in, whole fen out), date,
choice, unit (this city's bureau or one of its towns), department, veteran (one the actor may see)
and file (an attachment of the case).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django import forms
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from accounts.roles import Department
from core.errors import ErrorCollector, bad_choice, invalid
from core.forms import DateInput
from regions.models import Level, Region, ancestor_code
from veterans.models import Veteran
from workflow.models import Attachment, Case
from workflow.registry import PROCESSES

if TYPE_CHECKING:
    from accounts.models import User
    from workflow.process import Field

#: Text inputs longer than this are refused (a note has its own, longer limit).
MAX_TEXT = 200
#: Whole numbers are kept in the database's ordinary integer column unless the field says less.
INT_RANGE = (-(2**31), 2**31 - 1)
#: Money is kept in fen in a 64-bit column; a field's own ``max_value`` is usually far lower.
MAX_FEN = 10**15
_INT_TEXT = re.compile(r"[+-]?\d{1,18}")
_MONEY_TEXT = re.compile(r"\d{1,13}(\.\d{1,2})?")


@dataclass(frozen=True)
class FieldContext:
    """What a kind's clean may look at: the case, and who acts (None where only the form checks the shape)."""

    case: Case
    actor: User | None = None


@dataclass(frozen=True)
class FieldKind:
    key: str
    #: the page's input for the field (``choices`` are the kind's offered values, or None)
    form_field: Callable[[Field, list[tuple[str, str]] | None], forms.Field]
    #: the value the check and the effect receive, or a ValidationError at the field
    clean: Callable[[Field, Any, FieldContext], Any]
    #: the values a field of this kind offers on this case (a select's options, the API's choices)
    choices: Callable[[Field, Case], list[tuple[str, str]]] | None = None
    #: the cleaned value as the audit entry keeps it (plain JSON)
    dump: Callable[[Any], Any] = lambda value: value  # most kinds clean to a string or a number already


KINDS: dict[str, FieldKind] = {}


def register_kind(kind: FieldKind) -> FieldKind:
    if kind.key in KINDS:
        raise ValueError(f"the field kind {kind.key!r} is already registered")
    KINDS[kind.key] = kind
    return kind


def kind_of(spec: Field) -> FieldKind:
    try:
        return KINDS[spec.kind]
    except KeyError:
        raise ImproperlyConfigured(f"field {spec.name!r}: no field kind {spec.kind!r} is registered") from None


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_inputs(specs: Iterable[Field], data: Mapping[str, Any], context: FieldContext) -> dict[str, Any]:
    """Every declared input cleaned by its kind (None for an optional one left out), all errors at once.

    Keys the action does not declare are dropped: only what the process asked for reaches its
    check, its effect and the audit entry.
    """
    errors = ErrorCollector()
    cleaned: dict[str, Any] = {}
    for spec in specs:
        value = data.get(spec.name)
        if is_blank(value):
            if spec.required:
                errors.add(invalid(spec.name, _("%(label)s is required."), code="required", label=spec.label))
            cleaned[spec.name] = None
            continue
        cleaned[spec.name] = errors.check(kind_of(spec).clean, spec, value, context)
    errors.raise_if_any()
    return cleaned


def dump_inputs(specs: Iterable[Field], cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned inputs as the audit entry keeps them."""
    return {s.name: kind_of(s).dump(cleaned[s.name]) for s in specs if cleaned.get(s.name) is not None}


def field_choices(spec: Field, case: Case) -> list[tuple[str, str]] | None:
    """The values the field offers on this case: its own ``choices``, or its kind's (None: free input)."""
    if spec.choices:
        return [(str(value), str(label)) for value, label in spec.choices]
    kind = kind_of(spec)
    return kind.choices(spec, case) if kind.choices else None


def form_field(spec: Field, case: Case) -> forms.Field:
    return kind_of(spec).form_field(spec, field_choices(spec, case))


# --- the built-in kinds ----------------------------------------------------------------------------


def _select(spec: Field, choices: list[tuple[str, str]] | None) -> forms.Field:
    return forms.ChoiceField(label=spec.label, required=spec.required, choices=[("", "—"), *(choices or [])])


def _text_field(spec: Field, choices: list[tuple[str, str]] | None) -> forms.Field:
    return forms.CharField(label=spec.label, required=spec.required, max_length=MAX_TEXT)


#: Characters no one types into a form (PostgreSQL refuses NUL in text and JSON outright).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_text(spec: Field, value: Any, context: FieldContext) -> str:
    if not isinstance(value, str) or CONTROL_CHARACTERS.search(value):
        raise invalid(spec.name, _("%(label)s must be plain text."), code="not_text", label=spec.label)
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise invalid(
            spec.name,
            _("%(label)s: at most %(max)d characters (this has %(n)d)."),
            code="too_long",
            label=spec.label,
            max=MAX_TEXT,
            n=len(text),
        )
    return text


def _bounds(spec: Field) -> tuple[int, int]:
    low, high = INT_RANGE
    return low, high if spec.max_value is None else min(high, spec.max_value)


def _int_field(spec: Field, choices: list[tuple[str, str]] | None) -> forms.Field:
    low, high = _bounds(spec)
    return forms.IntegerField(label=spec.label, required=spec.required, min_value=low, max_value=high)


def _clean_int(spec: Field, value: Any, context: FieldContext) -> int:
    number: int | None = None
    if isinstance(value, bool):
        number = None  # true and false are not numbers a person typed
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
        number = int(value.strip())
    if number is None:
        raise invalid(spec.name, _("%(label)s must be a whole number."), code="not_int", label=spec.label)
    low, high = _bounds(spec)
    if not low <= number <= high:
        raise invalid(
            spec.name,
            _("%(label)s must be from %(low)d to %(high)d."),
            code="out_of_range",
            label=spec.label,
            low=low,
            high=high,
        )
    return number


def yuan(fen: int) -> str:
    """An amount in fen as the bureau writes it in yuan: 123456 → 1234.56."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def _max_fen(spec: Field) -> int:
    return MAX_FEN if spec.max_value is None else min(MAX_FEN, spec.max_value)


def _money_field(spec: Field, choices: list[tuple[str, str]] | None) -> forms.Field:
    return forms.DecimalField(
        label=spec.label,
        required=spec.required,
        min_value=Decimal(0),
        max_value=Decimal(yuan(_max_fen(spec))),
        max_digits=15,
        decimal_places=2,
    )


def _as_decimal(value: Any) -> Decimal | None:
    """The amount typed, as it was typed: a string or a Decimal; a float by its shortest repr, so that
    0.1 + 0.2 (0.30000000000000004) shows its artefact and is refused rather than rounded away."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    if not _MONEY_TEXT.fullmatch(text.lstrip("-")):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _clean_money(spec: Field, value: Any, context: FieldContext) -> int:
    """Yuan with at most two decimals, not negative, not above the field's maximum: the amount in fen."""
    amount = _as_decimal(value)
    fen = None if amount is None else amount * 100
    if fen is None or fen != fen.to_integral_value():
        raise invalid(
            spec.name,
            _("%(label)s: an amount in yuan with at most two decimals, such as 1280.50."),
            code="not_money",
            label=spec.label,
        )
    if fen < 0:
        raise invalid(spec.name, _("%(label)s cannot be negative."), code="negative", label=spec.label)
    if fen > _max_fen(spec):
        raise invalid(
            spec.name,
            _("%(label)s: at most %(max)s yuan."),
            code="too_much",
            label=spec.label,
            max=yuan(_max_fen(spec)),
        )
    return int(fen)


def _date_field(spec: Field, choices: list[tuple[str, str]] | None) -> forms.Field:
    return forms.DateField(label=spec.label, required=spec.required, widget=DateInput())


def _clean_date(spec: Field, value: Any, context: FieldContext) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise invalid(spec.name, _("%(label)s: a date such as 2026-11-02."), code="not_date", label=spec.label)


def _dump_date(value: dt.date) -> str:
    return value.isoformat()


def _clean_choice(spec: Field, value: Any, context: FieldContext) -> str:
    choices = field_choices(spec, context.case) or []
    if not isinstance(value, str) or value.strip() not in dict(choices):
        raise bad_choice(spec.name, choices)
    return value.strip()


def city_units(spec: Field, case: Case) -> list[tuple[str, str]]:
    """The units a case's work may go to: its city's bureau and the city's towns."""
    city = ancestor_code(case.region_code, Level.CITY)
    units = Region.objects.filter(code__startswith=city[:6], level__in=[Level.CITY, Level.TOWN]).order_by("code")
    return [(u.code, u.name) for u in units]


def _clean_unit(spec: Field, value: Any, context: FieldContext) -> str:
    code = value.strip() if isinstance(value, str) else ""
    city = ancestor_code(context.case.region_code, Level.CITY)
    if not (
        code.startswith(city[:6]) and Region.objects.filter(code=code, level__in=[Level.CITY, Level.TOWN]).exists()
    ):
        raise invalid(
            spec.name,
            _("%(label)s: this city's bureau or one of its towns (a 12-digit code)."),
            code="bad_unit",
            label=spec.label,
        )
    return code


def _departments(spec: Field, case: Case) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in Department.choices]


def _clean_department(spec: Field, value: Any, context: FieldContext) -> str:
    if not isinstance(value, str) or value.strip() not in Department.values:
        allowed = "、".join(str(d.label) for d in Department)
        raise invalid(spec.name, _("Unknown department. Allowed: %(allowed)s."), code="bad_department", allowed=allowed)
    return value.strip()


def _id_field(spec: Field, choices: list[tuple[str, str]] | None) -> forms.Field:
    return forms.IntegerField(label=spec.label, required=spec.required, min_value=1)


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and re.fullmatch(r"\d{1,18}", value.strip()):
        return int(value.strip()) or None
    return None


def _clean_veteran(spec: Field, value: Any, context: FieldContext) -> int:
    """A veteran's id, admitted only when the actor may see the record (as on the registry's own pages)."""
    pk = _as_id(value)
    if pk is None or (
        context.actor is not None and not Veteran.objects.visible_to(context.actor).filter(pk=pk).exists()
    ):
        raise invalid(
            spec.name, _("%(label)s: no veteran with this number that you may see."), code="bad_veteran",
            label=spec.label,
        )  # fmt: skip
    return pk


def _attachments(spec: Field, case: Case) -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Attachment.objects.filter(case=case).values_list("pk", "name")]


def _clean_file(spec: Field, value: Any, context: FieldContext) -> int:
    pk = _as_id(value)
    if pk is None or not Attachment.objects.filter(case=context.case, pk=pk).exists():
        raise invalid(
            spec.name, _("%(label)s: choose a file attached to this case."), code="bad_file", label=spec.label
        )
    return pk


TEXT = register_kind(FieldKind("text", form_field=_text_field, clean=_clean_text))
INT = register_kind(FieldKind("int", form_field=_int_field, clean=_clean_int))
MONEY = register_kind(FieldKind("money", form_field=_money_field, clean=_clean_money))
DATE = register_kind(FieldKind("date", form_field=_date_field, clean=_clean_date, dump=_dump_date))
CHOICE = register_kind(FieldKind("choice", form_field=_select, clean=_clean_choice))
UNIT = register_kind(FieldKind("unit", form_field=_select, clean=_clean_unit, choices=city_units))
DEPARTMENT = register_kind(FieldKind("department", form_field=_select, clean=_clean_department, choices=_departments))
VETERAN = register_kind(FieldKind("veteran", form_field=_id_field, clean=_clean_veteran))
FILE = register_kind(FieldKind("file", form_field=_select, clean=_clean_file, choices=_attachments))


# --- a declaration naming a kind nobody registered is caught at start-up ------------------------------


def unknown_kinds() -> list[str]:
    """Every declared field whose kind is not registered, as process.step.action.field: kind."""
    return [
        f"{p.key}.{s.key}.{a.key}.{f.name}: {f.kind}"
        for p in PROCESSES.values()
        for s in p.steps
        for a in s.actions
        for f in a.fields
        if f.kind not in KINDS
    ]


@checks.register()
def check_field_kinds(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [checks.Error(f"unknown field kind {where}", id="workflow.E001") for where in unknown_kinds()]
