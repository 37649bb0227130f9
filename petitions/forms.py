from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, SensitiveInput
from petitions.models import Channel, LinkKind, Subject
from regions.models import Level
from regions.pickers import region_field
from veterans.pickers import person_field


class PetitionForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    received_on = forms.CharField(label=_("Received on"), help_text="2026-11-28", widget=DateInput())
    veteran_id = person_field(
        _("Registered veteran"),
        required=False,
        help_text=_(
            "Name, pinyin or the last digits of the ID; leave empty when the petitioner is not in the registry."
        ),
    )
    petitioner_name = forms.CharField(label=_("Petitioner"), required=False, max_length=100)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30, widget=SensitiveInput)
    id_number = forms.CharField(label=_("ID number"), required=False, max_length=30, widget=SensitiveInput)
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    region_code = region_field(
        _("Region"),
        levels=(Level.CITY, Level.TOWN, Level.VILLAGE, Level.GRID),
        help_text=_("Town, village or grid the petition concerns; a veteran's own by default."),
    )
    subject = forms.ChoiceField(label=_("Subject"), choices=Subject.choices)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 6}), max_length=6000)
    people = forms.IntegerField(label=_("Number of petitioners"), initial=1, min_value=1, max_value=999)
    linked_number = forms.CharField(label=_("Linked petition number"), required=False, max_length=30)
    link_kind = forms.ChoiceField(label=_("Link"), required=False, choices=[("", "—"), *LinkKind.choices])


class ReviewForm(forms.Form):
    received_on = forms.CharField(label=_("Asked on"), required=False, widget=DateInput())
    content = forms.CharField(
        label=_("What is to be reviewed"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class PetitionFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or petitioner"), required=False, max_length=50)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", "—"),
            ("open", _("In progress")),
            ("done", _("Concluded")),
            ("rejected", _("Not accepted")),
            ("withdrawn", _("Withdrawn")),
        ],
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", "—"), *Channel.choices])
    subject = forms.ChoiceField(label=_("Subject"), required=False, choices=[("", "—"), *Subject.choices])
