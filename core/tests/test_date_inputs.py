"""A date picker shows its date in Chinese pages too.

``<input type=date>`` takes only 2026-12-03; Django writes a date in the active language's first input format,
which for Chinese is 2026/12/03, and the browser then shows an empty picker: today's date offered by a form is
lost, and so is a date the user entered when the form comes back with an error elsewhere.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.urls import get_resolver
from django.utils import translation

from core.forms import DateInput


def test_a_date_is_written_as_the_picker_needs_it_in_chinese() -> None:
    with translation.override("zh-hans"):
        html = DateInput().render("day", dt.date(2026, 12, 3))
        assert 'type="date"' in html and 'value="2026-12-03"' in html
        assert 'value="2026/12/03"' in forms.DateInput(attrs={"type": "date"}).render("day", dt.date(2026, 12, 3))


def _form_classes() -> list[type[forms.BaseForm]]:
    get_resolver().url_patterns  # noqa: B018 — loads every view module and so every form
    seen, todo = [], list(forms.BaseForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if not cls.__module__.startswith("django."):
            seen.append(cls)
    return seen


def test_every_date_and_month_picker_of_the_project_writes_iso() -> None:
    pickers = 0
    for form in _form_classes():
        for name, field in getattr(form, "base_fields", {}).items():
            if not isinstance(field.widget, forms.DateInput):
                continue  # a date typed as text (a CharField) is the user's own words, never rewritten
            kind = field.widget.attrs.get("type") or field.widget.input_type
            if kind in ("date", "month"):
                pickers += 1
                expected = "%Y-%m-%d" if kind == "date" else "%Y-%m"
                assert getattr(field.widget, "format", None) == expected, f"{form.__module__}.{form.__name__}.{name}"
    assert pickers > 10
