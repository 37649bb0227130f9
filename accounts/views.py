from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors, services
from accounts.forms import LoginForm, PasswordChangeForm, TokenForm, UserCreateForm, UserEditForm
from accounts.models import ApiToken, User
from accounts.roles import Role
from core.access import Target, page
from core.pickers import bind
from core.scoping import get_visible_or_404
from core.types import AuthedRequest
from core.views import submit_form
from regions.services import find_region_for


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


#: Open to anyone: a signed-in visitor is sent on from the sign-in page, and signing out when signed out
#: only sends the visitor to the sign-in page.
login = page(public=True, methods=("GET", "POST"), params=("next",))(LoginView.as_view())
logout = page(public=True, methods=("POST",))(LogoutView.as_view())


@page(methods=("GET", "POST"), no_store=True)  # shows a new token once
def me(request: AuthedRequest) -> HttpResponse:
    user: Any = request.user
    password_form = PasswordChangeForm(user)
    token_form = TokenForm()
    new_token = None
    if request.method == "POST" and "change_password" in request.POST:
        password_form = PasswordChangeForm(user, request.POST)
        if password_form.is_valid():
            try:
                services.user_set_password(actor=user, user=user, password=password_form.cleaned_data["new_password"])
            except ValidationError as exc:
                password_form.add_error(
                    "new_password", exc.error_dict["password"][0] if hasattr(exc, "error_dict") else exc
                )
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("Your password has been changed."))
                return redirect("accounts:me")
    elif request.method == "POST" and "issue_token" in request.POST:
        token_form = TokenForm(request.POST)
        if token_form.is_valid():
            _token, new_token = services.api_token_issue(user=user, label=token_form.cleaned_data["label"])
    elif request.method == "POST":
        return HttpResponse(status=400)
    return render(
        request,
        "accounts/me.html",
        {
            "password_form": password_form,
            "token_form": token_form,
            "new_token": new_token,
            "tokens": selectors.tokens_of(user=user)[:50],
        },
    )


@page(target=Target(ApiToken), methods=("POST",))
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        return render(request, "404.html", status=404)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:me")


@page("accounts.manage", params=("q", "role", "page"))
def users(request: AuthedRequest) -> HttpResponse:
    qs = selectors.user_list(user=request.user, q=request.GET.get("q", "").strip(), role=request.GET.get("role", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    locked = set(
        AccessAttempt.objects.filter(
            username__in=[u.username for u in page],
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME),
        ).values_list("username", flat=True)
    )

    return render(request, "accounts/users.html", {"page": page, "locked": locked, "roles": Role.choices})


#: The services name the scope region ``scope_region``; the forms take its code as ``scope_code``.
SCOPE_ALIAS = {"scope_region": "scope_code"}


def _save_user(request: AuthedRequest, form: UserCreateForm | UserEditForm, save: Any) -> Any:
    """Resolve the scope code within the manager's own scope, then run the service."""

    def action(data: dict[str, Any]) -> Any:
        data = dict(data)
        data["scope_region"] = find_region_for(request.user, data.pop("scope_code"), field="scope_code")
        return save(data)

    return submit_form(request, form, action, SCOPE_ALIAS)


@page("accounts.manage", methods=("GET", "POST"))
def user_create(request: AuthedRequest) -> HttpResponse:
    form = bind(UserCreateForm(request.POST or None), request.user)
    created = _save_user(request, form, lambda data: services.user_create(actor=request.user, **data))
    if created is not None:
        messages.success(request, _("User %(name)s created.") % {"name": created.username})
        return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "title": _("New user")})


@page("accounts.manage", target=Target(User), methods=("GET", "POST"))
def user_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    target = get_visible_or_404(User.objects.select_related("scope_region"), request.user, pk=pk)
    initial = {
        "display_name": target.display_name,
        "role": target.role,
        "department": target.department,
        "phone": target.phone,
        "is_active": target.is_active,
        "scope_code": target.scope_region.code if target.scope_region else "",
    }
    form = bind(UserEditForm(request.POST or None, initial=initial), request.user)
    saved = _save_user(request, form, lambda data: services.user_update(actor=request.user, user=target, **data))
    if saved is not None:
        messages.success(request, _("User %(name)s saved.") % {"name": target.username})
        return redirect("accounts:users")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "target": target, "title": _("Edit user %(name)s") % {"name": target.username}},
    )


@page("accounts.manage", target=Target(User), methods=("POST",))
def user_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    target = get_visible_or_404(User.objects.all(), request.user, pk=pk)
    services.user_unlock(actor=request.user, user=target)
    messages.success(request, _("User %(name)s unlocked.") % {"name": target.username})
    return redirect("accounts:users")
