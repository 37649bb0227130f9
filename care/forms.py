"""The forms of the care pages: they take what the user typed; the services in ``care.services`` decide."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from care.models import Mode, NeedCategory, NeedSource
from core.forms import DateInput, IdField

NO_NEED = [("", _("No need found"))]


class VisitForm(forms.Form):
    """A visit on a phone: the way of contact (one tap), the date (today), an optional note, photo and need."""

    once = forms.CharField(widget=forms.HiddenInput, max_length=64)
    veteran = IdField(widget=forms.HiddenInput)
    mode = forms.ChoiceField(label=_("Way of contact"), choices=Mode.choices, widget=forms.RadioSelect)
    visited_on = forms.DateField(label=_("Date"), widget=DateInput())
    note = forms.CharField(label=_("Notes"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.FileField(
        label=_("Photo (optional)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )  # fmt: skip
    need_category = forms.ChoiceField(label=_("A need found"), required=False,
                                      choices=[*NO_NEED, *NeedCategory.choices])  # fmt: skip
    need_description = forms.CharField(label=_("What is needed"), required=False, max_length=1000,
                                       widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("once", uuid.uuid4().hex)
            self.initial.setdefault("visited_on", timezone.localdate())
            # a copy kept on the phone carries the day it was kept: the outbox puts the phone's today in
            self.fields["visited_on"].widget.attrs["data-today"] = ""


class NeedForm(forms.Form):
    once = forms.CharField(widget=forms.HiddenInput, max_length=64)
    veteran = IdField(widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("Category"), choices=NeedCategory.choices)
    description = forms.CharField(label=_("What is needed"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("once", uuid.uuid4().hex)


class NeedFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False, choices=[("", _("All")), *NeedCategory.choices])
    source = forms.ChoiceField(label=_("Raised"), required=False, choices=[("", _("All")), *NeedSource.choices])
    q = forms.CharField(label=_("Search"), required=False, max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from workflow.models import Case

        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All")), *Case.State.choices]  # type: ignore[attr-defined]


class VisitFilterForm(forms.Form):
    veteran = IdField(label=_("Person (id)"), required=False, widget=forms.HiddenInput)
    region = forms.CharField(label=_("Area code"), required=False, max_length=15)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())


class FrequencyForm(forms.Form):
    rule = IdField(widget=forms.HiddenInput)
    months = forms.IntegerField(label=_("Every (months)"), min_value=1, max_value=24)


class AssignForm(forms.Form):
    user = forms.ChoiceField(label=_("Contact person"), required=False)

    def __init__(self, *args: Any, users: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = [("", _("The default (grid leader, or the station for a key person)"))]
        choices = [(str(u.pk), u.get_full_name() or u.username) for u in users]
        self.fields["user"].choices = [*default, *choices]  # type: ignore[attr-defined]  # a ChoiceField
