from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.roles import Department, Role
from regions.pickers import region_field


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password. After 5 failures the account is locked for 30 minutes."),
        "inactive": _("This account is disabled."),
    }


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=50, required=False)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        strip=False,
        help_text=_("At least 12 characters, not a common password, not only digits."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    scope_code = region_field(
        _("Scope region"),
        required=True,
        help_text=_("The region this user works in; they see only what is under it."),
    )
    department = forms.ChoiceField(
        label=_("Department"),
        choices=[("", "—"), *Department.choices],
        required=False,
        help_text=_("Department liaisons only."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


class UserEditForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=50, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    scope_code = region_field(_("Scope region"), required=True)
    department = forms.ChoiceField(label=_("Department"), choices=[("", "—"), *Department.choices], required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput, strip=False)
    new_password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput,
        strip=False,
        help_text=_("At least 12 characters, not a common password, not only digits."),
    )
    new_password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput, strip=False)

    def __init__(self, user: object, *args: object, **kwargs: object) -> None:
        self.user = user
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):  # type: ignore[attr-defined]
            raise forms.ValidationError(_("The current password is wrong."), code="wrong_password")
        return value

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two passwords differ."))
        return data


class TokenForm(forms.Form):
    label = forms.CharField(
        label=_("Label"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, e.g. the script's name."),
    )
