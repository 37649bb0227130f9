"""The home page: one page whose panels follow the user's role, each from its own app's selector."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.roles import Role
from audit.described import described
from audit.selectors import audit_list
from core.access import page
from core.scoping import OWN_CAPABILITY
from core.types import AuthedRequest
from regions.selectors import leader_terms, network_counts
from veterans.selectors import veteran_total
from workflow.reminders import reminders_for
from workflow.selectors import task_counts


@page()  # every signed-in user
def home(request: AuthedRequest) -> HttpResponse:
    """One home page, whose panels follow the user's role."""
    user = request.user
    if user.can(OWN_CAPABILITY) and user.represented_ids():  # a veteran, or a family member acting for one
        return redirect("portal:home")
    context: dict[str, Any] = {"role_label": user.get_role_display() if user.role else ""}
    if user.can("regions.view"):
        context["counts"] = network_counts(user=user)
    if user.can("veterans.view"):
        total, more = veteran_total(user=user)
        context["veteran_total"], context["veteran_total_more"] = f"{total:,}", more
    if user.can("workflow.inbox"):
        context["task_counts"] = task_counts(user)
    context["reminders"] = reminders_for(user)
    if user.can("audit.view"):
        context["recent_audit"] = described(list(audit_list(user=user).order_by("-seq")[:8]))
    if user.role == Role.GRID_LEADER and user.scope_region is not None:
        context["my_terms"] = list(leader_terms(user=user, grid=user.scope_region))
        # a volunteer's phone: what they do, as big tiles first (the navigation's entries, nav_items)
        context["workspace"] = True
    return render(request, "home/home.html", context)
