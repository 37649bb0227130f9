"""The forms of the campaign pages: they take what the user typed; ``campaigns.services`` decides."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Action, Audience, Kind
from care.models import Mode
from core.forms import DateInput
from veterans.choices import CATEGORIES

#: What a grid leader marks on a card: the four actions and the gift.
RECORD_CHOICES = [*Action.choices, ("gift", _("Gift given"))]


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example 2026年春节走访慰问"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until"), widget=DateInput())
    region_code = forms.ChoiceField(label=_("Area"))
    audience = forms.ChoiceField(label=_("Who"), choices=Audience.choices)
    categories = forms.MultipleChoiceField(
        label=_("Categories"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(value, _(label)) for value, label, _term in CATEGORIES],
        help_text=_("For people in special care: none ticked means every category."),
    )  # fmt: skip
    actions = forms.MultipleChoiceField(label=_("Actions"), choices=Action.choices, widget=forms.CheckboxSelectMultiple,
                                        initial=list(Action.values))  # fmt: skip
    gift_name = forms.CharField(label=_("Gift (optional)"), required=False, max_length=100,
                                help_text=_("For example 新春大礼包: recorded once per household"))  # fmt: skip

    def __init__(self, *args: Any, areas: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region: Any = self.fields["region_code"]
        region.choices = [(a.code, a.name) for a in areas]


class RecordForm(forms.Form):
    """One mark on a person's card: an action of 四全 or the gift (the hidden ``once`` key: sent twice, kept once)."""

    once = forms.CharField(widget=forms.HiddenInput, max_length=64)
    action = forms.ChoiceField(choices=RECORD_CHOICES, widget=forms.HiddenInput)
    mode = forms.ChoiceField(label=_("Way of contact"), choices=Mode.choices, required=False, initial=Mode.HOME)
    note = forms.CharField(label=_("Notes"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("once", uuid.uuid4().hex)
