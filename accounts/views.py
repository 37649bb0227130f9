from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services
from accounts.forms import LoginForm, PasswordChangeForm, TokenForm, UserCreateForm, UserEditForm
from accounts.models import ApiToken, User
from core.permissions import require
from core.scoping import get_visible_or_404
from core.views import apply_errors
from regions.services import find_region_for


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@require_http_methods(["GET", "POST"])
@login_required
def me(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    password_form = PasswordChangeForm(user)
    token_form = TokenForm()
    new_token = None
    if request.method == "POST" and "change_password" in request.POST:
        password_form = PasswordChangeForm(user, request.POST)
        if password_form.is_valid():
            try:
                services.user_set_password(
                    actor=user, user=user, password=password_form.cleaned_data["new_password"]
                )
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


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        return render(request, "404.html", status=404)
    services.api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:me")


@require_http_methods(["GET"])
@login_required
def users(request: HttpRequest) -> HttpResponse:
    require(request.user, "accounts.manage")
    qs = selectors.user_list(
        user=request.user, q=request.GET.get("q", "").strip(), role=request.GET.get("role", "")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    from axes.models import AccessAttempt

    locked = set(
        AccessAttempt.objects.filter(
            username__in=[u.username for u in page], failures_since_start__gte=5
        ).values_list("username", flat=True)
    )
    from accounts.roles import Role

    return render(request, "accounts/users.html", {"page": page, "locked": locked, "roles": Role.choices})


def _resolve_scope(request: HttpRequest, form: UserCreateForm | UserEditForm) -> Any:
    try:
        return find_region_for(request.user, form.cleaned_data["scope_code"], field="scope_code")  # type: ignore[arg-type]
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


@require_http_methods(["GET", "POST"])
@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "accounts.manage")
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        scope = _resolve_scope(request, form)
        if scope is not None:
            data = form.cleaned_data
            try:
                created = services.user_create(
                    actor=request.user,
                    username=data["username"],
                    password=data["password"],  # type: ignore[arg-type]
                    role=data["role"],
                    scope_region=scope,
                    department=data["department"],
                    display_name=data["display_name"],
                    phone=data["phone"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("User %(name)s created.") % {"name": created.username})
                return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "title": _("New user")})


@require_http_methods(["GET", "POST"])
@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "accounts.manage")
    target = get_visible_or_404(User.objects.select_related("scope_region"), request.user, pk=pk)  # type: ignore[arg-type]
    initial = {
        "display_name": target.display_name,
        "role": target.role,
        "department": target.department,
        "phone": target.phone,
        "is_active": target.is_active,
        "scope_code": target.scope_region.code if target.scope_region else "",
    }
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        scope = _resolve_scope(request, form)
        if scope is not None:
            data = form.cleaned_data
            try:
                services.user_update(
                    actor=request.user,
                    user=target,
                    display_name=data["display_name"],  # type: ignore[arg-type]
                    role=data["role"],
                    scope_region=scope,
                    department=data["department"],
                    phone=data["phone"],
                    is_active=data["is_active"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("User %(name)s saved.") % {"name": target.username})
                return redirect("accounts:users")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "target": target, "title": _("Edit user %(name)s") % {"name": target.username}},
    )


@require_POST
@login_required
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "accounts.manage")
    target = get_visible_or_404(User.objects.all(), request.user, pk=pk)  # type: ignore[arg-type]
    services.user_unlock(actor=request.user, user=target)  # type: ignore[arg-type]
    messages.success(request, _("User %(name)s unlocked.") % {"name": target.username})
    return redirect("accounts:users")
