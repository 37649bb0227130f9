"""The forms of the people's side of 抚恤补助: filters, a proposal, the manager's actions, the annual confirmation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from benefits.models import Cause, EntitlementStatus, Program
from core.forms import IdField, SensitiveInput
from regions.models import Level
from regions.pickers import region_field
from veterans.models import FamilyMember, Veteran
from veterans.pickers import person_field
from workflow.models import Case

MONTH_HELP = _("The month as YYYY-MM, for example 2026-11.")


def program_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((p.code, p.name) for p in Program.objects.all())]


class MonthField(forms.Field):
    """A month typed as ``2026-11`` (a ``<input type="month">``), given as the first of that month."""

    widget = forms.DateInput(format="%Y-%m", attrs={"type": "month", "placeholder": "2026-11"})
    default_error_messages = {"invalid": _("Give the month as YYYY-MM, for example 2026-11.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", MONTH_HELP)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            year, month = text[:7].split("-")
            if len(year) != 4 or len(text) not in (7, 10):
                raise ValueError(text)
            return dt.date(int(year), int(month), 1)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class EntitlementFilterForm(forms.Form):
    q = forms.CharField(label=_("Beneficiary's name"), required=False, max_length=50)
    program = forms.ChoiceField(label=_("Program"), required=False, choices=program_choices)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *EntitlementStatus.choices])
    town = region_field(_("Town"), levels=(Level.TOWN,))


class ProposalFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or beneficiary"), required=False, max_length=50)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", "—"), *Case.State.choices])
    program = forms.ChoiceField(label=_("Program"), required=False, choices=program_choices)


GRADES = [("", "—"), *((str(n), _("Grade %(n)s") % {"n": n}) for n in range(1, 11))]


class ProposalForm(forms.Form):
    veteran_id = person_field(_("Veteran"), help_text=_("Name, pinyin or the last digits of the ID number."))
    family_member = forms.TypedChoiceField(
        label=_("Family member who receives it"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Only for a program paid to a family member; choose the veteran first, then send the form."),
    )
    id_number = forms.CharField(
        label=_("Family member's ID number"),
        required=False,
        max_length=30,
        widget=SensitiveInput,
        help_text=_("Only when the family member's record has none."),
    )
    program = forms.ChoiceField(label=_("Program"), choices=program_choices)
    grade = forms.TypedChoiceField(label=_("Disability grade"), required=False, coerce=int, empty_value=None,
                                   choices=GRADES)  # fmt: skip
    cause = forms.ChoiceField(label=_("Cause"), required=False, choices=[("", "—"), *Cause.choices])
    from_month = MonthField(label=_("From month"))
    bank_name = forms.CharField(label=_("Bank"), max_length=50)
    account = forms.CharField(label=_("Bank account"), max_length=40, widget=SensitiveInput,
                              help_text=_("12 to 30 digits."))  # fmt: skip
    reason = forms.CharField(label=_("Grounds"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        field: Any = self.fields["family_member"]
        field.choices = [("", "—"), *self._members()]

    def _veteran_id(self) -> int | None:
        raw = self.data.get("veteran_id") if self.is_bound else self.initial.get("veteran_id")
        text = str(raw or "")
        return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None

    def _members(self) -> list[tuple[int, str]]:
        pk = self._veteran_id()
        if pk is None or self.user is None or not Veteran.objects.visible_to(self.user).filter(pk=pk).exists():
            return []
        return [(m.pk, str(m)) for m in FamilyMember.objects.filter(veteran_id=pk)]


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the suspension"), max_length=200)


class ResumeForm(forms.Form):
    backpay = forms.TypedChoiceField(
        label=_("The months suspended"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Pay them with the next batch (back-pay)")), ("no", _("Do not pay them"))],
        initial="yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Note"), required=False, max_length=200)


class EndForm(forms.Form):
    last_month = MonthField(label=_("Last month paid"))
    reason = forms.CharField(label=_("Reason for ending it"), max_length=200)


class RevealAccountForm(forms.Form):
    reason = forms.CharField(label=_("Reason for seeing the full bank account"), max_length=200,
                             help_text=_("Recorded in the audit log with your name."))  # fmt: skip


def this_year() -> int:
    return timezone.localdate().year


class ConfirmationYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)


class ConfirmForm(forms.Form):
    entitlement = IdField()
    year = forms.IntegerField(min_value=2000, max_value=2100)
