"""Form pieces the apps share."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from core.ids import MAX_ID, parse_id

#: What an emptied sensitive input says next to it.
SENSITIVE_CLEARED = _("Not shown again, for privacy: enter it again.")

TOKEN_FIELD = "once"  # noqa: S105  (the name of a form field, not a secret)


def money_field(label: Any, **kwargs: Any) -> forms.CharField:
    """An amount in yuan, as text: the service says what is wrong with "0", "-5" or "1.005" in its own words."""
    return forms.CharField(label=label, max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **kwargs)


class OnceForm(forms.Form):
    """A form whose POST makes something once: a resend of the same page (a double tap) makes nothing more."""

    once = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault(TOKEN_FIELD, uuid.uuid4().hex)


class DateInput(forms.DateInput):
    """A browser's date picker. Its value is always written 2026-12-03, as ``<input type=date>`` requires: the
    Chinese locale's first input format (2026/12/03) would leave the picker empty, and a date given or entered
    before an error would be lost."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class SensitiveInput(forms.TextInput):
    """A text input for a full ID or phone number that never writes a submitted value back into the page.

    A form refused for another field is shown again without the number (the page would otherwise carry it,
    cached and in the browser's history); the input then says, at the field, why it is empty.
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, None, attrs)
        if value not in (None, ""):
            context["widget"]["attrs"]["placeholder"] = str(SENSITIVE_CLEARED)
        return context

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        html = super().render(name, value, attrs, renderer)
        if value in (None, ""):
            return html
        return format_html('{}<small class="help cleared" role="status">{}</small>', html, SENSITIVE_CLEARED)


class IdField(forms.IntegerField):
    """A record's number typed into a form: 1 … MAX_ID, so that its look-up never overflows (a 500 on SQLite)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Records chosen by their ids: an id that no record can have is refused as an invalid choice."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            if parse_id(str(pk)) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)  # type: ignore[misc]  # Django's own step, not in the stubs
