"""The forms of the batch pages: generate a month's batch, take a line out, a bank's return file, a standard,
an overpayment settled, and the figures' year."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from benefits.generation import parse_period
from benefits.models import Cause, HeldReason, OverpaymentState, Per, Program
from cockpit.kit import period_days
from core.forms import DateInput, IdField

MONTH = forms.TextInput(attrs={"type": "month", "placeholder": "2026-11", "maxlength": 7})


def month_value(value: str) -> dt.date:
    """``2026-11`` as the first of the month, the error at this form's field."""
    try:
        return parse_period(value)
    except ValidationError as exc:
        raise ValidationError(exc.messages, code="period") from None


class GenerateForm(forms.Form):
    period = forms.CharField(
        label=_("Month"),
        max_length=10,
        widget=MONTH,
        help_text=_("The batch of this month; generating it again adds only what is new."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"period": f"{timezone.localdate():%Y-%m}"})
        super().__init__(*args, **kwargs)


class ReverseLineForm(forms.Form):
    line = IdField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ReturnFileForm(forms.Form):
    file = forms.FileField(label=_("The bank's return file"))


class StandardForm(forms.Form):
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.order_by("order", "code"))
    grade = forms.IntegerField(label=_("Grade"), min_value=0, max_value=10, required=False,
                               help_text=_("The disability grade (1–10), for a program by grade."))  # fmt: skip
    cause = forms.ChoiceField(label=_("Cause"), choices=[("", "—"), *Cause.choices], required=False)
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=12, decimal_places=2, min_value=0)
    per = forms.ChoiceField(label=_("Per"), choices=Per.choices, initial=Per.MONTH)
    effective_from = forms.CharField(label=_("In force from (month)"), max_length=10, widget=MONTH)
    document = forms.CharField(label=_("Document"), max_length=100, required=False)

    def clean_effective_from(self) -> dt.date:
        return month_value(self.cleaned_data["effective_from"])


class SettleForm(forms.Form):
    overpayment = IdField(widget=forms.HiddenInput)
    state = forms.ChoiceField(
        label=_("Settled as"), choices=[(s, OverpaymentState(s).label) for s in ("recovered", "waived")]
    )
    settled_on = forms.DateField(label=_("Settled on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False,
                           help_text=_("Needed when it is written off."))  # fmt: skip


class LineFilterForm(forms.Form):
    """The filters of the list of payment lines (what the cockpit's figures link to)."""

    region = forms.CharField(widget=forms.HiddenInput, max_length=15, required=False)
    period = forms.CharField(label=_("Statistical period"), max_length=7, required=False,
                             widget=forms.TextInput(attrs={"placeholder": "2026-03", "maxlength": 7}),
                             help_text=_("A year (2026), a month (2026-03) or a quarter (2026Q1)."))  # fmt: skip
    show = forms.ChoiceField(label=_("Lines"), required=False, choices=[
        ("paid", _("Paid by the bank")), ("held", _("Held back")), ("all", _("All lines"))])  # fmt: skip
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.order_by("order", "pk"),
                                     required=False, empty_label=_("All programs"))  # fmt: skip
    reason = forms.ChoiceField(label=_("Reason held back"), required=False,
                               choices=[("", _("All")), *HeldReason.choices])  # fmt: skip

    def clean_period(self) -> tuple[dt.date, dt.date] | None:
        value = self.cleaned_data["period"].strip()
        if not value:
            return None
        days = period_days(value)
        if days is None:
            raise ValidationError(_("A period is a year (2026), a month (2026-03) or a quarter (2026Q1)."),
                                  code="bad_period")  # fmt: skip
        return days


class OverpaymentFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=[("", _("All")), *OverpaymentState.choices], required=False)
    region = forms.CharField(widget=forms.HiddenInput, max_length=15, required=False)
    period = forms.CharField(label=_("Found in"), max_length=7, required=False,
                             widget=forms.TextInput(attrs={"placeholder": "2026-08", "maxlength": 7}),
                             help_text=_("A year (2026), a month (2026-03) or a quarter (2026Q1)."))  # fmt: skip

    clean_period = LineFilterForm.clean_period


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
