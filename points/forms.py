"""The forms of the points pages: they take what the user typed; the services in ``points`` decide."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput
from points.models import Basis, Evidence, ItemVersion, RewardKind, Submitter
from points.register import EntryFilters
from veterans.pickers import person_field

TOKEN_FIELD = "once"  # noqa: S105  (the name of a form field, not a secret)


def item_label(v: ItemVersion) -> str:
    """An item as the form lists it: its name, its points and its caps."""
    sign = "-" if v.deduction else "+"
    units: dict[str, Any] = {Basis.PER_HOUR: _("an hour"), Basis.PER_OCCASION: _("an occasion")}
    unit = units.get(v.basis)
    words = f"{sign}{v.points}" + (f"/{unit}" if unit else "")
    caps = []
    if v.quarter_cap:
        caps.append(str(_("at most %(n)s a quarter") % {"n": v.quarter_cap}))
    if v.year_cap:
        caps.append(str(_("at most %(n)s a year") % {"n": v.year_cap}))
    return " · ".join([v.name, words, *caps])


class EntryForm(forms.Form):
    """The fast entry form of a phone: the people, the item, the date, hours or occasions, a photo."""

    once = forms.CharField(widget=forms.HiddenInput, max_length=64)
    #: any ids: the list shown may be narrowed by a search, and the service checks the scope
    veterans = forms.Field(label=_("People"), required=False, widget=forms.CheckboxSelectMultiple)
    item = forms.CharField(label=_("Item"), required=False, max_length=30, widget=forms.Select)
    day = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    quantity = forms.DecimalField(
        label=_("Hours or occasions"), required=False, min_value=0, max_digits=5, decimal_places=1,
        help_text=_("For an item scored by the hour or by the occasion."),
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )  # fmt: skip
    description = forms.CharField(label=_("What was done"), required=False, max_length=500,
                                  widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    evidence = forms.FileField(
        label=_("Evidence photo"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )  # fmt: skip

    def __init__(self, *args: Any, people: list[Any], versions: list[ItemVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["veterans"].widget.choices = [(v.pk, v.name) for v in people]
        groups: dict[str, list[tuple[str, str]]] = {}
        for v in versions:
            groups.setdefault(v.item.aspect.name, []).append((v.item.code, item_label(v)))
        self.fields["item"].widget.choices = [("", _("Choose the item")), *groups.items()]
        if not self.is_bound:
            self.initial.setdefault("day", timezone.localdate())
            self.initial.setdefault(TOKEN_FIELD, uuid.uuid4().hex)
            # a copy kept on the phone carries the day it was kept: the outbox puts the phone's today in
            self.fields["day"].widget.attrs["data-today"] = ""

    def clean_veterans(self) -> list[int]:
        raw = self.cleaned_data.get("veterans") or []
        if isinstance(raw, str):
            raw = [raw]
        ids = []
        for value in raw:
            text = str(value)
            if not (text.isascii() and text.isdigit() and len(text) <= 18):
                raise forms.ValidationError(_("Choose the people from the list."), code="bad_id")
            ids.append(int(text))
        return ids


class EntryFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    quarter = forms.CharField(label=_("Quarter"), required=False, max_length=6,
                              widget=forms.TextInput(attrs={"placeholder": "2026Q3"}))  # fmt: skip
    item = forms.ChoiceField(label=_("Item"), required=False)
    #: one veteran's entries (the link from their record)
    veteran = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, versions: list[ItemVersion], **kwargs: Any) -> None:
        from workflow.models import Case

        super().__init__(*args, **kwargs)
        states: list[tuple[str, Any]] = [("", _("All")), *Case.State.choices]
        items: list[tuple[str, Any]] = [("", _("All")), *((v.item.code, v.name) for v in versions)]
        self.fields["state"].choices = states  # type: ignore[attr-defined]
        self.fields["item"].choices = items  # type: ignore[attr-defined]

    def clean_quarter(self) -> str:
        from points.quarters import parse_quarter

        value = self.cleaned_data.get("quarter") or ""
        if not value:
            return ""
        try:
            return parse_quarter(value)
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.error_dict["quarter"][0].messages[0]) from None


assert set(EntryFilterForm.base_fields) == set(EntryFilters.model_fields)


class VersionForm(forms.Form):
    effective_from = forms.DateField(
        label=_("In force from"), widget=DateInput(),
        help_text=_("Today or later; entries dated before keep the old version."),
    )  # fmt: skip
    name = forms.CharField(label=_("Name"), max_length=60)
    basis = forms.ChoiceField(label=_("Scored"), choices=Basis.choices)
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=1000)
    deduction = forms.BooleanField(label=_("Deduction"), required=False)
    quarter_cap = forms.IntegerField(label=_("Cap per quarter"), required=False, min_value=1, max_value=100000)
    year_cap = forms.IntegerField(label=_("Cap per year"), required=False, min_value=1, max_value=100000)
    submitters = forms.MultipleChoiceField(label=_("Who may submit"), choices=Submitter.choices,
                                           widget=forms.CheckboxSelectMultiple)  # fmt: skip
    town_from = forms.IntegerField(
        label=_("Town approves from (points)"), required=False, min_value=1, max_value=100000,
        help_text=_("Empty: the village approves every award."),
    )  # fmt: skip
    evidence = forms.ChoiceField(label=_("Evidence needed"), choices=Evidence.choices)
    evidence_hint = forms.CharField(label=_("What the evidence shows"), required=False, max_length=200)


class WithdrawForm(forms.Form):
    effective_from = forms.DateField(label=_("Withdrawn from"), widget=DateInput())


class AspectForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=40)
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=1000)


class RewardForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=RewardKind.choices)
    cost = forms.IntegerField(label=_("Points"), min_value=1, max_value=100000)
    stock = forms.IntegerField(label=_("In stock"), required=False, min_value=0, max_value=1000000,
                               help_text=_("Empty: no limit."))  # fmt: skip
    description = forms.CharField(label=_("Description"), required=False, max_length=300)
    active = forms.BooleanField(label=_("Offered"), required=False, initial=True)


class RedeemForm(forms.Form):
    veteran = person_field(_("Veteran"), help_text=_("Name, pinyin or the last digits of the ID number."))
    reward = forms.ChoiceField(label=_("Reward"))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, rewards: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reward"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose the reward")),
            *((str(r.pk), f"{r.name} · {r.cost}") for r in rewards),
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
