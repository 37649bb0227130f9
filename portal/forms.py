"""The portal's forms: few fields, large, with the keyboard a phone should show for each."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aid.models import Need as AidNeed
from care.models import NeedCategory, Satisfaction
from portal.models import CorrectionItem
from veterans import choices as c

PHONE = forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel", "maxlength": 20,
                               "placeholder": "138 0000 0000"})  # fmt: skip
CODE = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6,
                              "pattern": "[0-9]{6}", "placeholder": "123456"})  # fmt: skip


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20, widget=PHONE)


class CodeForm(forms.Form):
    phone = forms.CharField(widget=forms.HiddenInput, max_length=20)
    code = forms.CharField(label=_("Code from the SMS"), max_length=6, min_length=6, widget=CODE)


class OpenForm(forms.Form):
    """Open an account for one's own record: the name and ID number on it, then the code sent to its phone."""

    name = forms.CharField(label=_("Name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(label=_("ID number"), max_length=18, min_length=15,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 18}))  # fmt: skip
    code = forms.CharField(label=_("Code from the SMS"), max_length=6, required=False, widget=CODE)


class ProxyForm(forms.Form):
    """A family member authorised to act for the veteran (代办)."""

    name = forms.CharField(label=_("Family member's name"), max_length=50)
    phone = forms.CharField(label=_("Their mobile number"), max_length=20, widget=PHONE)
    relation = forms.ChoiceField(label=_("Relation"), choices=c.choices(c.RELATIONS))


class NeedForm(forms.Form):
    """A need (急难愁盼) the veteran raises: what kind, and in their words."""

    category = forms.ChoiceField(label=_("What kind of help"), choices=NeedCategory.choices)
    description = forms.CharField(label=_("What you need"), max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000}))  # fmt: skip


class FollowupForm(forms.Form):
    """The veteran's answer to the 回访: how satisfied, and if not, why."""

    task = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    rating = forms.ChoiceField(label=_("How satisfied are you?"), choices=Satisfaction.choices,
                               widget=forms.RadioSelect)  # fmt: skip
    words = forms.CharField(label=_("What is still wrong (if not satisfied)"), max_length=500, required=False,
                            widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}))  # fmt: skip

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("rating") == Satisfaction.DISSATISFIED and len(str(data.get("words") or "").strip()) < 2:
            self.add_error("words", _("Say what is still wrong: the station takes it up again."))
        return data


class CorrectionForm(forms.Form):
    """A request to correct one's record (资料更正): what is wrong, and what it should say."""

    item = forms.ChoiceField(label=_("What is wrong"), choices=CorrectionItem.choices)
    wrong = forms.CharField(label=_("What the record says (if you know)"), max_length=500, required=False)
    right = forms.CharField(label=_("What it should say"), max_length=500,
                            widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}))  # fmt: skip


class AidForm(forms.Form):
    """An application for hardship aid (困难帮扶): the kind, the circumstances, the amount asked."""

    need = forms.ChoiceField(label=_("What hardship"), choices=AidNeed.choices)
    circumstances = forms.CharField(label=_("Your circumstances"), max_length=1000,
                                    widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000}))  # fmt: skip
    requested = forms.CharField(label=_("Amount asked (yuan)"), max_length=12,
                                widget=forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 12}))  # fmt: skip
