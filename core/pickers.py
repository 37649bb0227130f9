"""Pickers: a form field that finds what it stores (a region's code, a person's record) by what staff know.

A domain app declares a ``Source``: how to search what a user may pick (``search``), how to name a stored
value (``label``) and, when what the user sees is small enough, the whole list as the fallback without
script (``options``). Its form fields are ``PickerField(source)``; its page answers the script with
``picker_response(source, request)``. ``static/js/picker.js`` turns the widget into an autocomplete: it
asks the endpoint as the user types, lists each match with its detail (a region's path, a person's masked
ID and village) and puts the chosen value in a hidden input.

Without script the widget is still usable: a select of the user's whole scope when the source gives one,
or a text box whose words the field looks up when the form is sent (one match is taken; several or none
are refused at the field). Either way the service behind the form checks the value again, in the user's
scope: the picker is a convenience, not an access decision.

A picker lists what the user may see, so it needs the user: the view binds the form to its user with
``bind(form, user)`` before rendering or validating it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from core.validators import holds_number, masked_words

#: The longest search the endpoints take (a name, a pinyin, a code).
MAX_QUERY = 40
#: How many matches one answer lists.
LIMIT = 20


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    detail: str = ""


class Source:
    """What a picker picks from, for one user: subclassed by the app that owns the objects."""

    #: the URL name of the page that answers the script (``?q=...``)
    url_name: str = ""
    #: the request parameters a field may pass to ``search`` (a region field's levels)
    option_names: tuple[str, ...] = ()

    def search(self, user: Any, q: str, *, limit: int = LIMIT, exact: bool = False, **options: Any) -> list[Choice]:
        """What the user may pick that matches ``q`` (``exact``: the whole name or value, for typed words)."""
        raise NotImplementedError

    def label(self, user: Any, value: str) -> Choice | None:
        """The stored value as the user sees it; None when it is not theirs to see (or not a value)."""
        raise NotImplementedError

    def options(self, user: Any, **options: Any) -> list[Choice] | None:
        """Everything the user may pick, for the select shown without script; None when too many to list."""
        return None

    def to_value(self, stored: str) -> Any:
        """The field's value from the stored text (an id as an int); a ``ValueError`` when it is malformed."""
        return stored

    def clean_options(self, raw: Mapping[str, str]) -> dict[str, Any]:
        """The endpoint's extra parameters, checked; a ``ValueError`` says which is malformed."""
        return {}


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in text)


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message, "items": []}, status=status, json_dumps_params={"ensure_ascii": False})


def picker_response(source: Source, request: HttpRequest) -> JsonResponse:
    """The endpoint's answer: ``{"items": [{"value", "label", "detail"}, …]}``, from the user's scope only.

    A query that is too long, or a malformed option, is refused (400) with a bilingual message.
    """
    q = request.GET.get("q", "").strip()
    if len(q) > MAX_QUERY:
        return _bad(f"搜索词太长（最多 {MAX_QUERY} 个字符） / The search is too long (at most {MAX_QUERY} characters).")
    if _has_control(q):
        # PostgreSQL refuses a NUL in a string, SQLite cuts the pattern at it: neither is a search
        return _bad("搜索词含有控制字符 / The search holds a control character.")
    try:
        options = source.clean_options({k: request.GET[k] for k in source.option_names if request.GET.get(k)})
    except ValueError as exc:
        return _bad(str(exc))
    items = source.search(request.user, q, **options)
    # the pages declare no_store (their answers carry names and masked numbers)
    return JsonResponse({"items": [asdict(c) for c in items]}, json_dumps_params={"ensure_ascii": False})


class Picker(forms.Widget):
    """The widget: a select of the scope, or a hidden value with a text box; the script does the rest."""

    template_name = "core/picker.html"

    def __init__(self, source: Source, options: Mapping[str, Any] | None = None, attrs: dict[str, Any] | None = None):
        super().__init__(attrs)
        self.source = source
        self.picker_options = dict(options or {})
        self.user: Any = None

    def __deepcopy__(self, memo: dict[int, Any]) -> Picker:
        copy = super().__deepcopy__(memo)
        copy.user = self.user
        return copy

    def query_name(self, name: str) -> str:
        return f"{name}__q"

    def format_value(self, value: Any) -> str:
        if isinstance(value, tuple):  # a bound form's (value, words) from value_from_datadict
            value = value[0]
        return "" if value in (None, "") else str(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        stored = widget["value"]
        words = value[1] if isinstance(value, tuple) else ""
        if holds_number(words):
            words = ""  # a typed ID number or phone is never written back into the page (a refused form)
        params = urlencode({k: ",".join(v) if isinstance(v, (list, tuple)) else v
                            for k, v in self.picker_options.items()})  # fmt: skip
        chosen = self.source.label(self.user, stored) if stored and self.user is not None else None
        options = self.source.options(self.user, **self.picker_options) if self.user is not None else None
        if options is not None and chosen is not None and all(o.value != chosen.value for o in options):
            options = [chosen, *options]
        widget.update(
            url=reverse(self.source.url_name) + (f"?{params}" if params else ""),
            query_name=self.query_name(name),
            chosen=chosen,
            text=chosen.label if chosen else words or ("" if options is not None else stored),
            options=options,
        )
        return context

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        # The project's template engine, not the form renderer's (which reads only the apps' templates).
        return render_to_string(self.template_name, self.get_context(name, value, attrs))

    def value_from_datadict(self, data: Any, files: Any, name: str) -> tuple[str, str]:
        """The stored value and the words typed in the text box (those are looked up when no value is chosen)."""
        return str(data.get(name) or "").strip(), str(data.get(self.query_name(name)) or "").strip()

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and self.query_name(name) not in data


class PickerField(forms.Field):
    """A field whose value is the source's (a code, an id as text); words typed without a choice are looked up."""

    default_error_messages = {
        "none": _("Nothing in your area matches “%(words)s”."),
        "several": _("Several match “%(words)s”: type more, or choose one from the list."),
        "malformed": _("Choose from the list."),
    }

    def __init__(self, source: Source, *, options: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("widget", Picker(source, options))
        self.empty_is_none = kwargs.pop("empty_is_none", False)
        super().__init__(**kwargs)
        self.source = source
        self.picker_options = dict(options or {})

    @property
    def user(self) -> Any:
        return getattr(self.widget, "user", None)

    def to_python(self, value: Any) -> Any:
        stored = self._stored(value)
        if stored in ("", None):
            return None if self.empty_is_none else ""
        try:
            return self.source.to_value(stored)
        except ValueError as exc:
            raise ValidationError(self.error_messages["malformed"], code="malformed") from exc

    def _stored(self, value: Any) -> str:
        stored, words = value if isinstance(value, tuple) else (str(value or ""), "")
        if stored and words and self.user is not None:
            # Without script the text box still shows the chosen value's name: words that differ from it
            # were typed since, and are what the user means.
            chosen = self.source.label(self.user, stored)
            if chosen is None or words != chosen.label:
                stored = ""
        if stored or not words:
            return stored
        if _has_control(words):
            raise ValidationError(self.error_messages["malformed"], code="malformed")
        if self.user is None:  # not bound: take the words as they are (the service checks them)
            return words
        found = self.source.search(self.user, words[:MAX_QUERY], limit=2, exact=True, **self.picker_options)
        if len(found) != 1:
            found = found or self.source.search(self.user, words[:MAX_QUERY], limit=2, **self.picker_options)
        if not found:
            raise ValidationError(self.error_messages["none"], code="no_match", params={"words": masked_words(words)})
        if len(found) > 1:
            raise ValidationError(self.error_messages["several"], code="several", params={"words": masked_words(words)})
        return found[0].value

    def bound_data(self, data: Any, initial: Any) -> Any:
        return data


FormT = TypeVar("FormT", bound=forms.BaseForm)


def bind(form: FormT, user: Any) -> FormT:
    """Give the form's pickers the user whose scope they list (call before rendering or validating)."""
    for field in form.fields.values():
        if isinstance(field.widget, Picker):
            field.widget.user = user
    return form
