from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.roles import Department
from cases.models import PERSON_FIELDS, ActingLevel, Stage
from core.forms import IdField


class OpenForm(forms.Form):
    veteran_id = IdField(label=_("Veteran (record number)"))
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    limit_days = forms.IntegerField(label=_("Statutory limit (days)"), min_value=1, max_value=365)
    working_days = forms.BooleanField(label=_("Counted in working days"), required=False)
    active = forms.BooleanField(label=_("In use"), required=False)


class TemplateTaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=60)
    department = forms.ChoiceField(
        label=_("Department"), required=False, choices=[("", _("The bureau itself")), *Department.choices]
    )
    acting_level = forms.ChoiceField(label=_("Acting level"), choices=ActingLevel.choices)
    limit_days = forms.IntegerField(label=_("Limit (days)"), min_value=1, max_value=365)
    working_days = forms.BooleanField(label=_("Working days"), required=False)
    person_fields = forms.MultipleChoiceField(
        label=_("Person data shown"),
        required=False,
        choices=list(PERSON_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
    )


TaskFormSet = forms.formset_factory(TemplateTaskForm, extra=1, can_delete=True)
