from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import DateInput
from regions.models import Designation, Level, StarCriterion
from regions.pickers import region_field


class RegionCreateForm(forms.Form):
    code = forms.CharField(
        label=_("Division code"),
        max_length=15,
        help_text=_("12 digits; a grid adds 3 digits to its village's code."),
    )
    name = forms.CharField(label=pgettext_lazy("place or thing", "Name"), max_length=60)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)


class RegionEditForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("place or thing", "Name"), max_length=60)
    parent_code = region_field(
        _("Parent region"),
        help_text=_("Change only to move the region under another parent."),
    )


class StationForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("place or thing", "Name"), max_length=80)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    head_name = forms.CharField(label=_("Station head"), max_length=50, required=False)
    full_time_staff = forms.IntegerField(label=_("Full-time staff"), min_value=0, max_value=1000, initial=0)
    part_time_staff = forms.IntegerField(label=_("Part-time staff"), min_value=0, max_value=1000, initial=0)
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=DateInput())


class DesignationForm(forms.Form):
    designation = forms.ChoiceField(label=_("Designation"), choices=Designation.choices)
    year = forms.IntegerField(label=_("Year awarded"), min_value=2018, max_value=2100)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class StarRatingForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2018, max_value=2100)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["year"].initial = timezone.localdate().year
        self.criteria = list(StarCriterion.objects.filter(active=True))
        for criterion in self.criteria:
            self.fields[criterion.code] = forms.DecimalField(
                label=f"{criterion.name}（≤ {criterion.max_score}）",
                min_value=0,
                max_value=criterion.max_score,
                decimal_places=1,
                max_digits=5,
            )

    def scores(self) -> dict[str, Decimal]:
        return {c.code: self.cleaned_data[c.code] for c in self.criteria}


class LeaderForm(forms.Form):
    leader_name = forms.CharField(label=_("Leader name"), max_length=50)
    leader_phone = forms.CharField(label=_("Leader phone"), max_length=20, required=False)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    rotate = forms.BooleanField(label=_("Rotate: end the current leader's term the day before"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
