"""The forms of the hardship aid pages: they take what the user typed; the services in ``aid.services`` decide
(amounts, scope, what may be paid), and their refusals land on these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aid.models import DonorKind, Need
from aid.register import ApplicationFilters
from core.forms import DateInput, OnceForm, money_field
from core.ids import parse_id
from veterans.pickers import person_field


class ApplicationForm(OnceForm):
    veteran = person_field(_("Veteran"), help_text=_("Name, pinyin or the last digits of the ID number."))
    need = forms.ChoiceField(label=_("Kind of hardship"), choices=[("", "—"), *Need.choices])
    circumstances = forms.CharField(label=_("Circumstances"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))
    requested = money_field(_("Amount asked (yuan)"))


class ApplicationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=40)
    state = forms.ChoiceField(label=_("State"), required=False)
    need = forms.ChoiceField(label=_("Kind of hardship"), required=False, choices=[("", _("All")), *Need.choices])
    #: one veteran's applications (the link from their record)
    veteran = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from workflow.models import Case

        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All")), *Case.State.choices]  # type: ignore[attr-defined]


assert set(ApplicationFilterForm.base_fields) - {"q"} == set(ApplicationFilters.model_fields)


class DonationForm(OnceForm):
    donor = forms.CharField(label=_("Donor"), max_length=100,
                            help_text=_("For example 平湖市民营企业拥军协会."))  # fmt: skip
    donor_kind = forms.ChoiceField(label=_("Kind of donor"), choices=DonorKind.choices)
    amount = money_field(_("Amount (yuan)"))
    received_on = forms.DateField(label=_("Received on"), widget=DateInput())
    reference = forms.CharField(label=_("Receipt or transfer number"), required=False, max_length=60)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("received_on", timezone.localdate())


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class CeremonyForm(OnceForm):
    name = forms.CharField(label=_("Ceremony"), max_length=100,
                           help_text=_("For example 2026年春节帮扶基金发放仪式."))  # fmt: skip
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    place = forms.CharField(label=_("Place"), required=False, max_length=100)
    #: any ids: the service checks each is approved, unpaid and in the user's area
    applications = forms.Field(label=_("Grants to pay"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, payable: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applications"].widget.choices = [
            (a.case_id, f"{a.case.number} · {a.veteran.name} · {a.approved} 元") for a in payable
        ]
        if not self.is_bound:
            self.initial.setdefault("held_on", timezone.localdate())

    def clean_applications(self) -> list[int]:
        raw = self.data.getlist("applications") if hasattr(self.data, "getlist") else []
        ids = []
        for value in raw:
            pk = parse_id(str(value))
            if pk is None:
                raise forms.ValidationError(_("Choose the grants from the list."), code="bad_id")
            ids.append(pk)
        return ids
