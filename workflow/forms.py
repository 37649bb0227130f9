from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.roles import Department
from regions.models import Level, Region, ancestor_code
from workflow.models import Holiday, Task
from workflow.process import Action


class ActionForm(forms.Form):
    """The form of one action on one task: the note, and the inputs the action declares."""

    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, task: Task, spec: Action, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"t{task.pk}-{spec.key}")
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.fields["note"].required = spec.note_required
        for field in spec.fields:
            if field.kind == "int":
                self.fields[field.name] = forms.IntegerField(label=field.label, required=field.required)
            elif field.kind == "choice":
                self.fields[field.name] = forms.ChoiceField(
                    label=field.label, required=field.required, choices=[("", "—"), *field.choices]
                )
            elif field.kind == "department":
                self.fields[field.name] = forms.ChoiceField(
                    label=field.label, required=field.required, choices=[("", "—"), *Department.choices]
                )
            elif field.kind == "unit":
                city = ancestor_code(task.case.region_code, Level.CITY)
                units = Region.objects.filter(code__startswith=city[:6], level__in=[Level.CITY, Level.TOWN])
                self.fields[field.name] = forms.ChoiceField(
                    label=field.label, required=field.required, choices=[("", "—"), *((u.code, u.name) for u in units)]
                )
            else:
                self.fields[field.name] = forms.CharField(label=field.label, required=field.required, max_length=200)

    def payload(self) -> dict[str, Any]:
        return {f.name: self.cleaned_data.get(f.name) for f in self.spec.fields}


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "kind", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class BulkForm(forms.Form):
    tasks = forms.ModelMultipleChoiceField(queryset=Task.objects.none(), label=_("Tasks"))
    bulk_action = forms.CharField(label=_("Action"), max_length=40)

    def __init__(self, *args: Any, queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = queryset  # type: ignore[attr-defined]
