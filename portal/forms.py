"""The portal's forms: few fields, large, with the keyboard a phone should show for each."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
