"""Validation errors that stay translatable until shown.

A message is interpolated only when it is rendered, so one error can be shown
in Chinese on the page and in both languages in the API's error body.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


def invalid(field: str | None, message: Any, *, code: str, **params: Any) -> ValidationError:
    error = ValidationError(message, code=code, params=params or None)
    return ValidationError({field: [error]}) if field else error


def render(error: ValidationError, language: str) -> str:
    with translation.override(language):
        message = error.message
        if error.params:
            message = message % error.params
        return str(message)


def error_items(exc: ValidationError) -> list[dict[str, Any]]:
    """Each error with its field (``None`` for the whole input), code and both languages."""
    items: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                items.append(_item(None if field == "__all__" else field, error))
    else:
        for error in exc.error_list:
            items.append(_item(None, error))
    return items


def _item(field: str | None, error: ValidationError) -> dict[str, Any]:
    return {
        "field": field,
        "code": error.code or "invalid",
        "message": render(error, "zh-hans"),
        "message_en": render(error, "en"),
    }


class ErrorCollector:
    """Run many field checks, keep every error, raise them together at the end."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def check(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValidationError as exc:
            self.add(exc)
            return None

    def add(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.errors.setdefault(field, []).extend(errors)
        else:
            self.errors.setdefault("__all__", []).extend(exc.error_list)

    def has(self, field: str) -> bool:
        return field in self.errors

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


class Conflict(ValidationError):
    """The input was right but the data moved on (someone else acted first): HTTP 409, shown like any error."""


def _interpolate(message: Any, params: dict[str, Any]) -> str:
    return str(message) % {k: str(v) for k, v in params.items()}


#: A message with its values that is translated only when shown (a refusal rendered in both languages by the API).
lazy_format = lazy(_interpolate, str)


def explain(exc: Exception) -> str:
    """A refusal as one line for a page's message: a ValidationError's messages, or the exception's text."""
    messages = getattr(exc, "messages", None)
    return "; ".join(messages) if messages else str(exc)


def bad_choice(field: str, choices: Iterable[tuple[Any, Any]]) -> ValidationError:
    """A value not among ``choices`` ((value, label) pairs, as a TextChoices' ``.choices``), naming the allowed ones."""
    return invalid(
        field,
        _("Choose one of: %(allowed)s."),
        code="bad_choice",
        allowed="、".join(str(label) for _value, label in choices),
    )


def both(message: Any) -> tuple[str, str]:
    """A (lazy) message in Chinese and in English."""
    from django.utils import translation

    with translation.override("zh-hans"):
        zh = str(message)
    with translation.override("en"):
        en = str(message)
    return zh, en


def bilingual(message: Any) -> str:
    """A message as a page answers it without a template: "中文 / English"."""
    zh, en = both(message)
    return zh if zh == en else f"{zh} / {en}"


def merged(errors: list[ValidationError]) -> ValidationError:
    """Several refusals as one, each still at its field (``ValidationError(list)`` would drop the fields)."""
    fields: dict[str | None, list[ValidationError]] = {}
    for error in errors:
        if hasattr(error, "error_dict"):
            for name, items in error.error_dict.items():
                fields.setdefault(name, []).extend(items)
        else:
            fields.setdefault(NON_FIELD_ERRORS, []).extend(error.error_list)
    return ValidationError(fields)  # type: ignore[arg-type]  # a dict of lists, as Django takes it
