"""The record form: plain fields, validated by the same ``clean_veteran`` as the API and imports."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, SensitiveInput
from regions.models import Level
from regions.pickers import region_field
from veterans import choices as c

DATE_HELP = _("e.g. 2001-09-01, 2001/9/1, 2001年9月1日; month only: 2001-09")


def _select(table: list[tuple[str, str, str]], label: Any, required: bool = False) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=[("", "—"), *c.choices(table)], required=required)


class VeteranForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=30, widget=SensitiveInput)
    region_code = region_field(_("Residence (village or grid)"), levels=(Level.VILLAGE, Level.GRID), required=True)
    enlisted_on = forms.CharField(label=_("Enlisted on"), max_length=20, help_text=DATE_HELP)
    discharged_on = forms.CharField(label=_("Discharged on"), max_length=20, help_text=DATE_HELP)
    discharge_type = _select(c.DISCHARGE_TYPES, _("Discharge type"), required=True)
    gender = _select(c.GENDERS, _("Gender"))
    birth_date = forms.CharField(label=_("Birth date"), max_length=20, required=False,
                                 help_text=_("Taken from the ID number when left empty."))  # fmt: skip
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=10, required=False, initial="汉族")
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False, widget=SensitiveInput)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    hukou_region_code = forms.CharField(label=_("Household registration code"), max_length=15, required=False)
    branch = _select(c.BRANCHES, _("Branch"))
    rank = forms.CharField(label=_("Rank"), max_length=30, required=False)
    placement = _select(c.PLACEMENTS, _("Placement"))
    awards = forms.CharField(label=_("Awards"), max_length=500, required=False)
    political_status = _select(c.POLITICAL_STATUSES, _("Political status"))
    party_joined_on = forms.CharField(label=_("Joined the Party on"), max_length=20, required=False)
    education = _select(c.EDUCATION, _("Education"))
    employment_status = _select(c.EMPLOYMENT, _("Employment status"))
    categories = forms.MultipleChoiceField(label=_("Special-care categories"), choices=c.choices(c.CATEGORIES),
                                           required=False, widget=forms.CheckboxSelectMultiple)  # fmt: skip
    disability_grade = forms.CharField(label=_("Disability grade (1-10)"), max_length=4, required=False)
    disability_cause = _select(c.DISABILITY_CAUSES, _("Disability cause"))
    tags = forms.MultipleChoiceField(label=_("Tags"), choices=[], required=False,
                                     widget=forms.CheckboxSelectMultiple)  # fmt: skip
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: object, editing: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from veterans.models import Tag

        cast(forms.ChoiceField, self.fields["tags"]).choices = [(t.code, t.name) for t in Tag.objects.all()]
        if editing:
            for name in ("id_number", "phone"):
                self.fields[name].required = False
                self.fields[name].help_text = _("Leave empty to keep the number on record.")


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Reason for seeing the full ID number"), max_length=200,
                             help_text=_("Recorded in the audit log with your name."))  # fmt: skip


class DeceasedForm(forms.Form):
    deceased_on = forms.DateField(label=_("Died on"), widget=DateInput())
    reason = forms.CharField(label=_("Source of the information"), max_length=200, required=False)


class FilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Name, pinyin or initials, last 4-6 digits of the ID, last 4 of the phone"),
    )
    region = region_field(_("Region"))
    category = _select(c.CATEGORIES, _("Category"))
    discharge_type = _select(c.DISCHARGE_TYPES, _("Discharge type"))
    branch = _select(c.BRANCHES, _("Branch"))
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *c.Status.choices], required=False)
    tag = forms.ChoiceField(label=_("Tag"), choices=[], required=False)
    age_min = forms.IntegerField(label=_("Age from"), min_value=0, max_value=130, required=False)
    age_max = forms.IntegerField(label=_("Age to"), min_value=0, max_value=130, required=False)
    party_member = forms.NullBooleanField(label=_("Party member"), required=False, widget=forms.Select(
        choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]))  # fmt: skip
    party_age_min = forms.IntegerField(label=_("Party age at least"), min_value=0, max_value=100, required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[
        ("-id", _("Newest first")), ("name", _("Name (pinyin)")), ("birth_date", _("Birth date")),
        ("discharged_on", _("Discharge date"))])  # fmt: skip

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from veterans.models import Tag

        cast(forms.ChoiceField, self.fields["tag"]).choices = [("", "—")] + [
            (t.code, t.name) for t in Tag.objects.all()
        ]


class FamilyMemberForm(forms.Form):
    relation = _select(c.RELATIONS, _("Relation"), required=True)
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=30, required=False, widget=SensitiveInput)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False, widget=SensitiveInput)
    is_military_family = forms.BooleanField(label=_("Military family (军属)"), required=False)
