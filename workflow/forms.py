from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, IdsChoiceField
from workflow.fields import form_field
from workflow.models import Holiday, Task
from workflow.process import Action


class ActionForm(forms.Form):
    """The form of one action on one task: the note, and the inputs the action declares, each the form
    field of its kind (``workflow.fields``); the engine cleans them again, authoritatively."""

    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, task: Task, spec: Action, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"t{task.pk}-{spec.key}")
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.fields["note"].required = spec.note_required
        for field in spec.fields:
            self.fields[field.name] = form_field(field, task.case)

    def payload(self) -> dict[str, Any]:
        return {f.name: self.cleaned_data.get(f.name) for f in self.spec.fields}


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "kind", "name"]
        widgets = {"date": DateInput()}


class BulkForm(forms.Form):
    tasks = IdsChoiceField(queryset=Task.objects.none(), label=_("Tasks"))
    bulk_action = forms.CharField(label=_("Action"), max_length=40)

    def __init__(self, *args: Any, queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = queryset  # type: ignore[attr-defined]
